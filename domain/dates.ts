// Pure date helpers. No clock: every "now" is passed in by the caller (Temporal workflows must stay deterministic).
// Data carries two formats:
//   - calendar dates `YYYY-MM-DD` (birth dates, due dates of goals/referrals),
//   - ISO 8601 timestamps with offset (`2025-03-01T09:30:00+01:00` or `...Z`) for everything that happens at a moment.
// Computed timestamps are always returned in UTC (`toISOString()`), which compares and sorts safely.

export const DAY_MS = 86_400_000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month = last day of this month; Date.UTC is deterministic.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** `YYYY-MM-DD` that exists in the calendar (rejects 2025-02-30, which `Date.parse` silently rolls over). */
export function isIsoDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  return isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** ISO 8601 timestamp with seconds optional and a mandatory offset (`Z` or `±hh:mm`). */
export function isIsoTimestamp(value: string): boolean {
  const m = TIMESTAMP_RE.exec(value);
  if (!m) return false;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? '0')];
  if (!isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[7] !== 'Z' && (Number(m[8]) > 14 || Number(m[9]) > 59)) return false;
  return true;
}

/** Milliseconds since epoch of a date (UTC midnight) or timestamp. Throws on malformed input (a programming error). */
export function toMs(iso: string): number {
  if (!isIsoDate(iso) && !isIsoTimestamp(iso)) throw new RangeError(`Invalid ISO date/timestamp: ${iso}`);
  return Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
}

export function fromMs(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Adds whole days. A calendar date stays a calendar date; a timestamp becomes a UTC timestamp (+n × 24 h, so across
 * a daylight-saving change the local wall-clock time shifts by one hour — irrelevant for deadlines counted in days).
 */
export function addDays(iso: string, days: number): string {
  if (isIsoDate(iso)) return fromMs(toMs(iso) + days * DAY_MS).slice(0, 10);
  return fromMs(toMs(iso) + days * DAY_MS);
}

/** Adds calendar years (29 Feb → 1 Mar in non-leap years). */
export function addYears(iso: string, years: number): string {
  const d = new Date(toMs(iso));
  d.setUTCFullYear(d.getUTCFullYear() + years);
  const out = d.toISOString();
  return isIsoDate(iso) ? out.slice(0, 10) : out;
}

export function addMs(iso: string, ms: number): string {
  return fromMs(toMs(iso) + ms);
}

export function diffMs(later: string, earlier: string): number {
  return toMs(later) - toMs(earlier);
}

export function isBefore(a: string, b: string): boolean {
  return toMs(a) < toMs(b);
}

/** Whole days from `earlier` to `later` (negative when `later` is earlier). */
export function daysBetween(earlier: string, later: string): number {
  return Math.floor(diffMs(later, earlier) / DAY_MS);
}

/**
 * Calendar date part of a date or timestamp *as written* (the local date of the writer's offset): for
 * `2025-03-01T00:30:00+01:00` that is 2025-03-01, although in UTC it is still 28 Feb.
 */
export function datePart(iso: string): string {
  return iso.slice(0, 10);
}

/**
 * How process rules before version 7 stored "due at the end of <date>": 23:59:59.999 UTC, which is already the next
 * day in Germany. Kept for replaying those runs; such instants are read back as their UTC date (calendarDateOf).
 */
export function endOfDayUtc(date: string): string {
  return `${datePart(date)}T23:59:59.999Z`;
}

// ---------------------------------------------------------------------------------------------------------------
// Europe/Berlin by the EU rule, in plain arithmetic (no Intl, no tz database): the workflow sandbox decides due times
// with it, so it must be deterministic and light. Summer time (UTC+2) runs from the last Sunday of March 01:00 UTC to
// the last Sunday of October 01:00 UTC, otherwise UTC+1 — the rule in force since 1996 (dates before are no due dates).

/** The time zone every calendar date of a case means (domain.md "Dates"). */
export const CASE_TIME_ZONE = 'Europe/Berlin';
const HOUR_MS = 3_600_000;

/** 01:00 UTC on the last Sunday of `month` (1–12) in `year`: when the EU clocks change. */
function lastSundayChangeMs(year: number, month: number): number {
  const lastDay = Date.UTC(year, month, 0);
  const weekday = new Date(lastDay).getUTCDay(); // 0 = Sunday
  return lastDay - weekday * DAY_MS + HOUR_MS;
}

/** Offset of Europe/Berlin from UTC at the instant `ms` (3 600 000 or 7 200 000). */
export function berlinOffsetMs(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  return ms >= lastSundayChangeMs(year, 3) && ms < lastSundayChangeMs(year, 10) ? 2 * HOUR_MS : HOUR_MS;
}

/** The instant local midnight starts `date` (YYYY-MM-DD) in Europe/Berlin. */
export function startOfDayBerlinMs(date: string): number {
  const wall = toMs(datePart(date));
  // Midnight is never inside a change (they happen at 02:00/03:00 local), so the offset two hours before the wall
  // instant read as UTC is the offset at local midnight.
  return wall - berlinOffsetMs(wall - 2 * HOUR_MS);
}

/** A calendar due date is due at the end of that day in Europe/Berlin: the last millisecond before the next day. */
export function endOfDayBerlin(date: string): string {
  return fromMs(startOfDayBerlinMs(addDays(datePart(date), 1)) - 1);
}

/** The calendar date (YYYY-MM-DD) in Europe/Berlin of an instant. */
export function berlinDate(ms: number): string {
  return fromMs(ms + berlinOffsetMs(ms)).slice(0, 10);
}

/**
 * The calendar date a stored date or instant stands for, as people read it: a calendar date is itself; an instant is
 * its date in Europe/Berlin — except the end-of-day marker of rules before 7 (`…T23:59:59.999Z`), which stands for
 * its UTC date (a Berlin day never ends at that instant, and nothing else is stored at exactly that millisecond).
 */
export function calendarDateOf(iso: string): string {
  if (isIsoDate(iso)) return iso;
  if (!isIsoTimestamp(iso)) return datePart(iso); // not ours to judge here: shown as written
  if (iso.endsWith('T23:59:59.999Z')) return iso.slice(0, 10);
  return berlinDate(toMs(iso));
}

/** Completed years of life on a given day (birthday counts from the day itself; 29 Feb birthdays on 28 Feb are not yet). */
export function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = datePart(birthDate).split('-').map(Number) as [number, number, number];
  const [oy, om, od] = datePart(on).split('-').map(Number) as [number, number, number];
  let age = oy - by;
  if (om < bm || (om === bm && od < bd)) age -= 1;
  return age;
}

/** German display form `TT.MM.JJJJ` of the calendar date a date or instant stands for (calendarDateOf). */
export function formatDateDe(iso: string): string {
  const [y, m, d] = calendarDateOf(iso).split('-');
  return `${d}.${m}.${y}`;
}
