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

  it('writes the whole batch of an older run: snapshot, deadlines, consents, notifications, read model — once', async () => {
    const open = await openCaseRows(db);
    const { recordCaseEvents } = createCaseRecordActivities(db);
    const at = '2026-12-03T09:00:00.000Z';
    const input: CaseRecordInput = {
      caseId: open.caseId,
      events: [
        { seq: 1, type: 'case_opened', at: '2026-12-03T08:00:00.000Z', summary: 'Fall eröffnet', data: {} },
        { seq: 2, type: 'reminder_sent', at, actorId: 'u-cm-drk', summary: 'Erinnerung', data: { kind: 'first_assessment' } },
      ],
      readModel: { state: 'assessment', onHold: true, organisationId: 'drk', assigneeId: 'u-cm-drk', closedAt: null, nextDeadline: { kind: 'first_assessment', dueAt: '2026-12-17T09:00:00.000Z' } },
      consents: [{ id: `c-${open.caseId}`, scope: 'data_processing', decision: 'given', recordedBy: 'u1', recordedAt: at }],
      notifications: [
        { id: `${open.caseId}:2:0`, kind: 'reminder', deadlineKind: 'first_assessment', to: 'assignee', caseId: open.caseId, dueAt: '2026-12-17T09:00:00.000Z', assigneeId: 'u-cm-drk', organisationId: 'drk' },
        { id: `${open.caseId}:2:1`, kind: 'closure_requested', deadlineKind: 'closure_decision', to: 'coordination', caseId: open.caseId, dueAt: at, organisationId: 'drk' },
      ],
      deadlines: [
        { id: `fa-${open.caseId}`, kind: 'first_assessment', dueAt: '2026-12-17T09:00:00.000Z', escalateAt: '2026-12-24T09:00:00.000Z', status: 'open', setAt: at },
        { id: `gd-${open.caseId}`, kind: 'goal_due', dueAt: '2027-01-31T22:59:59.999Z', status: 'open', refId: 'goal-1', setAt: at },
      ],
      snapshot: { id: open.caseId } as unknown as CaseRecordInput['snapshot'],
    };
    await recordCaseEvents(input);
    await recordCaseEvents(input); // a retry changes nothing
    const caseId = open.caseId;
    expect(await db.caseEvent.findMany({ where: { caseId }, orderBy: { seq: 'asc' }, select: { seq: true, eventKey: true, actorId: true } })).toEqual([
      { seq: 1, eventKey: `${caseId}:1`, actorId: null },
      { seq: 2, eventKey: `${caseId}:2`, actorId: 'u-cm-drk' },
    ]);
    expect(await db.case.findUniqueOrThrow({ where: { id: caseId }, select: { state: true, onHold: true, assigneeId: true, nextDeadlineKind: true, nextDeadlineAt: true, lastEventSeq: true } })).toEqual({
      state: 'assessment',
      onHold: true,
      assigneeId: 'u-cm-drk',
      nextDeadlineKind: 'first_assessment',
      nextDeadlineAt: new Date('2026-12-17T09:00:00.000Z'),
      lastEventSeq: 2,
    });
    expect(await db.caseSnapshot.findMany({ where: { caseId }, select: { seq: true, at: true, data: true } })).toEqual([{ seq: 2, at: new Date(at), data: { id: caseId } }]);
    expect(await db.caseDeadline.findMany({ where: { caseId }, orderBy: { kind: 'asc' }, select: { kind: true, escalateAt: true, refId: true, status: true, updatedSeq: true } })).toEqual([
      { kind: 'first_assessment', escalateAt: new Date('2026-12-24T09:00:00.000Z'), refId: null, status: 'open', updatedSeq: 2 },
      { kind: 'goal_due', escalateAt: null, refId: 'goal-1', status: 'open', updatedSeq: 2 },
    ]);
    expect(await db.consent.findUniqueOrThrow({ where: { id: `c-${caseId}` } })).toMatchObject({ partnerOrganisationId: null, partnerName: null, purpose: null, dataCategories: [], withdrawnAt: null, withdrawnById: null });
    expect(await db.notification.findMany({ where: { caseId }, orderBy: { id: 'asc' }, select: { kind: true, recipientRole: true, recipientUserId: true, subject: true, payload: true } })).toEqual([
      { kind: 'reminder', recipientRole: 'assignee', recipientUserId: 'u-cm-drk', subject: 'Erinnerung: Wiedervorlage fällig', payload: { caseId, dueAt: '2026-12-17T09:00:00.000Z', deadlineKind: 'first_assessment' } },
      { kind: 'closure_requested', recipientRole: 'coordination', recipientUserId: null, subject: 'Hinweis zu einem KIM-Fall', payload: { caseId, dueAt: at, deadlineKind: 'closure_decision' } },
    ]);
    // The facts follow the events written.
    expect((await db.caseFacts.findUniqueOrThrow({ where: { caseId } })).lastSeq).toBe(2);
  });

  it('writes nothing once the case is erased', async () => {
    const open = await openCaseRows(db);
    await db.case.update({ where: { id: open.caseId }, data: { erasedAt: new Date() } });
    await createCaseRecordActivities(db).recordCaseEvents({
      caseId: open.caseId,
      events: [{ seq: 1, type: 'case_opened', at: '2026-12-03T08:00:00.000Z', summary: 'Fall eröffnet', data: {} }],
      readModel: { state: 'intake', onHold: false, organisationId: 'drk', assigneeId: null, closedAt: null, nextDeadline: null },
      consents: [],
      notifications: [],
    });
    expect(await db.caseEvent.count({ where: { caseId: open.caseId } })).toBe(0);
  });
});
