// The case header's words in detail (domain/next-step.ts), beyond next-step.test.ts: every kind of step done, each
// pending line with its exact text, the overdue edge (due exactly now is not overdue), the order of offered actions
// and feedback lines for deadlines that run again.
import { describe, expect, it } from 'vitest';
import {
  actionFeedback,
  caseStanding,
  caseStandings,
  createCase,
  doneSteps,
  nextStep,
  offeredActions,
  type CaseData,
} from '../../domain/index.js';
import { CaseDriver, T0, cmDrk, coordinator, goal, toGoalPlanning, withConsents } from './helpers.js';

function throughReview(): CaseDriver {
  const d = new CaseDriver();
  const share = withConsents(d);
  toGoalPlanning(d);
  d.advance(1).do('agree-goals', { goals: [goal('Deutschkurs B1'), goal('Wohnung finden')] });
  d.advance(1).do('agree-goals', { goals: [goal('Schulden ordnen')] });
  d.advance(1).do('refer', { service: 'Schuldnerberatung', consentId: share });
  d.advance(1).do('start-review');
  d.advance(1).do('complete-review', { outcome: 'continue' });
  return d;
}

describe('steps done', () => {
  it('goals agreed together are one step, counted; referrals and completed reviews each a step', () => {
    expect(doneSteps(throughReview().c)).toEqual([
      'Fall eröffnet am 03.03.2025',
      'Einwilligung (Datenverarbeitung) erteilt am 03.03.2025',
      'Einwilligung (Weitergabe an Schuldnerberatung Euskirchen) erteilt am 03.03.2025',
      'Assessment begonnen am 03.03.2025',
      'Assessment abgeschlossen am 10.03.2025',
      '2 Ziele vereinbart am 11.03.2025',
      '1 Ziel vereinbart am 12.03.2025',
      'Vermittelt an Schuldnerberatung am 13.03.2025',
      'Überprüfung abgeschlossen am 15.03.2025',
    ]);
  });

  it('a refused consent and the consent carried over from a handover', () => {
    const c = createCase({
      caseId: 'case-h',
      openedAt: T0,
      openedBy: cmDrk.id,
      organisationId: 'drk',
      proposedProvider: { organisationId: 'drk', reason: 'Übergabe ABH' },
      municipality: 'Zülpich',
      source: 'abh',
      fromHandover: { handoverId: 'ho-1', consentRecordedAt: '2025-03-01T09:00:00.000Z', counsellorId: 'u-abh' },
    }).next;
    const d = new CaseDriver();
    d.c = c;
    d.advance(1).do('record-consent', { scope: 'data_processing', decision: 'refused' });
    expect(doneSteps(d.c)).toEqual([
      'Einwilligung (Übergabe) erteilt am 01.03.2025',
      'Fall eröffnet am 03.03.2025',
      // A case from a handover opens with its provider confirmed.
      'Träger bestätigt am 03.03.2025',
      'Einwilligung (Datenverarbeitung) verweigert am 04.03.2025',
    ]);
  });
});

describe('steps done while work is under way', () => {
  it('an assessment begun and a review begun are not yet steps done; a partner consent without a name', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    d.do('start-assessment');
    expect(doneSteps(d.c)).toEqual([
      'Fall eröffnet am 03.03.2025',
      'Einwilligung (Datenverarbeitung) erteilt am 03.03.2025',
      'Assessment begonnen am 03.03.2025',
    ]);
    const review = { ...throughReview().c };
    review.reviews = [...review.reviews, { ...review.reviews[0]!, completedAt: undefined }] as CaseData['reviews'];
    expect(doneSteps(review).filter((s) => s.startsWith('Überprüfung'))).toEqual(['Überprüfung abgeschlossen am 15.03.2025']);
    const unnamed = { id: 'k9', scope: 'share_with_partner', decision: 'given', recordedAt: T0, recordedBy: cmDrk.id } as CaseData['consents'][number];
    expect(doneSteps({ ...d.c, consents: [unnamed] })).toContain('Einwilligung (Weitergabe) erteilt am 03.03.2025');
  });
});

describe('pending lines', () => {
  it('a returned request, a hold with its reason, and two overdue deadlines', () => {
    const d = new CaseDriver();
    withConsents(d);
    d.advance(1).do('request-closure', { reason: 'no_contact', goalAttainment: 'not_achieved' });
    d.advance(1).do('return-closure', { reason: 'Noch einmal anrufen' }, coordinator);
    d.do('put-on-hold', { reason: 'im Ausland' });
    expect(caseStandings(d.c, d.now)).toEqual([
      { kind: 'closure_returned', text: 'Abschlussantrag am 05.03.2025 zurückgegeben: Noch einmal anrufen' },
      { kind: 'hold', text: 'Pausiert seit 05.03.2025: im Ausland – die Fristen ruhen' },
    ]);
    const late: CaseData = {
      ...d.c,
      onHold: false,
      deadlines: [
        { id: 'a', kind: 'first_assessment', dueAt: '2025-03-04T00:00:00.000Z', status: 'open', setAt: T0 },
        { id: 'b', kind: 'goal_agreement', dueAt: '2025-03-01T00:00:00.000Z', status: 'missed', setAt: T0 },
        { id: 'c', kind: 'periodic_review', dueAt: d.now, status: 'open', setAt: T0 },
        { id: 'r', kind: 'retention', dueAt: '2025-03-01T00:00:00.000Z', status: 'open', setAt: T0 },
      ],
    };
    delete late.hold;
    expect(caseStandings(late, d.now).filter((s) => s.kind === 'overdue')).toEqual([{ kind: 'overdue', text: '2 Fristen überfällig' }]);
    expect(caseStandings({ ...late, deadlines: late.deadlines.slice(2) }, d.now).filter((s) => s.kind === 'overdue')).toEqual([]);
  });

  it('a closed case and a hold without its record', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    d.advance(1).do('close', { reason: 'moved_away', goalAttainment: 'not_achieved' }, coordinator);
    expect(caseStandings(d.c, d.now)[0]).toEqual({ kind: 'closed', text: 'Abgeschlossen am 04.03.2025: Weggezogen' });
    const held: CaseData = { ...new CaseDriver().c, onHold: true };
    delete held.hold;
    expect(caseStandings(held, T0).find((s) => s.kind === 'hold')).toEqual({ kind: 'hold', text: 'Pausiert – die Fristen ruhen' });
  });

  it('missing consent: a withdrawn consent of another scope does not count as a withdrawal of data processing', () => {
    const d = new CaseDriver();
    const base = d.c;
    const share = { id: 'k9', scope: 'share_with_partner', decision: 'given', recordedAt: T0, recordedBy: cmDrk.id, withdrawnAt: T0 } as CaseData['consents'][number];
    const refusedOther = { ...share, id: 'k8', decision: 'refused', withdrawnAt: undefined } as CaseData['consents'][number];
    const line = (c: CaseData) => caseStandings(c, T0).find((s) => s.kind === 'consent_missing')?.text;
    expect(line({ ...base, consents: [share, refusedOther] })).toBe('Keine Einwilligung zur Datenverarbeitung erfasst');
    const refused = { ...refusedOther, id: 'k7', scope: 'data_processing' } as CaseData['consents'][number];
    expect(line({ ...base, consents: [refused] })).toBe('Einwilligung zur Datenverarbeitung verweigert');
    expect(line({ ...base, consents: [{ ...refused, withdrawnAt: T0 }] })).toBe('Einwilligung zur Datenverarbeitung widerrufen');
  });
});

describe('next step and offered actions', () => {
  it('referral: follow up a sent referral; once its outcome is in, the review', () => {
    const d = new CaseDriver();
    const share = withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    d.do('refer', { service: 'Schuldnerberatung', consentId: share });
    expect(nextStep(d.c, 'worker', [])).toEqual({ text: 'Nachfragen, ob die Person beim Angebot angekommen ist, und das Ergebnis erfassen' });
    d.do('refer', { service: 'Sprachkurs' });
    d.do('record-referral-outcome', { referralId: d.c.referrals[0]!.id, outcome: 'accepted' });
    // One of two still open: follow that one up.
    expect(nextStep(d.c, 'worker', [])?.text).toBe('Nachfragen, ob die Person beim Angebot angekommen ist, und das Ergebnis erfassen');
    d.do('record-referral-outcome', { referralId: d.c.referrals[1]!.id, outcome: 'declined' });
    expect(nextStep(d.c, 'worker', ['start-review'])).toEqual({ text: 'Überprüfung beginnen', action: 'start-review' });
  });

  it('goal planning without open goals: agree goals; an assessment without its record: rate the areas', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    expect(nextStep({ ...d.c, goals: [{ ...goal(), id: 'g', status: 'achieved', agreedAt: T0 } as CaseData['goals'][number]] }, 'worker', [])).toEqual({
      text: 'Ziele mit der Person vereinbaren',
    });
    const bare: CaseData = { ...d.c, state: 'assessment' };
    delete bare.assessment;
    expect(nextStep(bare, 'worker', [])).toEqual({ text: 'Lebensbereiche bewerten und Assessment abschließen' });
  });

  it('the next step first among the offered actions, the others in their order; unchanged otherwise', () => {
    const d = new CaseDriver();
    const allowed = ['record-consent', 'confirm-provider', 'put-on-hold', 'save-assessment-draft'] as const;
    expect(offeredActions(d.c, allowed, { text: 't', action: 'put-on-hold' })).toEqual(['put-on-hold', 'record-consent', 'confirm-provider']);
    expect(offeredActions(d.c, allowed, { text: 't', action: 'close' })).toEqual(['record-consent', 'confirm-provider', 'put-on-hold']);
    expect(offeredActions(d.c, allowed, { text: 't' })).toEqual(['record-consent', 'confirm-provider', 'put-on-hold']);
    expect(offeredActions(d.c, allowed, null)).toEqual(['record-consent', 'confirm-provider', 'put-on-hold']);
  });

  it('the header in one call', () => {
    const d = new CaseDriver();
    expect(caseStanding(d.c, 'worker', ['confirm-provider'], T0)).toEqual({
      phase: 'Erstberatung/Zugang',
      standing: [{ kind: 'consent_missing', text: 'Keine Einwilligung zur Datenverarbeitung erfasst' }],
      next: { text: 'Träger bestätigen, dann Einwilligung erfassen', action: 'confirm-provider' },
      done: ['Fall eröffnet am 03.03.2025'],
    });
  });
});

describe('feedback', () => {
  it('deadlines running again are counted; notices sent are not part of the headline; several lines joined', () => {
    const events = [
      { type: 'case_resumed', summary: 'Fall fortgesetzt' },
      { type: 'reminder_sent', summary: 'Erinnerung verschickt' },
      { type: 'consent_recorded', summary: 'Einwilligung erfasst' },
      { type: 'deadline_rearmed', summary: 'Frist läuft wieder: A' },
      { type: 'deadline_rearmed', summary: 'Frist läuft wieder: B' },
    ];
    expect(actionFeedback(events, 'x')).toEqual({ headline: 'Fall fortgesetzt; Einwilligung erfasst', changes: ['2 Fristen laufen wieder'] });
    expect(actionFeedback([events[3]!, { type: 'deadline_suspended', summary: 's' }], 'Fortsetzen')).toEqual({
      headline: 'Fortsetzen',
      changes: ['1 Frist ruht jetzt', '1 Frist läuft wieder'],
    });
  });
});
