// Counting the controlling figures from case facts: the same figures into the same rows with the same persons as
// accumulate.ts counts them over the events — in one pass over the cases for the rows of the grouping and the total
// row together. Within a case the counts are first summed per row (a person is counted once per cell anyway), so a
// case costs its days, not its contacts; days of phases are added piece by piece in the reference's order (sums of
// fractions must come out the same to the last bit). Written for thousands of cases: no closures or arrays made per
// case in the loops.
import { CONTACT_KINDS } from '../case-model.js';
import { DAY_MS } from '../dates.js';
import type { CountedRow } from './accumulate.js';
import { localDay, monthKey, type Window } from './calendar.js';
import { Columns, FactsRow } from './facts-cells.js';
import { orgIndexAt, scanDays, type DaySink } from './facts-days.js';
import { CODES, CONTACT_CODES, DAY_DEADLINE_FIGURES, figureCode, parseStoredFacts, type CaseFacts, type CaseFactsInput, type FactsPiece } from './facts-model.js';
import { ReferralTargets } from './facts-services.js';
import type { HandoverModel } from './histories.js';
import { CONTROLLED_DEADLINE_KINDS, HANDOVER_EVENT_FIGURE, PHASES, UNASSIGNED_GROUP, byOrganisation, type ControllingGroupBy } from './model.js';

/** A case of the report before its facts are read: its number and person's number (for FactsRow's bit sets). */
export interface FactsSource {
  id: string;
  person: string;
  personNo: number;
  no: number;
  input: CaseFactsInput;
}

/** The facts of a case, parsed from their stored form if need be — a copy of the report's own either way. */
export function factsOf(source: FactsSource): CaseFacts {
  const { input } = source;
  return 'facts' in input ? { ...input.facts, pieces: [...input.facts.pieces] } : parseStoredFacts(input.stored, input.days);
}

/** A case as the report counts it from its facts. */
interface FactsCase extends FactsSource {
  municipality: string;
  /** Its row under a grouping fixed per case (municipality, age band, channel). */
  groupKey: string;
  openedAt: number;
  facts: CaseFacts;
  /** Stretches of the open case, the running one included (ending at Infinity). */
  pieces: FactsPiece[];
}

export interface FactsContext {
  sources: FactsSource[];
  /** The referral catalogue (issue 14): referrals are counted by code. */
  referralCatalogue?: readonly { code: string; name: string }[];
  handovers: Array<HandoverModel & { personNo: number }>;
  persons: number;
  minPersons: number;
  start: number;
  end: number;
  timeZone: string;
  /** The period as day numbers, both inclusive. */
  fromDay: number;
  toDay: number;
  /** Month keys of the period, and the month (index into them) of each day of the period (index: day − fromDay). */
  months: string[];
  monthOfDay: Int32Array;
  /** The months of the period as month numbers (facts-days.ts): the first one, and those it covers whole. */
  firstMonth: number;
  wholeMonths: [number, number];
  /** The months it covers in part (`YYYY-MM`): their days are read. */
  partialMonths: string[];
  /** Row key of an organisation's figure (its id, or its kind of post), and of a case under a per-case grouping. */
  orgKey: (orgId: string) => string;
  caseKey: (caseId: string, municipality: string) => string;
}

/** The case with its facts read — null when it was not opened before the end of the period (not counted). */
function factsCase(source: FactsSource, end: number, ctx: FactsContext): FactsCase | null {
  const f = factsOf(source);
  const openedAt = f.opened[0];
  if (openedAt === undefined || openedAt >= end) return null;
  const pieces = f.pieces;
  if (f.now?.[4] === 1) pieces.push([f.now[0], Infinity, 0, f.now[1], f.now[2], f.now[3]]); // (a copy of its own: see factsOf)
  const { id, person, personNo, no, input } = source;
  const municipality = f.municipality ?? UNASSIGNED_GROUP;
  return { id, person, personNo, no, input, municipality, groupKey: ctx.caseKey(id, municipality), openedAt, facts: f, pieces };
}

/** Column numbers of the figures counted per case (the others are found by path). */
function fixedColumns(columns: Columns) {
  const figures = [...DAY_DEADLINE_FIGURES, 'overdueAtEnd'];
  return {
    opened: columns.of(['cases', 'opened']),
    active: columns.of(['cases', 'active']),
    personsActive: columns.of(['persons', 'active']),
    phases: new Map(PHASES.map((p) => [p as string, { cases: columns.of(['phases', p, 'cases']), days: columns.of(['phases', p, 'days']) }])),
    onHold: { cases: columns.of(['phases', 'on_hold', 'cases']), days: columns.of(['phases', 'on_hold', 'days']) },
    contactsTotal: columns.of(['contacts', 'total']),
    contactsByKind: CONTACT_KINDS.map((k) => columns.of(['contacts', 'byKind', k])),
    deadlinesTotal: figures.map((f) => columns.of(['deadlines', 'total', f])),
    deadlinesByKind: CONTROLLED_DEADLINE_KINDS.map((k) => figures.map((f) => columns.of(['deadlines', 'byKind', k, f]))),
  };
}
type Fixed = ReturnType<typeof fixedColumns>;
const OVERDUE = DAY_DEADLINE_FIGURES.length;

/** One pass: how a figure finds its row of the grouping; the total row is one. */
class Pass implements DaySink {
  readonly columns = new Columns();
  readonly fixed = fixedColumns(this.columns);
  readonly rows = new Map<string, FactsRow>();
  readonly total: FactsRow;
  /** Sums of the current case per slot (its organisation, the month, or the one municipality) — reused. */
  private readonly sums: Int32Array[] = [];
  private readonly used: number[] = [];
  private c!: FactsCase;

  constructor(
    readonly ctx: FactsContext,
    readonly groupBy: ControllingGroupBy,
  ) {
    this.total = this.newRow();
  }

  private newRow(): FactsRow {
    // Units are case numbers, and person numbers for the persons counted once (persons.active).
    return new FactsRow(Math.ceil(this.ctx.persons / 32) + 1, Math.ceil(Math.max(this.ctx.sources.length, this.ctx.persons) / 32) + 1);
  }

  row(key: string): FactsRow {
    let r = this.rows.get(key);
    if (!r) this.rows.set(key, (r = this.newRow()));
    return r;
  }

  inPeriod(t: number): boolean {
    return t >= this.ctx.start && t < this.ctx.end;
  }

  /** Slot of a figure of the current case at instant `t` inside the period. */
  private slotAt(t: number): number {
    if (byOrganisation(this.groupBy)) return orgIndexAt(this.c.facts, t);
    return this.groupBy === 'month' ? this.ctx.monthOfDay[localDay(t, this.ctx.timeZone) - this.ctx.fromDay]! : 0;
  }

  private keyOfSlot(slot: number): string {
    if (byOrganisation(this.groupBy)) return slot < 0 ? UNASSIGNED_GROUP : this.ctx.orgKey(this.c.facts.orgIds[slot]!);
    return this.groupBy === 'month' ? this.ctx.months[slot]! : this.c.groupKey;
  }

  /** Row of a case's figure at instant `t` inside the period. */
  rowAt(c: FactsCase, t: number): FactsRow {
    this.c = c;
    return this.row(this.keyOfSlot(this.slotAt(t)));
  }

  private bump(slot: number, index: number, n: number): void {
    const at = slot + 1; // slot −1 (no organisation) included
    let v = this.sums[at];
    if (!v) this.sums[at] = v = new Int32Array(CODES + 1);
    if (!this.used.includes(at)) this.used.push(at);
    v[index]! += n;
  }

  count(day: number, org: number, code: number, n: number): void {
    const slot = byOrganisation(this.groupBy) ? org : this.groupBy === 'month' ? this.ctx.monthOfDay[day - this.ctx.fromDay]! : 0;
    this.bump(slot, 1 + code, n);
  }

  /** The month buckets of the months the period covers whole. */
  private readonly monthSink: DaySink = {
    count: (month, org, code, n) => this.bump(byOrganisation(this.groupBy) ? org : this.groupBy === 'month' ? month - this.ctx.firstMonth : 0, 1 + code, n),
  };

  /** Openings, contacts and deadline figures of a case, summed per row, then added to the rows and the total. */
  countSums(c: FactsCase): void {
    this.c = c;
    const f = c.facts;
    for (const at of f.opened) if (this.inPeriod(at)) this.bump(this.slotAt(at), 0, 1);
    const { ctx } = this;
    if (ctx.wholeMonths[0] <= ctx.wholeMonths[1]) scanDays(f.months, ctx.wholeMonths[0], ctx.wholeMonths[1], this.monthSink);
    for (const month of ctx.partialMonths) {
      const days = f.days[month];
      if (days) scanDays(days, ctx.fromDay, ctx.toDay, this);
    }
    for (const [t, code] of f.recent) if (this.inPeriod(t)) this.bump(this.slotAt(t), 1 + code, 1);
    if (this.used.length === 0) return;
    const total = this.used.length === 1 ? this.sums[this.used[0]!]! : new Int32Array(CODES + 1);
    for (const at of this.used) {
      const v = this.sums[at]!;
      addSums(this.fixed, this.row(this.keyOfSlot(at - 1)), c.personNo, v);
      if (v !== total) for (let j = 0; j <= CODES; j++) total[j]! += v[j]!;
    }
    addSums(this.fixed, this.total, c.personNo, total);
    for (const at of this.used) this.sums[at]!.fill(0);
    this.used.length = 0;
  }
}

/** The rows of the grouping (`windows`: the period, or its months) and the total row, in one pass; and the referral
 *  targets shown. */
export function accumulateFacts(
  ctx: FactsContext,
  groupBy: ControllingGroupBy,
  windows: Window[],
): { groupRows: Map<string, CountedRow>; totalRow: CountedRow; services: string[] } {
  const pass = new Pass(ctx, groupBy);
  const targets = new ReferralTargets(ctx.start, ctx.end, ctx.referralCatalogue);
  const totalWindows: Window[] = [{ start: ctx.start, end: ctx.end, key: null }];
  const ends = (list: Window[]) => [...list].sort((a, b) => a.end - b.end).map((w) => ({ w, day: localDay(w.end, ctx.timeZone) }));
  const groupEnds = ends(windows);
  const totalEnds = ends(totalWindows);
  for (const source of ctx.sources) {
    const c = factsCase(source, ctx.end, ctx);
    if (!c) continue;
    countPieces(pass, c, windows, false);
    countPieces(pass, c, totalWindows, true);
    pass.countSums(c);
    targets.collect(c, pass);
    if (c.facts.overdue.length > 0 || c.facts.pending.some(isOverdue)) {
      countOverdue(pass, c, groupEnds, false);
      countOverdue(pass, c, totalEnds, true);
    }
    countLastClosure(pass, c);
  }
  countHandovers(pass);
  const services = targets.resolve(ctx.minPersons, pass.total, (path) => pass.columns.of(path));
  const { columns } = pass;
  return { groupRows: new Map([...pass.rows].map(([key, r]) => [key, r.counted(columns)])), totalRow: pass.total.counted(columns), services };
}

const isOverdue = (p: CaseFacts['pending'][number]) => p[2] === 1;

/** Active cases and days per phase (accumulate.ts countOpenPieces): open pieces within each window. */
function countPieces(pass: Pass, c: FactsCase, windows: readonly Window[], total: boolean): void {
  // Piece by piece, each with the windows it may overlap (windows are consecutive, in order): every cell still gets
  // the pieces in the reference's order, since a window's row is its own.
  for (const p of c.pieces) {
    const [start, end] = p;
    let lo = 0;
    let hi = windows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (windows[mid]!.end <= start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < windows.length && windows[i]!.start <= end; i++) countPiece(pass, c, p, windows[i]!, total);
  }
}

function countPiece(pass: Pass, c: FactsCase, p: FactsPiece, w: Window, total: boolean): void {
  const { fixed } = pass;
  const [start, end, endInclusive, state, org, onHold] = p;
  // histories.ts overlaps(): a piece that ends with the closure still counts at that instant.
  if (!(start < w.end && (end > w.start || (endInclusive === 1 && end >= w.start)))) return;
  const r = total ? pass.total : pass.row(w.key ?? (byOrganisation(pass.groupBy) ? pass.ctx.orgKey(c.facts.orgIds[org]!) : c.groupKey));
  r.addDistinct(fixed.active, c.personNo, c.no);
  r.addDistinct(fixed.personsActive, c.personNo, c.personNo);
  const days = Math.max(0, Math.min(end, w.end) - Math.max(start, w.start)) / DAY_MS;
  const phase = fixed.phases.get(state);
  if (phase) {
    r.addDistinct(phase.cases, c.personNo, c.no);
    r.add(phase.days, c.personNo, days);
  }
  if (onHold === 1) {
    r.addDistinct(fixed.onHold.cases, c.personNo, c.no);
    r.add(fixed.onHold.days, c.personNo, days);
  }
}

function addSums(fixed: Fixed, r: FactsRow, person: number, v: Int32Array): void {
  if (v[0]! > 0) r.add(fixed.opened, person, v[0]);
  let contacts = 0;
  for (let k = 0; k < CONTACT_CODES; k++) contacts += v[1 + k]!;
  if (contacts > 0) {
    r.add(fixed.contactsTotal, person, contacts);
    for (let k = 0; k < CONTACT_CODES; k++) if (v[1 + k]! > 0) r.add(fixed.contactsByKind[k]!, person, v[1 + k]);
  }
  for (let figure = 0; figure < DAY_DEADLINE_FIGURES.length; figure++) {
    let total = 0;
    for (let kind = 0; kind < CONTROLLED_DEADLINE_KINDS.length; kind++) total += v[1 + figureCode(kind, figure)]!;
    if (total === 0) continue;
    r.add(fixed.deadlinesTotal[figure]!, person, total);
    for (let kind = 0; kind < CONTROLLED_DEADLINE_KINDS.length; kind++) {
      const n = v[1 + figureCode(kind, figure)]!;
      if (n > 0) r.add(fixed.deadlinesByKind[kind]![figure]!, person, n);
    }
  }
}

/** Work deadlines overdue at the end of each window (a local midnight): those whose overdue stretch covers it. */
function countOverdue(pass: Pass, c: FactsCase, ends: readonly { w: Window; day: number }[], total: boolean): void {
  const f = c.facts;
  const open = f.pending.filter(isOverdue).map((p) => [p[1], localDay(p[5], pass.ctx.timeZone) + 1] as const);
  const { deadlinesTotal, deadlinesByKind } = pass.fixed;
  for (const { w, day } of ends) {
    const perKind = new Array<number>(CONTROLLED_DEADLINE_KINDS.length).fill(0);
    for (const [kind, first, last, n] of f.overdue) if (first <= day && day <= last) perKind[kind]! += n;
    for (const [kind, first] of open) if (first <= day) perKind[kind]! += 1;
    const sum = perKind.reduce((a, b) => a + b, 0);
    if (sum === 0) continue;
    const r = total ? pass.total : w.key !== null ? pass.row(w.key) : pass.rowAt(c, w.end - 1);
    r.add(deadlinesTotal[OVERDUE]!, c.personNo, sum);
    perKind.forEach((n, kind) => n > 0 && r.add(deadlinesByKind[kind]![OVERDUE]!, c.personNo, n));
  }
}

/** A case closed twice in the period (reopened in between) counts once, with its last closure. */
function countLastClosure(pass: Pass, c: FactsCase): void {
  let last: CaseFacts['closures'][number] | undefined;
  for (const closure of c.facts.closures) if (pass.inPeriod(closure[0])) last = closure;
  if (!last) return;
  const [at, reason, attainment] = last;
  const cols = [pass.columns.of(['cases', 'closed']), pass.columns.of(['closureReasons', reason]), ...(attainment ? [pass.columns.of(['goalAttainment', attainment])] : [])];
  for (const r of [pass.rowAt(c, at), pass.total]) {
    for (const col of cols) r.add(col, c.personNo);
    r.duration(c.personNo, (at - c.openedAt) / DAY_MS);
  }
}

/** ABH handovers by outcome for the receiving organisation (municipality of the case, month of the event). */
function countHandovers(pass: Pass): void {
  const { groupBy, ctx } = pass;
  for (const h of ctx.handovers) {
    for (const e of h.events) {
      const figure = HANDOVER_EVENT_FIGURE[e.type];
      if (!figure || !pass.inPeriod(e.at)) continue;
      const col = pass.columns.of(['handovers', figure]);
      pass.row(handoverKey(groupBy, ctx, h, e.at)).add(col, h.personNo);
      pass.total.add(col, h.personNo);
    }
  }
}

/** Row of a handover's figure: the receiving organisation (or its post), the month, or the linked case's group. */
export function handoverKey(
  groupBy: ControllingGroupBy,
  keys: Pick<FactsContext, 'orgKey' | 'caseKey' | 'timeZone'>,
  h: Pick<HandoverModel, 'receivingOrganisationId' | 'municipality' | 'caseId'>,
  at: number,
): string {
  if (byOrganisation(groupBy)) return h.receivingOrganisationId === UNASSIGNED_GROUP ? UNASSIGNED_GROUP : keys.orgKey(h.receivingOrganisationId);
  if (groupBy === 'month') return monthKey(at, keys.timeZone);
  if (groupBy === 'municipality') return h.municipality;
  return h.caseId ? keys.caseKey(h.caseId, h.municipality) : UNASSIGNED_GROUP;
}
