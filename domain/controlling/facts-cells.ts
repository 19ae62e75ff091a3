// Rows of the controlling report while it is counted from case facts: what RowAcc (accumulate.ts) does with maps and
// sets of strings, with figures by column number and persons and cases as bit sets over their numbers — the same
// values and person counts, for thousands of cases. Read by the cells through CountedRow.
import { pathKey, type CountedRow } from './accumulate.js';

/** Column numbers of figure paths, shared by all rows of a report. */
export class Columns {
  private readonly index = new Map<string, number>();
  readonly keys: string[] = [];

  of(path: readonly string[]): number {
    const key = pathKey(path);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.keys.push(key) - 1;
      this.index.set(key, i);
    }
    return i;
  }
}

const has = (bits: Uint32Array, n: number) => (bits[n >>> 5]! & (1 << (n & 31))) !== 0;
const set = (bits: Uint32Array, n: number) => (bits[n >>> 5]! |= 1 << (n & 31));

export class FactsRow {
  private values = new Float64Array(256);
  /** How many persons each column concerns (0: nothing counted there). */
  private personCount = new Int32Array(256);
  private readonly persons: Array<Uint32Array | undefined> = [];
  private readonly units: Array<Uint32Array | undefined> = [];
  private readonly durations: number[] = [];
  private readonly durationPersons: Uint32Array;
  private durationPersonCount = 0;

  constructor(
    private readonly personWords: number,
    private readonly unitWords: number,
  ) {
    this.durationPersons = new Uint32Array(personWords);
  }

  private grow(col: number): void {
    if (col < this.values.length) return;
    const size = Math.max(col + 1, this.values.length * 2);
    const values = new Float64Array(size);
    values.set(this.values);
    const counts = new Int32Array(size);
    counts.set(this.personCount);
    this.values = values;
    this.personCount = counts;
  }

  private mark(col: number, person: number): void {
    const bits = (this.persons[col] ??= new Uint32Array(this.personWords));
    if (has(bits, person)) return;
    set(bits, person);
    this.personCount[col]! += 1;
  }

  add(col: number, person: number, amount = 1): void {
    this.grow(col);
    this.values[col]! += amount;
    this.mark(col, person);
  }

  /** Counts `unit` (a case number) once per column. */
  addDistinct(col: number, person: number, unit: number): void {
    this.grow(col);
    const bits = (this.units[col] ??= new Uint32Array(this.unitWords));
    if (!has(bits, unit)) {
      set(bits, unit);
      this.values[col]! += 1;
    }
    this.mark(col, person);
  }

  /** A duration (the one statistic of the report). */
  duration(person: number, value: number): void {
    this.durations.push(value);
    if (has(this.durationPersons, person)) return;
    set(this.durationPersons, person);
    this.durationPersonCount += 1;
  }

  counted(columns: Columns): CountedRow {
    const counts = new Map<string, { value: number; persons: { size: number } }>();
    for (let col = 0; col < Math.min(this.values.length, columns.keys.length); col++) {
      if (this.personCount[col]! > 0) counts.set(columns.keys[col]!, { value: this.values[col]!, persons: { size: this.personCount[col]! } });
    }
    const stats = new Map<string, { values: number[]; persons: { size: number } }>();
    if (this.durations.length > 0) stats.set(pathKey(['duration']), { values: this.durations, persons: { size: this.durationPersonCount } });
    return { counts, stats };
  }
}
