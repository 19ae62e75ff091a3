// Issue 16, measured progress: success criteria at the assessment, ratings at each review and at the closure (process
// rules 7), the case's development read back from its events, and the contact kind "gemeinsamer Ersttermin".
import { describe, expect, it } from 'vitest';
import {
  anonymiseEvent,
  caseProgress,
  checkActionPayload,
  decide,
  parseActionPayload,
  progressChange,
  usesProgress,
  type DomainEvent,
} from '../../domain/index.js';
import { CaseDriver, cmDrk, goal, refusal, withConsents } from './helpers.js';

/** A case through the assessment (language high, housing high, work low) with two criteria agreed, goals agreed. */
function assessed(criteria = { successCriteria: ['language_b1', 'own_flat'], successCriteriaText: ['Führerschein'] }): CaseDriver {
  const d = new CaseDriver();
  withConsents(d);
  d.do('start-assessment');
  d.advance(7).do('complete-assessment', {
    lifeAreas: [
      { area: 'language', situation: 'A1', need: 'high' },
      { area: 'housing', situation: 'Gemeinschaftsunterkunft', need: 'high' },
      { area: 'work', situation: 'Minijob', need: 'low' },
    ],
    ...criteria,
  });
  d.advance(1).do('agree-goals', { goals: [goal()] });
  return d;
}

const ofType = (events: readonly DomainEvent[], type: string) => events.filter((e) => e.type === type);
const seqd = (events: readonly DomainEvent[]) => events.map((e, i) => ({ ...e, seq: i + 1 }));

describe('success criteria are fixed with the assessment', () => {
  it('keeps the listed ones and the own ones, by position, with an event that names no free text', () => {
    const d = assessed();
    expect(d.c.successCriteria).toEqual([
      { id: 'k1', code: 'language_b1' },
      { id: 'k2', code: 'own_flat' },
      { id: 'k3', code: 'other', text: 'Führerschein' },
    ]);
    const [agreed] = ofType(d.events, 'success_criteria_agreed');
    expect(agreed!.summary).toBe('Erfolgskriterien vereinbart: Sprachniveau B1 erreicht; Eigene Wohnung; 1 eigene(s)');
    // After the retention period the codes stay for the figures, the own text goes.
    expect(anonymiseEvent(agreed!).data).toEqual({ criteria: [{ id: 'k1', code: 'language_b1' }, { id: 'k2', code: 'own_flat' }, { id: 'k3', code: 'other' }] });
    expect(anonymiseEvent(agreed!).summary).toBe(agreed!.summary);
  });

  it('refuses more than ten criteria and a listed one twice, in the API schema and in the workflow twin alike', () => {
    const body = (successCriteria: string[], successCriteriaText: string[] = []) => ({
      lifeAreas: [{ area: 'language', situation: 'A1', need: 'high' }],
      successCriteria,
      successCriteriaText,
    });
    const tooMany = body(['language_b1', 'own_flat', 'employment', 'training'], ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    const twice = body(['own_flat', 'own_flat']);
    for (const input of [tooMany, twice]) {
      const zod = parseActionPayload('complete-assessment', input);
      const twin = checkActionPayload('complete-assessment', input);
      expect(zod.ok).toBe(false);
      expect(twin).toEqual(zod);
    }
    expect(checkActionPayload('complete-assessment', tooMany)).toEqual({ ok: false, fields: { successCriteriaText: 'Höchstens 10 Erfolgskriterien insgesamt' } });
    expect(checkActionPayload('complete-assessment', body(['unknown']))).toEqual(parseActionPayload('complete-assessment', body(['unknown'])));
  });
});

describe('each review re-rates the life areas and the criteria', () => {
  it('records the rating as its own event and keeps the workflow state free of it', () => {
    const d = assessed();
    for (let i = 0; i < 3; i++) {
      d.advance(90).do('start-review');
      d.do('complete-review', { outcome: 'continue', needs: { language: i === 0 ? 'high' : 'low', housing: 'high' }, criteria: { k1: 'partly', k2: 'not' } });
    }
    const rated = ofType(d.events, 'progress_rated');
    expect(rated).toHaveLength(3);
    expect(rated[2]!.data).toMatchObject({ occasion: 'review', needs: { language: 'low', housing: 'high' }, criteria: { k1: 'partly', k2: 'not' } });
    expect(rated[2]!.summary).toBe('Bewertung bei der Überprüfung: Sprache geringer Bedarf, Wohnen hoher Bedarf; Kriterium 1 teilweise erreicht, Kriterium 2 nicht erreicht');
    // Reviews themselves stay in the state as before; the ratings do not.
    expect(JSON.stringify(d.c)).not.toContain('partly');
    expect(JSON.stringify(d.c)).not.toContain('"criteria"');
  });

  it('refuses a rating of a criterion the case has not agreed', () => {
    const d = assessed();
    d.advance(90).do('start-review');
    const error = refusal(d.try('complete-review', { outcome: 'continue', criteria: { k7: 'reached' } }), 'validation_failed');
    expect(error.fields).toEqual({ 'criteria.k7': 'Dieses Erfolgskriterium wurde für den Fall nicht vereinbart' });
  });

  it('a review without a rating writes none', () => {
    const d = assessed();
    d.advance(90).do('start-review');
    expect(ofType(d.do('complete-review', { outcome: 'continue' }), 'progress_rated')).toEqual([]);
  });

  it('runs on rules 7 (recorded before) know nothing of it: no criteria, no rating, no new contact kind', () => {
    const d = new CaseDriver();
    withConsents(d);
    d.do('start-assessment');
    const ctx = { now: d.now, actor: cmDrk, newId: d.newId, rules: 7 as const };
    const r = decide(d.c, { action: 'complete-assessment', payload: { lifeAreas: [{ area: 'work', situation: 'x', need: 'low' }], successCriteria: ['employment'] } }, ctx);
    if (!r.ok) expect.fail(JSON.stringify(r.error));
    expect(r.next.successCriteria).toBeUndefined();
    expect(ofType(r.events, 'success_criteria_agreed')).toEqual([]);
    refusal(decide(r.next, { action: 'record-contact', payload: { kind: 'joint_first_appointment', date: '2025-03-03', durationMinutes: 60 } }, ctx), 'validation_failed');
  });
});

describe('a running case on older rules takes such a request with measured progress (the workflow lifts it, usesProgress)', () => {
  it('names exactly the requests with criteria, ratings or a joint first appointment', () => {
    expect(usesProgress('complete-assessment', { lifeAreas: [], successCriteria: ['own_flat'] })).toBe(true);
    expect(usesProgress('complete-assessment', { lifeAreas: [] })).toBe(false);
    expect(usesProgress('complete-review', { outcome: 'continue', needs: { work: 'low' } })).toBe(true);
    expect(usesProgress('complete-review', { outcome: 'continue' })).toBe(false);
    expect(usesProgress('request-closure', { reason: 'other', goalAttainment: 'partly', criteria: { k1: 'not' } })).toBe(true);
    expect(usesProgress('close', { reason: 'other', goalAttainment: 'partly' })).toBe(false);
    expect(usesProgress('record-contact', { kind: 'joint_first_appointment' })).toBe(true);
    expect(usesProgress('record-contact', { kind: 'phone' })).toBe(false);
    expect(usesProgress('refer', { needs: {} })).toBe(false);
    expect(usesProgress('complete-review', null)).toBe(false);
  });

  it('for those actions measured progress adds only its own parts', () => {
    const six = assessedOn(false);
    const seven = assessedOn(true);
    const strip = (events: readonly DomainEvent[]) => events.filter((e) => e.type !== 'success_criteria_agreed' && e.type !== 'progress_rated');
    expect(strip(seven.events)).toEqual(six.events);
    const { successCriteria: _criteria, ...rest } = seven.c;
    expect(rest).toEqual(six.c);
  });
});

/** The same requests decided on rules 7 without and with measured progress: assessment with criteria, a rated review that closes. */
function assessedOn(progress: boolean) {
  const d = new CaseDriver();
  withConsents(d);
  d.do('start-assessment');
  const run = (action: Parameters<typeof d.try>[0], payload: unknown) => {
    const r = decide(d.c, { action, payload }, { now: d.now, actor: cmDrk, newId: d.newId, rules: 7, progress });
    if (!r.ok) expect.fail(JSON.stringify(r.error));
    d.c = r.next;
    d.events.push(...r.events);
  };
  d.advance(7);
  run('complete-assessment', { lifeAreas: [{ area: 'work', situation: 'x', need: 'high' }], successCriteria: ['employment'] });
  run('agree-goals', { goals: [goal()] });
  d.advance(90);
  run('start-review', {});
  run('complete-review', { outcome: 'close', closureReason: 'goals_achieved', goalAttainment: 'achieved', needs: { work: 'low' }, criteria: { k1: 'reached' } });
  return d;
}

describe('the closure records the final rating', () => {
  it('a closing review, a closure request and a direct closure each rate as the closure', () => {
    const d = assessed();
    d.advance(90).do('start-review');
    d.do('complete-review', { outcome: 'close', closureReason: 'goals_achieved', goalAttainment: 'achieved', needs: { language: 'none' }, criteria: { k1: 'reached' } });
    const [rating] = ofType(d.events, 'progress_rated');
    expect(rating!.data).toMatchObject({ occasion: 'closure', needs: { language: 'none' }, criteria: { k1: 'reached' } });
    expect(rating!.summary).toMatch(/^Abschlussbewertung: Sprache kein Bedarf; Kriterium 1 erreicht$/);
  });

  it('the development reads start and end per area: only areas rated at both ends count', () => {
    const d = assessed();
    d.advance(90).do('start-review');
    d.do('complete-review', { outcome: 'continue', needs: { language: 'low' }, criteria: { k1: 'partly' } });
    d.advance(30).do('request-closure', { reason: 'goals_achieved', goalAttainment: 'partly', needs: { housing: 'none', work: 'high' }, criteria: { k2: 'reached' } });
    const progress = caseProgress(seqd(d.events));
    expect(progress.points.map((p) => p.occasion)).toEqual(['assessment', 'review', 'closure']);
    const change = progressChange(progress, d.now);
    expect(change.start).toEqual({ language: 'high', housing: 'high', work: 'low' });
    expect(change.end).toEqual({ language: 'low', housing: 'none', work: 'high' });
    expect(change.criteria).toEqual([
      { code: 'language_b1', rating: 'partly' },
      { code: 'own_flat', rating: 'reached' },
      { code: 'other', rating: null },
    ]);
  });
});

describe('gemeinsamer Ersttermin mit der zuweisenden Stelle', () => {
  it('is a contact kind; a case opened before it counts it from zero', () => {
    const d = new CaseDriver();
    // A case recorded before rules 7 has no count for the new kind.
    const { joint_first_appointment: _dropped, ...older } = d.c.contacts.byKind;
    d.c = { ...d.c, contacts: { ...d.c.contacts, byKind: older as typeof d.c.contacts.byKind } };
    d.do('record-contact', { kind: 'joint_first_appointment', date: '2025-03-03', durationMinutes: 60 });
    expect(d.c.contacts.byKind.joint_first_appointment).toBe(1);
    expect(d.c.contacts.count).toBe(1);
  });
});
