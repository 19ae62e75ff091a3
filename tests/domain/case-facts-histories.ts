// Generated case histories for the case-facts tests: raw event rows as the record activity writes them (only the data
// fields the controlling reads), in time order per case, with the edges the report cares about — events at the same
// instant, at local midnights and around the DST changes, back-dated and slightly future contacts, transfers, holds,
// closures and reopenings, referral targets in several spellings, deadlines through all their events (never after
// they were met or cancelled, as the domain does), handovers.
import { CLOSURE_REASONS, CONTACT_KINDS, GOAL_ATTAINMENTS, OPEN_CASE_STATES, REFERRAL_OUTCOMES } from '../../domain/case-model.js';
import { CONTROLLED_DEADLINE_KINDS, zonedStartOfDay, type ControllingCaseEvent, type ControllingHandoverEvent } from '../../domain/controlling.js';

export type Rng = () => number;

/** mulberry32: a small seeded generator, so a failing seed can be replayed. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const int = (r: Rng, max: number) => Math.floor(r() * max);

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const ORGS = ['drk', 'caritas-eifel', 'kja', 'caritas-euskirchen'];
const MUNICIPALITIES = ['Kall', 'Zülpich', 'Schleiden', 'Euskirchen'];
const SERVICES = ['Jobcenter', ' jobcenter ', 'JOBCENTER', 'Tafel  Kall', 'Tafel Kall', 'Praxis Dr. Beispiel', 'Sportverein', '', 'Zahnarzt'];
/** Around the DST changes of Berlin (2024-10-27, 2025-03-30) and month ends. */
const BASES = ['2024-10-20T10:00:00Z', '2024-12-30T22:30:00Z', '2025-02-27T23:00:00Z', '2025-03-29T12:00:00Z', '2025-05-31T21:59:00Z'].map(Date.parse);

const berlinDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(ms));

/** A time step: often nothing (same instant), sometimes to a local midnight ±1 ms, minutes, hours or days. */
function step(r: Rng, t: number): number {
  const choice = int(r, 10);
  if (choice < 2) return 0;
  if (choice === 2) return 1;
  if (choice === 3) return int(r, 60) * MIN;
  if (choice === 4) return int(r, 30) * HOUR + int(r, 1000);
  if (choice <= 6) return 1 + int(r, 20) * DAY + int(r, HOUR);
  // To the next local midnight, give or take a millisecond.
  const today = berlinDate(t);
  const tomorrow = new Date(Date.parse(`${today}T12:00:00Z`) + DAY).toISOString().slice(0, 10);
  return Math.max(0, zonedStartOfDay(tomorrow) - t + pick(r, [-1, 0, 1]));
}

interface CaseGen {
  r: Rng;
  caseId: string;
  t: number;
  seq: number;
  rows: ControllingCaseEvent[];
  referrals: string[];
  pending: string[];
  deadlines: number;
}

function emit(g: CaseGen, type: string, data: Record<string, unknown>): void {
  g.rows.push({ caseId: g.caseId, seq: ++g.seq, type, at: new Date(g.t).toISOString(), data });
}

function contactDate(r: Rng, t: number): string | undefined {
  const choice = int(r, 6);
  if (choice === 0) return undefined;
  if (choice === 1) return berlinDate(t - int(r, 40) * DAY); // a calendar date, back-dated
  if (choice === 2) return berlinDate(t + 14 * HOUR); // "today" somewhere east: up to a day ahead
  if (choice === 3) return new Date(t + int(r, 5 * MIN)).toISOString(); // a timestamp up to 5 minutes ahead
  return new Date(t - int(r, 10 * DAY)).toISOString();
}

const STEPS: Array<(g: CaseGen) => void> = [
  (g) => emit(g, 'case_transferred', { fromOrganisationId: 'x', toOrganisationId: pick(g.r, ORGS), reason: 'Umzug' }),
  (g) => emit(g, pick(g.r, ['provider_confirmed', 'provider_overridden']), { organisationId: pick(g.r, ORGS) }),
  (g) => emit(g, pick(g.r, ['assessment_started', 'assessment_completed', 'goals_agreed', 'review_started']), { toState: pick(g.r, OPEN_CASE_STATES) }),
  (g) => emit(g, pick(g.r, ['case_put_on_hold', 'case_resumed']), {}),
  (g) =>
    emit(g, 'case_closed', {
      toState: 'closed',
      reason: pick(g.r, [...CLOSURE_REASONS, 'frei formuliert']),
      ...(g.r() < 0.8 ? { goalAttainment: pick(g.r, [...GOAL_ATTAINMENTS, 'unbekannt']) } : {}),
    }),
  (g) => emit(g, 'case_reopened', { toState: pick(g.r, OPEN_CASE_STATES) }),
  (g) => emit(g, 'contact_recorded', { kind: pick(g.r, [...CONTACT_KINDS, 'telepathy']), date: contactDate(g.r, g.t), durationMinutes: 10 }),
  (g) => emit(g, 'contact_recorded', { kind: pick(g.r, CONTACT_KINDS), date: contactDate(g.r, g.t), durationMinutes: 10 }),
  (g) => {
    const id = `r${g.referrals.length + 1}`;
    g.referrals.push(id);
    emit(g, 'referral_sent', { toState: 'referral', referral: { id, service: pick(g.r, SERVICES) } });
  },
  (g) => emit(g, 'referral_outcome_recorded', { referralId: pick(g.r, [...g.referrals, 'r-unbekannt']), outcome: pick(g.r, [...REFERRAL_OUTCOMES, 'sent', 'junk']) }),
  (g) => emit(g, 'referral_stopped', { ...(g.r() < 0.9 ? { referralId: pick(g.r, [...g.referrals, 'r-unbekannt']) } : {}) }),
  (g) => {
    const id = `dl-${g.caseId}-${++g.deadlines}`;
    g.pending.push(id);
    emit(g, 'deadline_set', { deadlineId: id, kind: pick(g.r, [...CONTROLLED_DEADLINE_KINDS, 'retention']) });
  },
  (g) => deadlineEvent(g),
  (g) => deadlineEvent(g),
  (g) => deadlineEvent(g),
  (g) => emit(g, pick(g.r, ['consent_recorded', 'case_assigned', 'reminder_sent']), { deadlineId: pick(g.r, [...g.pending, 'dl-x']) }),
];

/** An event about a pending deadline (none after it was met or cancelled). */
function deadlineEvent(g: CaseGen): void {
  if (g.pending.length === 0) return;
  const id = pick(g.r, g.pending);
  const type = pick(g.r, ['deadline_met', 'deadline_cancelled', 'deadline_moved', 'deadline_suspended', 'deadline_rearmed', 'deadline_missed', 'deadline_missed', 'escalation_sent']);
  if (type === 'deadline_met' || type === 'deadline_cancelled') g.pending = g.pending.filter((p) => p !== id);
  emit(g, type, { deadlineId: id, ...(type === 'deadline_met' ? { late: g.r() < 0.4 } : {}) });
}

export function generatedCase(r: Rng, caseId: string, length: number): ControllingCaseEvent[] {
  const g: CaseGen = { r, caseId, t: pick(r, BASES) + int(r, 60) * DAY * (r() < 0.5 ? 1 : -1), seq: 0, rows: [], referrals: [], pending: [], deadlines: 0 };
  emit(g, 'case_opened', { organisationId: pick(r, ORGS), ...(r() < 0.95 ? { municipality: pick(r, MUNICIPALITIES) } : {}) });
  for (let i = 0; i < length; i++) {
    g.t += step(r, g.t);
    pick(r, STEPS)(g);
  }
  return g.rows;
}

export function generatedHandovers(r: Rng, caseIds: readonly string[], count: number): ControllingHandoverEvent[] {
  const rows: ControllingHandoverEvent[] = [];
  for (let h = 0; h < count; h++) {
    let t = pick(r, BASES) + int(r, 60) * DAY;
    const handoverId = `h${h}`;
    const caseId = r() < 0.6 ? pick(r, caseIds) : undefined;
    const types = ['handover_requested', pick(r, ['handover_accepted', 'handover_consent_refused', 'handover_lapsed', 'handover_cancelled', 'handover_consent_withdrawn'])];
    types.forEach((type, i) => {
      t += step(r, t);
      rows.push({ handoverId, seq: i + 1, type, at: new Date(t).toISOString(), data: { handoverId, receivingOrganisationId: pick(r, ORGS), ...(caseId ? { caseId } : {}) } });
    });
  }
  return rows;
}

/** A period: a day, some weeks, months across the DST changes, or a whole year. */
export function generatedPeriod(r: Rng): { from: string; to: string } {
  const from = berlinDate(pick(r, BASES) + (int(r, 120) - 60) * DAY);
  const days = pick(r, [0, 0, 6, 30, 45, 90, 200, 365]);
  return { from, to: berlinDate(Date.parse(`${from}T12:00:00Z`) + days * DAY) };
}
