// What a case workflow keeps and what a record writes (domain/case-compact.ts), on a case worked by the real domain:
// resolved deadlines leave the workflow state, and a batch writes exactly the deadlines and consents it changed.
import { describe, expect, it } from 'vitest';
import { changedConsents, changedDeadlines, compactCase } from '../../domain/case-compact.js';
import { CaseDriver, toGoalPlanning, withConsents } from './helpers.js';

describe('compactCase', () => {
  it('drops met and cancelled deadlines, keeps pending ones and everything else, and leaves its input alone', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    const statuses = new Set(d.c.deadlines.map((x) => x.status));
    expect(statuses.has('met')).toBe(true);
    const before = JSON.stringify(d.c);
    const compact = compactCase(d.c);
    expect(compact.deadlines.length).toBeGreaterThan(0);
    expect(compact.deadlines.every((x) => x.status !== 'met' && x.status !== 'cancelled')).toBe(true);
    expect(compact.deadlines).toEqual(d.c.deadlines.filter((x) => x.status !== 'met' && x.status !== 'cancelled'));
    expect({ ...compact, deadlines: [] }).toEqual({ ...d.c, deadlines: [] });
    expect(JSON.stringify(d.c)).toBe(before);
  });
});

describe('changedDeadlines / changedConsents', () => {
  it('name exactly what an action armed, met or changed — nothing for an action that changed none', () => {
    const d = new CaseDriver();
    const opened = d.c;
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    expect(changedConsents(opened.consents, d.c.consents).map((k) => k.scope)).toEqual(['data_processing']);
    expect(changedDeadlines(opened.deadlines, d.c.deadlines)).toEqual([]);

    const consented = d.c;
    d.do('start-assessment');
    const changed = changedDeadlines(consented.deadlines, d.c.deadlines);
    expect(changed.map((x) => [x.kind, x.status]).sort()).toEqual([
      ['assessment_completion', 'open'],
      ['first_assessment', 'met'],
    ]);
    expect(changedConsents(consented.consents, d.c.consents)).toEqual([]);

    // The same list twice: nothing changed; a list from nothing: everything is new.
    expect(changedDeadlines(d.c.deadlines, d.c.deadlines)).toEqual([]);
    expect(changedDeadlines([], d.c.deadlines)).toEqual(d.c.deadlines);
    expect(changedConsents([], d.c.consents)).toEqual(d.c.consents);
  });

  it('sees a change of any field of a deadline or consent with the same id', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    const [deadline] = d.c.deadlines;
    const [consent] = d.c.consents;
    expect(changedDeadlines([deadline!], [{ ...deadline!, dueAt: '2030-01-01T00:00:00.000Z' }])).toHaveLength(1);
    expect(changedDeadlines([deadline!], [{ ...deadline! }])).toEqual([]);
    expect(changedConsents([consent!], [{ ...consent!, withdrawnAt: '2030-01-01T00:00:00.000Z' }])).toHaveLength(1);
    expect(changedConsents([consent!], [{ ...consent! }])).toEqual([]);
  });
});
