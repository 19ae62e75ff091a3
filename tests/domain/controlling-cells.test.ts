// The cells of the controlling report (domain/controlling/cells.ts) on their own: which cell the secondary suppression
// hides and how often it goes round, the cells of each column kind (counts, days, copies, averages, durations) with
// their suppression and rounding, and the figure tree a row's cells are put into and read back from.
import { describe, expect, it } from 'vitest';
import { pathKey, type CountedRow } from '../../domain/controlling/accumulate.js';
import { cellAt, quantile, reportRow, secondarySuppression, suppressedCells, type RowDraft, type WorkCell } from '../../domain/controlling/cells.js';
import type { ColumnSpec } from '../../domain/controlling/columns.js';
import { TOTAL_GROUP } from '../../domain/controlling/model.js';

const cell = (value: number, suppressed = false): WorkCell => ({ value, persons: value, suppressed });

describe('secondarySuppression', () => {
  it('hides the smallest positive visible part when a set has exactly one hidden cell', () => {
    const cells = new Map([
      ['sum', cell(18)],
      ['a', cell(2, true)],
      ['b', cell(5)],
      ['c', cell(3)],
      ['d', cell(8)],
      ['z', cell(0)],
    ]);
    secondarySuppression(cells, [{ sum: 'sum', parts: ['a', 'b', 'c', 'd', 'z'] }]);
    expect([...cells].filter(([, c]) => c.suppressed).map(([k]) => k)).toEqual(['a', 'c']);
  });

  it('hides a visible zero part when no part is positive, else the sum', () => {
    const zeros = new Map([
      ['sum', cell(1)],
      ['a', cell(1, true)],
      ['z', cell(0)],
    ]);
    secondarySuppression(zeros, [{ sum: 'sum', parts: ['a', 'z'] }]);
    expect([zeros.get('z')!.suppressed, zeros.get('sum')!.suppressed]).toEqual([true, false]);

    const alone = new Map([
      ['sum', cell(2)],
      ['a', cell(2, true)],
    ]);
    secondarySuppression(alone, [{ sum: 'sum', parts: ['a'] }]);
    expect(alone.get('sum')!.suppressed).toBe(true);
  });

  it('leaves sets with no or two hidden cells as they are, and sets whose sum or parts are missing', () => {
    const cells = new Map([
      ['sum', cell(9)],
      ['a', cell(1, true)],
      ['b', cell(2, true)],
      ['c', cell(6)],
      ['lonely', cell(1, true)],
    ]);
    secondarySuppression(cells, [
      { sum: 'sum', parts: ['a', 'b', 'c'] },
      { sum: 'sum', parts: ['c'] },
      { sum: 'no-such-sum', parts: ['lonely', 'c'] },
      { sum: 'sum', parts: ['a', 'no-such-part', 'c'] },
    ]);
    // The last set: a hidden part, a missing one, a visible one and the sum → one hidden: c goes; then the set of c
    // alone has one hidden cell: the sum goes too.
    expect([...cells].filter(([, c]) => c.suppressed).map(([k]) => k)).toEqual(['sum', 'a', 'b', 'c', 'lonely']);
  });

  it('leaves a hidden sum without parts alone (it went round for ever before)', () => {
    const cells = new Map([['sum', cell(2, true)]]);
    secondarySuppression(cells, [{ sum: 'sum', parts: [] }, { sum: 'sum', parts: ['missing'] }]);
    expect(cells.get('sum')).toEqual(cell(2, true));
  });

  it('goes round again until no set has a single hidden cell', () => {
    // Set B comes first and only gets a hidden cell once set A has hidden its part a2.
    const cells = new Map([
      ['sumA', cell(6)],
      ['a1', cell(1, true)],
      ['a2', cell(5)],
      ['sumB', cell(12)],
      ['b2', cell(7)],
    ]);
    secondarySuppression(cells, [
      { sum: 'sumB', parts: ['a2', 'b2'] },
      { sum: 'sumA', parts: ['a1', 'a2'] },
    ]);
    expect([...cells].filter(([, c]) => c.suppressed).map(([k]) => k)).toEqual(['a1', 'a2', 'b2']);
  });
});

const counted = (counts: Record<string, [value: number, persons: number]>, durations?: { values: number[]; persons: number }): CountedRow => ({
  counts: new Map(Object.entries(counts).map(([k, [value, persons]]) => [k, { value, persons: { size: persons } }])),
  stats: new Map(durations ? [[pathKey(['duration']), { values: durations.values, persons: { size: durations.persons } }]] : []),
});

const specs: ColumnSpec[] = [
  { path: ['cases', 'closed'], label: 'abgeschlossen', unit: 'count', kind: 'count' },
  { path: ['days', 'open'], label: 'Tage offen', unit: 'days', kind: 'days' },
  { path: ['copy'], label: 'Kopie', unit: 'days', kind: 'copy', source: ['days', 'open'] },
  { path: ['average'], label: 'Tage je Fall', unit: 'days', kind: 'average', source: ['days', 'open'], divisor: ['cases', 'closed'] },
  { path: ['duration', 'median'], label: 'Median', unit: 'days', kind: 'stat', quantile: 0.5 },
];

describe('suppressedCells', () => {
  it('makes cells of the count and day columns only, suppressing 1 or 2 persons but not 0', () => {
    const rows: RowDraft[] = [
      { key: 'x', label: 'X', acc: counted({ [pathKey(['cases', 'closed'])]: [4, 4], [pathKey(['days', 'open'])]: [10.26, 2] }) },
      { key: TOTAL_GROUP, label: 'Gesamt', acc: counted({ [pathKey(['cases', 'closed'])]: [4, 4], [pathKey(['days', 'open'])]: [10.26, 2] }) },
    ];
    const cells = suppressedCells(rows, [{ key: 'x' }], specs, [], 3);
    expect([...cells.keys()].map((k) => k.replaceAll('\u001f', '/'))).toEqual(['x//cases/closed', 'x//days/open', 'gesamt//cases/closed', 'gesamt//days/open']);
    expect([...cells.values()].map((c) => c.suppressed)).toEqual([false, true, false, true]);
    const empty = suppressedCells([{ key: 'x', label: 'X', acc: counted({}) }], [], specs, [], 3);
    expect([...empty.values()]).toEqual([
      { value: 0, persons: 0, suppressed: false },
      { value: 0, persons: 0, suppressed: false },
    ]);
  });

  it('applies the constraints within a row: a hidden contact kind hides a second one', () => {
    const contacts: ColumnSpec[] = ['total', 'phone', 'counselling'].map((k) => ({
      path: k === 'total' ? ['contacts', 'total'] : ['contacts', 'byKind', k],
      label: k,
      unit: 'count',
      kind: 'count',
    }));
    const acc = counted({
      [pathKey(['contacts', 'total'])]: [12, 5],
      [pathKey(['contacts', 'byKind', 'phone'])]: [2, 1],
      [pathKey(['contacts', 'byKind', 'counselling'])]: [10, 4],
    });
    const cells = suppressedCells([{ key: 'x', label: 'X', acc }], [], contacts, [], 3);
    expect([...cells.values()].map((c) => c.suppressed)).toEqual([false, true, true]);
  });
});

describe('reportRow and cellAt', () => {
  const row = (counts: Record<string, [number, number]>, durations?: { values: number[]; persons: number }) => {
    const draft: RowDraft = { key: 'x', label: 'X', acc: counted(counts, durations) };
    return reportRow(draft, specs, suppressedCells([draft], [], specs, [], 3), 3);
  };

  it('rounds days to one decimal, copies cells and divides for averages', () => {
    const r = row({ [pathKey(['cases', 'closed'])]: [3, 3], [pathKey(['days', 'open'])]: [10.26, 3] }, { values: [4, 1, 9, 2], persons: 4 });
    expect(r).toEqual({
      key: 'x',
      label: 'X',
      figures: {
        cases: { closed: { value: 3 } },
        days: { open: { value: 10.3 } },
        copy: { value: 10.3 },
        average: { value: 3.4 },
        duration: { median: { value: 3 } },
      },
    });
    expect(cellAt(r, ['days', 'open'])).toEqual({ value: 10.3 });
  });

  it('suppresses an average whose days or divisor is suppressed, and gives none without a divisor', () => {
    expect(cellAt(row({ [pathKey(['cases', 'closed'])]: [3, 3], [pathKey(['days', 'open'])]: [10, 1] }), ['average'])).toEqual({ value: null, suppressed: true });
    expect(cellAt(row({ [pathKey(['cases', 'closed'])]: [2, 2], [pathKey(['days', 'open'])]: [10, 4] }), ['average'])).toEqual({ value: null, suppressed: true });
    expect(cellAt(row({ [pathKey(['days', 'open'])]: [10, 4] }), ['average'])).toEqual({ value: null });
    // Without any cells at all (a column set without its sources).
    const bare = reportRow({ key: 'x', label: 'X', acc: counted({}) }, specs, new Map(), 3);
    expect(bare.figures).toEqual({
      cases: { closed: { value: null } },
      days: { open: { value: null } },
      copy: { value: null },
      average: { value: null },
      duration: { median: { value: null } },
    });
  });

  it('suppresses durations of 1 or 2 persons, and has none without any', () => {
    expect(cellAt(row({}, { values: [5, 7], persons: 2 }), ['duration', 'median'])).toEqual({ value: null, suppressed: true });
    expect(cellAt(row({}, { values: [], persons: 0 }), ['duration', 'median'])).toEqual({ value: null });
    expect(cellAt(row({}), ['duration', 'median'])).toEqual({ value: null });
    expect(cellAt(row({}, { values: [1.04, 2, 3.33], persons: 3 }), ['duration', 'median'])).toEqual({ value: 2 });
  });

  it('reads no cell where the path ends inside the tree, runs past a cell or does not exist', () => {
    const r = row({ [pathKey(['cases', 'closed'])]: [3, 3] });
    expect(cellAt(r, [])).toEqual({ value: null });
    expect(cellAt(r, ['cases'])).toEqual({ value: null });
    expect(cellAt(r, ['cases', 'closed', 'more'])).toEqual({ value: null });
    expect(cellAt(r, ['nothing', 'here'])).toEqual({ value: null });
  });

  it('tells a cell from a tree that has a branch named "value"', () => {
    const tricky: ColumnSpec[] = [
      { path: ['value', 'value'], label: 'a', unit: 'count', kind: 'count' },
      { path: ['value', 'other'], label: 'b', unit: 'count', kind: 'count' },
    ];
    const draft: RowDraft = { key: 'x', label: 'X', acc: counted({ [pathKey(['value', 'value'])]: [4, 4], [pathKey(['value', 'other'])]: [5, 5] }) };
    const r = reportRow(draft, tricky, suppressedCells([draft], [], tricky, [], 3), 3);
    expect(r.figures).toEqual({ value: { value: { value: 4 }, other: { value: 5 } } });
    expect(cellAt(r, ['value', 'value'])).toEqual({ value: 4 });
    expect(cellAt(r, ['value', 'other'])).toEqual({ value: 5 });
  });

  it('replaces a cell by a branch when a later column goes below it', () => {
    const nested: ColumnSpec[] = [
      { path: ['a'], label: 'a', unit: 'count', kind: 'count' },
      { path: ['a', 'b'], label: 'b', unit: 'count', kind: 'count' },
    ];
    const draft: RowDraft = { key: 'x', label: 'X', acc: counted({ [pathKey(['a'])]: [4, 4], [pathKey(['a', 'b'])]: [5, 5] }) };
    expect(reportRow(draft, nested, suppressedCells([draft], [], nested, [], 3), 3).figures).toEqual({ a: { b: { value: 5 } } });
  });
});

describe('quantile', () => {
  it('interpolates between order statistics (type 7)', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([7], 0.25)).toBe(7);
    expect(quantile([4, 1, 9, 2], 0.5)).toBe(3);
    expect(quantile([4, 1, 9, 2], 0.25)).toBe(1.75);
    expect(quantile([4, 1, 9, 2], 1)).toBe(9);
  });
});
