// The compact per-case facts against the reference: for generated histories (synthetic event rows with the edges the
// report cares about, and random walks through the real domain), the report from the facts — folded batch by batch,
// stored as JSON in between, with batches applied twice and older batches after newer ones — is exactly the report
// counted straight from the events as the database read them (up to the end of the period, contacts also later), for
// every grouping and many periods. And the facts stay small: a case costs its days, not its contacts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeControllingFromEvents,
  computeControllingFromFacts,
  controllingDayMonths,
  CONTROLLING_GROUP_BY,
  foldCaseFacts,
  periodBounds,
  type CaseFacts,
  type ControllingCaseEvent,
  type ControllingHandoverEvent,
  type FactsEvent,
} from '../../domain/controlling.js';
import { anonymiseEvent, caseTimers, CONTACT_KINDS, onDeadlineFired, type CaseAction } from '../../domain/index.js';
import { generatedCase, generatedHandovers, generatedPeriod, pick, rng, type Rng } from './case-facts-histories.js';
import { CaseDriver, coordinator, goal, withConsents } from './helpers.js';

const ORGS = [
  { key: 'drk', label: 'DRK' },
  { key: 'caritas-eifel', label: 'Caritas Eifel' },
  { key: 'kja', label: 'KJA' },
];

/** The facts as the record activity keeps them: batch by batch, each time read back from JSON; every batch a second
 *  time, and now and then an older batch after a newer one (both must change nothing). */
function incrementalFacts(r: Rng, events: readonly FactsEvent[]): CaseFacts {
  const batches: FactsEvent[][] = [];
  for (let i = 0; i < events.length; ) {
    const n = 1 + Math.floor(r() * 4);
    batches.push(events.slice(i, i + n));
    i += n;
  }
  let facts: CaseFacts | null = null;
  batches.forEach((batch, i) => {
    facts = JSON.parse(JSON.stringify(foldCaseFacts(facts, batch))) as CaseFacts;
    const again = foldCaseFacts(facts, r() < 0.5 ? batch : [...batch].reverse());
    expect(again).toEqual(facts);
    if (i > 0 && r() < 0.3) expect(foldCaseFacts(facts, batches[Math.floor(r() * i)]!)).toEqual(facts);
  });
  return facts ?? foldCaseFacts(null, []);
}

function groupByCase(rows: readonly ControllingCaseEvent[]): Map<string, ControllingCaseEvent[]> {
  const byCase = new Map<string, ControllingCaseEvent[]>();
  for (const row of rows) byCase.set(row.caseId, [...(byCase.get(row.caseId) ?? []), row]);
  return byCase;
}

/** Reference (events as the report read them) = facts, for every grouping and a few periods. */
function expectSameReports(r: Rng, caseEvents: ControllingCaseEvent[], handoverEvents: ControllingHandoverEvent[], periods: number): void {
  const byCase = groupByCase(caseEvents);
  const caseFacts = [...byCase].map(([caseId, events]) => {
    const facts = incrementalFacts(r, events);
    expect(facts, `incremental = whole for ${caseId}`).toEqual(foldCaseFacts(null, events));
    return { caseId, facts };
  });
  const caseIds = [...byCase.keys()];
  // Some persons have two cases.
  const personOfCase = Object.fromEntries(caseIds.map((id, i) => [id, `p${i % Math.max(1, caseIds.length - 2)}`]));
  for (let i = 0; i < periods; i++) {
    const { from, to } = generatedPeriod(r);
    const { end } = periodBounds(from, to);
    // What buildControllingReport read before the facts: events before the end, contacts whenever documented.
    const read = caseEvents.filter((e) => Date.parse(String(e.at)) < end || e.type === 'contact_recorded');
    const handovers = handoverEvents.filter((e) => Date.parse(String(e.at)) < end);
    for (const groupBy of CONTROLLING_GROUP_BY) {
      const query = {
        from,
        to,
        groupBy,
        personOfCase,
        handoverEvents: handovers,
        caseOfHandover: { h0: caseIds[0]! },
        groups: groupBy === 'organisation' ? ORGS : [],
        minPersons: pick(r, [1, 2, 3]),
      };
      const expected = computeControllingFromEvents({ ...query, caseEvents: read });
      // As the report reads them: of the day-by-day facts only the months the period covers in part.
      const months = controllingDayMonths(from, to);
      const partial = caseFacts.map(({ caseId, facts }) => ({ caseId, facts: { ...facts, days: Object.fromEntries(months.flatMap((m) => (facts.days[m] ? [[m, facts.days[m]]] : []))) } }));
      const actual = computeControllingFromFacts({ ...query, caseFacts: partial });
      expect(actual, `${groupBy} ${from} – ${to}`).toEqual(expected);
    }
  }
}

// Fewer runs for mutation testing (stryker.config.mjs), where these two tests run once per mutant they cover.
const GENERATED_RUNS = Number(process.env.KIM_FACTS_PROPERTY_RUNS ?? 60);

describe('case facts = the events, for the controlling report', () => {
  it('gives the same report as the events for generated histories, every grouping and period', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 14 }), (seed, cases) => {
        const r = rng(seed);
        const caseEvents = Array.from({ length: cases }, (_, i) => generatedCase(r, `c${i}`, 5 + Math.floor(r() * 50))).flat();
        const handoverEvents = generatedHandovers(r, [...new Set(caseEvents.map((e) => e.caseId))], Math.floor(r() * 4));
        expectSameReports(r, caseEvents, handoverEvents, 3);
      }),
      { numRuns: GENERATED_RUNS },
    );
  });

  it('gives the same report as the events for random walks through the real domain', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const r = rng(seed);
        const caseEvents = Array.from({ length: 4 }, (_, i) => domainWalk(r, `w${i}`, 40)).flat();
        expectSameReports(r, caseEvents, [], 4);
      }),
      { numRuns: Math.ceil((GENERATED_RUNS * 2) / 3) },
    );
  });

  it('counts a goal date that passed during a pause as overdue from the resume on, not from the date (seed -235981156)', () => {
    // This walk pauses a case over the date of an agreed goal; on resume the goal keeps its date and fires at once.
    // The walk once fired it back-dated to that date, before the resume — a history the workflow cannot write.
    const r = rng(-235981156);
    const caseEvents = Array.from({ length: 4 }, (_, i) => domainWalk(r, `w${i}`, 40)).flat();
    const data = (e: ControllingCaseEvent) => e.data as Record<string, unknown>;
    const kept = caseEvents.filter((e) => e.type === 'deadline_rearmed' && data(e).pausedMs === 0 && Date.parse(String(data(e).dueAt)) < Date.parse(String(e.at)));
    expect(kept.length).toBeGreaterThan(0);
    for (const rearmed of kept) {
      const missed = caseEvents.find((e) => e.caseId === rearmed.caseId && e.type === 'deadline_missed' && data(e).deadlineId === data(rearmed).deadlineId);
      expect(missed?.at).toBe(rearmed.at);
    }
    expectSameReports(r, caseEvents, [], 4);
  });

  it('ignores what it has already folded: the same batch twice, an older batch after a newer one', () => {
    const r = rng(7);
    const events = generatedCase(r, 'c1', 60);
    const whole = foldCaseFacts(null, events);
    expect(foldCaseFacts(whole, events)).toEqual(whole);
    expect(foldCaseFacts(whole, events.slice(0, 10))).toEqual(whole);
    expect(foldCaseFacts(foldCaseFacts(null, events.slice(0, 30)), [...events.slice(30), ...events.slice(25, 40)])).toEqual(whole);
  });

  it('holds no free text: the facts of a case are the same before and after the erasure of its texts', () => {
    const MARK = 'MARKE7Q';
    const d = new CaseDriver(undefined, '2025-03-03T09:00:00.000Z');
    withConsents(d);
    d.do('start-assessment');
    d.advance(2).do('complete-assessment', { lifeAreas: [{ area: 'health', situation: `Traumafolgen ${MARK}`, need: 'high' }] });
    d.advance(2).do('agree-goals', { goals: [{ title: `Ziel ${MARK}`, measure: `Maßnahme ${MARK}`, owner: `Frau ${MARK}`, dueDate: '2025-06-30' }] });
    d.do('refer', { service: 'Schuldnerberatung', partnerName: `Frau Partner ${MARK}` });
    d.advance(1).do('record-contact', { kind: 'accompaniment', date: '2025-03-07', durationMinutes: 90, note: `Begleitung ${MARK}` });
    d.advance(1).do('put-on-hold', { reason: `Krankenhaus ${MARK}` });
    d.advance(9).do('resume', {});
    d.advance(1).do('close', { reason: 'goals_achieved', goalAttainment: 'achieved', note: `Abschluss ${MARK}` }, coordinator);
    const rows = d.events.map((e, i) => ({ seq: i + 1, type: e.type, at: e.at, data: e.data }));
    expect(JSON.stringify(rows)).toContain(MARK);
    const facts = foldCaseFacts(null, rows);
    expect(JSON.stringify(facts)).not.toContain(MARK);
    const erased = rows.map((e) => ({ ...e, data: anonymiseEvent({ type: e.type, summary: '', data: e.data }).data }));
    expect(foldCaseFacts(null, erased)).toEqual(facts);
  });

  it('stays small: thousands of contacts on a few days cost a few day buckets', () => {
    const d = new CaseDriver(undefined, '2025-03-03T09:00:00.000Z');
    for (let i = 0; i < 800; i++) {
      d.now = new Date(Date.parse('2025-03-03T09:00:00.000Z') + i * 1_200_000).toISOString(); // every 20 minutes, ~11 days
      d.do('record-contact', { kind: pick(rng(i), CONTACT_KINDS), date: d.now, durationMinutes: 5 });
    }
    const rows = d.events.map((e, i) => ({ seq: i + 1, type: e.type, at: e.at, data: e.data }));
    const facts = foldCaseFacts(null, rows);
    const factsBytes = JSON.stringify(facts).length;
    const eventBytes = JSON.stringify(rows).length;
    expect(rows.length).toBeGreaterThan(2400);
    expect(Object.values(facts.days).join(';').split(';').length).toBeLessThanOrEqual(15);
    expect(factsBytes).toBeLessThan(2500);
    expect(factsBytes * 100).toBeLessThan(eventBytes);
  });
});

/** A case driven by random actions through the real domain (refusals skipped) and its timers firing on time. */
function domainWalk(r: Rng, caseId: string, steps: number): ControllingCaseEvent[] {
  const start = Date.parse('2025-01-20T08:00:00.000Z') + Math.floor(r() * 60) * 86_400_000;
  const d = new CaseDriver(undefined, new Date(start).toISOString());
  const actions: Array<() => [CaseAction, unknown]> = [
    () => ['record-consent', { scope: 'data_processing', decision: 'given' }],
    () => ['start-assessment', {}],
    () => ['complete-assessment', { lifeAreas: [{ area: 'work', situation: 'x', need: 'high' }] }],
    () => ['agree-goals', { goals: [goal('Ziel', new Date(Date.parse(d.now) + 20 * 86_400_000).toISOString().slice(0, 10))] }],
    () => ['refer', { service: pick(r, ['Jobcenter', 'Tafel', ' jobcenter']) }],
    () => ['record-referral-outcome', { referralId: d.c.referrals[d.c.referrals.length - 1]?.id ?? 'x', outcome: pick(r, ['accepted', 'declined', 'completed']) }],
    () => ['record-contact', { kind: pick(r, CONTACT_KINDS), date: d.now.slice(0, 10), durationMinutes: 30 }],
    () => ['record-contact', { kind: pick(r, CONTACT_KINDS), date: d.now, durationMinutes: 30 }],
    () => ['put-on-hold', { reason: 'Krankenhaus' }],
    () => ['resume', {}],
    () => ['transfer', { organisationId: pick(r, ['caritas-eifel', 'kja', 'drk']), reason: 'Umzug' }],
    () => ['start-review', {}],
    () => ['close', { reason: pick(r, ['goals_achieved', 'moved_away']), goalAttainment: 'partly' }],
    () => ['reopen', { reason: 'Neue Lage' }],
  ];
  if (r() < 0.5) withConsents(d);
  for (let i = 0; i < steps; i++) {
    const next = Date.parse(d.now) + Math.floor(r() * 6 * 86_400_000);
    // Timers due before the next action fire first, at their time — or now, as the workflow's timer does when it is
    // armed for a time already past (rules 7: a date a person entered that passed during a pause fires on resume).
    for (let timer = caseTimers(d.c)[0]; timer && Date.parse(timer.at) <= next; timer = caseTimers(d.c)[0]) {
      const at = new Date(Math.max(Date.parse(timer.at), Date.parse(d.now))).toISOString();
      const fired = onDeadlineFired(d.c, timer.deadlineId, timer.phase, at);
      if (fired.events.length === 0 && fired.next === d.c) break;
      d.c = fired.next;
      d.events.push(...fired.events);
      d.now = at;
    }
    d.now = new Date(Math.max(next, Date.parse(d.now))).toISOString();
    const [action, payload] = pick(r, actions)();
    const result = d.try(action, payload, action === 'close' && r() < 0.5 ? coordinator : undefined);
    if (!result.ok) continue;
    d.c = result.next;
    d.events.push(...result.events);
  }
  // Workflow time only moves forward: a case's events never go back in time (both report paths rely on it).
  d.events.forEach((e, i) => i > 0 && expect(Date.parse(e.at), `${caseId} event ${i + 1}`).toBeGreaterThanOrEqual(Date.parse(d.events[i - 1]!.at)));
  return d.events.map((e, i) => ({ caseId, seq: i + 1, type: e.type, at: e.at, data: e.data }));
}
