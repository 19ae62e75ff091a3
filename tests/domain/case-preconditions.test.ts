import { describe, expect, it } from 'vitest';
import { decide, defaultCaseSettings, type Actor } from '../../domain/index.js';
import { CaseDriver, admin, refusal, cmDrk, cmEifel, coordinator, counsellor, goal, toGoalPlanning, withConsents } from './helpers.js';

describe('preconditions', () => {
  it('start-assessment without data-processing consent is refused with a reason', () => {
    const d = new CaseDriver();
    const r = d.try('start-assessment');
    const error = refusal(r, 'transition_not_allowed');
    expect(error.message).toMatch(/Einwilligung in die Datenverarbeitung/);
    expect(error.allowed).not.toContain('start-assessment');
  });

  it('a refused consent does not count', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'refused' });
    expect(d.try('start-assessment').ok).toBe(false);
  });

  it('a withdrawn consent does not count', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    const consentId = d.c.consents[0]!.id;
    d.do('withdraw-consent', { consentId });
    expect(d.c.consents[0]!.withdrawnAt).toBe(d.now);
    expect(d.try('start-assessment').ok).toBe(false);
    // and it cannot be withdrawn twice
    const again = d.try('withdraw-consent', { consentId });
    expect(again.ok).toBe(false);
  });

  it('approve-closure by a case manager is forbidden; by a coordinator it closes', () => {
    const d = new CaseDriver();
    d.do('request-closure', { reason: 'moved_away', goalAttainment: 'not_achieved' });
    const r = d.try('approve-closure', {}, cmDrk);
    refusal(r, 'forbidden');
    d.do('approve-closure', {}, coordinator);
    expect(d.c.state).toBe('closed');
    expect(d.c.closure).toMatchObject({ reason: 'moved_away', approvedBy: coordinator.id, requestedBy: cmDrk.id });
  });

  it('approve-closure without a request is refused', () => {
    const d = new CaseDriver();
    const r = d.try('approve-closure', {}, coordinator);
    refusal(r, 'transition_not_allowed');
  });

  it('close by a case manager needs approval by default, but not when approval is switched off', () => {
    const d = new CaseDriver();
    const r = d.try('close', { reason: 'client_request', goalAttainment: 'partly' });
    expect(refusal(r, 'forbidden').message).toMatch(/Abschluss beantragen/);
    const lax = new CaseDriver({ ...defaultCaseSettings, closureNeedsApproval: false });
    lax.do('close', { reason: 'client_request', goalAttainment: 'partly' });
    expect(lax.c.state).toBe('closed');
  });

  it('complete-review with outcome close files a request for a case manager, closes for a coordinator', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    d.do('start-review');
    d.do('complete-review', { outcome: 'close', closureReason: 'goals_achieved', goalAttainment: 'achieved' });
    expect(d.c.state).toBe('goal_planning');
    expect(d.c.closureRequest).toMatchObject({ reason: 'goals_achieved', requestedBy: cmDrk.id });
    d.do('start-review');
    d.do('complete-review', { outcome: 'close', closureReason: 'goals_achieved', goalAttainment: 'achieved' }, coordinator);
    expect(d.c.state).toBe('closed');
  });

  it('admins are forbidden any case action', () => {
    const d = new CaseDriver();
    for (const action of ['record-contact', 'assign', 'reopen'] as const) {
      const r = d.try(action, {}, admin);
      refusal(r, 'forbidden');
    }
  });

  it('a case manager of another organisation is forbidden (before any state information is revealed)', () => {
    const d = new CaseDriver();
    const r = d.try('reopen', { reason: 'x' }, cmEifel); // reopen is also not allowed in intake
    refusal(r, 'forbidden');
  });

  it('an ABH counsellor works only on cases held by the ABH', () => {
    const d = new CaseDriver();
    const r = d.try('record-contact', { kind: 'phone', date: d.now, durationMinutes: 5 }, counsellor);
    expect(r.ok).toBe(false);
    d.do('transfer', { organisationId: 'abh', reason: 'Fallbegleitung in der ABH' }, coordinator);
    d.do('record-contact', { kind: 'phone', date: d.now, durationMinutes: 5 }, counsellor);
  });

  it('reopen within the window works, after the window it is refused', () => {
    const d = new CaseDriver();
    d.do('close', { reason: 'no_contact', goalAttainment: 'not_achieved' }, coordinator);
    const closedAt = d.now;
    d.advance(90);
    const ok = d.try('reopen', { reason: 'Person meldet sich wieder' });
    expect(ok.ok).toBe(true);
    d.advance(1);
    const late = d.try('reopen', { reason: 'Person meldet sich wieder' });
    const lateError = refusal(late, 'transition_not_allowed');
    expect(lateError.message).toMatch(/90 Tage/);
    expect(lateError.allowed).toEqual([]); // no consent to withdraw, window over
    expect(closedAt).toBe('2025-03-03T09:00:00.000Z');
  });

  it('reopen without goals returns to the phase the case was closed in and re-arms its deadline', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    d.do('close', { reason: 'no_contact', goalAttainment: 'not_achieved' }, coordinator);
    d.advance(10).do('reopen', { reason: 'wieder erreichbar' });
    expect(d.c.state).toBe('intake');
    expect(d.c.closure).toBeUndefined();
    expect(d.c.reopenings).toHaveLength(1);
    expect(d.deadline('first_assessment')?.status).toBe('open');
    expect(d.deadline('no_contact')?.dueAt).toBe('2025-05-08T09:00:00.000Z'); // reopened 13.03. + 56 d
    expect(d.deadlines('retention').at(-1)?.status).toBe('cancelled');
  });

  it('confirm-provider needs an overrideReason when it deviates from the proposal', () => {
    const d = new CaseDriver();
    const r = d.try('confirm-provider', { organisationId: 'kja' });
    expect(Object.keys(refusal(r, 'validation_failed').fields)).toEqual(['overrideReason']);
    d.do('confirm-provider', { organisationId: 'kja', overrideReason: '19 Jahre, bereits im Jugendmigrationsdienst' });
    expect(d.c).toMatchObject({ organisationId: 'kja', providerConfirmed: true });
    expect(d.c.providerConfirmation?.overrideReason).toMatch(/Jugendmigrationsdienst/);
    expect(d.c.assigneeId).toBeUndefined(); // the DRK assignee does not belong to KJA
    expect(d.events.at(-1)?.type).toBe('provider_overridden');
  });

  it('confirm-provider accepting the proposal needs no reason and keeps the assignee', () => {
    const d = new CaseDriver();
    d.do('confirm-provider', { organisationId: 'drk' });
    expect(d.c).toMatchObject({ organisationId: 'drk', providerConfirmed: true, assigneeId: cmDrk.id });
    expect(d.events.at(-1)?.type).toBe('provider_confirmed');
  });

  it('refer with a consent that is not a sharing consent is a field error', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    const dp = d.c.consents.find((k) => k.scope === 'data_processing')!.id;
    const r = d.try('refer', { service: 'Jobcenter', consentId: dp });
    expect(refusal(r, 'validation_failed').fields.consentId).toMatch(/Weitergabe/);
  });

  it('transfer moves the case; the old organisation loses access', () => {
    const d = new CaseDriver();
    d.do('transfer', { organisationId: 'caritas-eifel', assigneeId: cmEifel.id, reason: 'Umzug nach Mechernich' });
    expect(d.c).toMatchObject({ organisationId: 'caritas-eifel', assigneeId: cmEifel.id });
    const r = d.try('record-contact', { kind: 'phone', date: d.now, durationMinutes: 5 }, cmDrk);
    refusal(r, 'forbidden');
    const same = d.try('transfer', { organisationId: 'caritas-eifel', reason: 'x' }, cmEifel);
    expect(same.ok).toBe(false);
  });

  it('unknown organisations are rejected when the caller passes the known list', () => {
    const d = new CaseDriver();
    const actor: Actor = coordinator;
    const r = decide(d.c, { action: 'transfer', payload: { organisationId: 'nope', reason: 'x' } }, {
      now: d.now,
      actor,
      newId: d.newId,
      knownOrganisationIds: ['drk', 'kja'],
    });
    expect(refusal(r, 'validation_failed').fields.organisationId).toBe('Unbekannte Organisation');
  });

  it('an unknown action name is a validation error, not a crash', () => {
    const d = new CaseDriver();
    const r = decide(d.c, { action: 'explode' as never }, { now: d.now, actor: coordinator, newId: d.newId });
    expect(r.ok).toBe(false);
  });
});

describe('full path', () => {
  it('intake → assessment → goal planning → referral → review → closed, with history', () => {
    const d = new CaseDriver();
    const share = withConsents(d);
    toGoalPlanning(d);
    d.advance(5).do('agree-goals', { goals: [goal(), goal('Schulden regulieren', '2026-03-31')] });
    d.advance(2).do('refer', { service: 'Schuldnerberatung', partnerName: 'SKM', consentId: share });
    d.advance(10).do('record-referral-outcome', { referralId: d.c.referrals[0]!.id, outcome: 'accepted' });
    d.advance(30).do('start-review');
    d.do('complete-review', { outcome: 'continue', notes: 'läuft' });
    expect(d.c.state).toBe('referral');
    d.do('update-goal', { goalId: d.c.goals[0]!.id, status: 'achieved' });
    d.do('request-closure', { reason: 'goals_achieved', goalAttainment: 'partly' });
    d.do('approve-closure', {}, coordinator);
    expect(d.c.state).toBe('closed');
    const types = d.events.map((e) => e.type);
    expect(types[0]).toBe('case_opened');
    expect(types).toEqual(expect.arrayContaining([
      'assessment_started', 'assessment_completed', 'goals_agreed', 'referral_sent', 'referral_outcome_recorded',
      'review_started', 'review_completed', 'goal_updated', 'closure_requested', 'closure_approved', 'case_closed',
      'deadline_set', 'deadline_met', 'deadline_cancelled',
    ]));
    // Every deadline is resolved except retention, which runs 3 years.
    const live = d.c.deadlines.filter((x) => !['met', 'cancelled'].includes(x.status));
    expect(live.map((x) => [x.kind, x.dueAt])).toEqual([['retention', '2028-04-26T09:00:00.000Z']]);
    expect(JSON.parse(JSON.stringify(d.c))).toEqual(d.c); // JSON-serialisable
  });
});
