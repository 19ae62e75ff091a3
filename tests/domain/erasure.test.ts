// What stays of an event after the retention period (domain/erasure.ts): codes, ids, dates and counts; no free text.
import { describe, expect, it } from 'vitest';
import { anonymiseEvent, anonymisedBirthDate, DOMAIN_EVENT_TYPES } from '../../domain/index.js';

describe('anonymiseEvent', () => {
  it('removes free texts at any depth and keeps the codes the figures are made of', () => {
    const { data } = anonymiseEvent({
      type: 'goals_agreed',
      summary: '1 Ziel(e) vereinbart',
      data: { goals: [{ id: 'goal-1', title: 'Deutschkurs B1', measure: 'Anmeldung VHS', owner: 'Frau A.', dueDate: '2027-01-31', status: 'open' }] },
    });
    expect(data).toEqual({ goals: [{ id: 'goal-1', dueDate: '2027-01-31', status: 'open' }] });

    const assessed = anonymiseEvent({
      type: 'assessment_completed',
      summary: 'Assessment abgeschlossen (1 Lebensbereiche, 1 mit hohem Bedarf)',
      data: { lifeAreas: [{ area: 'health', situation: 'Diabetes, Klinik Mechernich', need: 'high' }], fromState: 'assessment', toState: 'goal_planning' },
    });
    expect(assessed.data).toEqual({ lifeAreas: [{ area: 'health', need: 'high' }], fromState: 'assessment', toState: 'goal_planning' });
    expect(assessed.summary).toBe('Assessment abgeschlossen (1 Lebensbereiche, 1 mit hohem Bedarf)');
  });

  it('keeps a closure reason code but drops reasons that are free text', () => {
    expect(anonymiseEvent({ type: 'case_closed', summary: 'Fall abgeschlossen: Weggezogen', data: { reason: 'moved_away', goalAttainment: 'partly', note: 'nach Köln' } }).data).toEqual({
      reason: 'moved_away',
      goalAttainment: 'partly',
    });
    const held = anonymiseEvent({ type: 'case_put_on_hold', summary: 'Fall pausiert: im Krankenhaus', data: { reason: 'im Krankenhaus' } });
    expect(held).toEqual({ summary: 'Fall pausiert (Begründung gelöscht)', data: {} });
  });

  it('replaces summaries that can hold free text, also of event types it does not know', () => {
    expect(anonymiseEvent({ type: 'goal_updated', summary: 'Ziel aktualisiert: Wohnung in Zülpich finden (achieved)', data: {} }).summary).toBe('Ziel aktualisiert (Inhalt gelöscht)');
    expect(anonymiseEvent({ type: 'consent_recorded', summary: 'Einwilligung erteilt: Weitergabe an Partner (Frau B., Tafel)', data: { partnerName: 'Frau B., Tafel', scope: 'share_with_partner' } })).toEqual({
      summary: 'Einwilligung erfasst (Inhalt gelöscht)',
      data: { scope: 'share_with_partner' },
    });
    expect(anonymiseEvent({ type: 'something_new', summary: 'Text mit Namen', data: {} }).summary).toBe('Eintrag (Inhalt gelöscht)');
    // Summaries made of codes and dates only stay, so the history still reads as a history.
    expect(anonymiseEvent({ type: 'deadline_set', summary: 'Frist gesetzt: Zielvereinbarung (fällig 07.01.2027)', data: {} }).summary).toBe(
      'Frist gesetzt: Zielvereinbarung (fällig 07.01.2027)',
    );
  });

  it('has an explicit decision for every event type of the domain (kept, or a label of its own)', () => {
    const undecided = DOMAIN_EVENT_TYPES.filter((type) => anonymiseEvent({ type, summary: 'X', data: {} }).summary === 'Eintrag (Inhalt gelöscht)');
    expect(undecided).toEqual([]);
  });
});

describe('anonymiseEvent with unusual data', () => {
  it('keeps numbers, booleans and nulls, and makes data that is no object an empty object', () => {
    expect(anonymiseEvent({ type: 'contact_recorded', summary: 'x', data: { durationMinutes: 45, online: false, assigneeId: null, tags: [1, 'a'] } }).data).toEqual({
      durationMinutes: 45,
      online: false,
      assigneeId: null,
      tags: [1, 'a'],
    });
    for (const data of [['Frau A.'], 'Frau A.', 7, null, undefined]) {
      expect(anonymiseEvent({ type: 'contact_recorded', summary: 'x', data }).data, JSON.stringify(data)).toEqual({});
    }
  });
});

describe('anonymisedBirthDate', () => {
  it('keeps the year only', () => {
    expect(anonymisedBirthDate(new Date('1990-07-14')).toISOString().slice(0, 10)).toBe('1990-01-01');
  });
});
