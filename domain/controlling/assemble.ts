// The last steps of the controlling report, whatever the figures were counted from (events or case facts): the
// period, the rows (given groups, every month, then what else occurs), the columns, the small-cell suppression.
import { isIsoDate } from '../dates.js';
import { RowAcc, type CountedRow } from './accumulate.js';
import { monthLabel, monthWindows, periodBounds } from './calendar.js';
import { reportRow, suppressedCells, type RowDraft } from './cells.js';
import { columnSpecs } from './columns.js';
import { MIN_PERSONS, REPORT_TIME_ZONE, TOTAL_GROUP, UNASSIGNED_GROUP, type ControllingInput, type ControllingReport } from './model.js';

/** What the report asks for, apart from where the figures come from. */
export type ControllingQuery = Omit<ControllingInput, 'caseEvents'>;

export interface ReportSetup {
  timeZone: string;
  minPersons: number;
  start: number;
  end: number;
  personOf: (caseId: string) => string;
}

export function reportSetup(input: ControllingQuery): ReportSetup {
  const timeZone = input.timeZone ?? REPORT_TIME_ZONE;
  const minPersons = input.minPersons ?? MIN_PERSONS;
  if (!isIsoDate(input.from) || !isIsoDate(input.to) || input.from > input.to) {
    throw new RangeError(`Invalid period ${input.from} – ${input.to}`);
  }
  const { start, end } = periodBounds(input.from, input.to, timeZone);
  return { timeZone, minPersons, start, end, personOf: (caseId) => input.personOfCase?.[caseId] ?? `case:${caseId}` };
}

/** The report from the counted rows of the grouping and of the total, and the referral targets shown. */
export function assembleReport(
  input: ControllingQuery,
  setup: ReportSetup,
  counted: { groupRows: ReadonlyMap<string, CountedRow>; totalRow: CountedRow; services: string[] },
): ControllingReport {
  const { timeZone, minPersons, start, end } = setup;
  const { groupRows, totalRow, services } = counted;
  const groups = reportGroups(input, groupRows, start, end, timeZone);
  const specs = columnSpecs(services);
  const rows: RowDraft[] = [...groups.map((g) => ({ ...g, acc: groupRows.get(g.key) ?? new RowAcc() })), { key: TOTAL_GROUP, label: 'Gesamt', acc: totalRow }];
  const cells = suppressedCells(rows, groups, specs, services, minPersons);
  const outRows = rows.map((r) => reportRow(r, specs, cells, minPersons));

  return {
    period: { from: input.from, to: input.to, timeZone, startsAt: new Date(start).toISOString(), endsBefore: new Date(end).toISOString() },
    groupBy: input.groupBy,
    minPersons,
    columns: specs.map(({ path, label, unit }) => ({ path, label, unit })),
    groups: outRows.slice(0, -1),
    total: outRows[outRows.length - 1]!,
  };
}

/** Rows: the given groups (every organisation/municipality, also without cases), every month, then what else occurs. */
function reportGroups(
  input: ControllingQuery,
  groupRows: ReadonlyMap<string, CountedRow>,
  start: number,
  end: number,
  timeZone: string,
): { key: string; label: string }[] {
  const listed = input.groupBy === 'month' ? monthWindows(start, end, timeZone).map((w) => ({ key: w.key!, label: monthLabel(w.key!) })) : [...(input.groups ?? [])];
  const known = new Set(listed.map((g) => g.key));
  const extra = [...groupRows.keys()].filter((k) => !known.has(k)).sort();
  return [
    ...listed,
    ...extra.map((key) => ({ key, label: key === UNASSIGNED_GROUP ? 'Ohne Zuordnung' : key })),
  ];
}
