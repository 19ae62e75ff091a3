// Issue 12 part 2: a handover continues the case at assessment, with the consent carried over and the residence-law
// facts on the case (domain/case-decide-create.ts).
import { describe, expect, it } from 'vitest';
import { KNOWN_RESIDENCE_PERMITS, anonymiseEvent, caseTimers, createCase, decide } from '../../domain/index.js';
import { CaseDriver, cmDrk, handedOverCase, handoverOpening as handover, toGoalPlanning, T0, withConsents } from './helpers.js';

const base = { ...handedOverCase, source: 'abh' as const };
const residenceLaw = { permits: ['§60d', '§25b'], notes: 'Duldung bis 31.03.2025' };

describe('a taken-over case continues', () => {
  it('opens in assessment with the consent carried over, the facts on the case and the assessment deadline', () => {
    const { next: c, events } = createCase({ ...base, fromHandover: { ...handover, continueAtAssessment: { residenceLaw } } });
    expect(c.state).toBe('assessment');
    expect(c.assessment).toMatchObject({ startedAt: T0, startedBy: cmDrk.id });
    expect(c.consents.map((k) => [k.scope, k.decision, k.recordedAt])).toEqual([
      ['handover', 'given', handover.consentRecordedAt],
      ['data_processing', 'given', handover.consentRecordedAt],
    ]);
    expect(c.residenceLaw).toEqual({ ...residenceLaw, handoverId: 'ho-1', recordedAt: T0 });
    expect(caseTimers(c).map((t) => t.kind)).toEqual(expect.arrayContaining(['assessment_completion', 'no_contact']));
    expect(caseTimers(c).map((t) => t.kind)).not.toContain('first_assessment');
    const facts = events.find((e) => e.type === 'residence_law_recorded')!;
    expect(facts.summary).toContain(KNOWN_RESIDENCE_PERMITS['§60d']);
    expect(facts.summary).toMatch(/Beschäftigungsduldung/);
    // Erased with the case: the facts leave the event.
    expect(anonymiseEvent(facts)).toEqual({ summary: 'Aufenthaltsrechtliche Angaben aus der Übergabe (Inhalt gelöscht)', data: { handoverId: 'ho-1' } });
    // The receiving CM goes on with the assessment at once.
    const done = decide(c, { action: 'complete-assessment', payload: { lifeAreas: [{ area: 'residence_law', situation: 'Duldung', need: 'high' }] } }, { now: T0, actor: cmDrk, newId: (p) => `${p}-1` });
    expect(done.ok).toBe(true);
  });

  it('a handover recorded before (no continueAtAssessment) still opens in intake', () => {
    const { next: c } = createCase({ ...base, fromHandover: handover });
    expect(c.state).toBe('intake');
    expect(c.residenceLaw).toBeUndefined();
    expect(c.consents.map((k) => k.scope)).toEqual(['handover']);
  });
});

describe('an existing case taken over through a handover continues (transfer with continueFromHandover)', () => {
  const continueFromHandover = { handoverId: 'ho-2', consentRecordedAt: '2025-03-01T10:00:00.000Z', residenceLaw };
  const transfer = { organisationId: 'kja', reason: 'Übergabe aus der ABH', continueFromHandover };

  it('in intake: the facts on the case, the consent carried over, assessment begun with its deadline', () => {
    const d = new CaseDriver();
    const events = d.do('transfer', transfer);
    expect(events.map((e) => e.type)).toEqual(['case_transferred', 'residence_law_recorded', 'consent_recorded', 'assessment_started', 'deadline_met', 'deadline_set']);
    expect(d.c).toMatchObject({ organisationId: 'kja', state: 'assessment', handoverId: 'ho-2' });
    expect(d.c.residenceLaw).toEqual({ ...residenceLaw, handoverId: 'ho-2', recordedAt: T0 });
    expect(d.c.consents.map((k) => [k.scope, k.decision, k.partnerOrganisationId, k.recordedAt])).toEqual([
      ['data_processing', 'given', 'kja', continueFromHandover.consentRecordedAt],
    ]);
    expect(d.deadline('first_assessment')).toBeUndefined();
    expect(d.deadline('assessment_completion')).toMatchObject({ status: 'open' });
  });

  it('further along: the facts join the case, the phase and consents stay as they are', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    const consents = d.c.consents.length;
    const events = d.do('transfer', transfer);
    expect(events.map((e) => e.type)).toEqual(['case_transferred', 'residence_law_recorded']);
    expect(d.c.state).toBe('goal_planning');
    expect(d.c.consents).toHaveLength(consents);
    expect(d.c.residenceLaw).toMatchObject({ permits: residenceLaw.permits, handoverId: 'ho-2' });
  });

  it('an intake case that already has consent to data processing keeps it (no second one)', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    d.do('transfer', transfer);
    expect(d.c.state).toBe('assessment');
    expect(d.c.consents.filter((k) => k.scope === 'data_processing')).toHaveLength(1);
  });
});
