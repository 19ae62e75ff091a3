// Decisions of case-decide-create.ts and case-decide-admin.ts, exactly: the events and state a handover leaves on a case
// (opened by it, or an existing case taken over) — consents with their texts and authors, the residence-law summary for
// known, unknown and no titles, the assessment begun; the defaults of a new case; and the refusals, texts and side
// effects of withdrawing consent, resuming, transferring, confirming the provider and reopening.
import { describe, expect, it } from 'vitest';
import { CONTACT_KINDS, createCase } from '../../domain/index.js';
import { CaseDriver, cmDrk, coordinator, goal, handedOverCase as base, handoverOpening as handover, refusal, T0, toGoalPlanning, withConsents } from './helpers.js';

const FACTS = 'Aufenthaltsrechtliche Angaben aus der Übergabe: ';

describe('a case opened by a handover', () => {
  it('carries the handover consent, the consent to data processing, the facts and the assessment, with their events', () => {
    const residenceLaw = { permits: ['§25b', 'Duldung (sonstige)'], notes: 'bis 31.03.2025' };
    const { next: c, events } = createCase({ ...base, source: 'abh', fromHandover: { ...handover, continueAtAssessment: { residenceLaw } } });
    // Ids from the case id, numbered in the order they are given out.
    expect(c.consents).toEqual([
      {
        id: 'case-h-consent-1',
        scope: 'handover',
        decision: 'given',
        partnerOrganisationId: 'drk',
        purpose: 'Übergabe aus der Ausländerbehörde in das KIM Case Management',
        recordedBy: 'u-abh',
        recordedAt: handover.consentRecordedAt,
      },
      {
        id: 'case-h-consent-2',
        scope: 'data_processing',
        decision: 'given',
        partnerOrganisationId: 'drk',
        purpose: 'Aus der Übergabe übernommen: Datenverarbeitung im aufnehmenden KIM Case Management',
        recordedBy: 'u-abh',
        recordedAt: handover.consentRecordedAt,
      },
    ]);
    expect(c.providerConfirmation).toEqual({ organisationId: 'drk', at: T0, by: cmDrk.id });
    expect(c.assessment).toEqual({ startedAt: T0, startedBy: cmDrk.id, lifeAreas: [] });
    expect(c.source).toBe('abh');
    const [, consent, facts, assessment] = events;
    expect(events.map((e) => e.type).slice(0, 4)).toEqual(['case_opened', 'consent_recorded', 'residence_law_recorded', 'assessment_started']);
    expect([consent!.summary, consent!.data]).toEqual(['Einwilligung erteilt: Datenverarbeitung (aus der Übergabe übernommen)', c.consents[1]]);
    expect([facts!.summary, facts!.data]).toEqual([
      `${FACTS}§ 25b AufenthG – nachhaltige Integration; Duldung (sonstige)`,
      { handoverId: 'ho-1', permits: residenceLaw.permits, notes: 'bis 31.03.2025' },
    ]);
    expect([assessment!.summary, assessment!.data]).toEqual([
      'Assessment begonnen (Fortsetzung nach der Fallübernahme)',
      { fromState: 'intake', toState: 'assessment', handoverId: 'ho-1' },
    ]);
    expect(c.deadlines.map((d) => [d.id, d.kind])).toEqual([
      ['case-h-dl-3', 'assessment_completion'],
      ['case-h-dl-4', 'no_contact'],
    ]);
  });

  it('says so when the handover named no title', () => {
    const { events } = createCase({ ...base, fromHandover: { ...handover, continueAtAssessment: { residenceLaw: { permits: [], notes: '' } } } });
    expect(events.find((e) => e.type === 'residence_law_recorded')!.summary).toBe(`${FACTS}keine Titel angegeben`);
  });

  it('a new case starts with no contacts of any kind, and no source unless one is given', () => {
    const { next: c } = createCase(base);
    expect(c.contacts).toEqual({ count: 0, byKind: Object.fromEntries(CONTACT_KINDS.map((k) => [k, 0])), items: [] });
    expect('source' in c).toBe(false);
    expect(c.deadlines.map((d) => d.id)).toEqual(['case-h-dl-1', 'case-h-dl-2']);
  });
});

describe('an existing case taken over through a handover', () => {
  const transfer = (permits: string[]) => ({
    organisationId: 'kja',
    reason: 'Übergabe aus der ABH',
    continueFromHandover: { handoverId: 'ho-2', consentRecordedAt: '2025-03-01T10:00:00.000Z', residenceLaw: { permits, notes: 'Notiz' } },
  });

  it('in intake: the events with their texts and data, the consent recorded by the receiving case manager', () => {
    const d = new CaseDriver();
    const events = d.do('transfer', transfer(['§60c', 'x']));
    const byType = (t: string) => events.find((e) => e.type === t)!;
    expect([byType('residence_law_recorded').summary, byType('residence_law_recorded').data]).toEqual([
      `${FACTS}§ 60c AufenthG – Ausbildungsduldung; x`,
      { handoverId: 'ho-2', permits: ['§60c', 'x'], notes: 'Notiz' },
    ]);
    const consent = d.c.consents[0]!;
    expect(consent).toEqual({
      id: expect.stringMatching(/^xconsent-\d+$/),
      scope: 'data_processing',
      decision: 'given',
      partnerOrganisationId: 'kja',
      purpose: 'Aus der Übergabe übernommen: Datenverarbeitung im aufnehmenden KIM Case Management',
      recordedBy: cmDrk.id,
      recordedAt: '2025-03-01T10:00:00.000Z',
    });
    expect([byType('consent_recorded').summary, byType('consent_recorded').data]).toEqual([
      'Einwilligung erteilt: Datenverarbeitung (aus der Übergabe übernommen)',
      consent,
    ]);
    expect([byType('assessment_started').summary, byType('assessment_started').data]).toEqual([
      'Assessment begonnen (Fortsetzung nach der Fallübernahme)',
      { fromState: 'intake', toState: 'assessment', handoverId: 'ho-2' },
    ]);
    expect(d.c.assessment).toEqual({ startedAt: d.now, startedBy: cmDrk.id, lifeAreas: [] });
  });

  it('names no title when there is none, and keeps a paused intake case in intake', () => {
    const d = new CaseDriver();
    d.do('put-on-hold', { reason: 'Krankenhaus' });
    const events = d.do('transfer', transfer([]));
    expect(events.find((e) => e.type === 'residence_law_recorded')!.summary).toBe(`${FACTS}keine Titel angegeben`);
    expect(events.map((e) => e.type)).not.toContain('assessment_started');
    expect(d.c.state).toBe('intake');
    expect(d.c.consents).toEqual([]);
  });
});

describe('staff actions of case-decide-admin.ts, exactly', () => {
  it('refuses to withdraw an unknown, a refused or an already withdrawn consent', () => {
    const d = new CaseDriver();
    const share = withConsents(d);
    d.do('record-consent', { scope: 'share_with_partner', decision: 'refused', partnerName: 'Tafel', purpose: 'Lebensmittel' });
    const refusedId = d.c.consents.at(-1)!.id;
    d.do('withdraw-consent', { consentId: share });
    expect(refusal(d.try('withdraw-consent', { consentId: 'nope' }), 'validation_failed').fields).toEqual({ consentId: 'Unbekannte Einwilligung' });
    for (const consentId of [refusedId, share]) {
      expect(refusal(d.try('withdraw-consent', { consentId }), 'validation_failed').fields).toEqual({ consentId: 'Diese Einwilligung ist nicht (mehr) wirksam' });
    }
  });

  it('a withdrawal stops only the waiting or accepted referrals that relied on it', () => {
    const d = new CaseDriver();
    const share = withConsents(d);
    d.do('record-consent', { scope: 'share_with_partner', decision: 'given', partnerName: 'Sprachkurs VHS', purpose: 'Vermittlung' });
    const other = d.c.consents.at(-1)!.id;
    toGoalPlanning(d);
    d.advance(1).do('agree-goals', { goals: [goal()] });
    d.advance(1).do('refer', { service: 'Schuldnerberatung', consentId: share });
    d.do('refer', { service: 'Schuldnerberatung, zweiter Termin', consentId: share });
    d.do('refer', { service: 'Sprachkurs', consentId: other });
    const [first, second, third] = d.c.referrals.map((r) => r.id) as [string, string, string];
    d.advance(1).do('record-referral-outcome', { referralId: first, outcome: 'completed' });
    d.do('withdraw-consent', { consentId: share });
    expect(d.c.referrals.map((r) => [r.id, r.status])).toEqual([
      [first, 'completed'],
      [second, 'stopped'],
      [third, 'sent'],
    ]);
  });

  it('resumes with the date the pause began, and the note', () => {
    const d = new CaseDriver();
    d.do('put-on-hold', { reason: 'Krankenhaus' });
    const events = d.advance(3).do('resume', { note: 'wieder da' });
    expect([events[0]!.type, events[0]!.summary, events[0]!.data]).toEqual(['case_resumed', 'Fall fortgesetzt (pausiert seit 03.03.2025)', { since: T0, note: 'wieder da' }]);
  });

  it('transfers without an assignee: none is kept from the other organisation', () => {
    const d = new CaseDriver();
    d.do('transfer', { organisationId: 'kja', reason: 'Umzug' });
    expect('assigneeId' in d.c).toBe(false);
    d.do('transfer', { organisationId: 'drk', reason: 'zurück', assigneeId: cmDrk.id }, coordinator);
    expect(d.c.assigneeId).toBe(cmDrk.id);
  });

  it('confirms the proposal without a reason, and keeps a reason only where it overrides it', () => {
    const confirmed = new CaseDriver();
    const [event] = confirmed.do('confirm-provider', { organisationId: 'drk', overrideReason: 'unnötig' });
    expect([event!.type, event!.summary]).toEqual(['provider_confirmed', 'Trägervorschlag bestätigt: DRK']);
    expect(confirmed.c.providerConfirmation).toEqual({ organisationId: 'drk', at: T0, by: cmDrk.id });

    const overridden = new CaseDriver();
    const [o] = overridden.do('confirm-provider', { organisationId: 'kja', overrideReason: 'Sprache' });
    expect([o!.type, o!.summary]).toEqual(['provider_overridden', 'Träger abweichend vom Vorschlag festgelegt: KJA Bonn (Sprache)']);
    expect(overridden.c.providerConfirmation).toEqual({ organisationId: 'kja', at: T0, by: cmDrk.id, overrideReason: 'Sprache' });
  });

  it('reopens into a review that returns to the phase the case was closed from', () => {
    for (const [refer, returnTo] of [[false, 'goal_planning'], [true, 'referral']] as const) {
      const d = new CaseDriver();
      const share = withConsents(d);
      toGoalPlanning(d);
      d.advance(1).do('agree-goals', { goals: [goal()] });
      if (refer) d.advance(1).do('refer', { service: 'Schuldnerberatung', consentId: share });
      d.advance(1).do('close', { reason: 'goals_achieved', goalAttainment: 'achieved' }, coordinator);
      const [event] = d.advance(1).do('reopen', { reason: 'neue Schulden' }, coordinator);
      expect([event!.type, event!.summary, event!.data]).toEqual([
        'case_reopened',
        'Fall wiedereröffnet (Monitoring/Überprüfung): neue Schulden',
        { fromState: 'closed', toState: 'review', reason: 'neue Schulden' },
      ]);
      expect(d.c.reviews.at(-1)).toMatchObject({ returnTo, viaReopen: true });
    }
  });
});
