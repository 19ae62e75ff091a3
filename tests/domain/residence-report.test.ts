// The residence figures (domain/controlling/residence-report.ts) on a hand-counted scenario: the standing at the end
// of the period, outcomes by the date a person entered, cases closed before the period left out, one group per case,
// small cells suppressed.
import { describe, expect, it } from 'vitest';
import { computeResidenceReport } from '../../domain/controlling.js';
import { casePaths, type ResidenceEvent } from '../../domain/controlling/residence-report.js';
import { periodBounds } from '../../domain/controlling/calendar.js';

const opened = (caseId: string, organisationId: string, at: string, municipality = 'Kall'): ResidenceEvent => ({ caseId, seq: 1, type: 'case_opened', at, data: { organisationId, municipality } });
const track = (caseId: string, seq: number, at: string, data: Record<string, unknown>): ResidenceEvent => ({ caseId, seq, type: 'residence_track_set', at, data });
const ev = (caseId: string, seq: number, type: string, at: string, data: Record<string, unknown> = {}): ResidenceEvent => ({ caseId, seq, type, at, data });

const { start, end } = periodBounds('2025-03-01', '2025-03-31', 'Europe/Berlin');

describe('one case in a period', () => {
  it('counts the standing at the end of the period and an outcome dated inside it', () => {
    const events = [
      opened('a', 'drk', '2025-01-05T10:00:00Z'),
      track('a', 2, '2025-02-01T10:00:00Z', { currentTitle: 'duldung', targetTitle: 'p25b', achievements: ['language'] }),
      track('a', 3, '2025-03-10T10:00:00Z', { currentTitle: 'p60d', targetTitle: 'p25b', achievements: ['language', 'livelihood'], outcome: 'reached', outcomeOn: '2025-03-31' }),
    ];
    expect(casePaths(events, start, end, '2025-03-01', '2025-03-31')).toEqual([
      ['cases'], ['current', 'p60d'], ['target', 'p25b'], ['achievements', 'language'], ['achievements', 'livelihood'],
      ['outcomes'], ['outcome', 'reached'], ['reached', 'p25b'],
    ]);
    // February: the first entry stands; the outcome is dated in March.
    const feb = periodBounds('2025-02-01', '2025-02-28', 'Europe/Berlin');
    expect(casePaths(events, feb.start, feb.end, '2025-02-01', '2025-02-28')).toEqual([['cases'], ['current', 'duldung'], ['target', 'p25b'], ['achievements', 'language']]);
    // January: no track yet.
    const jan = periodBounds('2025-01-01', '2025-01-31', 'Europe/Berlin');
    expect(casePaths(events, jan.start, jan.end, '2025-01-01', '2025-01-31')).toEqual([]);
  });

  it('leaves out a case closed before the period, unless it was reopened; an outcome not reached names no title', () => {
    const base = [opened('b', 'drk', '2025-01-05T10:00:00Z'), track('b', 2, '2025-01-06T10:00:00Z', { currentTitle: 'duldung' })];
    const closed = [...base, ev('b', 3, 'case_closed', '2025-02-10T10:00:00Z')];
    expect(casePaths(closed, start, end, '2025-03-01', '2025-03-31')).toEqual([]);
    const reopened = [...closed, ev('b', 4, 'case_reopened', '2025-02-20T10:00:00Z')];
    expect(casePaths(reopened, start, end, '2025-03-01', '2025-03-31')).toEqual([['cases'], ['current', 'duldung'], ['target', 'none']]);
    const closedInside = [...base, ev('b', 3, 'case_closed', '2025-03-10T10:00:00Z')];
    expect(casePaths(closedInside, start, end, '2025-03-01', '2025-03-31')).toEqual([['cases'], ['current', 'duldung'], ['target', 'none']]);
    const notReached = [...base, track('b', 3, '2025-03-02T10:00:00Z', { currentTitle: 'duldung', targetTitle: 'p25b', outcome: 'not_reached', outcomeOn: '2025-03-01' })];
    expect(casePaths(notReached, start, end, '2025-03-01', '2025-03-31').slice(-2)).toEqual([['outcomes'], ['outcome', 'not_reached']]);
    // Dated before the period: not an outcome of this period.
    const earlier = [...base, track('b', 3, '2025-03-02T10:00:00Z', { currentTitle: 'duldung', targetTitle: 'p25b', outcome: 'reached', outcomeOn: '2025-02-28' })];
    expect(casePaths(earlier, start, end, '2025-03-01', '2025-03-31')).toEqual([['cases'], ['current', 'duldung'], ['target', 'p25b']]);
  });
});

describe('the report', () => {
  // Four DRK cases with a Duldung aiming at §25b, three of them reached in March; three Caritas cases with §60d (one
  // working on identity), one of them moved to DRK by a transfer in April (after the period: it counts for Caritas).
  const events: ResidenceEvent[] = [];
  for (const [i, id] of ['c1', 'c2', 'c3', 'c4'].entries()) {
    events.push(opened(id, 'drk', '2025-02-01T10:00:00Z'));
    events.push(track(id, 2, '2025-03-05T10:00:00Z', { currentTitle: 'duldung', targetTitle: 'p25b', achievements: ['language'], ...(i < 3 ? { outcome: 'reached', outcomeOn: '2025-03-20' } : {}) }));
  }
  for (const id of ['c5', 'c6', 'c7']) {
    events.push(opened(id, 'caritas-eifel', '2025-02-01T10:00:00Z', 'Mechernich'));
    events.push(track(id, 2, '2025-03-05T10:00:00Z', { currentTitle: 'p60d', targetTitle: 'p25b', achievements: id === 'c7' ? ['identity'] : [] }));
  }
  events.push(ev('c5', 3, 'case_transferred', '2025-04-02T10:00:00Z', { toOrganisationId: 'drk' }));
  const groups = [{ key: 'drk', label: 'DRK' }, { key: 'caritas-eifel', label: 'Caritas Eifel' }];

  it('counts by organisation at the end of the period and suppresses small cells, also through the sums', () => {
    const r = computeResidenceReport({ caseEvents: events, from: '2025-03-01', to: '2025-03-31', groupBy: 'organisation', groups });
    expect(r.groupBy).toBe('organisation');
    expect(r.minPersons).toBe(3);
    const [drk, caritas] = r.groups;
    expect(drk!.figures.cases).toEqual({ value: 4 });
    expect((drk!.figures.current as Record<string, unknown>).duldung).toEqual({ value: 4 });
    expect((drk!.figures.reached as Record<string, unknown>).p25b).toEqual({ value: 3 });
    expect(caritas!.figures.cases).toEqual({ value: 3 });
    expect((caritas!.figures.current as Record<string, unknown>).p60d).toEqual({ value: 3 });
    expect((caritas!.figures.achievements as Record<string, unknown>).identity).toEqual({ value: null, suppressed: true });
    const total = r.total.figures as Record<string, Record<string, unknown>>;
    expect(total.cases).toEqual({ value: 7 });
    expect([total.current!.duldung, total.current!.p60d, total.target!.p25b]).toEqual([{ value: 4 }, { value: 3 }, { value: 7 }]);
    expect([total.achievements!.language, total.achievements!.identity]).toEqual([{ value: 4 }, { value: null, suppressed: true }]);
    expect([total.outcomes, total.outcome!.reached, total.reached!.p25b]).toEqual([{ value: 3 }, { value: 3 }, { value: 3 }]);
    expect(r.columns.find((c) => c.path.join('.') === 'reached.p25b')?.label).toBe('Erreicht im Zeitraum: § 25b AufenthG – nachhaltige Integration');
  });

  it('groups by municipality and without listed groups as the cases come; minPersons is configurable', () => {
    const r = computeResidenceReport({ caseEvents: events, from: '2025-03-01', to: '2025-03-31', groupBy: 'municipality', minPersons: 1 });
    expect(r.groups.map((g) => [g.key, g.figures.cases])).toEqual([['Kall', { value: 4 }], ['Mechernich', { value: 3 }]]);
    const post = computeResidenceReport({ caseEvents: events, from: '2025-03-01', to: '2025-03-31', groupBy: 'post', postOfOrganisation: { drk: 'provider' }, minPersons: 1 });
    expect(post.groups.map((g) => [g.key, g.figures.cases])).toEqual([['ohne-zuordnung', { value: 3 }], ['provider', { value: 4 }]]);
    expect(post.groups[0]!.label).toBe('Ohne Zuordnung');
    // One person behind several cases counts once for suppression.
    const personal = computeResidenceReport({ caseEvents: events, from: '2025-03-01', to: '2025-03-31', groupBy: 'organisation', personOfCase: { c1: 'p', c2: 'p', c3: 'p', c4: 'q' } });
    expect(personal.total.figures.outcomes).toEqual({ value: null, suppressed: true });
    // A period before any track: nothing counted, the listed groups still there.
    const empty = computeResidenceReport({ caseEvents: events, from: '2025-01-01', to: '2025-01-31', groupBy: 'organisation', groups });
    expect(empty.groups.map((g) => g.figures.cases)).toEqual([{ value: 0 }, { value: 0 }]);
    expect(empty.period).toMatchObject({ from: '2025-01-01', to: '2025-01-31', timeZone: 'Europe/Berlin' });
  });
});
