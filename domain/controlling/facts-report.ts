// The controlling report from the compact per-case facts (facts.ts): the same figures as counted straight from the
// events (report.ts computeControllingFromEvents, over the events up to the end of the period and the contacts
// documented later), without reading a single event.
import { assembleReport, reportSetup, type ControllingQuery } from './assemble.js';
import { dayDate, dayNumber, localDay, monthWindows, type Window } from './calendar.js';
import { monthKeyOf, monthOfDayNumber } from './facts-days.js';
import { accumulateFacts, factsOf, type FactsContext, type FactsSource } from './facts-accumulate.js';
import type { CaseFactsInput } from './facts-model.js';
import { readHandovers } from './histories.js';
import { UNASSIGNED_GROUP, caseGroupKey, organisationKey, type ControllingReport } from './model.js';

export interface ControllingFactsInput extends ControllingQuery {
  /** The facts of the cases (folded in the report's time zone): as objects, or as stored (`stored`: the JSON of the
   *  facts but their days, `days` those), parsed one case at a time. Cases opened after the period may be left out,
   *  and of `days` only the months controllingDayMonths() names are read. */
  caseFacts: readonly CaseFactsInput[];
}

export function computeControllingFromFacts(input: ControllingFactsInput): ControllingReport {
  const setup = reportSetup(input);
  const { timeZone, minPersons, start, end, personOf } = setup;
  const personNo = new Map<string, number>();
  const numberOf = (person: string) => personNo.get(person) ?? personNo.set(person, personNo.size).size - 1;
  const sources = factsSources(input.caseFacts, personOf, numberOf);
  const handovers = readHandovers(input.handoverEvents ?? [], linkedCases(input, sources, end), personOf, input.caseOfHandover).map((h) => ({
    ...h,
    personNo: numberOf(h.person),
  }));

  const fromDay = localDay(start, timeZone);
  const toDay = localDay(end, timeZone) - 1;
  const months: string[] = [];
  const monthOfDay = new Int32Array(toDay - fromDay + 1);
  for (let day = fromDay; day <= toDay; day++) {
    const month = dayDate(day).slice(0, 7);
    if (months[months.length - 1] !== month) months.push(month);
    monthOfDay[day - fromDay] = months.length - 1;
  }
  const ctx: FactsContext = {
    sources,
    ...(input.referralCatalogue ? { referralCatalogue: input.referralCatalogue } : {}),
    handovers,
    persons: personNo.size,
    minPersons,
    start,
    end,
    timeZone,
    fromDay,
    toDay,
    months,
    monthOfDay,
    ...periodMonths(fromDay, toDay),
    orgKey: (orgId) => organisationKey(input, orgId),
    caseKey: (caseId, municipality) => caseGroupKey(input, caseId, municipality),
  };
  const period: Window = { start, end, key: null };
  return assembleReport(input, setup, accumulateFacts(ctx, input.groupBy, input.groupBy === 'month' ? monthWindows(start, end, timeZone) : [period]));
}

/** The months of a period (day numbers, both inclusive) it covers whole, and those it covers in part. */
function periodMonths(fromDay: number, toDay: number): Pick<FactsContext, 'firstMonth' | 'wholeMonths' | 'partialMonths'> {
  const firstMonth = monthOfDayNumber(fromDay);
  const lastMonth = monthOfDayNumber(toDay);
  const firstWhole = monthOfDayNumber(fromDay - 1) === firstMonth ? firstMonth + 1 : firstMonth;
  const lastWhole = monthOfDayNumber(toDay + 1) === lastMonth ? lastMonth - 1 : lastMonth;
  const partial = [...new Set([firstMonth, lastMonth])].filter((m) => m < firstWhole || m > lastWhole);
  return { firstMonth, wholeMonths: [firstWhole, lastWhole], partialMonths: partial.map(monthKeyOf) };
}

/** The months (`YYYY-MM`) whose day-by-day facts a report for the period needs (CaseFacts.days); of the others the
 *  monthly sums suffice. */
export function controllingDayMonths(from: string, to: string): string[] {
  return periodMonths(dayNumber(from), dayNumber(to)).partialMonths;
}

/** The cases in a fixed order — of their ids, as histories.ts readCases (sums of fractions must add up in the same
 *  order) — numbered, with their persons; the facts are read later, case by case. */
function factsSources(rows: readonly CaseFactsInput[], personOf: (caseId: string) => string, numberOf: (person: string) => number): FactsSource[] {
  const byId = new Map<string, CaseFactsInput>();
  for (const row of rows) byId.set(row.caseId, row);
  // The default sort compares UTF-16 code units, as readCases' sort does.
  return [...byId.keys()].sort().map((id, no) => {
    const person = personOf(id);
    return { id, person, personNo: numberOf(person), no, input: byId.get(id)! };
  });
}

/** The cases handovers are linked to (of those opened before the end), for their municipality. */
function linkedCases(input: ControllingFactsInput, sources: readonly FactsSource[], end: number): { id: string; municipality: string }[] {
  const rows = input.handoverEvents ?? [];
  if (rows.length === 0) return [];
  const linked = new Set(Object.values(input.caseOfHandover ?? {}));
  for (const row of rows) {
    const data = row.data as Record<string, unknown> | null;
    if (data && typeof data.caseId === 'string') linked.add(data.caseId);
  }
  return sources.flatMap((source) => {
    if (!linked.has(source.id)) return [];
    const facts = factsOf(source);
    return facts.opened[0] !== undefined && facts.opened[0] < end ? [{ id: source.id, municipality: facts.municipality ?? UNASSIGNED_GROUP }] : [];
  });
}

