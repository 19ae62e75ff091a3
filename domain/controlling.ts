// Controlling figures (domain.md "Controlling and reporting", api.md "Coordination"), computed ONLY from the
// append-only events (CaseEvent, HandoverEvent) — never from the current read model — so every figure can be
// recomputed for any past period, and a figure added later is available for old periods too.
// Pure and deterministic: no clock, no I/O; the same rows give the same report.
//
// Time: a period is whole calendar days in Europe/Berlin ([from 00:00, day after `to` 00:00)), because the ministry
// counts German calendar days and months, not UTC ones.
//
// Attribution (which group a figure belongs to):
//   - organisation: the case's organisation AT THE MOMENT of the event (confirm-provider and transfers move a case);
//     durations/active cases are split at those moments. Handovers: the receiving organisation.
//   - municipality: the case's municipality (fixed at intake). Handovers: the municipality of the linked case.
//   - month: the calendar month of the event; "active", "days per phase" and "overdue at end" per month window.
//
// Small cells (Datenschutz): see suppress() — primary suppression of counts concerning 1 or 2 persons, secondary
// suppression so that no suppressed cell can be recovered by subtracting visible cells from a visible sum.
import {
  CASE_STATE_LABELS,
  CLOSURE_REASONS,
  CLOSURE_REASON_LABELS,
  CONTACT_KINDS,
  CONTACT_KIND_LABELS,
  GOAL_ATTAINMENTS,
  OPEN_CASE_STATES,
  type GoalAttainment,
} from './case-model.js';
import { DAY_MS, isIsoDate, isIsoTimestamp } from './dates.js';
import { DEADLINE_LABELS, type DeadlineKind } from './deadlines.js';

export const CONTROLLING_GROUP_BY = ['organisation', 'municipality', 'month'] as const;
export type ControllingGroupBy = (typeof CONTROLLING_GROUP_BY)[number];

/** Cells concerning fewer persons than this are suppressed (issue 5: "fewer than 3 persons"). */
export const MIN_PERSONS = 3;
export const REPORT_TIME_ZONE = 'Europe/Berlin';
/** Group key for figures that cannot be attributed (e.g. a refused handover has no case, so no municipality). */
export const UNASSIGNED_GROUP = 'ohne-zuordnung';
export const TOTAL_GROUP = 'gesamt';
/** Referral targets used by fewer than MIN_PERSONS persons in the whole period are pooled under this name: the
 *  target is free text, and a rare one (a named therapist, a small association) could itself identify someone. */
export const OTHER_SERVICES = 'Sonstige Dienste';

export const REFERRAL_OUTCOMES = ['accepted', 'declined', 'completed', 'not_reached', 'stopped'] as const;
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];
const REFERRAL_OUTCOME_LABELS: Record<ReferralOutcome, string> = {
  accepted: 'angenommen',
  declined: 'abgelehnt',
  completed: 'abgeschlossen',
  not_reached: 'nicht angekommen',
  stopped: 'gestoppt',
};

export const HANDOVER_FIGURES = ['requested', 'handedOver', 'refused', 'lapsed', 'cancelled'] as const;
const HANDOVER_EVENT_FIGURE: Record<string, (typeof HANDOVER_FIGURES)[number]> = {
  handover_requested: 'requested',
  handover_accepted: 'handedOver',
  handover_consent_refused: 'refused',
  handover_lapsed: 'lapsed',
  handover_cancelled: 'cancelled',
  // Withdrawn handover consent ends the handover as `cancelled` too.
  handover_consent_withdrawn: 'cancelled',
};
const HANDOVER_FIGURE_LABELS: Record<(typeof HANDOVER_FIGURES)[number], string> = {
  requested: 'vorgeschlagen',
  handedOver: 'übernommen',
  refused: 'Einwilligung verweigert',
  lapsed: 'verfallen',
  cancelled: 'abgebrochen',
};

/** Case deadlines that are work deadlines; retention is bookkeeping, handover deadlines are counted as handovers. */
export const CONTROLLED_DEADLINE_KINDS = [
  'first_assessment',
  'assessment_completion',
  'goal_agreement',
  'goal_due',
  'referral_follow_up',
  'periodic_review',
  'no_contact',
] as const satisfies readonly DeadlineKind[];
export const DEADLINE_FIGURES = ['metOnTime', 'metLate', 'missed', 'escalated', 'overdueAtEnd'] as const;
type DeadlineFigure = (typeof DEADLINE_FIGURES)[number];
const DEADLINE_FIGURE_LABELS: Record<DeadlineFigure, string> = {
  metOnTime: 'fristgerecht erfüllt',
  metLate: 'verspätet erfüllt',
  missed: 'versäumt',
  escalated: 'eskaliert',
  overdueAtEnd: 'überfällig am Ende des Zeitraums',
};

export const PHASES = [...OPEN_CASE_STATES, 'on_hold'] as const;
type Phase = (typeof PHASES)[number];
const PHASE_LABELS: Record<Phase, string> = { ...CASE_STATE_LABELS, on_hold: 'Pausiert' };

const GOAL_ATTAINMENT_LABELS: Record<GoalAttainment, string> = { achieved: 'erreicht', partly: 'teilweise erreicht', not_achieved: 'nicht erreicht' };

const MONTHS_DE = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];

// ---------------------------------------------------------------------------------------------------------------
// Input and output

export interface ControllingCaseEvent {
  caseId: string;
  seq: number;
  type: string;
  at: Date | string;
  data: unknown;
}

export interface ControllingHandoverEvent {
  handoverId: string;
  seq: number;
  type: string;
  at: Date | string;
  data: unknown;
}

export interface ControllingInput {
  /** Every event of the cases concerned (older events give the state at the start of the period). */
  caseEvents: readonly ControllingCaseEvent[];
  handoverEvents?: readonly ControllingHandoverEvent[];
  /** `YYYY-MM-DD`, both inclusive. */
  from: string;
  to: string;
  groupBy: ControllingGroupBy;
  /** Case id → person id (Case.personId, fixed at intake): a person with two cases is one person. Default: the case. */
  personOfCase?: Readonly<Record<string, string>>;
  /** Handover id → case id (Handover.caseId) where the events do not name the case. */
  caseOfHandover?: Readonly<Record<string, string>>;
  /** Groups listed even without figures (all organisations / municipalities), in this order, with German labels. */
  groups?: readonly { key: string; label: string }[];
  timeZone?: string;
  minPersons?: number;
}

/** A figure: `value: null` with `suppressed: true` = small cell; `value: null` alone = not defined (no data). */
export interface Cell {
  value: number | null;
  suppressed?: true;
}
export interface FigureTree {
  [key: string]: Cell | FigureTree;
}

export interface ControllingColumn {
  /** Path into `figures`, e.g. ["contacts", "byKind", "phone"]. */
  path: string[];
  /** German column header. */
  label: string;
  unit: 'count' | 'days';
}

export interface ControllingRow {
  key: string;
  label: string;
  figures: FigureTree;
}

export interface ControllingReport {
  period: { from: string; to: string; timeZone: string; startsAt: string; endsBefore: string };
  groupBy: ControllingGroupBy;
  minPersons: number;
  columns: ControllingColumn[];
  groups: ControllingRow[];
  total: ControllingRow;
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar in the report's time zone (Intl is deterministic for a given tz database)

const formatters = new Map<string, Intl.DateTimeFormat>();
function zonedParts(ms: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), min: Number(parts.minute), s: Number(parts.second) };
}

function offsetMs(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant of local midnight at the start of `date` (YYYY-MM-DD) in `timeZone`. */
export function zonedStartOfDay(date: string, timeZone = REPORT_TIME_ZONE): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  // Two rounds: the offset at the guess may differ from the offset at the answer around a DST change.
  const guess = wall - offsetMs(wall, timeZone);
  return wall - offsetMs(guess, timeZone);
}

/** The period as instants: [start of `from`, start of the day after `to`) in `timeZone`. */
export function periodBounds(from: string, to: string, timeZone = REPORT_TIME_ZONE): { start: number; end: number } {
  return { start: zonedStartOfDay(from, timeZone), end: zonedStartOfDay(nextDate(to), timeZone) };
}

/** Today's calendar date in `timeZone` (for default periods; the caller passes the clock). */
export function zonedDate(ms: number, timeZone = REPORT_TIME_ZONE): string {
  const p = zonedParts(ms, timeZone);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function monthKey(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  return `${p.y}-${String(p.m).padStart(2, '0')}`;
}

function monthLabel(key: string): string {
  const [y, m] = key.split('-').map(Number) as [number, number];
  return `${MONTHS_DE[m - 1]} ${y}`;
}

interface Window {
  start: number;
  /** Exclusive. */
  end: number;
  /** Fixed group key of this window (month windows, the total), or null: the key comes from the case. */
  key: string | null;
}

function monthWindows(start: number, end: number, timeZone: string): Window[] {
  const windows: Window[] = [];
  let [y, m] = monthKey(start, timeZone).split('-').map(Number) as [number, number];
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    const [ny, nm] = m === 12 ? [y + 1, 1] : [y, m + 1];
    const mStart = zonedStartOfDay(`${key}-01`, timeZone);
    const mEnd = zonedStartOfDay(`${ny}-${String(nm).padStart(2, '0')}-01`, timeZone);
    windows.push({ start: Math.max(start, mStart), end: Math.min(end, mEnd), key });
    if (mEnd >= end) return windows;
    [y, m] = [ny, nm];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading events

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (o: Json, k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
const msOf = (at: Date | string): number => (at instanceof Date ? at.getTime() : Date.parse(at));

interface Ev {
  type: string;
  at: number;
  seq: number;
  data: Json;
}

/** Stretch of time in which a case's state, organisation and hold flag stayed the same. */
interface Piece {
  start: number;
  end: number;
  /** The piece ends with the closure: the case was still open at that instant (closed exactly at `from` = active). */
  endInclusive: boolean;
  state: string;
  org: string;
  onHold: boolean;
}

interface CaseModel {
  id: string;
  person: string;
  municipality: string;
  openedAt: number;
  events: Ev[];
  /** Organisation changes (opening, provider confirmed/overridden, transfer), in order. */
  orgChanges: { at: number; org: string }[];
  /** Open pieces only. */
  pieces: Piece[];
}

function buildCase(id: string, person: string, events: Ev[]): CaseModel | null {
  const opened = events.find((e) => e.type === 'case_opened');
  if (!opened) return null; // incomplete store; nothing sensible to count
  const model: CaseModel = {
    id,
    person,
    municipality: str(opened.data, 'municipality') ?? UNASSIGNED_GROUP,
    openedAt: opened.at,
    events,
    orgChanges: [],
    pieces: [],
  };
  type Now = { state: string; org: string; onHold: boolean; open: boolean };
  let cur: Now | null = null;
  let since = 0;
  for (const e of events) {
    const next: Now = cur ? { ...cur } : { state: 'intake', org: UNASSIGNED_GROUP, onHold: false, open: false };
    if (e.type === 'case_opened') {
      Object.assign(next, { state: 'intake', org: str(e.data, 'organisationId') ?? UNASSIGNED_GROUP, onHold: false, open: true });
    } else if (!cur) {
      continue; // events before the opening cannot exist; ignore rather than invent a state
    }
    if (e.type === 'provider_confirmed' || e.type === 'provider_overridden') next.org = str(e.data, 'organisationId') ?? next.org;
    if (e.type === 'case_transferred') next.org = str(e.data, 'toOrganisationId') ?? next.org;
    if (e.type === 'case_put_on_hold') next.onHold = true;
    if (e.type === 'case_resumed') next.onHold = false;
    const toState = str(e.data, 'toState');
    if (toState) {
      next.state = toState;
      next.open = toState !== 'closed';
      if (!next.open) next.onHold = false; // closure ends a hold without an event of its own
    }
    if (!cur || next.org !== cur.org) model.orgChanges.push({ at: e.at, org: next.org });
    const changed = !cur || next.state !== cur.state || next.org !== cur.org || next.onHold !== cur.onHold || next.open !== cur.open;
    if (!changed) continue;
    if (cur?.open) {
      const endInclusive = !next.open;
      if (e.at > since || endInclusive) model.pieces.push({ start: since, end: e.at, endInclusive, state: cur.state, org: cur.org, onHold: cur.onHold });
    }
    cur = next;
    since = e.at;
  }
  if (cur?.open) model.pieces.push({ start: since, end: Infinity, endInclusive: false, state: cur.state, org: cur.org, onHold: cur.onHold });
  return model;
}

function orgAt(c: CaseModel, t: number): string {
  let org = c.orgChanges[0]?.org ?? UNASSIGNED_GROUP; // before the opening (a back-dated contact): the first owner
  for (const change of c.orgChanges) {
    if (change.at > t) break;
    org = change.org;
  }
  return org;
}

function overlaps(p: Piece, w: Window): boolean {
  return p.start < w.end && (p.end > w.start || (p.endInclusive && p.end >= w.start));
}

/** The moment a contact took place: its documented date (a date alone = local midnight), else when it was recorded. */
function contactTime(e: Ev, timeZone: string): number {
  const date = str(e.data, 'date');
  if (date && isIsoDate(date)) return zonedStartOfDay(date, timeZone);
  if (date && isIsoTimestamp(date)) return Date.parse(date);
  return e.at;
}

// ---------------------------------------------------------------------------------------------------------------
// Accumulation

const SEP = '\u001f';
const pathKey = (path: readonly string[]) => path.join(SEP);

interface CountAcc {
  value: number;
  persons: Set<string>;
  /** For distinct counts (active cases, cases per phase). */
  units?: Set<string>;
}

class RowAcc {
  readonly counts = new Map<string, CountAcc>();
  readonly stats = new Map<string, { values: number[]; persons: Set<string> }>();

  private acc(path: readonly string[]): CountAcc {
    const k = pathKey(path);
    let a = this.counts.get(k);
    if (!a) this.counts.set(k, (a = { value: 0, persons: new Set() }));
    return a;
  }

  add(path: readonly string[], person: string, amount = 1): void {
    const a = this.acc(path);
    a.value += amount;
    a.persons.add(person);
  }

  addDistinct(path: readonly string[], person: string, unit: string): void {
    const a = this.acc(path);
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

interface HandoverModel {
  id: string;
  person: string;
  receivingOrganisationId: string;
  municipality: string;
  events: Ev[];
}

interface Context {
  cases: CaseModel[];
  handovers: HandoverModel[];
  start: number;
  end: number;
  timeZone: string;
  serviceOf: Map<string, string>;
}

/** One pass over all cases and handovers. `mode` = the grouping, or 'total' for the one-row total. */
function accumulate(ctx: Context, mode: ControllingGroupBy | 'total', windows: Window[]): Map<string, RowAcc> {
  const rows = new Map<string, RowAcc>();
  const row = (key: string) => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = new RowAcc()));
    return r;
  };
  const inPeriod = (t: number) => t >= ctx.start && t < ctx.end;
  const caseKey = (c: CaseModel, t: number): string =>
    mode === 'total' ? TOTAL_GROUP : mode === 'organisation' ? orgAt(c, t) : mode === 'municipality' ? c.municipality : monthKey(t, ctx.timeZone);
  const pieceKey = (c: CaseModel, p: Piece, w: Window): string => w.key ?? (mode === 'organisation' ? p.org : c.municipality);

  for (const c of ctx.cases) {
    const { person } = c;
    // Active cases and days per phase: open pieces within each window.
    for (const w of windows) {
      for (const p of c.pieces) {
        if (!overlaps(p, w)) continue;
        const r = row(pieceKey(c, p, w));
        r.addDistinct(['cases', 'active'], person, c.id);
        const days = Math.max(0, Math.min(p.end, w.end) - Math.max(p.start, w.start)) / DAY_MS;
        const phases: string[] = [p.state, ...(p.onHold ? ['on_hold'] : [])];
        for (const phase of phases) {
          if (!(PHASES as readonly string[]).includes(phase)) continue;
          r.addDistinct(['phases', phase, 'cases'], person, c.id);
          r.add(['phases', phase, 'days'], person, days);
        }
      }
    }

    const deadlines = new Map<string, DeadlineTrack>();
    const byEnd = [...windows].sort((a, b) => a.end - b.end);
    let wi = 0;
    const snapshot = (w: Window) => {
      for (const d of deadlines.values()) {
        if (d.status !== 'overdue') continue;
        const r = row(w.key ?? caseKey(c, w.end - 1));
        r.add(['deadlines', 'total', 'overdueAtEnd'], person);
        r.add(['deadlines', 'byKind', d.kind, 'overdueAtEnd'], person);
      }
    };
    let lastClosure: Ev | undefined;
    for (const e of c.events) {
      while (wi < byEnd.length && e.at >= byEnd[wi]!.end) snapshot(byEnd[wi++]!);
      const inside = inPeriod(e.at);
      const r = () => row(caseKey(c, e.at));
      switch (e.type) {
        case 'case_opened':
          if (inside) r().add(['cases', 'opened'], person);
          break;
        case 'case_closed':
          if (inside) lastClosure = e;
          break;
        case 'contact_recorded': {
          const t = contactTime(e, ctx.timeZone);
          const kind = str(e.data, 'kind');
          if (!inPeriod(t) || !kind || !(CONTACT_KINDS as readonly string[]).includes(kind)) break;
          const target = row(caseKey(c, t));
          target.add(['contacts', 'total'], person);
          target.add(['contacts', 'byKind', kind], person);
          break;
        }
        case 'referral_sent':
        case 'referral_outcome_recorded':
        case 'referral_stopped': {
          if (!inside) break;
          const referralId = e.type === 'referral_sent' ? str(obj(e.data.referral), 'id') : str(e.data, 'referralId');
          const service = (referralId && ctx.serviceOf.get(`${c.id}${SEP}${referralId}`)) ?? OTHER_SERVICES;
          const figure = e.type === 'referral_sent' ? 'sent' : e.type === 'referral_stopped' ? 'stopped' : str(e.data, 'outcome');
          if (!figure || (figure !== 'sent' && !(REFERRAL_OUTCOMES as readonly string[]).includes(figure))) break;
          r().add(figure === 'sent' ? ['referrals', 'sent'] : ['referrals', 'outcomes', figure], person);
          r().add(['referrals', 'byService', service, figure], person);
          break;
        }
        default:
          trackDeadline(e, deadlines, inside ? r : null, person);
      }
    }
    while (wi < byEnd.length) snapshot(byEnd[wi++]!);

    // A case closed twice in the period (reopened in between) counts once, with its last closure: the figures stay
    // additive across groups, and reasons/attainment describe how the work ended.
    if (lastClosure) {
      const r = row(caseKey(c, lastClosure.at));
      const reason = str(lastClosure.data, 'reason');
      const attainment = str(lastClosure.data, 'goalAttainment');
      r.add(['cases', 'closed'], person);
      r.add(['closureReasons', reason && (CLOSURE_REASONS as readonly string[]).includes(reason) ? reason : 'other'], person);
      if (attainment && (GOAL_ATTAINMENTS as readonly string[]).includes(attainment)) r.add(['goalAttainment', attainment], person);
      r.stat(['duration'], person, (lastClosure.at - c.openedAt) / DAY_MS);
    }
  }

  for (const h of ctx.handovers) {
    for (const e of h.events) {
      const figure = HANDOVER_EVENT_FIGURE[e.type];
      if (!figure || !inPeriod(e.at)) continue;
      const key =
        mode === 'total' ? TOTAL_GROUP
        : mode === 'organisation' ? h.receivingOrganisationId
        : mode === 'municipality' ? h.municipality
        : monthKey(e.at, ctx.timeZone);
      row(key).add(['handovers', figure], h.person);
    }
  }
  return rows;
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

// ---------------------------------------------------------------------------------------------------------------
// Columns

interface ColumnSpec extends ControllingColumn {
  kind: 'count' | 'days' | 'stat' | 'average' | 'copy';
  /** stat: which quantile; average: path of the count to divide by; copy: source path. */
  quantile?: number;
  source?: string[];
  divisor?: string[];
}

function columnSpecs(services: readonly string[]): ColumnSpec[] {
  const cols: ColumnSpec[] = [];
  const count = (path: string[], label: string) => cols.push({ path, label, unit: 'count', kind: 'count' });
  count(['cases', 'opened'], 'Fälle eröffnet');
  count(['cases', 'active'], 'Fälle aktiv (im Zeitraum offen)');
  count(['cases', 'closed'], 'Fälle abgeschlossen');
  count(['contacts', 'total'], 'Kontakte gesamt');
  for (const k of CONTACT_KINDS) count(['contacts', 'byKind', k], `Kontakte: ${CONTACT_KIND_LABELS[k]}`);
  cols.push({ path: ['accompaniments'], label: 'Begleitungen', unit: 'count', kind: 'copy', source: ['contacts', 'byKind', 'accompaniment'] });
  for (const [q, name] of [[0.5, 'medianDays'], [0.25, 'q1Days'], [0.75, 'q3Days']] as const) {
    const label = { medianDays: 'Median', q1Days: '1. Quartil', q3Days: '3. Quartil' }[name];
    cols.push({ path: ['duration', name], label: `Dauer der Zusammenarbeit (Tage, abgeschlossene Fälle): ${label}`, unit: 'days', kind: 'stat', quantile: q });
  }
  for (const p of PHASES) {
    const label = `Phase ${PHASE_LABELS[p]}`;
    count(['phases', p, 'cases'], `${label}: Fälle`);
    cols.push({ path: ['phases', p, 'days'], label: `${label}: Tage gesamt`, unit: 'days', kind: 'days' });
    cols.push({
      path: ['phases', p, 'averageDays'],
      label: `${label}: Tage je Fall`,
      unit: 'days',
      kind: 'average',
      source: ['phases', p, 'days'],
      divisor: ['phases', p, 'cases'],
    });
  }
  count(['referrals', 'sent'], 'Vermittlungen');
  for (const o of REFERRAL_OUTCOMES) count(['referrals', 'outcomes', o], `Vermittlungsergebnis: ${REFERRAL_OUTCOME_LABELS[o]}`);
  for (const s of services) {
    count(['referrals', 'byService', s, 'sent'], `Vermittlung an ${s}: vermittelt`);
    for (const o of REFERRAL_OUTCOMES) count(['referrals', 'byService', s, o], `Vermittlung an ${s}: ${REFERRAL_OUTCOME_LABELS[o]}`);
  }
  for (const r of CLOSURE_REASONS) count(['closureReasons', r], `Abschlussgrund: ${CLOSURE_REASON_LABELS[r]}`);
  for (const g of GOAL_ATTAINMENTS) count(['goalAttainment', g], `Zielerreichung: ${GOAL_ATTAINMENT_LABELS[g]}`);
  for (const f of HANDOVER_FIGURES) count(['handovers', f], `ABH-Übergaben: ${HANDOVER_FIGURE_LABELS[f]}`);
  for (const f of DEADLINE_FIGURES) count(['deadlines', 'total', f], `Fristen: ${DEADLINE_FIGURE_LABELS[f]}`);
  for (const k of CONTROLLED_DEADLINE_KINDS) {
    for (const f of DEADLINE_FIGURES) count(['deadlines', 'byKind', k, f], `Frist ${DEADLINE_LABELS[k]}: ${DEADLINE_FIGURE_LABELS[f]}`);
  }
  return cols;
}

/** Sums that hold inside every row: a breakdown must not give away its one suppressed part. */
function rowConstraints(services: readonly string[]): { sum: string[]; parts: string[][] }[] {
  const c: { sum: string[]; parts: string[][] }[] = [
    { sum: ['contacts', 'total'], parts: CONTACT_KINDS.map((k) => ['contacts', 'byKind', k]) },
    { sum: ['cases', 'closed'], parts: CLOSURE_REASONS.map((r) => ['closureReasons', r]) },
    { sum: ['cases', 'closed'], parts: GOAL_ATTAINMENTS.map((g) => ['goalAttainment', g]) },
    { sum: ['referrals', 'sent'], parts: services.map((s) => ['referrals', 'byService', s, 'sent']) },
  ];
  for (const o of REFERRAL_OUTCOMES) c.push({ sum: ['referrals', 'outcomes', o], parts: services.map((s) => ['referrals', 'byService', s, o]) });
  for (const f of DEADLINE_FIGURES) {
    c.push({ sum: ['deadlines', 'total', f], parts: CONTROLLED_DEADLINE_KINDS.map((k) => ['deadlines', 'byKind', k, f]) });
  }
  return c;
}

// ---------------------------------------------------------------------------------------------------------------
// Suppression

interface WorkCell {
  value: number | null;
  persons: number;
  suppressed: boolean;
}

/** Linear interpolation between order statistics (Excel QUARTILE.INC / R type 7). */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Secondary suppression. A sum with its parts (the groups of a column and the total row; a breakdown and its sum in a
 * row) must never have exactly ONE hidden cell: subtracting the visible ones would reveal it. While some set has one,
 * hide one more cell of that set: the smallest positive visible part (loses least information), else a visible
 * zero part, else the sum. Repeats until stable, because a newly hidden cell can break another set. Applied to
 * non-additive counts (active cases, cases per phase: a case can be active in two groups) as well — there subtraction
 * only bounds the hidden value, but the conservative rule is cheap.
 */
function secondarySuppression(cells: Map<string, WorkCell>, sets: { sum: string; parts: string[] }[]): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const set of sets) {
      const sum = cells.get(set.sum);
      const parts = set.parts.map((k) => cells.get(k)).filter((c): c is WorkCell => c !== undefined);
      if (!sum) continue;
      const hidden = parts.filter((c) => c.suppressed).length + (sum.suppressed ? 1 : 0);
      if (hidden !== 1) continue;
      const visible = parts.filter((c) => !c.suppressed);
      const positive = visible.filter((c) => (c.value ?? 0) > 0).sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0];
      const pick = positive ?? visible[0] ?? sum;
      pick.suppressed = true;
      changed = true;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The report

export function computeControlling(input: ControllingInput): ControllingReport {
  const timeZone = input.timeZone ?? REPORT_TIME_ZONE;
  const minPersons = input.minPersons ?? MIN_PERSONS;
  if (!isIsoDate(input.from) || !isIsoDate(input.to) || input.from > input.to) {
    throw new RangeError(`Invalid period ${input.from} – ${input.to}`);
  }
  const { start, end } = periodBounds(input.from, input.to, timeZone);
  const personOf = (caseId: string) => input.personOfCase?.[caseId] ?? `case:${caseId}`;

  // Cases, in a fixed order so the result does not depend on the order of the rows.
  const byCase = new Map<string, Ev[]>();
  for (const row of input.caseEvents) {
    const list = byCase.get(row.caseId) ?? [];
    list.push({ type: row.type, at: msOf(row.at), seq: row.seq, data: obj(row.data) });
    byCase.set(row.caseId, list);
  }
  const cases: CaseModel[] = [];
  for (const id of [...byCase.keys()].sort()) {
    const model = buildCase(id, personOf(id), byCase.get(id)!.sort((a, b) => a.seq - b.seq));
    if (model) cases.push(model);
  }
  const caseById = new Map(cases.map((c) => [c.id, c]));

  const byHandover = new Map<string, Ev[]>();
  for (const row of input.handoverEvents ?? []) {
    const list = byHandover.get(row.handoverId) ?? [];
    list.push({ type: row.type, at: msOf(row.at), seq: row.seq, data: obj(row.data) });
    byHandover.set(row.handoverId, list);
  }
  const handovers: HandoverModel[] = [...byHandover.keys()].sort().map((id) => {
    const events = byHandover.get(id)!.sort((a, b) => a.seq - b.seq);
    const caseId = events.map((e) => str(e.data, 'caseId')).find((x) => x !== undefined) ?? input.caseOfHandover?.[id];
    const linked = caseId ? caseById.get(caseId) : undefined;
    const requested = events.find((e) => e.type === 'handover_requested');
    return {
      id,
      // Without a case the handover itself stands for the person (refused/lapsed handovers keep no personal data).
      person: caseId ? personOf(caseId) : `handover:${id}`,
      receivingOrganisationId: (requested && str(requested.data, 'receivingOrganisationId')) ?? UNASSIGNED_GROUP,
      municipality: linked?.municipality ?? UNASSIGNED_GROUP,
      events,
    };
  });

  // Referral targets: normalised (case, blanks), pooled when rare in the whole period (see OTHER_SERVICES).
  const rawService = new Map<string, string>();
  const spellings = new Map<string, string[]>();
  const servicePersons = new Map<string, Set<string>>();
  for (const c of cases) {
    for (const e of c.events) {
      if (e.type !== 'referral_sent') continue;
      const referral = obj(e.data.referral);
      const id = str(referral, 'id');
      const spelling = (str(referral, 'service') ?? '').trim().replace(/\s+/g, ' ');
      if (!id || !spelling) continue;
      const norm = spelling.toLocaleLowerCase('de');
      rawService.set(`${c.id}${SEP}${id}`, norm);
      spellings.set(norm, [...(spellings.get(norm) ?? []), spelling]);
    }
    for (const e of c.events) {
      if (!['referral_sent', 'referral_outcome_recorded', 'referral_stopped'].includes(e.type) || e.at < start || e.at >= end) continue;
      const id = e.type === 'referral_sent' ? str(obj(e.data.referral), 'id') : str(e.data, 'referralId');
      const norm = id && rawService.get(`${c.id}${SEP}${id}`);
      if (!norm) continue;
      servicePersons.set(norm, (servicePersons.get(norm) ?? new Set()).add(c.person));
    }
  }
  const serviceOf = new Map<string, string>();
  for (const [ref, norm] of rawService) {
    const shown = (servicePersons.get(norm)?.size ?? 0) >= minPersons;
    serviceOf.set(ref, shown ? [...spellings.get(norm)!].sort()[0]! : OTHER_SERVICES);
  }
  const usedServices = new Set<string>();
  for (const c of cases) {
    for (const e of c.events) {
      if (e.at < start || e.at >= end || !e.type.startsWith('referral_')) continue;
      const id = e.type === 'referral_sent' ? str(obj(e.data.referral), 'id') : str(e.data, 'referralId');
      usedServices.add((id && serviceOf.get(`${c.id}${SEP}${id}`)) ?? OTHER_SERVICES);
    }
  }
  const services = [...usedServices].filter((s) => s !== OTHER_SERVICES).sort((a, b) => a.localeCompare(b, 'de'));
  if (usedServices.has(OTHER_SERVICES)) services.push(OTHER_SERVICES);

  const ctx: Context = { cases, handovers, start, end, timeZone, serviceOf };
  const period: Window = { start, end, key: null };
  const groupRows = accumulate(ctx, input.groupBy, input.groupBy === 'month' ? monthWindows(start, end, timeZone) : [period]);
  const totalRow = accumulate(ctx, 'total', [{ ...period, key: TOTAL_GROUP }]).get(TOTAL_GROUP) ?? new RowAcc();

  // Rows: the given groups (every organisation/municipality, also without cases), every month, then what else occurs.
  const listed = input.groupBy === 'month' ? monthWindows(start, end, timeZone).map((w) => ({ key: w.key!, label: monthLabel(w.key!) })) : [...(input.groups ?? [])];
  const known = new Set(listed.map((g) => g.key));
  const extra = [...groupRows.keys()].filter((k) => !known.has(k)).sort();
  const groups = [
    ...listed,
    ...extra.map((key) => ({ key, label: key === UNASSIGNED_GROUP ? 'Ohne Zuordnung' : key })),
  ];

  const specs = columnSpecs(services);
  const rows = [...groups.map((g) => ({ ...g, acc: groupRows.get(g.key) ?? new RowAcc() })), { key: TOTAL_GROUP, label: 'Gesamt', acc: totalRow }];
  const cellId = (rowKey: string, path: readonly string[]) => `${rowKey}${SEP}${SEP}${pathKey(path)}`;

  // Primary suppression: a count (or day sum) concerning 1 or 2 persons. Zero is shown: "nobody" identifies no one,
  // and hiding zeros would hide most of a sparse table (practice of official statistics, e.g. the BA's "*").
  const cells = new Map<string, WorkCell>();
  for (const r of rows) {
    for (const col of specs) {
      if (col.kind !== 'count' && col.kind !== 'days') continue;
      const a = r.acc.counts.get(pathKey(col.path));
      const persons = a?.persons.size ?? 0;
      cells.set(cellId(r.key, col.path), { value: a?.value ?? 0, persons, suppressed: persons > 0 && persons < minPersons });
    }
  }
  const sets: { sum: string; parts: string[] }[] = [];
  for (const col of specs) {
    if (col.kind !== 'count' && col.kind !== 'days') continue;
    sets.push({ sum: cellId(TOTAL_GROUP, col.path), parts: groups.map((g) => cellId(g.key, col.path)) });
  }
  for (const r of rows) {
    for (const c of rowConstraints(services)) sets.push({ sum: cellId(r.key, c.sum), parts: c.parts.map((p) => cellId(r.key, p)) });
  }
  secondarySuppression(cells, sets);

  const toCell = (c: WorkCell | undefined, unit: 'count' | 'days'): Cell =>
    !c ? { value: null } : c.suppressed ? { value: null, suppressed: true } : { value: c.value === null ? null : unit === 'days' ? round1(c.value) : c.value };

  const outRows: ControllingRow[] = rows.map((r) => {
    const figures: FigureTree = {};
    for (const col of specs) {
      let cell: Cell;
      if (col.kind === 'count' || col.kind === 'days') {
        cell = toCell(cells.get(cellId(r.key, col.path)), col.unit);
      } else if (col.kind === 'copy') {
        cell = toCell(cells.get(cellId(r.key, col.source!)), col.unit);
      } else if (col.kind === 'average') {
        const days = cells.get(cellId(r.key, col.source!));
        const n = cells.get(cellId(r.key, col.divisor!));
        if (days?.suppressed || n?.suppressed) cell = { value: null, suppressed: true };
        else cell = { value: n?.value ? round1((days?.value ?? 0) / n.value) : null };
      } else {
        const s = r.acc.stats.get(pathKey(['duration']));
        const persons = s?.persons.size ?? 0;
        if (persons > 0 && persons < minPersons) cell = { value: null, suppressed: true };
        else {
          const q = quantile(s?.values ?? [], col.quantile!);
          cell = { value: q === null ? null : round1(q) };
        }
      }
      setPath(figures, col.path, cell);
    }
    return { key: r.key, label: r.label, figures };
  });

  return {
    period: { from: input.from, to: input.to, timeZone, startsAt: new Date(start).toISOString(), endsBefore: new Date(end).toISOString() },
    groupBy: input.groupBy,
    minPersons,
    columns: specs.map(({ path, label, unit }) => ({ path, label, unit })),
    groups: outRows.slice(0, -1),
    total: outRows[outRows.length - 1]!,
  };
}

function setPath(tree: FigureTree, path: readonly string[], cell: Cell): void {
  let node = tree;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (next && !('value' in next && (typeof next.value === 'number' || next.value === null))) node = next as FigureTree;
    else node = node[segment] = {};
  }
  node[path[path.length - 1]!] = cell;
}

/** The figure at `path` of a row (for tables and exports). */
export function cellAt(row: ControllingRow, path: readonly string[]): Cell {
  let node: Cell | FigureTree | undefined = row.figures;
  for (const segment of path) node = node && !isCell(node) ? node[segment] : undefined;
  return node && isCell(node) ? node : { value: null };
}

function isCell(node: Cell | FigureTree): node is Cell {
  return 'value' in node && (typeof node.value === 'number' || node.value === null);
}

/** Header label of the group column per grouping. */
export const GROUP_BY_LABELS: Record<ControllingGroupBy, string> = {
  organisation: 'Organisation',
  municipality: 'Gemeinde',
  month: 'Monat',
};
