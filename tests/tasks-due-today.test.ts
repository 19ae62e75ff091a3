// "Due today" of the work queue (api/operations/tasks.ts dueTodayLimit): a due date is stored at the end of its day,
// and what is due by today is decided by the calendar day in Germany — also just after midnight there, when the UTC
// date is still the day before, and across the clock changes.
import { describe, expect, it } from 'vitest';
import { dueTodayLimit } from '../api/operations/tasks.js';

const endOfDay = (date: string) => new Date(`${date}T23:59:59.999Z`);

describe('dueTodayLimit', () => {
  it('counts a due date of today (Germany) as due, tomorrow not', () => {
    const now = new Date('2026-12-06T10:00:00Z');
    expect(endOfDay('2026-12-06') < dueTodayLimit(now)).toBe(true);
    expect(endOfDay('2026-12-07') < dueTodayLimit(now)).toBe(false);
  });

  it('uses the day in Germany: 00:30 on the 7th there is the 7th, though UTC still says the 6th', () => {
    const now = new Date('2026-12-06T23:30:00Z');
    expect(endOfDay('2026-12-07') < dueTodayLimit(now)).toBe(true);
    expect(endOfDay('2026-12-08') < dueTodayLimit(now)).toBe(false);
  });

  it('holds in summer time and on the days the clocks change', () => {
    for (const [now, today] of [['2026-07-01T22:30:00Z', '2026-07-02'], ['2026-03-29T01:30:00Z', '2026-03-29'], ['2026-10-25T00:30:00Z', '2026-10-25']] as const) {
      expect(endOfDay(today) < dueTodayLimit(new Date(now))).toBe(true);
      const tomorrow = new Date(Date.parse(`${today}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      expect(endOfDay(tomorrow) < dueTodayLimit(new Date(now))).toBe(false);
      // Stored as the end of the day in Germany instead (22:59/21:59 UTC): the same answer.
      expect(new Date(`${today}T21:59:59.999Z`) < dueTodayLimit(new Date(now))).toBe(true);
    }
  });
});
