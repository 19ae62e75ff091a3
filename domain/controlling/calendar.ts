// Calendar of the controlling report in the report's time zone (Intl is deterministic for a given tz database):
// a period is whole calendar days, [from 00:00, day after `to` 00:00), and months are local calendar months.
import { REPORT_TIME_ZONE } from './model.js';

const MONTHS_DE = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];

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

export function monthKey(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  return `${p.y}-${String(p.m).padStart(2, '0')}`;
}

export function monthLabel(key: string): string {
  const [y, m] = key.split('-').map(Number) as [number, number];
  return `${MONTHS_DE[m - 1]} ${y}`;
}

export interface Window {
  start: number;
  /** Exclusive. */
  end: number;
  /** Fixed group key of this window (month windows, the total), or null: the key comes from the case. */
  key: string | null;
}

export function monthWindows(start: number, end: number, timeZone: string): Window[] {
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

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** `YYYY-MM-DD` as a day number (days since 1970-01-01): the compact form of a calendar day in the case facts. */
export function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY;
}

/** The calendar date of a day number. */
export function dayDate(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** Per time zone: UTC hour → the zone's offset throughout that hour, or null when it changes within the hour. */
const hourOffsets = new Map<string, Map<number, number | null>>();

/**
 * The local calendar day of the instant `ms` in `timeZone`, as a day number — what `zonedDate` gives, without asking
 * Intl for every instant: the offset is looked up once per UTC hour (and exactly for an hour with a change in it).
 */
export function localDay(ms: number, timeZone: string): number {
  let offsets = hourOffsets.get(timeZone);
  if (!offsets || offsets.size > 500_000) hourOffsets.set(timeZone, (offsets = new Map()));
  const hour = Math.floor(ms / HOUR);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    const first = offsetMs(hour * HOUR, timeZone);
    offset = first === offsetMs(hour * HOUR + HOUR - 1000, timeZone) ? first : null;
    offsets.set(hour, offset);
  }
  return offset === null ? dayNumber(zonedDate(ms, timeZone)) : Math.floor((ms + offset) / DAY);
}
