// Compact per-case facts of the controlling report: what computeControlling needs of a case's events, folded event
// by event in `seq` order, so the report reads one small row per case instead of every event with its JSON. Kept
// current by the record activity in the same transaction as the events (table CaseFacts), and recomputable from the
// events at any time (`npm run facts:rebuild`): the facts are a pure function of the events.
//
// What is kept (codes, times, organisation ids and referral targets — what the erasure keeps of the events too):
//   - the opening(s), the municipality, the organisation changes and the stretches of state/organisation/hold
//     (as domain/controlling/histories.ts builds them), the closures with reason and goal attainment;
//   - contacts and deadline figures (met on time/late, missed, escalated) counted per local calendar day and
//     organisation of that moment, and summed per month (a report reads the days only of the months it covers in
//     part) — constant size per day however many contacts a day has; those at or after the
//     latest event's time stay exact in `recent` until a later event settles them, because an organisation change at
//     that very instant still counts for them;
//   - referral events with their targets; the stretches in which a work deadline was overdue, as the days whose
//     midnight they cover (the report takes overdue deadlines at window ends, which are local midnights); the
//     deadlines still pending.
//
// Idempotent by `seq`: events at or below `seq` are skipped, so a batch applied twice, or an older batch after a
// newer one, changes nothing (the record activity refolds from the events when an older batch brings new events).
// Assumes what the workflows guarantee: a case's events are recorded in time order (seq order = time order), and a
// deadline gets no event after it was met or cancelled.
import { CLOSURE_REASONS, CONTACT_KINDS, GOAL_ATTAINMENTS } from '../case-model.js';
import { addRecent, decodeDays, encodeDays, settle } from './facts-days.js';
import { foldDeadline } from './facts-deadlines.js';
import { emptyCaseFacts, type CaseFacts, type CaseFactsWork, type FactsEvent, type Flag } from './facts-model.js';
import { contactTime, obj, referralIdOf, str, type Ev } from './histories.js';
import { REFERRAL_OUTCOMES, REPORT_TIME_ZONE, UNASSIGNED_GROUP } from './model.js';

export { CASE_FACTS_VERSION, emptyCaseFacts, parseStoredFacts, storedFacts, type CaseFacts, type CaseFactsInput, type FactsEvent } from './facts-model.js';

const msOf = (at: Date | string | number): number => (typeof at === 'number' ? at : at instanceof Date ? at.getTime() : Date.parse(at));

/** Referral event types: sent, outcome, stopped; any other `referral_*` type only names a target in the period. */
const REFERRAL_TYPES: Record<string, number> = { referral_sent: 0, referral_outcome_recorded: 1, referral_stopped: 2 };

/**
 * The facts after folding `events` into `previous` (null: a case without facts yet). Pure: `previous` is not
 * changed. Events at or below `previous.seq` are skipped; the others are folded in `seq` order.
 */
export function foldCaseFacts(previous: CaseFacts | null, events: readonly FactsEvent[], timeZone = REPORT_TIME_ZONE): CaseFacts {
  const start = previous ? structuredClone(previous) : emptyCaseFacts();
  const f: CaseFactsWork = { ...start, days: decodeDays(start.days) };
  const fresh = events
    .filter((e) => e.seq > f.seq)
    .map((e): Ev => ({ type: e.type, at: msOf(e.at), seq: e.seq, data: obj(e.data) }))
    .sort((a, b) => a.seq - b.seq);
  for (const e of fresh) {
    if (e.seq <= f.seq) continue; // the same seq twice in one batch
    if (e.at > f.lastAt) settle(f, e.at, timeZone);
    f.seq = e.seq;
    foldEvent(f, e, timeZone);
  }
  return { ...f, ...encodeDays(f.days) };
}

function foldEvent(f: CaseFactsWork, e: Ev, timeZone: string): void {
  foldStretch(f, e);
  switch (e.type) {
    case 'case_opened':
      if (f.opened.length === 0) f.municipality = str(e.data, 'municipality') ?? UNASSIGNED_GROUP;
      f.opened.push(e.at);
      break;
    case 'case_closed': {
      const reason = str(e.data, 'reason');
      const attainment = str(e.data, 'goalAttainment');
      f.closures.push([
        e.at,
        reason && (CLOSURE_REASONS as readonly string[]).includes(reason) ? reason : 'other',
        attainment && (GOAL_ATTAINMENTS as readonly string[]).includes(attainment) ? attainment : null,
      ]);
      break;
    }
    case 'contact_recorded': {
      const kind = (CONTACT_KINDS as readonly string[]).indexOf(str(e.data, 'kind') ?? '');
      if (kind >= 0) addRecent(f, contactTime(e, timeZone), kind, timeZone);
      break;
    }
    default:
      if (e.type.startsWith('referral_')) foldReferral(f, e);
      else foldDeadline(f, e, timeZone);
  }
}

/** A case history's stretches, exactly as histories.ts buildCase walks the events. */
function foldStretch(f: CaseFactsWork, e: Ev): void {
  const cur = f.now;
  const org = (i: number) => f.orgIds[i]!;
  const next = cur
    ? { state: cur[1], org: org(cur[2]), onHold: cur[3] === 1, open: cur[4] === 1 }
    : { state: 'intake', org: UNASSIGNED_GROUP, onHold: false, open: false };
  if (e.type === 'case_opened') {
    Object.assign(next, { state: 'intake', org: str(e.data, 'organisationId') ?? UNASSIGNED_GROUP, onHold: false, open: true });
  } else if (!cur) {
    return;
  }
  if (e.type === 'provider_confirmed' || e.type === 'provider_overridden') next.org = str(e.data, 'organisationId') ?? next.org;
  if (e.type === 'case_transferred') next.org = str(e.data, 'toOrganisationId') ?? next.org;
  if (e.type === 'case_put_on_hold') next.onHold = true;
  if (e.type === 'case_resumed') next.onHold = false;
  const toState = str(e.data, 'toState');
  if (toState) {
    next.state = toState;
    next.open = toState !== 'closed';
    if (!next.open) next.onHold = false;
  }
  const orgIdx = orgIndex(f, next.org);
  if (!cur || orgIdx !== cur[2]) f.orgChanges.push([e.at, orgIdx]);
  const flag = (b: boolean): Flag => (b ? 1 : 0);
  if (cur && next.state === cur[1] && orgIdx === cur[2] && flag(next.onHold) === cur[3] && flag(next.open) === cur[4]) return;
  if (cur?.[4] === 1) {
    const endInclusive = !next.open;
    if (e.at > cur[0] || endInclusive) f.pieces.push([cur[0], e.at, flag(endInclusive), cur[1], cur[2], cur[3]]);
  }
  f.now = [e.at, next.state, orgIdx, flag(next.onHold), flag(next.open)];
}

export function orgIndex(f: CaseFactsWork, org: string): number {
  const i = f.orgIds.indexOf(org);
  return i >= 0 ? i : f.orgIds.push(org) - 1;
}

function foldReferral(f: CaseFactsWork, e: Ev): void {
  const type = REFERRAL_TYPES[e.type] ?? 3;
  const id = referralIdOf(e);
  const ref = id === undefined ? -1 : refIndex(f, id);
  if (type === 0) {
    const referral = obj(e.data.referral);
    const spelling = (str(referral, 'service') ?? '').trim().replace(/\s+/g, ' ');
    // Referrals with a catalogue code (issue 14) keep it: the report groups by code, whatever the name was then.
    const code = str(referral, 'serviceCode');
    if (id && spelling) f.sent.push(code ? [ref, e.at, spelling, code] : [ref, e.at, spelling]);
  }
  const outcome = str(e.data, 'outcome');
  const figure =
    type === 0 ? 'sent'
    : type === 2 ? 'stopped'
    : type === 1 && outcome && (outcome === 'sent' || (REFERRAL_OUTCOMES as readonly string[]).includes(outcome)) ? outcome
    : null;
  f.referrals.push([e.at, type, ref, figure]);
}

function refIndex(f: CaseFactsWork, id: string): number {
  const i = f.refIds.indexOf(id);
  return i >= 0 ? i : f.refIds.push(id) - 1;
}
