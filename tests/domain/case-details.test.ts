// Details of the case decisions that mutation testing found unguarded: what the events carry, which deadline a
// reopened case gets back, what a withdrawn consent or a closure does to open referrals, when a goal's date may lie
// in the past, and what is kept of outcomes and reviews.
import { describe, expect, it } from 'vitest';
import { CaseDriver, cmDrk, cmEifel, coordinator, goal, toGoalPlanning, withConsents } from './helpers.js';

const dataOf = (d: CaseDriver, type: string) => d.events.filter((e) => e.type === type).map((e) => e.data);

describe('what the events carry', () => {
  it('names the organisations, people, consents and reasons involved', () => {
    const d = new CaseDriver();
    const share = withConsents(d);
    d.do('confirm-provider', { organisationId: 'drk' });
    d.do('put-on-hold', { reason: 'Reha' });
    d.advance(4).do('resume', { note: 'zurück' });
    d.do('withdraw-consent', { consentId: share });
    d.do('assign', { assigneeId: 'u-other' }, coordinator);
    d.do('confirm-provider', { organisationId: 'kja', overrideReason: '19 Jahre' }, coordinator);
    d.do('transfer', { organisationId: 'caritas-eifel', assigneeId: cmEifel.id, reason: 'Umzug' }, coordinator);

    expect(dataOf(d, 'consent_recorded')[1]).toMatchObject({ scope: 'share_with_partner', decision: 'given', partnerName: 'Schuldnerberatung Euskirchen' });
    expect(d.c.consents[1]).toMatchObject({ partnerName: 'Schuldnerberatung Euskirchen', purpose: 'Vermittlung Schuldnerberatung' });
    expect(dataOf(d, 'provider_confirmed')).toEqual([expect.objectContaining({ organisationId: 'drk', previousOrganisationId: 'drk' })]);
    expect(dataOf(d, 'provider_overridden')).toEqual([expect.objectContaining({ organisationId: 'kja', overrideReason: '19 Jahre' })]);
    expect(d.c.providerConfirmation).toMatchObject({ organisationId: 'kja', overrideReason: '19 Jahre' });
    expect(dataOf(d, 'case_assigned')).toEqual([{ assigneeId: 'u-other', previousAssigneeId: cmDrk.id }]);
    expect(dataOf(d, 'case_put_on_hold')).toEqual([{ reason: 'Reha' }]);
    expect(dataOf(d, 'case_resumed')).toEqual([expect.objectContaining({ since: '2025-03-03T09:00:00.000Z', note: 'zurück' })]);
    expect(dataOf(d, 'consent_withdrawn')).toEqual([{ consentId: share, scope: 'share_with_partner' }]);
    expect(dataOf(d, 'case_transferred')).toEqual([
      expect.objectContaining({ fromOrganisationId: 'kja', toOrganisationId: 'caritas-eifel', reason: 'Umzug' }),
    ]);
    expect(d.c).toMatchObject({ organisationId: 'caritas-eifel', assigneeId: cmEifel.id, onHold: false });
    expect(d.c.hold).toBeUndefined();
  });

  it('keeps the assignee on a transfer without a new one, and a refused consent reads as refused', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'refused' });
    expect(d.events.at(-1)?.summary).toBe('Einwilligung verweigert: Datenverarbeitung');
    d.do('record-consent', { scope: 'share_with_partner', decision: 'given', partnerOrganisationId: 'caritas-eifel', purpose: 'Beratung' });
    expect(d.events.at(-1)?.summary).toBe('Einwilligung erteilt: Weitergabe an Partner (Caritas Eifel)');
    expect(d.c.consents[1]).toMatchObject({ partnerOrganisationId: 'caritas-eifel' });
    d.do('transfer', { organisationId: 'kja', reason: 'Alter' }, coordinator);
    expect(d.c.assigneeId).toBeUndefined(); // the DRK assignee does not belong to KJA
  });
});

describe('reopen', () => {
  it('gives a case closed in assessment its assessment deadline back, and one closed in goal planning its goal agreement', () => {
    const inAssessment = new CaseDriver();
    inAssessment.do('record-consent', { scope: 'data_processing', decision: 'given' });
    inAssessment.do('start-assessment');
    inAssessment.do('close', { reason: 'no_contact', goalAttainment: 'not_achieved' }, coordinator);
    inAssessment.advance(5).do('reopen', { reason: 'wieder da' });
    expect(inAssessment.c.state).toBe('assessment');
    // Reopened on 08.03. + 28 days for the assessment.
    expect(inAssessment.deadline('assessment_completion')).toMatchObject({ status: 'open', dueAt: '2025-04-05T09:00:00.000Z' });
    expect(inAssessment.deadline('goal_agreement')).toBeUndefined();

    const inPlanning = new CaseDriver();
    withConsents(inPlanning);
    toGoalPlanning(inPlanning);
    inPlanning.do('close', { reason: 'no_contact', goalAttainment: 'not_achieved' }, coordinator);
    inPlanning.advance(5).do('reopen', { reason: 'wieder da' });
    expect(inPlanning.c.state).toBe('goal_planning');
    expect(inPlanning.deadline('goal_agreement')).toMatchObject({ status: 'open' });
    expect(inPlanning.deadline('assessment_completion')).toBeUndefined();
    expect(inPlanning.c.reopenings[0]).toMatchObject({ reason: 'wieder da', toState: 'goal_planning', by: cmDrk.id });
  });
});

describe('referrals, consents and closure', () => {
  it('a withdrawn sharing consent stops the referrals made with it, and only those', () => {
    const d = new CaseDriver();
    const share = withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    d.do('refer', { service: 'Schuldnerberatung', consentId: share });
    d.do('refer', { service: 'Sprachkurs' });
    d.do('withdraw-consent', { consentId: share });
    expect(d.c.referrals.map((r) => [r.service, r.status])).toEqual([
      ['Schuldnerberatung', 'stopped'],
      ['Sprachkurs', 'sent'],
    ]);
    expect(dataOf(d, 'referral_stopped')).toEqual([expect.objectContaining({ service: 'Schuldnerberatung' })]);
  });

  it('closing stops waiting referrals; accepted and finished ones keep their outcome (rules of version 6)', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    d.do('refer', { service: 'A' });
    d.do('refer', { service: 'B' });
    d.do('refer', { service: 'C' });
    d.do('record-referral-outcome', { referralId: d.c.referrals[1]!.id, outcome: 'accepted' });
    d.do('record-referral-outcome', { referralId: d.c.referrals[2]!.id, outcome: 'declined', reason: 'kein Platz' });
    d.do('close', { reason: 'moved_away', goalAttainment: 'partly' }, coordinator);
    expect(d.c.referrals.map((r) => [r.service, r.status, r.reason])).toEqual([
      ['A', 'stopped', 'Fall abgeschlossen'],
      ['B', 'accepted', undefined],
      ['C', 'declined', 'kein Platz'],
    ]);
  });

  it('a first closure request replaces nothing; a second says it replaces the first', () => {
    const d = new CaseDriver();
    const requested = () => d.events.filter((e) => e.type === 'closure_requested').at(-1)?.summary;
    d.do('request-closure', { reason: 'moved_away', goalAttainment: 'partly', note: 'nach Köln' });
    expect(requested()).toBe('Abschluss beantragt: Weggezogen');
    expect(d.c.closureRequest).toMatchObject({ reason: 'moved_away', note: 'nach Köln' });
    d.do('request-closure', { reason: 'client_request', goalAttainment: 'partly' });
    expect(requested()).toMatch(/^Abschluss beantragt \(ersetzt früheren Antrag\)/);
    expect(d.c.closureRequest?.note).toBeUndefined();
  });
});

describe('goals and reviews', () => {
  it('a goal may keep a date in the past when only its status changes', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal('Kurs', '2025-04-01')] });
    const id = d.c.goals[0]!.id;
    d.advance(60);
    d.do('update-goal', { goalId: id, status: 'achieved', dueDate: '2025-04-01' });
    expect(d.c.goals[0]).toMatchObject({ status: 'achieved', dueDate: '2025-04-01' });
    expect(d.events.at(-1)?.summary ?? '').not.toContain('neuer Termin');
    // Only an open goal moved into the past is refused; today is not the past.
    d.do('update-goal', { goalId: id, status: 'open', dueDate: d.now.slice(0, 10) });
    expect(d.c.goals[0]!.dueDate).toBe(d.now.slice(0, 10));
  });

  it('a review keeps its notes and returns to the phase it interrupted', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    d.do('start-review');
    expect(d.c.reviews[0]).toMatchObject({ returnTo: 'goal_planning', startedBy: cmDrk.id });
    d.do('complete-review', { outcome: 'continue', notes: 'läuft gut' });
    expect(d.c.state).toBe('goal_planning');
    expect(d.c.reviews[0]).toMatchObject({ notes: 'läuft gut', outcome: 'continue', completedAt: d.now });
    d.do('refer', { service: 'X' });
    d.do('start-review');
    d.do('complete-review', { outcome: 'continue' });
    expect(d.c.state).toBe('referral');
    expect(d.c.reviews).toHaveLength(2);
  });
});
