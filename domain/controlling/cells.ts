// The cells of the controlling report: small-cell suppression (Datenschutz) and the figure tree of each row.
//
// Primary suppression: a count (or day sum) concerning 1 or 2 persons. Zero is shown: "nobody" identifies no one,
// and hiding zeros would hide most of a sparse table (practice of official statistics, e.g. the BA's "*").
// Secondary suppression: see secondarySuppression().
import { pathKey, type CountedRow } from './accumulate.js';
import { rowConstraints, type ColumnSpec } from './columns.js';
import { SEP } from './histories.js';
import { TOTAL_GROUP, type Cell, type ControllingRow, type FigureTree } from './model.js';

export interface WorkCell {
  value: number | null;
  persons: number;
  suppressed: boolean;
}

/** A row of the report while it is built: its group and what was counted for it. */
export interface RowDraft {
  key: string;
  label: string;
  acc: CountedRow;
}

/** Linear interpolation between order statistics (Excel QUARTILE.INC / R type 7). */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const round1 = (v: number) => Math.round(v * 10) / 10;

const cellId = (rowKey: string, path: readonly string[]) => `${rowKey}${SEP}${SEP}${pathKey(path)}`;

/**
 * The count and day cells of all rows (the total row among them, under TOTAL_GROUP), with primary and secondary
 * suppression applied. `groups` are the rows whose cells add up to the total row.
 */
export function suppressedCells(
  rows: readonly RowDraft[],
  groups: readonly { key: string }[],
  specs: readonly ColumnSpec[],
  services: readonly string[],
  minPersons: number,
): Map<string, WorkCell> {
  const cells = new Map<string, WorkCell>();
  for (const r of rows) {
    for (const col of specs) {
      if (col.kind !== 'count' && col.kind !== 'days') continue;
      const a = r.acc.counts.get(pathKey(col.path));
      const persons = a?.persons.size ?? 0;
      cells.set(cellId(r.key, col.path), { value: a?.value ?? 0, persons, suppressed: persons > 0 && persons < minPersons });
    }
  }
  const sets: { sum: string; parts: string[] }[] = [];
  for (const col of specs) {
    if (col.kind !== 'count' && col.kind !== 'days') continue;
    sets.push({ sum: cellId(TOTAL_GROUP, col.path), parts: groups.map((g) => cellId(g.key, col.path)) });
  }
  for (const r of rows) {
    for (const c of rowConstraints(services)) sets.push({ sum: cellId(r.key, c.sum), parts: c.parts.map((p) => cellId(r.key, p)) });
  }
  secondarySuppression(cells, sets);
  return cells;
}

/**
 * Secondary suppression. A sum with its parts (the groups of a column and the total row; a breakdown and its sum in a
 * row) must never have exactly ONE hidden cell: subtracting the visible ones would reveal it. While some set has one,
 * hide one more cell of that set: the smallest positive visible part (loses least information), else a visible
 * zero part, else the sum. Repeats until stable, because a newly hidden cell can break another set. Applied to
 * non-additive counts (active cases, cases per phase: a case can be active in two groups) as well — there subtraction
 * only bounds the hidden value, but the conservative rule is cheap.
 */
export function secondarySuppression(cells: Map<string, WorkCell>, sets: { sum: string; parts: string[] }[]): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const set of sets) {
      const sum = cells.get(set.sum);
      const parts = set.parts.map((k) => cells.get(k)).filter((c): c is WorkCell => c !== undefined);
      // A sum without parts reveals nothing (and hiding it again would go round for ever).
      if (!sum || parts.length === 0) continue;
      const hidden = parts.filter((c) => c.suppressed).length + (sum.suppressed ? 1 : 0);
      if (hidden !== 1) continue;
      const visible = parts.filter((c) => !c.suppressed);
      const positive = visible.filter((c) => (c.value ?? 0) > 0).sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0];
      const pick = positive ?? visible[0] ?? sum;
      pick.suppressed = true;
      changed = true;
    }
  }
}

const toCell = (c: WorkCell | undefined, unit: 'count' | 'days'): Cell =>
  !c ? { value: null } : c.suppressed ? { value: null, suppressed: true } : { value: c.value === null ? null : unit === 'days' ? round1(c.value) : c.value };

/** The finished row: every column's cell, from the suppressed cells or (durations) the row's own statistics. */
export function reportRow(r: RowDraft, specs: readonly ColumnSpec[], cells: Map<string, WorkCell>, minPersons: number): ControllingRow {
  const figures: FigureTree = {};
  for (const col of specs) setPath(figures, col.path, columnCell(r, col, cells, minPersons));
  return { key: r.key, label: r.label, figures };
}

function columnCell(r: RowDraft, col: ColumnSpec, cells: Map<string, WorkCell>, minPersons: number): Cell {
  if (col.kind === 'count' || col.kind === 'days') return toCell(cells.get(cellId(r.key, col.path)), col.unit);
  if (col.kind === 'copy') return toCell(cells.get(cellId(r.key, col.source!)), col.unit);
  if (col.kind === 'average') {
    const days = cells.get(cellId(r.key, col.source!));
    const n = cells.get(cellId(r.key, col.divisor!));
    if (days?.suppressed || n?.suppressed) return { value: null, suppressed: true };
    return { value: n?.value ? round1((days?.value ?? 0) / n.value) : null };
  }
  const s = r.acc.stats.get(pathKey(['duration']));
  const persons = s?.persons.size ?? 0;
  if (persons > 0 && persons < minPersons) return { value: null, suppressed: true };
  const q = quantile(s?.values ?? [], col.quantile!);
  return { value: q === null ? null : round1(q) };
}

function setPath(tree: FigureTree, path: readonly string[], cell: Cell): void {
  let node = tree;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (next && !('value' in next && (typeof next.value === 'number' || next.value === null))) node = next as FigureTree;
    else node = node[segment] = {};
  }
  node[path[path.length - 1]!] = cell;
}

/** The figure at `path` of a row (for tables and exports). */
export function cellAt(row: ControllingRow, path: readonly string[]): Cell {
  let node: Cell | FigureTree | undefined = row.figures;
  for (const segment of path) node = node && !isCell(node) ? node[segment] : undefined;
  return node && isCell(node) ? node : { value: null };
}

function isCell(node: Cell | FigureTree): node is Cell {
  return 'value' in node && (typeof node.value === 'number' || node.value === null);
}
