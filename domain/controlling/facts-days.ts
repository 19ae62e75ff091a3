// Contacts and deadline figures of a case's facts counted per local day and organisation (domain/controlling/facts.ts):
// a figure goes into its day once no later organisation change can still move it to another organisation. Stored as
// strings (CaseFacts.months, CaseFacts.days), read by the report without building arrays.
import { localDay } from './calendar.js';
import { addCount, type CaseFactsWork } from './facts-model.js';

/** The organisation a figure at instant `t` belongs to (histories.ts orgAt): the last change at or before `t`. */
export function orgIndexAt(f: { orgChanges: readonly (readonly [number, number])[] }, t: number): number {
  let org = f.orgChanges[0]?.[1] ?? -1;
  for (const [at, i] of f.orgChanges) {
    if (at > t) break;
    org = i;
  }
  return org;
}

/** A contact (code 0–4) or deadline figure (code ≥ 5) at instant `t`: counted per day once no later change can move it. */
export function addRecent(f: CaseFactsWork, t: number, code: number, timeZone: string): void {
  if (t < f.lastAt && f.orgChanges.length > 0) addToDay(f, localDay(t, timeZone), orgIndexAt(f, t), code, 1);
  else f.recent.push([t, code]);
}

/** The latest event's time moves on to `at`: figures before it are final and go into their day. */
export function settle(f: CaseFactsWork, at: number, timeZone: string): void {
  f.lastAt = at;
  if (f.orgChanges.length === 0 || f.recent.length === 0) return;
  const keep: [number, number][] = [];
  for (const [t, code] of f.recent) {
    if (t < at) addToDay(f, localDay(t, timeZone), orgIndexAt(f, t), code, 1);
    else keep.push([t, code]);
  }
  f.recent = keep;
}

/** Day buckets are kept sorted by day, then organisation. */
function addToDay(f: CaseFactsWork, day: number, org: number, code: number, n: number): void {
  let lo = 0;
  let hi = f.days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const b = f.days[mid]!;
    if (b[0]! < day || (b[0] === day && b[1]! < org)) lo = mid + 1;
    else hi = mid;
  }
  const found = f.days[lo];
  if (found && found[0] === day && found[1] === org) addCount(found, code, n);
  else f.days.splice(lo, 0, [day, org, code, n]);
}

/** Buckets as stored: `key,org,code,count[,code,count…]` in base 36, separated by `;`. */
function encodeBuckets(buckets: readonly number[][]): string {
  return buckets.map((b) => b.map((n) => n.toString(36)).join(',')).join(';');
}

function decodeBuckets(text: string): number[][] {
  return text === '' ? [] : text.split(';').map((b) => b.split(',').map((n) => parseInt(n, 36)));
}

/** Months since 1970-01 of a day number's calendar month, and the `YYYY-MM` of such a month. */
export const monthOfDayNumber = (day: number): number => {
  const d = new Date(day * 86_400_000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth() - 1970 * 12;
};
export const monthKeyOf = (month: number): string => `${1970 + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;

/** The day buckets (sorted) as stored: per month, and summed per month. */
export function encodeDays(days: readonly number[][]): { months: string; days: Record<string, string> } {
  const byMonth = new Map<number, number[][]>();
  for (const b of days) {
    const month = monthOfDayNumber(b[0]!);
    byMonth.set(month, [...(byMonth.get(month) ?? []), b]);
  }
  const sums: number[][] = [];
  for (const [month, list] of byMonth) {
    const perOrg = new Map<number, number[]>();
    for (const [, org, ...pairs] of list) {
      const sum = perOrg.get(org!) ?? [month, org!];
      for (let i = 0; i + 1 < pairs.length; i += 2) addCount(sum, pairs[i]!, pairs[i + 1]!);
      perOrg.set(org!, sum);
    }
    sums.push(...[...perOrg.values()].sort((a, b) => a[1]! - b[1]!));
  }
  return { months: encodeBuckets(sums), days: Object.fromEntries([...byMonth].map(([month, list]) => [monthKeyOf(month), encodeBuckets(list)])) };
}

/** All day buckets of the stored months, sorted. */
export function decodeDays(days: Readonly<Record<string, string>>): number[][] {
  return Object.keys(days)
    .sort()
    .flatMap((month) => decodeBuckets(days[month]!));
}

const COMMA = 44;
const SEMICOLON = 59;

/** Receives the counts of the day buckets in a period (scanDays). */
export interface DaySink {
  count(day: number, org: number, code: number, n: number): void;
}

/** Where scanDays reads (synchronous: no other scan runs in between). */
let cursor = 0;

function readNumber(days: string): number {
  let n = 0;
  for (; cursor < days.length; cursor++) {
    const c = days.charCodeAt(cursor);
    if (c === COMMA || c === SEMICOLON) break;
    n = n * 36 + (c <= 57 ? c - 48 : c - 87);
  }
  return n;
}

/** Gives `sink` every code of every bucket whose day (or month) lies in [fromDay, toDay], straight from the string. */
export function scanDays(days: string, fromDay: number, toDay: number, sink: DaySink): void {
  cursor = 0;
  while (cursor < days.length) {
    const day = readNumber(days);
    if (day > toDay) return;
    if (day < fromDay) {
      const end = days.indexOf(';', cursor);
      if (end < 0) return;
      cursor = end + 1;
      continue;
    }
    cursor++;
    const org = readNumber(days);
    while (cursor < days.length && days.charCodeAt(cursor) === COMMA) {
      cursor++;
      const code = readNumber(days);
      cursor++;
      sink.count(day, org, code, readNumber(days));
    }
    cursor++;
  }
}
