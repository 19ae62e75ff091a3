// The controlling report: the figures are counted from the compact per-case facts (facts-report.ts); given event
// rows, each case's events are folded into its facts first (facts.ts), exactly as the record activity does.
//
// computeControllingFromEvents is the reference the facts are checked against (tests/domain/case-facts*.test.ts):
// the figures counted straight from the events (histories.ts, accumulate.ts, referral-services.ts), as the report
// was computed before the facts existed. It reads the events as given; the report reads a period's events up to its
// end (and contacts documented later for a day inside it), and so do the facts.
import { accumulate, RowAcc, type Context } from './accumulate.js';
import { assembleReport, reportSetup } from './assemble.js';
import { monthWindows, type Window } from './calendar.js';
import { foldCaseFacts, type CaseFacts } from './facts.js';
import { computeControllingFromFacts } from './facts-report.js';
import { readCases, readHandovers } from './histories.js';
import { TOTAL_GROUP, caseGroupKey, organisationKey, type ControllingCaseEvent, type ControllingInput, type ControllingReport } from './model.js';
import { referralServices } from './referral-services.js';

export function computeControlling(input: ControllingInput): ControllingReport {
  const { caseEvents, ...query } = input;
  return computeControllingFromFacts({ ...query, caseFacts: caseFactsOf(caseEvents, reportSetup(query).timeZone) });
}

/** Each case's facts folded from its event rows (in any order). */
export function caseFactsOf(rows: readonly ControllingCaseEvent[], timeZone: string): { caseId: string; facts: CaseFacts }[] {
  const byCase = new Map<string, ControllingCaseEvent[]>();
  for (const row of rows) {
    const list = byCase.get(row.caseId);
    if (list) list.push(row);
    else byCase.set(row.caseId, [row]);
  }
  return [...byCase].map(([caseId, events]) => ({ caseId, facts: foldCaseFacts(null, events, timeZone) }));
}

/** The reference: the figures counted straight from the event rows. */
export function computeControllingFromEvents(input: ControllingInput): ControllingReport {
  const setup = reportSetup(input);
  const { timeZone, minPersons, start, end, personOf } = setup;
  const cases = readCases(input.caseEvents, personOf);
  const handovers = readHandovers(input.handoverEvents ?? [], cases, personOf, input.caseOfHandover);
  const { serviceOf, services } = referralServices(cases, start, end, minPersons, input.referralCatalogue);

  const ctx: Context = {
    cases,
    handovers,
    start,
    end,
    timeZone,
    serviceOf,
    orgKey: (orgId) => organisationKey(input, orgId),
    caseKey: (caseId, municipality) => caseGroupKey(input, caseId, municipality),
  };
  const period: Window = { start, end, key: null };
  const groupRows = accumulate(ctx, input.groupBy, input.groupBy === 'month' ? monthWindows(start, end, timeZone) : [period]);
  const totalRow = accumulate(ctx, 'total', [{ ...period, key: TOTAL_GROUP }]).get(TOTAL_GROUP) ?? new RowAcc();
  return assembleReport(input, setup, { groupRows, totalRow, services });
}
