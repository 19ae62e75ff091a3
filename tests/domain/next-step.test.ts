// Where a case stands (domain/next-step.ts): the next step per phase and pending state, what is pending, the steps
// done, which actions the page offers, and the feedback after an action.
import { describe, expect, it } from 'vitest';
import { actionFeedback, allowedActions, caseStandings, doneSteps, nextStep, offeredActions, type Actor } from '../../domain/index.js';
import { CaseDriver, cmDrk, coordinator, goal, toGoalPlanning, withConsents } from './helpers.js';

const allowed = (d: CaseDriver, actor: Actor = cmDrk) => allowedActions(d.c, actor, { now: d.now });
const next = (d: CaseDriver, actor: Actor = cmDrk) => nextStep(d.c, actor === coordinator ? 'coordination' : 'worker', allowed(d, actor));
const kinds = (d: CaseDriver) => caseStandings(d.c, d.now).map((s) => s.kind);

describe('the next step', () => {
  it('intake: provider, then consent, then the assessment', () => {
    const d = new CaseDriver();
    expect(next(d)).toEqual({ text: 'Träger bestätigen, dann Einwilligung erfassen', action: 'confirm-provider' });
    d.do('confirm-provider', { organisationId: 'drk' });
    expect(next(d)).toEqual({ text: 'Einwilligung erfassen, dann Assessment beginnen', action: 'record-consent' });
    expect(kinds(d)).toEqual(['consent_missing']);
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    expect(next(d)).toEqual({ text: 'Assessment beginnen', action: 'start-assessment' });
    expect(kinds(d)).toEqual([]);
  });

  it('with consent but an unconfirmed provider: confirm, then the assessment', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    expect(next(d)).toEqual({ text: 'Träger bestätigen, dann Assessment beginnen', action: 'confirm-provider' });
  });

  it('a refused or withdrawn consent is named', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'refused' });
    expect(caseStandings(d.c, d.now).map((s) => s.text)).toEqual(['Einwilligung zur Datenverarbeitung verweigert']);
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    const id = d.c.consents.find((k) => k.decision === 'given')!.id;
    d.do('withdraw-consent', { consentId: id });
    expect(caseStandings(d.c, d.now).map((s) => s.text)).toEqual(['Einwilligung zur Datenverarbeitung widerrufen']);
  });

  it('assessment, goal planning, referral and review', () => {
    const d = new CaseDriver();
    const share = withConsents(d);
    d.do('start-assessment');
    expect(next(d)).toEqual({ text: 'Lebensbereiche bewerten und Assessment abschließen', action: 'complete-assessment' });
    d.advance(3).do('complete-assessment', { lifeAreas: [{ area: 'work', situation: 'x', need: 'high' }] });
    expect(next(d)).toEqual({ text: 'Ziele mit der Person vereinbaren', action: 'agree-goals' });
    d.do('agree-goals', { goals: [goal()] });
    expect(next(d)).toEqual({ text: 'An ein Angebot vermitteln oder die Überprüfung beginnen', action: 'refer' });
    d.do('refer', { service: 'Schuldnerberatung', consentId: share });
    expect(next(d)?.action).toBe('record-referral-outcome');
    d.do('record-referral-outcome', { referralId: d.c.referrals[0]!.id, outcome: 'accepted' });
    expect(next(d)).toEqual({ text: 'Überprüfung beginnen', action: 'start-review' });
    d.do('start-review');
    expect(next(d)).toEqual({ text: 'Überprüfung mit der Person abschließen', action: 'complete-review' });
  });

  it('a hold comes first: resume', () => {
    const d = new CaseDriver();
    withConsents(d);
    d.do('put-on-hold', { reason: 'nicht erreichbar' });
    expect(next(d)).toEqual({ text: 'Fall fortsetzen, sobald die Person wieder erreichbar ist', action: 'resume' });
    expect(kinds(d)).toEqual(['hold']);
  });

  it('a closure request waits for coordination; coordination is asked to decide', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('request-closure', { reason: 'goals_achieved', goalAttainment: 'achieved' });
    expect(next(d)).toEqual({ text: 'Freigabe des Abschlussantrags durch die KIM-Koordination abwarten (oder den Antrag zurückziehen)' });
    expect(next(d, coordinator)).toEqual({ text: 'Abschlussantrag prüfen: freigeben oder mit Begründung zurückgeben', action: 'approve-closure' });
    const standing = caseStandings(d.c, d.now);
    expect(standing[0]).toMatchObject({ kind: 'closure_request' });
    expect(standing[0]!.text).toMatch(/^Abschluss beantragt am \d\d\.\d\d\.\d{4} \(Ziele erreicht, Ziele erreicht\)/);
    d.do('return-closure', { reason: 'Bitte Kontakt dokumentieren' }, coordinator);
    expect(caseStandings(d.c, d.now)[0]!.text).toMatch(/zurückgegeben: Bitte Kontakt dokumentieren$/);
  });

  it('a closed case has no next step', () => {
    const d = new CaseDriver();
    d.do('close', { reason: 'moved_away', goalAttainment: 'not_achieved' }, coordinator);
    expect(next(d, coordinator)).toBeNull();
    expect(kinds(d)).toEqual(['closed']);
  });

  it('overdue deadlines are counted', () => {
    const d = new CaseDriver();
    d.advance(20);
    expect(caseStandings(d.c, d.now).find((s) => s.kind === 'overdue')?.text).toBe('1 Frist überfällig');
  });
});

describe('the assessment draft', () => {
  it('is kept with the case, named in the next step, not a form of its own, and dropped on completion', () => {
    const d = new CaseDriver();
    withConsents(d);
    d.do('start-assessment');
    const events = d.do('save-assessment-draft', { lifeAreas: [{ area: 'language', situation: 'A1' }, { area: 'work', need: 'low' }] });
    expect(events.map((e) => e.summary)).toEqual(['Assessment-Entwurf gespeichert (2 Lebensbereiche)']);
    expect(d.c.state).toBe('assessment');
    expect(d.c.assessment?.draft).toEqual({ lifeAreas: [{ area: 'language', situation: 'A1' }, { area: 'work', need: 'low' }], savedAt: d.now, savedBy: cmDrk.id });
    expect(d.deadline('assessment_completion')?.status).toBe('open');
    expect(next(d)).toEqual({ text: 'Entwurf vom 03.03.2025 vervollständigen und Assessment abschließen', action: 'complete-assessment' });
    expect(allowed(d)).toContain('save-assessment-draft');
    expect(offeredActions(d.c, allowed(d), next(d))).not.toContain('save-assessment-draft');
    d.do('complete-assessment', { lifeAreas: [{ area: 'language', situation: 'A1', need: 'high' }] });
    expect(d.c.assessment?.draft).toBeUndefined();
    expect(d.try('save-assessment-draft', { lifeAreas: [] }).ok).toBe(false);
  });
});

describe('the actions offered', () => {
  it('"Träger bestätigen" is not offered once done; the next step comes first', () => {
    const d = new CaseDriver();
    expect(offeredActions(d.c, allowed(d), next(d))[0]).toBe('confirm-provider');
    d.do('confirm-provider', { organisationId: 'drk' });
    expect(allowed(d)).toContain('confirm-provider'); // the domain still allows a correction …
    const offered = offeredActions(d.c, allowed(d), next(d));
    expect(offered).not.toContain('confirm-provider'); // … the page does not offer it again
    expect(offered[0]).toBe('record-consent');
  });
});

describe('the steps done', () => {
  it('lists what happened, oldest first, with the German day', () => {
    const d = new CaseDriver();
    withConsents(d);
    d.advance(1).do('confirm-provider', { organisationId: 'drk' });
    toGoalPlanning(d);
    expect(doneSteps(d.c)).toEqual([
      'Fall eröffnet am 03.03.2025',
      'Einwilligung (Datenverarbeitung) erteilt am 03.03.2025',
      'Einwilligung (Weitergabe an Schuldnerberatung Euskirchen) erteilt am 03.03.2025',
      'Träger bestätigt am 04.03.2025',
      'Assessment begonnen am 04.03.2025',
      'Assessment abgeschlossen am 11.03.2025',
    ]);
  });
});

describe('feedback after an action', () => {
  it('says what was done and which deadlines changed', () => {
    const d = new CaseDriver();
    withConsents(d);
    d.do('start-assessment');
    const events = d.advance(2).do('complete-assessment', { lifeAreas: [{ area: 'work', situation: 'x', need: 'high' }] });
    expect(actionFeedback(events, 'fallback')).toEqual({
      headline: 'Assessment abgeschlossen (1 Lebensbereiche, 1 mit hohem Bedarf)',
      changes: ['Erledigt: Abschluss des Assessments (fällig 31.03.2025)', 'Neue Frist: Zielvereinbarung (fällig 19.03.2025)'],
    });
  });

  it('counts deadlines that rest or run again, and falls back to the action without events', () => {
    const d = new CaseDriver();
    const held = d.do('put-on-hold', { reason: 'Krankenhaus' });
    expect(actionFeedback(held, 'x')).toEqual({ headline: 'Fall pausiert: Krankenhaus', changes: ['2 Fristen ruhen jetzt'] });
    expect(actionFeedback([], '„Fortsetzen“ ist erledigt.')).toEqual({ headline: '„Fortsetzen“ ist erledigt.', changes: [] });
  });
});
