// The handover workflow on the real Temporal dev server: consent → meeting → acceptance with the case continuing
// in the receiving organisation (a new case as child workflow, or an existing case transferred), refusal and
// cancellation, refused updates that never touch history, idempotent retries, continue-as-new — and the database
// record agreeing with the workflow.
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCaseSettings, receiverView, type Actor, type CaseAction, type HandoverAction, type HandoverData } from '../domain/index.js';
import { caseActionUpdate, caseViewQuery, caseWorkflowId } from '../workflows/case-messages.js';
import { handoverActionUpdate, handoverViewQuery, handoverWorkflowId } from '../workflows/handover-messages.js';
import type { HandoverWorkflowResult } from '../workflows/handover-messages.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { demoPerson, proposeHandoverRows, startHandover } from '../harness/handovers.js';
import { startHarness, type Harness } from './support/harness.js';

/** The deadline notifications of the workflow; act-on rows (`act:…`, tests/act-on-mails.test.ts) are the outbox dispatcher's. */
const DEADLINE_ROWS = { NOT: { id: { startsWith: 'act:' } } };

const { temporal } = proto;
const DAY = 86_400_000;
let h: Harness;
let counsellor: Actor;
let cm: Actor;
let otherCm: Actor;
let admin: Actor;

beforeAll(async () => {
  h = await startHarness({ withApp: false });
  counsellor = await demoActor(h.db, 'abh@kim.example');
  cm = await demoActor(h.db, 'cm.drk@kim.example');
  otherCm = await demoActor(h.db, 'cm.caritas-eifel@kim.example');
  admin = await demoActor(h.db, 'admin@kim.example');
});
afterAll(async () => {
  await h?.close();
});

async function newHandover(options: { body?: Record<string, unknown>; continueAsNewAfterEvents?: number } = {}) {
  const open = await proposeHandoverRows(h.db, counsellor, options.body ? { body: options.body } : {});
  const handle = await startHandover(h.client, h.taskQueue, open, options);
  return { open, handle };
}

function by(handle: WorkflowHandle, who: Actor) {
  return (action: HandoverAction, payload: unknown = {}, requestId?: string) =>
    handle.executeUpdate(handoverActionUpdate, {
      args: [{ action, payload, actor: who, requestId }],
      ...(requestId ? { updateId: requestId } : {}),
    });
}

function onCase(caseId: string, who: Actor) {
  const handle = h.client.workflow.getHandle(caseWorkflowId(caseId));
  return (action: CaseAction, payload: unknown = {}) => handle.executeUpdate(caseActionUpdate, { args: [{ action, payload, actor: who }] });
}

async function refusal(promise: Promise<unknown>): Promise<{ type: string; message: string; details: any }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const failure = cause as ApplicationFailure;
  return { type: failure.type ?? '', message: failure.message, details: failure.details?.[0] };
}

async function historyEventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]!);
}

async function recorded(handoverId: string) {
  return h.db.handoverEvent.findMany({ where: { handoverId }, orderBy: { seq: 'asc' } });
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The Handover row agrees with the workflow's state; events numbered 1..n without gaps. */
async function expectRecordAgrees(view: HandoverData) {
  const row = await h.db.handover.findUniqueOrThrow({ where: { id: view.id } });
  const events = await recorded(view.id);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(row.lastEventSeq).toBe(events.length);
  expect(row.state).toBe(view.state);
  expect(row.caseId).toBe(view.caseId ?? null);
  expect(row.receivingOrganisationId).toBe(view.receivingOrganisationId);
  expect(row.consentDueAt?.toISOString()).toBe(view.deadlines.find((d) => d.kind === 'handover_consent')?.dueAt);
  expect(row.meetingAt?.toISOString()).toBe(view.meeting?.at);
  return { row, events };
}

const meetingAt = () => new Date(Date.now() + 3 * DAY).toISOString();
const participants = ['Klientin', 'Sozialberatung ABH', 'Case Management DRK'];

describe('handover to a new case on the dev server', () => {
  it('goes from consent over the meeting to acceptance; a case workflow continues in the receiving organisation', async () => {
    const { open, handle } = await newHandover();
    const byCounsellor = by(handle, counsellor);
    const byCm = by(handle, cm);

    const initial = await handle.query(handoverViewQuery);
    expect(initial).toMatchObject({ state: 'awaiting_consent', receivingOrganisationId: 'drk', visibleToReceiver: false });
    // Before consent the receiving side learns nothing about the person.
    expect(JSON.stringify(receiverView(initial))).not.toContain(demoPerson.familyName);
    const consentDeadline = initial.deadlines.find((d) => d.kind === 'handover_consent')!;
    expect(Date.parse(consentDeadline.dueAt) - Date.parse(open.requestedAt)).toBe(14 * DAY);

    const consented = await byCounsellor('record-consent', { decision: 'given' });
    expect(consented.state).toBe('consent_given');
    expect(consented.visibleToReceiver).toBe(true);
    expect(receiverView(consented)).toMatchObject({ person: { familyName: demoPerson.familyName } });
    const meetingDeadline = consented.deadlines.find((d) => d.kind === 'handover_meeting')!;
    expect(Date.parse(meetingDeadline.dueAt) - Date.parse(consented.consent!.recordedAt)).toBe(21 * DAY);

    const at = meetingAt();
    expect((await byCm('schedule-meeting', { at, participants })).state).toBe('meeting_scheduled');
    const held = await byCounsellor('complete-meeting', { notes: 'Ziele besprochen' });
    expect(held.meeting?.heldAt).toBeDefined();
    const accepted = await byCm('accept');
    expect(accepted.state).toBe('handed_over');
    expect(accepted.acceptance).toMatchObject({ by: cm.id, assigneeId: cm.id });
    const caseId = accepted.caseId!;
    expect(caseId).toMatch(/^[0-9a-f-]{36}$/);

    // The handover is done; its workflow ends, the case it started goes on.
    const result: HandoverWorkflowResult = await handle.result();
    expect(result).toEqual({ handoverId: open.handoverId, state: 'handed_over', caseId });
    const history = await historyEventTypes(handle);
    expect(history).toContain('EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED');
    expect(history).toContain('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED');

    const caseHandle = h.client.workflow.getHandle(caseWorkflowId(caseId));
    const description = await caseHandle.describe();
    expect(description.type).toBe('caseWorkflow');
    expect(description.status.name).toBe('RUNNING');
    expect(description.parentExecution?.workflowId).toBe(handoverWorkflowId(open.handoverId));
    // The case continues at assessment (issue 12): provider agreed in the handover, the case manager who accepted it
    // assigned, the client's handover consent on record as the counsellor took it and carried over as consent to data
    // processing, the residence-law facts on the case.
    const caseView = await caseHandle.query(caseViewQuery);
    expect(caseView).toMatchObject({
      id: caseId,
      state: 'assessment',
      organisationId: 'drk',
      municipality: demoPerson.municipality,
      source: 'abh',
      handoverId: open.handoverId,
      providerConfirmed: true,
      assigneeId: cm.id,
    });
    expect(caseView.consents).toEqual([
      expect.objectContaining({ scope: 'handover', decision: 'given', recordedBy: counsellor.id, recordedAt: consented.consent!.recordedAt }),
      expect.objectContaining({ scope: 'data_processing', decision: 'given', recordedBy: counsellor.id, recordedAt: consented.consent!.recordedAt }),
    ]);
    expect(caseView.residenceLaw).toMatchObject({ handoverId: open.handoverId });

    // Person and case rows, and the case's own record.
    const row = await h.db.case.findUniqueOrThrow({ where: { id: caseId }, include: { person: true } });
    expect(row).toMatchObject({ organisationId: 'drk', assigneeId: cm.id, source: 'abh', municipality: 'Kall', workflowId: caseWorkflowId(caseId) });
    expect(row.person).toMatchObject({ givenName: demoPerson.givenName, familyName: demoPerson.familyName, languages: demoPerson.languages });
    expect(row.person.birthDate.toISOString().slice(0, 10)).toBe(demoPerson.birthDate);
    const caseEvents = await eventually(
      () => h.db.caseEvent.findMany({ where: { caseId }, orderBy: { seq: 'asc' } }),
      (list) => list.length >= 3,
    );
    expect(caseEvents[0]).toMatchObject({ type: 'case_opened', actorId: cm.id });
    expect(await h.db.consent.count({ where: { caseId, scope: 'handover' } })).toBe(1);

    // The receiving case manager goes on with the assessment (no second consent); the counsellor only follows it.
    const assessed = await onCase(caseId, cm)('complete-assessment', { lifeAreas: [{ area: 'residence_law', situation: 'Duldung', need: 'high' }] });
    expect(assessed.state).toBe('goal_planning');
    expect((await refusal(onCase(caseId, counsellor)('record-contact', { kind: 'phone', date: new Date().toISOString(), durationMinutes: 5 }))).type).toBe('forbidden');

    // The record of the handover.
    const final = await handle.query(handoverViewQuery);
    const { row: handoverRow, events } = await expectRecordAgrees(final);
    expect(handoverRow.closedAt?.toISOString()).toBe(final.acceptance!.at);
    expect(handoverRow.counsellorId).toBe(counsellor.id);
    expect(events.map((e) => e.type)).toEqual([
      'handover_requested',
      'deadline_set',
      'deadline_met',
      'handover_consent_given',
      'deadline_set',
      'handover_meeting_scheduled',
      'handover_meeting_held',
      'deadline_met',
      'handover_accepted',
    ]);
    expect(events.at(-1)).toMatchObject({ actorId: cm.id, data: expect.objectContaining({ caseId, assigneeId: cm.id }) });
    expect(await h.db.notification.count({ where: { handoverId: open.handoverId, ...DEADLINE_ROWS } })).toBe(0);
  });
});

describe('handover of an existing case', () => {
  it('records the handover consent on the case and transfers it to the receiving organisation', async () => {
    const caseOpen = await openCaseRows(h.db, {
      organisationId: 'abh',
      municipality: 'Kall',
      proposedProvider: { organisationId: 'drk', reason: 'Wohnort Kall' },
      assigneeId: counsellor.id,
      source: 'abh',
    });
    const caseHandle = await startCase(h.client, h.taskQueue, caseOpen);
    const { open, handle } = await newHandover({ body: { caseId: caseOpen.caseId, proposedOrganisationId: 'drk' } });
    const casesBefore = await h.db.case.count();
    const consented = await by(handle, counsellor)('record-consent', { decision: 'given' });
    await by(handle, cm)('schedule-meeting', { at: meetingAt(), participants });
    await by(handle, cm)('complete-meeting');
    const accepted = await by(handle, cm)('accept');
    expect(accepted).toMatchObject({ state: 'handed_over', caseId: caseOpen.caseId });
    expect(await handle.result()).toEqual({ handoverId: open.handoverId, state: 'handed_over', caseId: caseOpen.caseId });

    // Issue 12: the case continues at assessment — the handover's consent carried over for data processing in the
    // receiving case management, the residence-law facts part of the case, linked to the handover.
    const caseView = await caseHandle.query(caseViewQuery);
    expect(caseView).toMatchObject({ organisationId: 'drk', assigneeId: cm.id, state: 'assessment', handoverId: open.handoverId });
    expect(caseView.consents).toEqual([
      expect.objectContaining({ scope: 'handover', decision: 'given', partnerOrganisationId: 'drk', recordedBy: counsellor.id }),
      expect.objectContaining({ scope: 'data_processing', decision: 'given', partnerOrganisationId: 'drk', recordedAt: consented.consent!.recordedAt }),
    ]);
    expect(caseView.residenceLaw).toMatchObject({ handoverId: open.handoverId, permits: ['§25b'], notes: 'Duldung seit 2019, Beschäftigung in Aussicht' });
    expect(caseView.deadlines.filter((d) => d.status === 'open').map((d) => d.kind)).toContain('assessment_completion');
    const caseEvents = await eventually(
      () => h.db.caseEvent.findMany({ where: { caseId: caseOpen.caseId }, orderBy: { seq: 'asc' } }),
      (list) => list.some((e) => e.type === 'assessment_started'),
    );
    expect(caseEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['case_transferred', 'residence_law_recorded', 'consent_recorded', 'assessment_started']));
    expect(caseEvents.find((e) => e.type === 'residence_law_recorded')!.summary).toMatch(/^Aufenthaltsrechtliche Angaben aus der Übergabe: /);
    expect(caseEvents.find((e) => e.type === 'case_transferred')).toMatchObject({
      actorId: counsellor.id,
      data: expect.objectContaining({ fromOrganisationId: 'abh', toOrganisationId: 'drk', assigneeId: cm.id, reason: 'Übergabe aus der ABH' }),
    });
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseOpen.caseId } })).organisationId).toBe('drk');
    // Now the receiving organisation works the case, no longer the ABH.
    expect((await refusal(onCase(caseOpen.caseId, counsellor)('put-on-hold', { reason: 'x' }))).type).toBe('forbidden');
    expect((await onCase(caseOpen.caseId, cm)('put-on-hold', { reason: 'Urlaub der Klientin' })).onHold).toBe(true);
    // No new case was opened for the person.
    expect(await h.db.case.count()).toBe(casesBefore);
    const { row } = await expectRecordAgrees(await handle.query(handoverViewQuery));
    expect(row.caseId).toBe(caseOpen.caseId);
    expect(consented.caseId).toBe(caseOpen.caseId);
  });

  it('refuses the acceptance when the case itself refuses the transfer; the handover stays open', async () => {
    // A case the ABH does not hold: the counsellor may not hand it over, the case workflow says so.
    const caseOpen = await openCaseRows(h.db, { organisationId: 'caritas-eifel', municipality: 'Kall' });
    const caseHandle = await startCase(h.client, h.taskQueue, caseOpen);
    const { handle } = await newHandover({ body: { caseId: caseOpen.caseId, proposedOrganisationId: 'drk' } });
    await by(handle, counsellor)('record-consent', { decision: 'given' });
    await by(handle, cm)('schedule-meeting', { at: meetingAt(), participants });
    await by(handle, cm)('complete-meeting');
    const refused = await refusal(by(handle, cm)('accept'));
    expect(refused.type).toBe('forbidden');
    expect(refused.message).toContain('bestehende Fall');
    const view = await handle.query(handoverViewQuery);
    expect(view.state).toBe('meeting_scheduled');
    expect((await caseHandle.query(caseViewQuery)).organisationId).toBe('caritas-eifel');
    const { events } = await expectRecordAgrees(view);
    expect(events.map((e) => e.type)).not.toContain('handover_accepted');
    // Still open for the counsellor to end it.
    expect((await by(handle, counsellor)('cancel', { reason: 'Fall liegt bei einem anderen Träger' })).state).toBe('cancelled');
  });
});

describe('handovers that end without a takeover', () => {
  it('ends on refused consent: nothing passed on, no case opened', async () => {
    const casesBefore = await h.db.case.count();
    const { open, handle } = await newHandover();
    const refused = await by(handle, counsellor)('record-consent', { decision: 'refused' });
    expect(refused).toMatchObject({ state: 'refused', visibleToReceiver: false });
    expect(JSON.stringify(receiverView(refused))).not.toContain(demoPerson.familyName);
    expect(await handle.result()).toEqual({ handoverId: open.handoverId, state: 'refused' });
    const { row, events } = await expectRecordAgrees(refused);
    expect(row.closedAt?.toISOString()).toBe(refused.consent!.recordedAt);
    expect(events.map((e) => e.type)).toEqual(['handover_requested', 'deadline_set', 'deadline_met', 'handover_consent_refused']);
    expect(await h.db.case.count()).toBe(casesBefore);
  });

  it('ends on cancellation: open deadlines cancelled, no case opened', async () => {
    const casesBefore = await h.db.case.count();
    const { open, handle } = await newHandover();
    await by(handle, counsellor)('record-consent', { decision: 'given' });
    const cancelled = await by(handle, counsellor)('cancel', { reason: 'Klientin zieht nach Köln' });
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.deadlines.map((d) => [d.kind, d.status])).toEqual([
      ['handover_consent', 'met'],
      ['handover_meeting', 'cancelled'],
    ]);
    expect(await handle.result()).toEqual({ handoverId: open.handoverId, state: 'cancelled' });
    const { row, events } = await expectRecordAgrees(cancelled);
    expect(row.closedAt?.toISOString()).toBe(cancelled.cancellation!.at);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['handover_cancelled', 'deadline_cancelled']);
    expect(await h.db.case.count()).toBe(casesBefore);
  });
});

describe('refused and repeated requests', () => {
  it('refuses actions the state, the role or the body do not allow — before they touch history', async () => {
    const { open, handle } = await newHandover();
    // Settled: the first run wrote its record and waits on the consent timer.
    const before = await eventually(
      () => historyEventTypes(handle),
      (types) => types.at(-1) === 'EVENT_TYPE_TIMER_STARTED',
    );
    expect(before.at(-1)).toBe('EVENT_TYPE_TIMER_STARTED');
    const eventsBefore = (await recorded(open.handoverId)).length;

    const early = await refusal(by(handle, cm)('accept'));
    expect(early.type).toBe('transition_not_allowed');
    expect(early.details).toMatchObject({ code: 'transition_not_allowed', allowed: [] });
    const wrongRole = await refusal(by(handle, cm)('record-consent', { decision: 'given' }));
    expect(wrongRole.type).toBe('forbidden');
    expect(wrongRole.details.code).toBe('forbidden');
    expect((await refusal(by(handle, otherCm)('schedule-meeting', { at: meetingAt(), participants }))).type).toBe('forbidden');
    expect((await refusal(by(handle, admin)('cancel', { reason: 'x' }))).type).toBe('forbidden');
    const invalid = await refusal(by(handle, counsellor)('record-consent', { decision: 'vielleicht' }));
    expect(invalid.type).toBe('validation_failed');
    expect(Object.keys(invalid.details.fields)).toEqual(['decision']);
    const counsellorEarly = await refusal(by(handle, counsellor)('complete-meeting'));
    expect(counsellorEarly.details.allowed).toEqual(['record-consent', 'cancel']);

    const after = await historyEventTypes(handle);
    expect(after).toEqual(before);
    expect(after).not.toContain('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED');
    expect((await recorded(open.handoverId)).length).toBe(eventsBefore);

    // After consent: the meeting must be held before the case can be taken over.
    await by(handle, counsellor)('record-consent', { decision: 'given' });
    await by(handle, cm)('schedule-meeting', { at: meetingAt(), participants });
    const acceptedOnce = (await historyEventTypes(handle)).filter((t) => t === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED').length;
    const notHeld = await refusal(by(handle, cm)('accept'));
    expect(notHeld.type).toBe('transition_not_allowed');
    expect(notHeld.message).toContain('nach dem Übergabegespräch');
    expect((await historyEventTypes(handle)).filter((t) => t === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(acceptedOnce);
    expect(acceptedOnce).toBe(2);
    await expectRecordAgrees(await handle.query(handoverViewQuery));
  });

  it('numbers an action that arrives together with the start after the proposal', async () => {
    // Update-with-start puts the update into the very first workflow task, before the proposal is written.
    const open = await proposeHandoverRows(h.db, counsellor);
    const start = new WithStartWorkflowOperation('handoverWorkflow', {
      workflowId: handoverWorkflowId(open.handoverId),
      taskQueue: h.taskQueue,
      args: [{ open, settings: defaultCaseSettings }],
      workflowIdConflictPolicy: 'FAIL',
    });
    const refused = await h.client.workflow.executeUpdateWithStart(handoverActionUpdate, {
      args: [{ action: 'record-consent', payload: { decision: 'refused' }, actor: counsellor }],
      startWorkflowOperation: start,
    });
    expect(refused.state).toBe('refused');
    expect((await (await start.workflowHandle()).result()).state).toBe('refused');
    const { events } = await expectRecordAgrees(refused);
    expect(events.map((e) => e.type)).toEqual(['handover_requested', 'deadline_set', 'deadline_met', 'handover_consent_refused']);
  });

  it('applies a retried request (same requestId) once and answers it the same', async () => {
    const { open, handle } = await newHandover();
    const first = await by(handle, counsellor)('record-consent', { decision: 'given' }, 'req-consent-1');
    const second = await by(handle, counsellor)('record-consent', { decision: 'given' }, 'req-consent-1');
    expect(second).toEqual(first);
    await by(handle, cm)('schedule-meeting', { at: meetingAt(), participants }, 'req-meeting-1');
    await by(handle, cm)('complete-meeting', {}, 'req-held-1');
    const casesBefore = await h.db.case.count();
    const accepted = await by(handle, cm)('accept', {}, 'req-accept-1');
    const acceptedAgain = await by(handle, cm)('accept', {}, 'req-accept-1');
    expect(acceptedAgain).toEqual(accepted);

    const types = await historyEventTypes(handle);
    expect(types.filter((t) => t === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(4);
    expect(types.filter((t) => t === 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED')).toHaveLength(1);
    const events = await recorded(open.handoverId);
    expect(events.filter((e) => e.type === 'handover_consent_given')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'handover_accepted')).toHaveLength(1);
    // One case for the person, not two.
    expect(await h.db.case.count()).toBe(casesBefore + 1);
    expect(await h.db.case.count({ where: { id: accepted.caseId! } })).toBe(1);
  });
});

describe('continue-as-new', () => {
  it('carries state, deadlines, numbering and request ids into the next run', async () => {
    const { open, handle } = await newHandover({ continueAsNewAfterEvents: 30 });
    const firstRunId = (await handle.describe()).runId;
    const consented = await by(handle, counsellor)('record-consent', { decision: 'given' }, 'can-consent');
    // Re-planning the meeting a few times pushes the history past 30 events.
    for (let i = 0; i < 6; i++) {
      await by(handle, i % 2 ? cm : counsellor)('schedule-meeting', { at: new Date(Date.now() + (3 + i) * DAY).toISOString(), participants });
    }
    const view = await eventually(
      () => handle.describe(),
      (d) => d.runId !== firstRunId,
    );
    expect(view.runId).not.toBe(firstRunId);
    const after = await handle.query(handoverViewQuery);
    expect(after.state).toBe('meeting_scheduled');
    expect(after.deadlines).toEqual(consented.deadlines);
    // A request from the first run, retried after continue-as-new, is recognised and changes nothing.
    const retried = await by(handle, counsellor)('record-consent', { decision: 'given' }, 'can-consent');
    expect(retried).toEqual(after);
    // The new run takes updates and still opens the case.
    await by(handle, counsellor)('complete-meeting');
    const accepted = await by(handle, cm)('accept');
    expect(accepted.state).toBe('handed_over');
    expect((await h.client.workflow.getHandle(caseWorkflowId(accepted.caseId!)).query(caseViewQuery)).handoverId).toBe(open.handoverId);
    const { events } = await expectRecordAgrees(accepted);
    expect(events.filter((e) => e.type === 'handover_meeting_scheduled')).toHaveLength(6);
    expect(events.filter((e) => e.type === 'handover_consent_given')).toHaveLength(1);
  });
});
