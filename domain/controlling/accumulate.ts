// Accumulation of the controlling figures: one pass over all cases and handovers per grouping, counting each figure
// into the row of its group together with the persons it concerns (for the small-cell suppression).
import { CLOSURE_REASONS, CONTACT_KINDS, GOAL_ATTAINMENTS } from '../case-model.js';
import { DAY_MS } from '../dates.js';
import { monthKey, type Window } from './calendar.js';
import { contactTime, orgAt, overlaps, referralIdOf, SEP, str, type CaseModel, type Ev, type HandoverModel, type Piece } from './histories.js';
import {
  CONTROLLED_DEADLINE_KINDS,
  HANDOVER_EVENT_FIGURE,
  OTHER_SERVICES,
  PHASES,
  REFERRAL_OUTCOMES,
  TOTAL_GROUP,
  UNASSIGNED_GROUP,
  byOrganisation,
  type ControllingGroupBy,
  type DeadlineFigure,
} from './model.js';
import { handoverKey } from './facts-accumulate.js';
import { referralKey } from './referral-services.js';

export const pathKey = (path: readonly string[]) => path.join(SEP);

/** What the cells read of a row (cells.ts): its counts and statistics by path key, and how many persons each concerns. */
export interface CountedRow {
  counts: ReadonlyMap<string, { value: number; persons: { readonly size: number } }>;
  stats: ReadonlyMap<string, { values: number[]; persons: { readonly size: number } }>;
}

interface CountAcc {
  value: number;
  persons: Set<string>;
  /** For distinct counts (active cases, cases per phase). */
  units?: Set<string>;
}

export class RowAcc implements CountedRow {
  readonly counts = new Map<string, CountAcc>();
  readonly stats = new Map<string, { values: number[]; persons: Set<string> }>();

  private acc(k: string): CountAcc {
    let a = this.counts.get(k);
    if (!a) this.counts.set(k, (a = { value: 0, persons: new Set() }));
    return a;
  }

  add(path: readonly string[], person: string, amount = 1): void {
    this.addAt(pathKey(path), person, amount);
  }

  /** `add` with the path already joined (pathKey): for figures counted many times. */
  addAt(key: string, person: string, amount = 1): void {
    const a = this.acc(key);
    a.value += amount;
    a.persons.add(person);
  }

  addDistinct(path: readonly string[], person: string, unit: string): void {
    this.addDistinctAt(pathKey(path), person, unit);
  }

  addDistinctAt(key: string, person: string, unit: string): void {
    const a = this.acc(key);
    a.units ??= new Set();
    if (!a.units.has(unit)) {
      a.units.add(unit);
      a.value += 1;
    }
    a.persons.add(person);
  }

  stat(path: readonly string[], person: string, value: number): void {
    const k = pathKey(path);
    let s = this.stats.get(k);
    if (!s) this.stats.set(k, (s = { values: [], persons: new Set() }));
    s.values.push(value);
    s.persons.add(person);
  }
}

interface DeadlineTrack {
  kind: string;
  status: 'open' | 'overdue' | 'suspended' | 'done';
  beforeSuspension: 'open' | 'overdue';
  /** Missed since it was (re)set or moved: a reminder followed by an escalation is one missed deadline. */
  missed: boolean;
}

const isControlledKind = (kind: string | undefined): kind is (typeof CONTROLLED_DEADLINE_KINDS)[number] =>
  kind !== undefined && (CONTROLLED_DEADLINE_KINDS as readonly string[]).includes(kind);

export interface Context {
  cases: CaseModel[];
  handovers: HandoverModel[];
  start: number;
  end: number;
  timeZone: string;
  serviceOf: Map<string, string>;
  /** Row keys of an organisation and of a case under a per-case grouping (model.ts organisationKey, caseGroupKey). */
  orgKey: (orgId: string) => string;
  caseKey: (caseId: string, municipality: string) => string;
}

/** The rows of one pass and how a figure finds its row. */
interface Pass {
  ctx: Context;
  row(key: string): RowAcc;
  inPeriod(t: number): boolean;
  /** Group of a case's figure at instant `t`. */
  caseKey(c: CaseModel, t: number): string;
  /** Group of an open piece of a case within window `w`. */
  pieceKey(c: CaseModel, p: Piece, w: Window): string;
  /** Group of a handover's figure at instant `t`. */
  handoverKey(h: HandoverModel, t: number): string;
}

/** One pass over all cases and handovers. `mode` = the grouping, or 'total' for the one-row total. */
export function accumulate(ctx: Context, mode: ControllingGroupBy | 'total', windows: Window[]): Map<string, RowAcc> {
  const rows = new Map<string, RowAcc>();
  const orgKeyOf = (org: string) => (org === UNASSIGNED_GROUP ? org : ctx.orgKey(org));
  const pass: Pass = {
    ctx,
    row: (key) => {
      let r = rows.get(key);
      if (!r) rows.set(key, (r = new RowAcc()));
      return r;
    },
    inPeriod: (t) => t >= ctx.start && t < ctx.end,
    caseKey: (c, t) =>
      mode === 'total' ? TOTAL_GROUP
      : byOrganisation(mode) ? orgKeyOf(orgAt(c, t))
      : mode === 'month' ? monthKey(t, ctx.timeZone)
      : ctx.caseKey(c.id, c.municipality),
    pieceKey: (c, p, w) => w.key ?? (byOrganisation(mode) ? orgKeyOf(p.org) : ctx.caseKey(c.id, c.municipality)),
    handoverKey: (h, t) => (mode === 'total' ? TOTAL_GROUP : handoverKey(mode, ctx, h, t)),
  };
  for (const c of ctx.cases) {
    countOpenPieces((p, w) => pass.row(pass.pieceKey(c, p, w)), c, windows);
    const lastClosure = countCaseEvents(pass, c, windows);
    // A case closed twice in the period (reopened in between) counts once, with its last closure: the figures stay
    // additive across groups, and reasons/attainment describe how the work ended.
    if (lastClosure) countClosure(pass, c, lastClosure);
  }
  countHandovers(ctx.handovers, pass.inPeriod, (h, t) => pass.row(pass.handoverKey(h, t)));
  return rows;
}

/** ABH handovers by outcome, at the moment of their event. */
export function countHandovers(handovers: readonly HandoverModel[], inPeriod: (t: number) => boolean, rowOf: (h: HandoverModel, t: number) => RowAcc): void {
  for (const h of handovers) {
    for (const e of h.events) {
      const figure = HANDOVER_EVENT_FIGURE[e.type];
      if (!figure || !inPeriod(e.at)) continue;
      rowOf(h, e.at).add(['handovers', figure], h.person);
    }
  }
}

/** Active cases and days per phase: open pieces within each window (`rowOf` names the row of a piece in a window). */
export function countOpenPieces(
  rowOf: (p: Piece, w: Window) => RowAcc,
  c: { id: string; person: string; pieces: readonly Piece[] },
  windows: readonly Window[],
): void {
  const { person } = c;
  for (const w of windows) {
    for (const p of c.pieces) {
      if (!overlaps(p, w)) continue;
      const r = rowOf(p, w);
      r.addDistinctAt(ACTIVE, person, c.id);
      r.addDistinctAt(PERSONS_ACTIVE, person, person);
      const days = Math.max(0, Math.min(p.end, w.end) - Math.max(p.start, w.start)) / DAY_MS;
      for (const phase of p.onHold ? [p.state, 'on_hold'] : [p.state]) {
        const keys = PHASE_KEYS.get(phase);
        if (!keys) continue;
        r.addDistinctAt(keys.cases, person, c.id);
        r.addAt(keys.days, person, days);
      }
    }
  }
}

const ACTIVE = pathKey(['cases', 'active']);
/** Persons with an open case in the window: linked cases of one person count once (issue 16). */
const PERSONS_ACTIVE = pathKey(['persons', 'active']);
const PHASE_KEYS = new Map(PHASES.map((phase) => [phase as string, { cases: pathKey(['phases', phase, 'cases']), days: pathKey(['phases', phase, 'days']) }]));

/** Openings, contacts, referrals and deadlines of a case, and deadlines overdue at the end of each window; returns
 *  the case's last closure in the period. */
function countCaseEvents(pass: Pass, c: CaseModel, windows: readonly Window[]): Ev | undefined {
  const { person } = c;
  const deadlines = new Map<string, DeadlineTrack>();
  const byEnd = [...windows].sort((a, b) => a.end - b.end);
  let wi = 0;
  const snapshot = (w: Window) => {
    for (const d of deadlines.values()) {
      if (d.status !== 'overdue') continue;
      const r = pass.row(w.key ?? pass.caseKey(c, w.end - 1));
      r.add(['deadlines', 'total', 'overdueAtEnd'], person);
      r.add(['deadlines', 'byKind', d.kind, 'overdueAtEnd'], person);
    }
  };
  let lastClosure: Ev | undefined;
  for (const e of c.events) {
    while (wi < byEnd.length && e.at >= byEnd[wi]!.end) snapshot(byEnd[wi++]!);
    const inside = pass.inPeriod(e.at);
    const r = () => pass.row(pass.caseKey(c, e.at));
    switch (e.type) {
      case 'case_opened':
        if (inside) r().add(['cases', 'opened'], person);
        break;
      case 'case_closed':
        if (inside) lastClosure = e;
        break;
      case 'contact_recorded':
        countContact(pass, c, e);
        break;
      case 'referral_sent':
      case 'referral_outcome_recorded':
      case 'referral_stopped':
        if (inside) countReferral(pass.ctx, c, e, r);
        break;
      default:
        trackDeadline(e, deadlines, inside ? r : null, person);
    }
  }
  while (wi < byEnd.length) snapshot(byEnd[wi++]!);
  return lastClosure;
}

function countContact(pass: Pass, c: CaseModel, e: Ev): void {
  const t = contactTime(e, pass.ctx.timeZone);
  const kind = str(e.data, 'kind');
  if (!pass.inPeriod(t) || !kind || !(CONTACT_KINDS as readonly string[]).includes(kind)) return;
  const target = pass.row(pass.caseKey(c, t));
  target.add(['contacts', 'total'], c.person);
  target.add(['contacts', 'byKind', kind], c.person);
}

function countReferral(ctx: Context, c: CaseModel, e: Ev, row: () => RowAcc): void {
  const referralId = referralIdOf(e);
  const service = (referralId && ctx.serviceOf.get(referralKey(c.id, referralId))) ?? OTHER_SERVICES;
  const figure = e.type === 'referral_sent' ? 'sent' : e.type === 'referral_stopped' ? 'stopped' : str(e.data, 'outcome');
  if (!figure || (figure !== 'sent' && !(REFERRAL_OUTCOMES as readonly string[]).includes(figure))) return;
  row().add(figure === 'sent' ? ['referrals', 'sent'] : ['referrals', 'outcomes', figure], c.person);
  row().add(['referrals', 'byService', service, figure], c.person);
}

function countClosure(pass: Pass, c: CaseModel, closure: Ev): void {
  const { person } = c;
  const r = pass.row(pass.caseKey(c, closure.at));
  const reason = str(closure.data, 'reason');
  const attainment = str(closure.data, 'goalAttainment');
  r.add(['cases', 'closed'], person);
  r.add(['closureReasons', reason && (CLOSURE_REASONS as readonly string[]).includes(reason) ? reason : 'other'], person);
  if (attainment && (GOAL_ATTAINMENTS as readonly string[]).includes(attainment)) r.add(['goalAttainment', attainment], person);
  r.stat(['duration'], person, (closure.at - c.openedAt) / DAY_MS);
}

function trackDeadline(e: Ev, deadlines: Map<string, DeadlineTrack>, row: (() => RowAcc) | null, person: string): void {
  const id = str(e.data, 'deadlineId');
  if (!id || (!e.type.startsWith('deadline_') && e.type !== 'escalation_sent')) return;
  const d = deadlines.get(id);
  if (e.type === 'deadline_set') {
    const kind = str(e.data, 'kind');
    if (!isControlledKind(kind)) return;
    deadlines.set(id, { kind, status: 'open', beforeSuspension: 'open', missed: false });
    return;
  }
  if (!d) return; // not a controlled kind (retention) or set before the store began
  const count = (figure: DeadlineFigure) => {
    if (!row) return;
    row().add(['deadlines', 'total', figure], person);
    row().add(['deadlines', 'byKind', d.kind, figure], person);
  };
  switch (e.type) {
    case 'deadline_met':
      count(e.data.late === true ? 'metLate' : 'metOnTime');
      d.status = 'done';
      break;
    case 'deadline_cancelled':
      d.status = 'done';
      break;
    case 'deadline_moved':
      if (d.status === 'suspended') d.beforeSuspension = 'open';
      else d.status = 'open';
      d.missed = false;
      break;
    case 'deadline_suspended':
      if (d.status === 'open' || d.status === 'overdue') d.beforeSuspension = d.status;
      d.status = 'suspended';
      break;
    case 'deadline_rearmed':
      if (d.status === 'suspended') d.status = d.beforeSuspension;
      break;
    case 'deadline_missed':
    case 'escalation_sent':
      // An escalation without a reminder before it (lost reminder timer) is still one missed deadline.
      if (!d.missed) count('missed');
      if (e.type === 'escalation_sent') count('escalated');
      d.missed = true;
      d.status = 'overdue';
      break;
  }
}
