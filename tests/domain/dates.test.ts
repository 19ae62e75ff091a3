// The pure date helpers (domain/dates.ts) every deadline rests on: which strings are dates and timestamps, day and
// year arithmetic that keeps the format, ages on a day, the German display form.
import { describe, expect, it } from 'vitest';
import { addDays, addYears, ageOn, daysBetween, formatDateDe, isBefore, isIsoDate, isIsoTimestamp, toMs } from '../../domain/index.js';

describe('isIsoDate', () => {
  it('takes days of the calendar only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-12-31')).toBe(true);
    expect(isIsoDate('2025-01-01')).toBe(true);
    for (const bad of ['2025-02-29', '2025-00-10', '2025-13-01', '2025-01-00', '2025-04-31', '2025-1-01', '2025-01-01T00:00:00Z']) {
      expect(isIsoDate(bad), bad).toBe(false);
    }
  });
});

describe('isIsoTimestamp', () => {
  it('takes timestamps with an offset, seconds and fractions optional', () => {
    for (const good of ['2025-03-01T09:30Z', '2025-03-01T09:30:15Z', '2025-03-01T09:30:15.123Z', '2025-03-01T23:59:59+14:00', '2025-03-01T00:00:00-02:30']) {
      expect(isIsoTimestamp(good), good).toBe(true);
    }
  });

  it('refuses impossible clock times, offsets and days, and a missing offset', () => {
    for (const bad of [
      '2025-03-01T24:00:00Z',
      '2025-03-01T23:60:00Z',
      '2025-03-01T23:59:60Z',
      '2025-03-01T09:30:00+15:00',
      '2025-03-01T09:30:00+01:60',
      '2025-02-30T09:30:00Z',
      '2025-03-01T09:30:00',
      '2025-03-01',
    ]) {
      expect(isIsoTimestamp(bad), bad).toBe(false);
    }
  });
});

describe('toMs', () => {
  it('reads a date as midnight UTC and a timestamp with its offset', () => {
    expect(toMs('2025-03-01')).toBe(Date.UTC(2025, 2, 1));
    expect(toMs('2025-03-01T01:00:00+01:00')).toBe(Date.UTC(2025, 2, 1));
  });

  it('throws on anything else, naming the input', () => {
    expect(() => toMs('01.03.2025')).toThrow(new RangeError('Invalid ISO date/timestamp: 01.03.2025'));
    expect(() => toMs('2025-02-30')).toThrow(RangeError);
  });
});

describe('day and year arithmetic', () => {
  it('keeps a calendar date a calendar date and makes a timestamp UTC', () => {
    expect(addDays('2025-02-27', 3)).toBe('2025-03-02');
    expect(addDays('2025-03-02', -3)).toBe('2025-02-27');
    expect(addDays('2025-03-01T10:00:00+01:00', 14)).toBe('2025-03-15T09:00:00.000Z');
  });

  it('adds years, 29 February onto 1 March in a common year', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-03-01');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2025-03-01T09:00:00Z', 3)).toBe('2028-03-01T09:00:00.000Z');
  });

  it('compares and counts whole days', () => {
    expect(isBefore('2025-03-01', '2025-03-02')).toBe(true);
    expect(isBefore('2025-03-02', '2025-03-01')).toBe(false);
    expect(isBefore('2025-03-01T00:00:00Z', '2025-03-01')).toBe(false); // the same moment
    expect(daysBetween('2025-03-01', '2025-03-15')).toBe(14);
    expect(daysBetween('2025-03-01T12:00:00Z', '2025-03-02T11:59:59Z')).toBe(0);
    expect(daysBetween('2025-03-15', '2025-03-01')).toBe(-14);
  });
});

describe('ageOn', () => {
  it('counts completed years: the birthday itself counts, the day before not', () => {
    expect(ageOn('2000-06-15', '2025-06-15')).toBe(25);
    expect(ageOn('2000-06-15', '2025-06-14')).toBe(24);
    expect(ageOn('2000-06-15', '2025-05-20')).toBe(24);
    expect(ageOn('2000-06-15', '2025-07-01')).toBe(25);
    expect(ageOn('2000-06-15', '2025-06-16T00:30:00+02:00')).toBe(25);
    expect(ageOn('2004-02-29', '2025-02-28')).toBe(20);
    expect(ageOn('2004-02-29', '2025-03-01')).toBe(21);
  });
});

describe('formatDateDe', () => {
  it('writes the date part as written, TT.MM.JJJJ', () => {
    expect(formatDateDe('2025-03-07')).toBe('07.03.2025');
    expect(formatDateDe('2025-03-01T00:30:00+01:00')).toBe('01.03.2025');
  });
});
