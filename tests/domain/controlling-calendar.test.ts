// The controlling report's calendar (domain/controlling/calendar.ts) on its own: local midnights, periods, months and
// day numbers, with expected instants worked out by hand from the zones' offsets (Berlin +1/+2 with the changes at
// 01:00 UTC; Cairo's spring change at local midnight; Tehran's half-hour offsets with changes at local midnight).
import { describe, expect, it } from 'vitest';
import {
  dayDate,
  dayNumber,
  localDay,
  monthKey,
  monthLabel,
  monthWindows,
  periodBounds,
  zonedDate,
  zonedStartOfDay,
} from '../../domain/controlling/calendar.js';

const at = (iso: string) => Date.parse(iso);
const BERLIN = 'Europe/Berlin';

describe('controlling calendar', () => {
  it('local midnight in winter, in summer and on both change days in Berlin (the default zone)', () => {
    expect(zonedStartOfDay('2026-01-15')).toBe(at('2026-01-14T23:00:00Z'));
    expect(zonedStartOfDay('2026-07-01')).toBe(at('2026-06-30T22:00:00Z'));
    // 2026-03-29: clocks go 02:00 → 03:00; midnight is still winter time, the next one summer time.
    expect(zonedStartOfDay('2026-03-29', BERLIN)).toBe(at('2026-03-28T23:00:00Z'));
    expect(zonedStartOfDay('2026-03-30', BERLIN)).toBe(at('2026-03-29T22:00:00Z'));
    // 2026-10-25: clocks go 03:00 → 02:00.
    expect(zonedStartOfDay('2026-10-25', BERLIN)).toBe(at('2026-10-24T22:00:00Z'));
    expect(zonedStartOfDay('2026-10-26', BERLIN)).toBe(at('2026-10-25T23:00:00Z'));
  });

  it('the second round: where midnight itself is skipped the day starts at 01:00 summer time (Cairo 2024-04-26)', () => {
    // The offset at the first guess (+3) is not the one at the answer (+2 until 22:00 UTC the evening before).
    expect(zonedStartOfDay('2024-04-26', 'Africa/Cairo')).toBe(at('2024-04-25T22:00:00Z'));
    expect(zonedStartOfDay('2024-04-27', 'Africa/Cairo')).toBe(at('2024-04-26T21:00:00Z'));
  });

  it('a period runs from the first local midnight to the midnight after its last day', () => {
    expect(periodBounds('2026-01-01', '2026-01-31')).toEqual({ start: at('2025-12-31T23:00:00Z'), end: at('2026-01-31T23:00:00Z') });
    // Across a year end and a month end (the day after 12-31 and after 02-28 computed, not concatenated).
    expect(periodBounds('2026-12-31', '2026-12-31', BERLIN)).toEqual({ start: at('2026-12-30T23:00:00Z'), end: at('2026-12-31T23:00:00Z') });
    expect(periodBounds('2026-02-28', '2026-02-28', 'UTC')).toEqual({ start: at('2026-02-28T00:00:00Z'), end: at('2026-03-01T00:00:00Z') });
  });

  it('the local date and month of an instant, zero-padded', () => {
    expect(zonedDate(at('2026-01-04T23:30:00Z'))).toBe('2026-01-05');
    expect(zonedDate(at('2026-01-04T22:30:00Z'), BERLIN)).toBe('2026-01-04');
    expect(zonedDate(at('2026-01-04T23:30:00Z'), 'UTC')).toBe('2026-01-04');
    expect(zonedDate(at('2026-11-20T12:00:00Z'), BERLIN)).toBe('2026-11-20');
    expect(monthKey(at('2026-02-28T23:30:00Z'), BERLIN)).toBe('2026-03');
    expect(monthKey(at('2026-02-28T22:30:00Z'), BERLIN)).toBe('2026-02');
    expect(monthKey(at('2026-11-30T12:00:00Z'), BERLIN)).toBe('2026-11');
  });

  it('month labels in German', () => {
    expect(monthLabel('2026-01')).toBe('Januar 2026');
    expect(monthLabel('2026-03')).toBe('März 2026');
    expect(monthLabel('2025-12')).toBe('Dezember 2025');
  });

  it('month windows cut to the period, across a year end', () => {
    const { start, end } = periodBounds('2025-12-15', '2026-02-10');
    expect(monthWindows(start, end, BERLIN)).toEqual([
      { start, end: at('2025-12-31T23:00:00Z'), key: '2025-12' },
      { start: at('2025-12-31T23:00:00Z'), end: at('2026-01-31T23:00:00Z'), key: '2026-01' },
      { start: at('2026-01-31T23:00:00Z'), end, key: '2026-02' },
    ]);
  });

  it('a period ending exactly at a month end has no empty window after it; one inside a month has one window', () => {
    const whole = periodBounds('2026-03-01', '2026-04-30');
    expect(monthWindows(whole.start, whole.end, BERLIN)).toEqual([
      { start: at('2026-02-28T23:00:00Z'), end: at('2026-03-31T22:00:00Z'), key: '2026-03' },
      { start: at('2026-03-31T22:00:00Z'), end: at('2026-04-30T22:00:00Z'), key: '2026-04' },
    ]);
    const inside = periodBounds('2026-10-10', '2026-10-12');
    expect(monthWindows(inside.start, inside.end, BERLIN)).toEqual([{ start: inside.start, end: inside.end, key: '2026-10' }]);
  });

  it('day numbers count days since 1970-01-01 and back', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('1970-02-01')).toBe(31);
    // 56 years with 14 leap days (1972 … 2024).
    expect(dayNumber('2026-01-01')).toBe(56 * 365 + 14);
    expect(dayDate(56 * 365 + 14)).toBe('2026-01-01');
    expect(dayDate(31)).toBe('1970-02-01');
  });

  it('the local day of an instant, as zonedDate gives it, around Berlin midnights and changes', () => {
    const day = (iso: string, tz = BERLIN) => dayDate(localDay(at(iso), tz));
    expect(day('2026-01-04T22:59:59Z')).toBe('2026-01-04');
    expect(day('2026-01-04T23:00:00Z')).toBe('2026-01-05');
    expect(day('2026-07-04T21:59:59Z')).toBe('2026-07-04');
    expect(day('2026-07-04T22:00:00Z')).toBe('2026-07-05');
    expect(day('2026-03-29T00:59:59Z')).toBe('2026-03-29');
    expect(day('2026-03-29T22:00:00Z')).toBe('2026-03-30');
    // Asked again (the hour's offset now cached) the answer stays the same.
    expect(day('2026-07-04T22:00:00Z')).toBe('2026-07-05');
    expect(day('2026-07-04T22:30:00Z')).toBe('2026-07-05');
  });

  it('an hour with a change in it is answered exactly (Tehran, +3:30/+4:30, changes at local midnight in 2021)', () => {
    const day = (iso: string) => dayDate(localDay(at(iso), 'Asia/Tehran'));
    // Spring: 2021-03-21 20:30 UTC is midnight +3:30 → 01:00 +4:30.
    expect(day('2021-03-21T20:15:00Z')).toBe('2021-03-21');
    expect(day('2021-03-21T20:45:00Z')).toBe('2021-03-22');
    // Autumn: 2021-09-21 19:30 UTC is midnight +4:30 → 23:00 +3:30 again.
    expect(day('2021-09-21T19:15:00Z')).toBe('2021-09-21');
    expect(day('2021-09-21T19:45:00Z')).toBe('2021-09-21');
    expect(day('2021-09-21T20:45:00Z')).toBe('2021-09-22');
  });
});
