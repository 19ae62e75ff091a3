// The controlling report from the compact per-case facts (facts.ts): the same figures as counted straight from the
// events (report.ts computeControllingFromEvents, over the events up to the end of the period and the contacts
// documented later), without reading a single event.
import { assembleReport, reportSetup, type ControllingQuery } from './assemble.js';
import { dayDate, localDay, monthWindows, type Window } from './calendar.js';
import { accumulateFacts, type FactsCase, type FactsContext } from './facts-accumulate.js';
import type { CaseFacts, FactsPiece } from './facts-model.js';
import { readHandovers } from './histories.js';
import { OTHER_SERVICES, UNASSIGNED_GROUP, type ControllingReport } from './model.js';

export interface ControllingFactsInput extends ControllingQuery {
  /** The facts of the cases (folded in the report's time zone); cases opened after the period may be left out. */
  caseFacts: readonly { caseId: string; facts: CaseFacts }[];
}

export function computeControllingFromFacts(input: ControllingFactsInput): ControllingReport {
  const setup = reportSetup(input);
  const { timeZone, minPersons, start, end, personOf } = setup;
  const personNo = new Map<string, number>();
  const numberOf = (person: string) => personNo.get(person) ?? personNo.set(person, personNo.size).size - 1;
  const cases = factsCases(input.caseFacts, personOf, numberOf, end);
  const handovers = readHandovers(input.handoverEvents ?? [], cases, personOf, input.caseOfHandover).map((h) => ({ ...h, personNo: numberOf(h.person) }));
  const services = referralServices(cases, start, end, minPersons);

  const fromDay = localDay(start, timeZone);
  const toDay = localDay(end, timeZone) - 1;
  const months: string[] = [];
  const monthOfDay = new Int32Array(toDay - fromDay + 1);
  for (let day = fromDay; day <= toDay; day++) {
    const month = dayDate(day).slice(0, 7);
    if (months[months.length - 1] !== month) months.push(month);
    monthOfDay[day - fromDay] = months.length - 1;
  }
  const ctx: FactsContext = { cases, handovers, persons: personNo.size, start, end, timeZone, fromDay, toDay, months, monthOfDay };
  const period: Window = { start, end, key: null };
  const counted = accumulateFacts(ctx, input.groupBy, input.groupBy === 'month' ? monthWindows(start, end, timeZone) : [period]);
  return assembleReport(input, setup, { ...counted, services });
}

/** The cases opened before the end of the period, in a fixed (sorted) order, with their stretches as pieces. */
function factsCases(
  rows: ControllingFactsInput['caseFacts'],
  personOf: (caseId: string) => string,
  numberOf: (person: string) => number,
  end: number,
): FactsCase[] {
  const opened = rows.filter(({ facts }) => facts.opened[0] !== undefined && facts.opened[0] < end);
  opened.sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
  return opened.map(({ caseId, facts: f }, no) => {
    const pieces: FactsPiece[] = f.now?.[4] === 1 ? [...f.pieces, [f.now[0], Infinity, 0, f.now[1], f.now[2], f.now[3]]] : f.pieces;
    const person = personOf(caseId);
    return { id: caseId, person, no, personNo: numberOf(person), municipality: f.municipality ?? UNASSIGNED_GROUP, openedAt: f.opened[0]!, facts: f, pieces, services: [] };
  });
}

/**
 * Referral targets as referral-services.ts finds them: normalised, shown in the spelling that sorts first of all
 * referrals sent before the end, pooled under OTHER_SERVICES when fewer than `minPersons` persons were referred
 * there in the period. Sets each case's `services`; returns the targets with figures in the period, alphabetically,
 * OTHER_SERVICES last.
 */
function referralServices(cases: FactsCase[], start: number, end: number, minPersons: number): string[] {
  const normOf = new Map<string, string>();
  const firstSpelling = new Map<string, string>();
  const servicePersons = new Map<string, Set<string>>();
  // Per case, the normalised target of each referral (index as in refIds): the last one sent before the end.
  const norms = cases.map((c) => {
    const f = c.facts;
    const raw: Array<string | undefined> = [];
    for (const [ref, at, spelling] of f.sent) {
      if (at >= end) continue;
      let norm = normOf.get(spelling);
      if (norm === undefined) normOf.set(spelling, (norm = spelling.toLocaleLowerCase('de')));
      raw[ref] = norm;
      const first = firstSpelling.get(norm);
      // What [...spellings].sort()[0] gives: the least in UTF-16 code unit order.
      if (first === undefined || spelling < first) firstSpelling.set(norm, spelling);
    }
    for (const [at, type, ref] of f.referrals) {
      if (type === 3 || at < start || at >= end || ref < 0 || !f.refIds[ref]) continue;
      const norm = raw[ref];
      if (norm) servicePersons.set(norm, (servicePersons.get(norm) ?? new Set()).add(c.person));
    }
    return raw;
  });
  const usedServices = new Set<string>();
  cases.forEach((c, i) => {
    // The target of each referral, as countReferral finds it: '' for an empty id, OTHER_SERVICES without a target.
    c.services = c.facts.refIds.map((id, ref) => {
      const norm = norms[i]![ref];
      if (!id) return id;
      if (norm === undefined) return OTHER_SERVICES;
      return (servicePersons.get(norm)?.size ?? 0) >= minPersons ? firstSpelling.get(norm)! : OTHER_SERVICES;
    });
    for (const [at, , ref] of c.facts.referrals) {
      if (at >= start && at < end) usedServices.add(ref >= 0 ? c.services[ref]! : OTHER_SERVICES);
    }
  });
  const services = [...usedServices].filter((s) => s !== OTHER_SERVICES).sort((a, b) => a.localeCompare(b, 'de'));
  if (usedServices.has(OTHER_SERVICES)) services.push(OTHER_SERVICES);
  return services;
}
