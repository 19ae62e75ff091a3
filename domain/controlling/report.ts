// The controlling report: reads the events, counts the figures per group and for the total, suppresses small cells.
import { isIsoDate } from '../dates.js';
import { accumulate, RowAcc, type Context } from './accumulate.js';
import { monthLabel, monthWindows, periodBounds, type Window } from './calendar.js';
import { reportRow, suppressedCells, type RowDraft } from './cells.js';
import { columnSpecs } from './columns.js';
import { readCases, readHandovers } from './histories.js';
import {
  MIN_PERSONS,
  REPORT_TIME_ZONE,
  TOTAL_GROUP,
  UNASSIGNED_GROUP,
  type ControllingInput,
  type ControllingReport,
} from './model.js';
import { referralServices } from './referral-services.js';

export function computeControlling(input: ControllingInput): ControllingReport {
  const timeZone = input.timeZone ?? REPORT_TIME_ZONE;
  const minPersons = input.minPersons ?? MIN_PERSONS;
  if (!isIsoDate(input.from) || !isIsoDate(input.to) || input.from > input.to) {
    throw new RangeError(`Invalid period ${input.from} – ${input.to}`);
  }
  const { start, end } = periodBounds(input.from, input.to, timeZone);
  const personOf = (caseId: string) => input.personOfCase?.[caseId] ?? `case:${caseId}`;

  const cases = readCases(input.caseEvents, personOf);
  const handovers = readHandovers(input.handoverEvents ?? [], cases, personOf, input.caseOfHandover);
  const { serviceOf, services } = referralServices(cases, start, end, minPersons);

  const ctx: Context = { cases, handovers, start, end, timeZone, serviceOf };
  const period: Window = { start, end, key: null };
  const groupRows = accumulate(ctx, input.groupBy, input.groupBy === 'month' ? monthWindows(start, end, timeZone) : [period]);
  const totalRow = accumulate(ctx, 'total', [{ ...period, key: TOTAL_GROUP }]).get(TOTAL_GROUP) ?? new RowAcc();

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
  input: ControllingInput,
  groupRows: Map<string, RowAcc>,
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
