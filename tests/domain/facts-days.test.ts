// The day buckets of the case facts (domain/controlling/facts-days.ts) and their stored form (facts-model.ts), piece
// by piece: which organisation a figure belongs to, when it goes into its day, the sort order of the buckets, the
// base-36 strings per month and their monthly sums, and the scan the report reads them with.
import { describe, expect, it } from 'vitest';
import { addRecent, decodeDays, encodeDays, monthKeyOf, monthOfDayNumber, orgIndexAt, scanDays, settle } from '../../domain/controlling/facts-days.js';
import { addCount, emptyCaseFacts, parseStoredFacts, storedFacts, type CaseFacts, type CaseFactsWork } from '../../domain/controlling/facts-model.js';

const DAY = 86_400_000;
const UTC = 'UTC';

function work(overrides: Partial<CaseFactsWork> = {}): CaseFactsWork {
  const { months: _months, days: _days, ...rest } = emptyCaseFacts();
  return { ...rest, days: [], ...overrides };
}

describe('orgIndexAt', () => {
  const f = { orgChanges: [[10, 2], [20, 0], [30, 5]] as [number, number][] };

  it('is the organisation of the last change at or before the instant', () => {
    expect([15, 20, 25, 30, 99].map((t) => orgIndexAt(f, t))).toEqual([2, 0, 0, 5, 5]);
  });

  it('is the first organisation before any change, and −1 without changes', () => {
    expect(orgIndexAt(f, 0)).toBe(2);
    expect(orgIndexAt({ orgChanges: [] }, 5)).toBe(-1);
  });
});

describe('addRecent and settle', () => {
  it('puts a figure before the latest event straight into its day, one at or after it into the recent list', () => {
    const f = work({ lastAt: 5 * DAY, orgChanges: [[0, 1]] });
    addRecent(f, 2 * DAY, 3, UTC);
    addRecent(f, 5 * DAY, 4, UTC);
    addRecent(f, 6 * DAY, 0, UTC);
    expect(f.days).toEqual([[2, 1, 3, 1]]);
    expect(f.recent).toEqual([
      [5 * DAY, 4],
      [6 * DAY, 0],
    ]);
  });

  it('keeps figures in the recent list while there is no organisation yet', () => {
    const f = work({ lastAt: 9 * DAY });
    addRecent(f, 2 * DAY, 3, UTC);
    settle(f, 10 * DAY, UTC);
    expect(f.days).toEqual([]);
    expect(f.recent).toEqual([[2 * DAY, 3]]);
    expect(f.lastAt).toBe(10 * DAY);
  });

  it('settles the figures before the new latest event into their days, under the organisation of their time', () => {
    const f = work({ lastAt: 0, orgChanges: [[0, 1], [4 * DAY, 0]] });
    for (const [t, code] of [[3 * DAY, 2], [4 * DAY, 2], [7 * DAY, 1], [8 * DAY, 0]] as const) addRecent(f, t, code, UTC);
    expect(f.days).toEqual([]);
    settle(f, 7 * DAY, UTC);
    expect(f.lastAt).toBe(7 * DAY);
    expect(f.days).toEqual([
      [3, 1, 2, 1],
      [4, 0, 2, 1],
    ]);
    expect(f.recent).toEqual([
      [7 * DAY, 1],
      [8 * DAY, 0],
    ]);
  });

  it('sorts the buckets by day, then organisation, and counts into an existing bucket', () => {
    const f = work({ lastAt: 100 * DAY, orgChanges: [[0, 1], [10 * DAY + 1, 0], [10 * DAY + 2, 1], [10 * DAY + 3, 3]] });
    addRecent(f, 10 * DAY + 2, 5, UTC); // day 10, org 1
    addRecent(f, 10 * DAY + 1, 5, UTC); // day 10, org 0: before it
    addRecent(f, 9 * DAY, 6, UTC); // day 9, org 1: first
    addRecent(f, 10 * DAY + 3, 5, UTC); // day 10, org 3: last
    addRecent(f, 10 * DAY + 2, 5, UTC); // day 10, org 1 again: counted up
    addRecent(f, 10 * DAY + 2, 7, UTC); // another code in the same bucket
    expect(f.days).toEqual([
      [9, 1, 6, 1],
      [10, 0, 5, 1],
      [10, 1, 5, 2, 7, 1],
      [10, 3, 5, 1],
    ]);
  });
});

describe('months and their keys', () => {
  it('numbers months since 1970-01 from day numbers', () => {
    expect([0, 30, 31, 364, 365, 19_723, 19_753, 19_754].map(monthOfDayNumber)).toEqual([0, 0, 1, 11, 12, 648, 648, 649]);
  });

  it('names months as YYYY-MM', () => {
    expect([0, 9, 11, 12, 648, 659].map(monthKeyOf)).toEqual(['1970-01', '1970-10', '1970-12', '1971-01', '2024-01', '2024-12']);
  });
});

describe('encodeDays and decodeDays', () => {
  // 2024-01-01 is day 19,723; 2024-02-01 day 19,754.
  const jan1 = 19_723;
  const feb1 = 19_754;
  const days = [
    [jan1, 3, 0, 1],
    [jan1 + 1, 1, 0, 2, 5, 1],
    [jan1 + 20, 3, 0, 40],
    [feb1, 0, 6, 1],
  ];

  it('stores the buckets per month in base 36 and their sums per month and organisation, sorted by organisation', () => {
    const encoded = encodeDays(days);
    expect(encoded.days).toEqual({
      '2024-01': `${jan1.toString(36)},3,0,1;${(jan1 + 1).toString(36)},1,0,2,5,1;${(jan1 + 20).toString(36)},3,0,14`,
      '2024-02': `${feb1.toString(36)},0,6,1`,
    });
    // January: organisation 1 (first met later) before 3; the counts of organisation 3 added up (1 + 40 = 41 = "15").
    expect(encoded.months).toBe(`${(648).toString(36)},1,0,2,5,1;${(648).toString(36)},3,0,15;${(649).toString(36)},0,6,1`);
  });

  it('reads back every bucket, months in calendar order whatever the order of the keys', () => {
    const encoded = encodeDays(days);
    const reversed = Object.fromEntries(Object.entries(encoded.days).reverse());
    expect(decodeDays(reversed)).toEqual(days);
    expect(decodeDays({ '2024-03': '' })).toEqual([]);
    expect(encodeDays([])).toEqual({ months: '', days: {} });
  });
});

describe('scanDays', () => {
  const seen = (days: string, from: number, to: number) => {
    const out: number[][] = [];
    scanDays(days, from, to, { count: (day, org, code, n) => out.push([day, org, code, n]) });
    return out;
  };
  // Days 10 (two codes), 11 (organisation 2), 40 (= "14"; count 36 = "10").
  const text = 'a,1,0,2,5,3;b,2,1,1;14,0,z,10';

  it('gives every code of the buckets in the period', () => {
    expect(seen(text, 0, 100)).toEqual([
      [10, 1, 0, 2],
      [10, 1, 5, 3],
      [11, 2, 1, 1],
      [40, 0, 35, 36],
    ]);
  });

  it('skips buckets before the period and stops after it', () => {
    expect(seen(text, 11, 39)).toEqual([[11, 2, 1, 1]]);
    expect(seen(text, 10, 10)).toEqual([
      [10, 1, 0, 2],
      [10, 1, 5, 3],
    ]);
    expect(seen(text, 41, 99)).toEqual([]);
    expect(seen(text, 40, 40)).toEqual([[40, 0, 35, 36]]);
    expect(seen('', 0, 99)).toEqual([]);
  });
});

describe('the stored form of the facts', () => {
  it('starts empty', () => {
    expect(emptyCaseFacts()).toEqual({
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
    });
  });

  it('stores all but the days as one positional array and reads them back', () => {
    const facts: CaseFacts = {
      seq: 12,
      lastAt: 1_700_000_000_000,
      municipality: 'Kall',
      opened: [1_690_000_000_000],
      orgIds: ['drk', 'caritas-eifel'],
      orgChanges: [[1_690_000_000_000, 0], [1_695_000_000_000, 1]],
      pieces: [[1_690_000_000_000, 1_695_000_000_000, 0, 'assessment', 0, 0]],
      now: [1_695_000_000_000, 'referral', 1, 0, 1],
      months: 'i0,0,0,1',
      days: { '2023-09': 'abc,0,0,1' },
      recent: [[1_700_000_000_001, 2]],
      closures: [[1_699_000_000_000, 'goals_achieved', 'achieved']],
      refIds: ['r1'],
      sent: [[0, 1_696_000_000_000, 'Jobcenter', 'jobcenter']],
      referrals: [[1_696_000_000_000, 0, 0, null]],
      overdue: [[1, 19_600, 19_602, 3]],
      pending: [['d1', 2, 0, 0, 0, -1]],
    };
    const stored = storedFacts(facts);
    expect(JSON.parse(stored.facts)).toEqual([
      facts.seq, facts.lastAt, facts.municipality, facts.opened, facts.orgIds, facts.orgChanges, facts.pieces, facts.now,
      facts.months, facts.recent, facts.closures, facts.refIds, facts.sent, facts.referrals, facts.overdue, facts.pending,
    ]);
    expect(JSON.parse(stored.days)).toEqual(facts.days);
    expect(parseStoredFacts(stored.facts, facts.days)).toEqual(facts);
  });

  it('counts into a bucket: the code found after the day and organisation, or appended', () => {
    const bucket = [10, 1, 0, 2, 5, 1];
    addCount(bucket, 5, 3);
    addCount(bucket, 0, 1);
    addCount(bucket, 1, 4);
    // The day (10) and the organisation (1) are never taken for a code.
    addCount(bucket, 10, 1);
    expect(bucket).toEqual([10, 1, 0, 3, 5, 4, 1, 4, 10, 1]);
  });
});
