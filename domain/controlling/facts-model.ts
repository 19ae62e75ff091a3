// The shape of a case's controlling facts (domain/controlling/facts.ts): JSON of numbers and short strings in
// positional tuples, so one row stays small and parses fast. Times are epoch milliseconds; days are day numbers
// (days since 1970-01-01 of the local calendar date in the report's time zone, calendar.ts localDay).
import { CONTACT_KINDS } from '../case-model.js';
import { CONTROLLED_DEADLINE_KINDS, DEADLINE_FIGURES } from './model.js';

/** Format of the facts: a change of the fold or of this shape raises it, and rows of another format are refolded. */
export const CASE_FACTS_VERSION = 1;

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
  /** Contacts and deadline figures per day and organisation, sorted by day, then organisation: buckets separated by
   *  `;`, each `day,organisation,code,count[,code,count…]` in base 36 (facts-days.ts) — one string, so a report
   *  parses it only as far as the period needs. Codes: 0–4 contacts by kind (CONTACT_KINDS), from 5 deadline figures
   *  (figureCode). */
  days: string;
  /** Contacts and deadline figures not yet put into their day: [instant, code]. */
  recent: [number, number][];
  /** Closures: [at, reason (a closure reason, else 'other'), goal attainment or null]. */
  closures: [number, string, string | null][];
  /** Referral ids, referred to by their index. */
  refIds: string[];
  /** Referrals sent with an id and a target: [referral, at, target as written (blanks trimmed and collapsed)]. */
  sent: [number, number, string][];
  /** Referral events: [at, type (0 sent, 1 outcome, 2 stopped, 3 other), referral (−1: none), figure or null]. */
  referrals: [number, number, number, string | null][];
  /** Finished overdue stretches of work deadlines: [kind, first day, last day, how many] — the days whose midnight
   *  fell inside the stretch (after its start, up to its end). */
  overdue: [number, number, number, number][];
  /** Work deadlines not yet met or cancelled. */
  pending: PendingDeadline[];
}

/** The facts while events are folded into them: the day buckets decoded, [day, organisation, code, count, …]. */
export interface CaseFactsWork extends Omit<CaseFacts, 'days'> {
  days: number[][];
}

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
    days: '',
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
