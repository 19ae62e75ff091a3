// The shape of a case's controlling facts (domain/controlling/facts.ts): JSON of numbers and short strings in
// positional tuples, so one row stays small and parses fast. Times are epoch milliseconds; days are day numbers
// (days since 1970-01-01 of the local calendar date in the report's time zone, calendar.ts localDay).
import { CONTACT_KINDS } from '../case-model.js';
import { CONTROLLED_DEADLINE_KINDS, DEADLINE_FIGURES } from './model.js';

/** Format of the facts: a change of the fold or of this shape raises it, and rows of another format are refolded.
 *  2: a sixth contact kind (joint_first_appointment) moved the deadline codes up by one. */
export const CASE_FACTS_VERSION = 2;

export type Flag = 0 | 1;

/** A CaseEvent row as the fold reads it. */
export interface FactsEvent {
  seq: number;
  type: string;
  at: Date | string | number;
  data: unknown;
}

/** Stretch of the open case: [start, end, endInclusive, state, organisation (index into orgIds), onHold]. */
export type FactsPiece = [start: number, end: number, endInclusive: Flag, state: string, org: number, onHold: Flag];

/** A deadline not yet met or cancelled: [id, kind (index into CONTROLLED_DEADLINE_KINDS), status, status before the
 *  suspension, missed since set/moved, overdue since (−1: not overdue)]. Status: 0 open, 1 overdue, 2 suspended. */
export type PendingDeadline = [id: string, kind: number, status: 0 | 1 | 2, before: 0 | 1, missed: Flag, overdueSince: number];

export interface CaseFacts {
  /** Highest event seq folded in (0: none). */
  seq: number;
  /** Time of the latest event folded in. */
  lastAt: number;
  /** Municipality of the first case_opened (null before it). */
  municipality: string | null;
  /** Times of the case_opened events, in seq order (the first is the opening). */
  opened: number[];
  /** Organisation ids, referred to by their index. */
  orgIds: string[];
  /** Organisation changes [at, organisation] in seq order: the opening, provider confirmed/overridden, transfers. */
  orgChanges: [number, number][];
  /** Finished stretches of the open case. */
  pieces: FactsPiece[];
  /** The case after the latest event: [since, state, organisation, onHold, open]; null before the opening. */
  now: [since: number, state: string, org: number, onHold: Flag, open: Flag] | null;
  /** Contacts and deadline figures per month and organisation — what a report needs of the months it covers whole:
   *  buckets separated by `;`, each `month,organisation,code,count[,code,count…]` in base 36 (facts-days.ts), month =
   *  months since 1970-01 (local calendar), sorted by month, then organisation. Codes: 0–4 contacts by kind
   *  (CONTACT_KINDS), then the deadline figures (figureCode). */
  months: string;
  /** The same per day, for the months a report covers only in part: month (`YYYY-MM`) → buckets
   *  `day,organisation,code,count[,…]` (day numbers). Stored in a column of its own, so a report reads just those. */
  days: Record<string, string>;
  /** Contacts and deadline figures not yet put into their day: [instant, code]. */
  recent: [number, number][];
  /** Closures: [at, reason (a closure reason, else 'other'), goal attainment or null]. */
  closures: [number, string, string | null][];
  /** Referral ids, referred to by their index. */
  refIds: string[];
  /** Referrals sent with an id and a target: [referral, at, target as written (blanks trimmed and collapsed),
   *  catalogue code (issue 14; absent in referrals of before)]. */
  sent: [number, number, string, string?][];
  /** Referral events: [at, type (0 sent, 1 outcome, 2 stopped, 3 other), referral (−1: none), figure or null]. */
  referrals: [number, number, number, string | null][];
  /** Finished overdue stretches of work deadlines: [kind, first day, last day, how many] — the days whose midnight
   *  fell inside the stretch (after its start, up to its end). */
  overdue: [number, number, number, number][];
  /** Work deadlines not yet met or cancelled. */
  pending: PendingDeadline[];
}

/** The facts while events are folded into them: the day buckets decoded, [day, organisation, code, count, …]. */
export interface CaseFactsWork extends Omit<CaseFacts, 'days' | 'months'> {
  days: number[][];
}

/**
 * The facts as stored (table CaseFacts): column `facts` holds all but the days as one JSON array in the order of
 * STORED — no property names, a third less to read and parse — and column `days` the days.
 */
const STORED = ['seq', 'lastAt', 'municipality', 'opened', 'orgIds', 'orgChanges', 'pieces', 'now', 'months', 'recent', 'closures', 'refIds', 'sent', 'referrals', 'overdue', 'pending'] as const;

export function storedFacts(facts: CaseFacts): { facts: string; days: string } {
  return { facts: JSON.stringify(STORED.map((key) => facts[key])), days: JSON.stringify(facts.days) };
}

/** The facts from their stored form (`days`: those of the months read). */
export function parseStoredFacts(stored: string, days: Record<string, string>): CaseFacts {
  const v = JSON.parse(stored) as unknown[];
  return {
    seq: v[0] as CaseFacts['seq'],
    lastAt: v[1] as CaseFacts['lastAt'],
    municipality: v[2] as CaseFacts['municipality'],
    opened: v[3] as CaseFacts['opened'],
    orgIds: v[4] as CaseFacts['orgIds'],
    orgChanges: v[5] as CaseFacts['orgChanges'],
    pieces: v[6] as CaseFacts['pieces'],
    now: v[7] as CaseFacts['now'],
    months: v[8] as CaseFacts['months'],
    days,
    recent: v[9] as CaseFacts['recent'],
    closures: v[10] as CaseFacts['closures'],
    refIds: v[11] as CaseFacts['refIds'],
    sent: v[12] as CaseFacts['sent'],
    referrals: v[13] as CaseFacts['referrals'],
    overdue: v[14] as CaseFacts['overdue'],
    pending: v[15] as CaseFacts['pending'],
  };
}

/** A case's facts as the report takes them: as an object, or as stored (`stored`: column `facts`, `days` the days
 *  of the months read) — parsed when the case is counted. */
export type CaseFactsInput = { caseId: string; facts: CaseFacts } | { caseId: string; stored: string; days: Record<string, string> };

export function emptyCaseFacts(): CaseFacts {
  return {
    seq: 0,
    lastAt: Number.MIN_SAFE_INTEGER,
    municipality: null,
    opened: [],
    orgIds: [],
    orgChanges: [],
    pieces: [],
    now: null,
    months: '',
    days: {},
    recent: [],
    closures: [],
    refIds: [],
    sent: [],
    referrals: [],
    overdue: [],
    pending: [],
  };
}

/** Codes below this one are contacts. */
export const CONTACT_CODES = CONTACT_KINDS.length;
/** The figures of a deadline kind counted per day: metOnTime, metLate, missed, escalated (not overdueAtEnd). */
export const DAY_DEADLINE_FIGURES = DEADLINE_FIGURES.slice(0, 4);
export const figureCode = (kind: number, figure: number): number => CONTACT_CODES + kind * DAY_DEADLINE_FIGURES.length + figure;
/** How many codes there are. */
export const CODES = CONTACT_CODES + CONTROLLED_DEADLINE_KINDS.length * DAY_DEADLINE_FIGURES.length;

/** Adds `n` to `code` in a day bucket [day, organisation, code, count, …]. */
export function addCount(bucket: number[], code: number, n: number): void {
  for (let i = 2; i < bucket.length; i += 2) {
    if (bucket[i] === code) {
      bucket[i + 1]! += n;
      return;
    }
  }
  bucket.push(code, n);
}
