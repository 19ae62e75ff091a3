// Calendar dates mean days in Europe/Berlin (domain.md "Dates"): a due date is due at the end of that day there, and
// every stored date or instant is read back as the day a person entered. domain/dates.ts computes this with the EU
// rule in plain arithmetic (it runs in the workflow sandbox); here it is checked against the tz database (Intl) over
// generated days and instants — DST change days, year ends and leap days included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, berlinDate, berlinOffsetMs, calendarDateOf, endOfDayBerlin, formatDateDe, startOfDayBerlinMs, toMs } from '../../domain/index.js';

const berlinParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Berlin',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
/** The wall clock in Berlin by the tz database: `YYYY-MM-DD HH:MM:SS`. */
function berlinWall(ms: number): string {
  const p = Object.fromEntries(berlinParts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

const FIRST = Date.UTC(1996, 0, 1); // the EU rule in force since 1996
const LAST = Date.UTC(2100, 11, 31);
const dayArb = fc.integer({ min: 0, max: (LAST - FIRST) / 86_400_000 }).map((n) => new Date(FIRST + n * 86_400_000).toISOString().slice(0, 10));
const instantArb = fc.integer({ min: FIRST, max: LAST });

/** Days people trip over: the DST change days, the days around them, year ends and leap days. */
const SPECIAL_DAYS = [
  '2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26',
  '2027-03-28', '2027-10-31', '2026-12-31', '2027-01-01', '2027-01-31', '2027-12-31',
  '2028-02-28', '2028-02-29', '2028-03-01', '2028-03-26', '2028-10-29', '2100-02-28', '2100-03-01',
];

describe('Europe/Berlin by the EU rule', () => {
  it('has the offset of the tz database at every instant', () => {
    fc.assert(
      fc.property(instantArb, (ms) => {
        const wall = berlinWall(ms);
        const shifted = new Date(ms + berlinOffsetMs(ms)).toISOString();
        expect(`${shifted.slice(0, 10)} ${shifted.slice(11, 19)}`).toBe(wall);
      }),
      { numRuns: 2000 },
    );
  });

  it('has the offset of the tz database around each change (one second before, at, after)', () => {
    for (let year = 1996; year <= 2100; year += 1) {
      for (const month of [3, 10]) {
        const last = new Date(Date.UTC(year, month, 0));
        const change = Date.UTC(year, month - 1, last.getUTCDate() - last.getUTCDay(), 1);
        for (const ms of [change - 1000, change, change + 1000]) {
          const shifted = new Date(ms + berlinOffsetMs(ms)).toISOString();
          expect(`${shifted.slice(0, 10)} ${shifted.slice(11, 19)}`, new Date(ms).toISOString()).toBe(berlinWall(ms));
        }
      }
    }
  });

  it('ends a day at 23:59:59.999 in Berlin, and the next millisecond is the next day', () => {
    fc.assert(
      fc.property(fc.oneof(dayArb, fc.constantFrom(...SPECIAL_DAYS)), (day) => {
        const end = toMs(endOfDayBerlin(day));
        expect(berlinWall(end)).toBe(`${day} 23:59:59`);
        expect(berlinWall(end + 1)).toBe(`${addDays(day, 1)} 00:00:00`);
        expect(berlinDate(end)).toBe(day);
        expect(berlinDate(end + 1)).toBe(addDays(day, 1));
        expect(startOfDayBerlinMs(addDays(day, 1))).toBe(end + 1);
        expect(berlinWall(startOfDayBerlinMs(day))).toBe(`${day} 00:00:00`);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives DST change days their 23 and 25 hours', () => {
    const hours = (day: string) => (toMs(endOfDayBerlin(day)) + 1 - startOfDayBerlinMs(day)) / 3_600_000;
    expect(hours('2026-03-29')).toBe(23);
    expect(hours('2026-10-25')).toBe(25);
    expect(hours('2026-12-31')).toBe(24);
    expect(hours('2028-02-29')).toBe(24);
    expect(endOfDayBerlin('2027-01-31')).toBe('2027-01-31T22:59:59.999Z');
    expect(endOfDayBerlin('2026-07-15')).toBe('2026-07-15T21:59:59.999Z');
    expect(endOfDayBerlin('2026-12-31')).toBe('2026-12-31T22:59:59.999Z');
  });

  it('names the Berlin day of every instant as the tz database does', () => {
    fc.assert(
      fc.property(instantArb, (ms) => {
        expect(berlinDate(ms)).toBe(berlinWall(ms).slice(0, 10));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the date a stored value stands for (calendarDateOf, formatDateDe)', () => {
  it('reads a calendar date as itself and a due time as the day it was set for', () => {
    fc.assert(
      fc.property(fc.oneof(dayArb, fc.constantFrom(...SPECIAL_DAYS)), (day) => {
        const [y, m, d] = day.split('-');
        expect(calendarDateOf(day)).toBe(day);
        expect(calendarDateOf(endOfDayBerlin(day))).toBe(day);
        // Due times stored by rules before 7 (end of the day in UTC) still read as the day entered.
        expect(calendarDateOf(`${day}T23:59:59.999Z`)).toBe(day);
        expect(formatDateDe(endOfDayBerlin(day))).toBe(`${d}.${m}.${y}`);
        expect(formatDateDe(`${day}T23:59:59.999Z`)).toBe(`${d}.${m}.${y}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads any other instant as its day in Berlin, whatever offset it was written with', () => {
    const offsetArb = fc.integer({ min: -12 * 60, max: 14 * 60 }).map((minutes) => minutes - (minutes % 15));
    fc.assert(
      fc.property(instantArb, offsetArb, (ms, offsetMinutes) => {
        fc.pre(new Date(ms).toISOString().slice(11) !== '23:59:59.999Z');
        // The same instant written in another zone: the local wall time with its offset.
        const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(offsetMinutes);
        const written = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(toMs(written)).toBe(ms);
        expect(calendarDateOf(written)).toBe(berlinWall(ms).slice(0, 10));
      }),
      { numRuns: 1000 },
    );
  });

  it('shows late-evening instants in Germany as that German day (not the UTC day)', () => {
    expect(formatDateDe('2026-12-02T23:30:00.000Z')).toBe('03.12.2026');
    expect(formatDateDe('2026-07-02T22:30:00.000Z')).toBe('03.07.2026');
    expect(formatDateDe('2026-12-02T22:30:00.000Z')).toBe('02.12.2026');
  });
});
