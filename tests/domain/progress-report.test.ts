// Issue 16: the progress figures of the controlling (domain/controlling/progress-report.ts) on a hand-countable set
// of closed cases, and the target-group groupings of the controlling report (age band, channel, post).
import { describe, expect, it } from 'vitest';
import { cellAt, computeControlling, computeControllingFromEvents, computeProgressReport, type ControllingReport } from '../../domain/controlling.js';
import { ageBandKey, ageBands, createCase, decide, postOf, type Actor, type DomainEvent } from '../../domain/index.js';
import { CaseDriver, cmDrk, coordinator, goal, withConsents } from './helpers.js';

type Need = 'none' | 'low' | 'high';

/** A case of DRK, assessed (language, housing high) with criteria B1 and own flat, closed after one review. */
function closedCase(caseId: string, end: { language?: Need; housing?: Need; k1?: string; k2?: string }, by: Actor = cmDrk): Array<DomainEvent & { caseId: string; seq: number }> {
  const d = new CaseDriver();
  withConsents(d);
  d.do('start-assessment');
  d.advance(7).do('complete-assessment', {
    lifeAreas: [
      { area: 'language', situation: 'A1', need: 'high' },
      { area: 'housing', situation: 'GU', need: 'high' },
    ],
    successCriteria: ['language_b1', 'own_flat'],
  });
  d.advance(1).do('agree-goals', { goals: [goal()] });
  d.advance(90).do('start-review');
  const needs = Object.fromEntries(Object.entries({ language: end.language, housing: end.housing }).filter(([, v]) => v));
  const criteria = Object.fromEntries(Object.entries({ k1: end.k1, k2: end.k2 }).filter(([, v]) => v));
  d.do('complete-review', { outcome: 'close', closureReason: 'goals_achieved', goalAttainment: 'partly', needs, criteria }, by);
  // A case manager's closing review files a request (closure needs approval by default): coordination approves it.
  if (d.c.state !== 'closed') d.advance(2).do('approve-closure', {}, coordinator);
  expect(d.c.state).toBe('closed');
  return d.events.map((e, i) => ({ ...e, caseId, seq: i + 1 }));
}

const figure = (report: ControllingReport, key: string, path: string[]) => cellAt(key === 'gesamt' ? report.total : report.groups.find((g) => g.key === key)!, path);
const PERIOD = { from: '2025-01-01', to: '2025-12-31' };

describe('progress figures of the cases closed in the period', () => {
  // Hand count: language high → low, none, high, low = 3 improved, 1 unchanged; housing high → high, low, (not re-rated), none
  // = 2 improved, 1 unchanged, 1 without an end value. B1: reached, reached, partly, (unrated); own flat: not ×2, reached, (unrated).
  const events = [
    ...closedCase('a', { language: 'low', housing: 'high', k1: 'reached', k2: 'not' }),
    ...closedCase('b', { language: 'none', housing: 'low', k1: 'reached', k2: 'not' }),
    ...closedCase('c', { language: 'high', k1: 'partly', k2: 'reached' }),
    ...closedCase('d', { language: 'low', housing: 'none' }),
  ];

  it('counts the change of need per life area and the criteria reached (no suppression)', () => {
    const r = computeProgressReport({ caseEvents: events, ...PERIOD, groupBy: 'organisation', minPersons: 1 });
    const v = (path: string[]) => figure(r, 'gesamt', path).value;
    expect(v(['closed'])).toBe(4);
    expect([v(['needs', 'language', 'rated']), v(['needs', 'language', 'improved']), v(['needs', 'language', 'unchanged']), v(['needs', 'language', 'worsened'])]).toEqual([4, 3, 1, 0]);
    expect([v(['needs', 'housing', 'rated']), v(['needs', 'housing', 'improved']), v(['needs', 'housing', 'unchanged'])]).toEqual([3, 2, 1]);
    expect([v(['criteria', 'language_b1', 'agreed']), v(['criteria', 'language_b1', 'reached']), v(['criteria', 'language_b1', 'partly']), v(['criteria', 'language_b1', 'unrated'])]).toEqual([4, 2, 1, 1]);
    expect([v(['criteria', 'own_flat', 'reached']), v(['criteria', 'own_flat', 'not']), v(['criteria', 'own_flat', 'unrated'])]).toEqual([1, 2, 1]);
    expect([v(['criteria', 'total', 'agreed']), v(['criteria', 'total', 'reached'])]).toEqual([8, 3]);
    // All four at DRK (organisation at closure).
    expect(figure(r, 'drk', ['closed']).value).toBe(4);
  });

  it('suppresses cells of fewer than three persons, and one more where a sum would reveal them', () => {
    const r = computeProgressReport({ caseEvents: events, ...PERIOD, groupBy: 'organisation' });
    expect(figure(r, 'gesamt', ['closed'])).toEqual({ value: 4 });
    // 1 unchanged is hidden, so 4 = 3 + 1 + 0 would reveal it: the smallest positive part goes too (cells.ts).
    expect(figure(r, 'gesamt', ['needs', 'language', 'unchanged'])).toEqual({ value: null, suppressed: true });
    expect(figure(r, 'gesamt', ['needs', 'language', 'improved'])).toEqual({ value: null, suppressed: true });
    expect(figure(r, 'gesamt', ['needs', 'language', 'rated'])).toEqual({ value: 4 });
    expect(figure(r, 'gesamt', ['needs', 'language', 'worsened'])).toEqual({ value: 0 });
    expect(figure(r, 'gesamt', ['criteria', 'own_flat', 'reached']).suppressed).toBe(true);
  });

  it('counts nothing for cases closed outside the period', () => {
    const r = computeProgressReport({ caseEvents: events, from: '2026-01-01', to: '2026-12-31', groupBy: 'organisation', minPersons: 1 });
    expect(figure(r, 'gesamt', ['closed']).value).toBe(0);
  });

  it('counts nothing for a period that ends before the closures', () => {
    const r = computeProgressReport({ caseEvents: events, from: '2024-01-01', to: '2024-12-31', groupBy: 'organisation', minPersons: 1 });
    expect(figure(r, 'gesamt', ['closed']).value).toBe(0);
    expect(figure(r, 'gesamt', ['needs', 'language', 'rated']).value).toBe(0);
  });

  it('groups by the municipality the case was opened in', () => {
    const opened = events.find((e) => e.type === 'case_opened')!.data as { municipality: string };
    expect(typeof opened.municipality).toBe('string');
    const r = computeProgressReport({ caseEvents: events, ...PERIOD, groupBy: 'municipality', minPersons: 1 });
    expect(r.groups.map((g) => g.key)).toEqual([opened.municipality]);
    expect(figure(r, opened.municipality, ['closed']).value).toBe(4);
  });

  it('reads the events in their order by seq, whatever order they come in', () => {
    const inOrder = computeProgressReport({ caseEvents: events, ...PERIOD, groupBy: 'organisation', minPersons: 1 });
    const reversed = computeProgressReport({ caseEvents: [...events].reverse(), ...PERIOD, groupBy: 'organisation', minPersons: 1 });
    expect(reversed).toEqual(inOrder);
    expect(figure(reversed, 'gesamt', ['needs', 'language', 'improved']).value).toBe(3);
  });

  it('groups by age band and channel given per case, and by post of the organisation at closure', () => {
    const caseGroups = { a: { ageBand: '0-17', channel: 'jobcenter' }, b: { ageBand: '18-26', channel: 'jobcenter' }, c: { ageBand: '18-26', channel: 'abh' }, d: { ageBand: '27+', channel: 'jobcenter' } };
    const byAge = computeProgressReport({ caseEvents: events, ...PERIOD, groupBy: 'ageBand', caseGroups, minPersons: 1 });
    expect(['0-17', '18-26', '27+'].map((k) => figure(byAge, k, ['closed']).value)).toEqual([1, 2, 1]);
    const byChannel = computeProgressReport({ caseEvents: events, ...PERIOD, groupBy: 'channel', caseGroups, minPersons: 1 });
    expect(figure(byChannel, 'jobcenter', ['needs', 'language', 'improved']).value).toBe(3);
    const byPost = computeProgressReport({ caseEvents: events, ...PERIOD, groupBy: 'post', postOfOrganisation: { drk: 'provider' }, minPersons: 1 });
    expect(figure(byPost, 'provider', ['closed']).value).toBe(4);
  });
});

describe('target groups', () => {
  it('age bands: under 18, 18–26, 27 and older by default; configurable bounds', () => {
    expect(ageBands([18, 27])).toEqual([
      { key: '0-17', label: 'unter 18' },
      { key: '18-26', label: '18–26' },
      { key: '27+', label: '27 und älter' },
    ]);
    expect([17, 18, 26, 27, 80].map((a) => ageBandKey([18, 27], a))).toEqual(['0-17', '18-26', '18-26', '27+', '27+']);
    expect(ageBandKey([16, 21, 27], 20)).toBe('16-20');
    expect(['county', 'abh', 'provider', 'jobcenter', 'partner'].map(postOf)).toEqual(['county', 'county', 'provider', 'other', 'other']);
  });

  it('the controlling report groups every figure by age band, channel and post, counted from facts as from events', () => {
    // Three cases opened in 2025 by the DRK, one transferred to the county KIM team; contacts of each kind.
    const rows: Array<DomainEvent & { caseId: string; seq: number }> = [];
    const open = (caseId: string, source: 'jobcenter' | 'abh', extra: (d: CaseDriver) => void) => {
      const d = new CaseDriver();
      const created = createCase({ caseId, openedAt: d.now, openedBy: cmDrk.id, organisationId: 'drk', proposedProvider: { organisationId: 'drk', reason: 'x' }, municipality: 'Zülpich', source });
      d.c = created.next;
      d.events = [...created.events];
      extra(d);
      rows.push(...d.events.map((e, i) => ({ ...e, caseId, seq: i + 1 })));
    };
    open('a', 'jobcenter', (d) => d.do('record-contact', { kind: 'joint_first_appointment', date: '2025-03-03', durationMinutes: 90 }));
    open('b', 'jobcenter', (d) => d.do('record-contact', { kind: 'joint_first_appointment', date: '2025-03-03', durationMinutes: 60 }));
    open('c', 'abh', (d) => {
      d.do('record-contact', { kind: 'counselling', date: '2025-03-03', durationMinutes: 60 });
      const r = decide(d.c, { action: 'transfer', payload: { organisationId: 'kreis-kim', reason: 'Kreis-Stelle' } }, { now: d.advance(3).now, actor: coordinator, newId: d.newId });
      if (!r.ok) expect.fail(JSON.stringify(r.error));
      d.c = r.next;
      d.events.push(...r.events);
    });
    const caseGroups = { a: { ageBand: '18-26', channel: 'jobcenter' }, b: { ageBand: '27+', channel: 'jobcenter' }, c: { ageBand: '18-26', channel: 'abh' } };
    const postOfOrganisation = { drk: 'provider', 'kreis-kim': 'county' };
    for (const groupBy of ['ageBand', 'channel', 'post'] as const) {
      const input = { caseEvents: rows, ...PERIOD, groupBy, caseGroups, postOfOrganisation, minPersons: 1 };
      const report = computeControlling(input);
      expect(report, groupBy).toEqual(computeControllingFromEvents(input));
    }
    const at = (groupBy: 'ageBand' | 'channel' | 'post', key: string, path: string[]) =>
      figure(computeControlling({ caseEvents: rows, ...PERIOD, groupBy, caseGroups, postOfOrganisation, minPersons: 1 }), key, path).value;
    expect(at('channel', 'jobcenter', ['cases', 'opened'])).toBe(2);
    expect(at('channel', 'jobcenter', ['contacts', 'byKind', 'joint_first_appointment'])).toBe(2);
    expect(at('ageBand', '18-26', ['cases', 'opened'])).toBe(2);
    // Case c was active at DRK and then at the county: active at both posts, opened at the provider.
    expect(at('post', 'county', ['cases', 'active'])).toBe(1);
    expect(at('post', 'provider', ['cases', 'active'])).toBe(3);
    expect(at('post', 'provider', ['cases', 'opened'])).toBe(3);
  });
});
