// The table of a report counted case by case from events (progress, residence): for each group row and the total,
// every column's count with the persons behind it; a cell of fewer than `minPersons` persons is suppressed, and so is
// one that a sum would give away (cells.ts secondarySuppression). Each case belongs to one group, so the groups add
// up to the total and a row's breakdowns to their sum.
import { secondarySuppression, type WorkCell } from './cells.js';
import { TOTAL_GROUP, UNASSIGNED_GROUP, type Cell, type ControllingColumn, type ControllingRow, type FigureTree } from './model.js';

/** Count and persons per column path (joined by SEP). */
export type Counts = Map<string, { value: number; persons: Set<string> }>;
export const SEP = '\u001f';

/** One more case (its person) in the cell of `path`. */
export function addCount(counts: Counts, path: string[], person: string): void {
  const key = path.join(SEP);
  const cell = counts.get(key) ?? { value: 0, persons: new Set<string>() };
  cell.value += 1;
  cell.persons.add(person);
  counts.set(key, cell);
}

/** What a report counted from events takes besides its events: the period, the grouping, persons and target groups. */
export interface CountedReportInput<GroupBy extends string> {
  from: string;
  to: string;
  groupBy: GroupBy;
  personOfCase?: Readonly<Record<string, string>>;
  caseGroups?: Readonly<Record<string, { ageBand: string; channel: string }>>;
  postOfOrganisation?: Readonly<Record<string, string>>;
  groups?: readonly { key: string; label: string }[];
  minPersons?: number;
  timeZone?: string;
}

export interface CountedTableInput {
  /** Counts per group key, and of all cases. */
  rows: Map<string, Counts>;
  total: Counts;
  /** Rows listed even without figures, in this order; other keys follow sorted. */
  listed: readonly { key: string; label: string }[];
  columns: readonly ControllingColumn[];
  sums: readonly { sum: string[]; parts: string[][] }[];
  minPersons: number;
}

export function countedTable(input: CountedTableInput): { groups: ControllingRow[]; total: ControllingRow } {
  const { rows, columns, sums, minPersons } = input;
  const known = new Set(input.listed.map((g) => g.key));
  const groups = [
    ...input.listed,
    ...[...rows.keys()].filter((k) => !known.has(k)).sort().map((key) => ({ key, label: key === UNASSIGNED_GROUP ? 'Ohne Zuordnung' : key })),
  ];
  const cells = new Map<string, WorkCell>();
  const cellId = (row: string, path: string[]) => `${row}${SEP}${SEP}${path.join(SEP)}`;
  const all = [...groups.map((g) => ({ key: g.key, counts: rows.get(g.key) ?? new Map() })), { key: TOTAL_GROUP, counts: input.total }];
  for (const r of all) {
    for (const col of columns) {
      const c = r.counts.get(col.path.join(SEP));
      const persons = c?.persons.size ?? 0;
      cells.set(cellId(r.key, col.path), { value: c?.value ?? 0, persons, suppressed: persons > 0 && persons < minPersons });
    }
  }
  secondarySuppression(cells, [
    ...columns.map((col) => ({ sum: cellId(TOTAL_GROUP, col.path), parts: groups.map((g) => cellId(g.key, col.path)) })),
    ...all.flatMap((r) => sums.map((s) => ({ sum: cellId(r.key, s.sum), parts: s.parts.map((p) => cellId(r.key, p)) }))),
  ]);
  const rowOf = (key: string, label: string): ControllingRow => {
    const figures: FigureTree = {};
    for (const col of columns) {
      const w = cells.get(cellId(key, col.path))!;
      const cell: Cell = w.suppressed ? { value: null, suppressed: true } : { value: w.value };
      let node = figures;
      for (const part of col.path.slice(0, -1)) node = (node[part] ??= {}) as FigureTree;
      node[col.path[col.path.length - 1]!] = cell;
    }
    return { key, label, figures };
  };
  return { groups: groups.map((g) => rowOf(g.key, g.label)), total: rowOf(TOTAL_GROUP, 'Gesamt') };
}
