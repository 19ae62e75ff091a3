// The bit-set rows of the controlling report counted from facts (domain/controlling/facts-cells.ts): column numbers,
// values and person counts per column, distinct units, growth past the first 256 columns, durations.
import { describe, expect, it } from 'vitest';
import { pathKey } from '../../domain/controlling/accumulate.js';
import { Columns, FactsRow } from '../../domain/controlling/facts-cells.js';

const plain = (row: FactsRow, columns: Columns) => {
  const { counts, stats } = row.counted(columns);
  return {
    counts: Object.fromEntries([...counts].map(([k, v]) => [k, [v.value, v.persons.size]])),
    stats: Object.fromEntries([...stats].map(([k, v]) => [k, [v.values, v.persons.size]])),
  };
};

describe('facts rows', () => {
  it('columns are numbered from 0 in order of first use', () => {
    const columns = new Columns();
    expect([columns.of(['a']), columns.of(['b', 'c']), columns.of(['a'])]).toEqual([0, 1, 0]);
    expect(columns.keys).toEqual([pathKey(['a']), pathKey(['b', 'c'])]);
  });

  it('values add up, persons count once per column; a column with nothing counted is left out', () => {
    const columns = new Columns();
    const [a, b, unused] = [columns.of(['a']), columns.of(['b']), columns.of(['unused'])];
    const row = new FactsRow(1, 1);
    row.add(a, 0);
    row.add(a, 0, 2);
    row.add(a, 1);
    row.add(b, 3, 5);
    expect(unused).toBe(2);
    expect(plain(row, columns)).toEqual({ counts: { [pathKey(['a'])]: [4, 2], [pathKey(['b'])]: [5, 1] }, stats: {} });
  });

  it('distinct units are counted once per column, persons once', () => {
    const columns = new Columns();
    const col = columns.of(['cases']);
    const row = new FactsRow(1, 2);
    row.addDistinct(col, 0, 7);
    row.addDistinct(col, 0, 7);
    row.addDistinct(col, 1, 40);
    expect(plain(row, columns).counts).toEqual({ [pathKey(['cases'])]: [2, 2] });
  });

  it('columns beyond the first 256 (exactly 256, and far beyond the doubled size) keep their values', () => {
    const columns = new Columns();
    for (let i = 0; i <= 1000; i++) columns.of([`c${i}`]);
    const row = new FactsRow(1, 1);
    row.add(3, 0, 1);
    row.add(256, 0, 2);
    row.add(1000, 1, 3);
    expect(plain(row, columns).counts).toEqual({ [pathKey(['c3'])]: [1, 1], [pathKey(['c256'])]: [2, 1], [pathKey(['c1000'])]: [3, 1] });
  });

  it('durations with the persons they concern', () => {
    const row = new FactsRow(1, 1);
    row.duration(0, 10);
    row.duration(0, 20);
    row.duration(2, 5);
    expect(plain(row, new Columns()).stats).toEqual({ [pathKey(['duration'])]: [[10, 20, 5], 2] });
  });
});
