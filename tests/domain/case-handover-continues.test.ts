// Issue 12 part 2: a handover continues the case at assessment, with the consent carried over and the residence-law
// facts on the case (domain/case-decide-create.ts).
import { describe, expect, it } from 'vitest';
import { KNOWN_RESIDENCE_PERMITS, anonymiseEvent, caseTimers, createCase, decide } from '../../domain/index.js';
import { cmDrk, T0 } from './helpers.js';

const base = {
  caseId: 'case-h',
  openedAt: T0,
  openedBy: cmDrk.id,
  organisationId: 'drk',
  proposedProvider: { organisationId: 'drk', reason: 'Übergabe aus der ABH' },
  municipality: 'Zülpich',
  source: 'abh' as const,
};
const handover = { handoverId: 'ho-1', consentRecordedAt: '2025-02-20T10:00:00.000Z', counsellorId: 'u-abh' };
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
