// The record activity against real PostgreSQL: writes of a batch retried late (after a newer one) must not undo
// what the newer one recorded — here: a withdrawn consent stays withdrawn (sharing stops for good).
import { describe, expect, it } from 'vitest';
import { createCaseRecordActivities } from '../activities/case-records.js';
import type { Consent } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import type { CaseRecordInput } from '../workflows/case-messages.js';
import { openCaseRows } from '../harness/cases.js';
import { useSeededTestDatabase } from './support/seeded-database.js';

let db: Database;
useSeededTestDatabase((opened) => (db = opened));

describe('recordCaseEvents', () => {
  it('keeps a withdrawn consent withdrawn when an older write is retried after the withdrawal', async () => {
    const open = await openCaseRows(db);
    const { recordCaseEvents } = createCaseRecordActivities(db);
    const given: Consent = {
      id: 'consent-1',
      scope: 'share_with_partner',
      decision: 'given',
      partnerOrganisationId: 'jobcenter',
      purpose: 'Arbeitsvermittlung',
      recordedBy: 'u1',
      recordedAt: '2026-12-01T10:00:00.000Z',
    };
    const batch = (seq: number, consent: Consent): CaseRecordInput => ({
      caseId: open.caseId,
      events: [{ seq, type: seq === 1 ? 'consent_recorded' : 'consent_withdrawn', at: consent.recordedAt, summary: 'x', data: {} }],
      readModel: { state: 'intake', onHold: false, organisationId: 'drk', assigneeId: null, closedAt: null, nextDeadline: null },
      consents: [consent],
      notifications: [],
    });
    const older = batch(1, given);
    await recordCaseEvents(older);
    await recordCaseEvents(batch(2, { ...given, withdrawnAt: '2026-12-02T10:00:00.000Z', withdrawnBy: 'u1' }));
    await recordCaseEvents(older); // the late retry
    const row = await db.consent.findUniqueOrThrow({ where: { id: 'consent-1' } });
    expect(row.withdrawnAt?.toISOString()).toBe('2026-12-02T10:00:00.000Z');
    expect(await db.caseEvent.count({ where: { caseId: open.caseId } })).toBe(2);
  });
});
