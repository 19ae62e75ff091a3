// The case workflow on the real Temporal dev server: every state, refused updates, idempotent retries,
// on hold, transfer, reopen, continue-as-new racing updates — and the database record agreeing with it.
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCaseSettings, type Actor, type CaseAction, type CaseData } from '../domain/index.js';
import { readCaseView } from '../api/operations/case-lookup.js';
import { caseActionUpdate, caseViewQuery, caseWorkflowId, type CaseActionResult } from '../workflows/case-messages.js';
import { caseOrganisationKey, caseStateKey } from '../workflows/search-attributes.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { startHarness, type Harness } from './support/harness.js';

const { temporal } = proto;
let h: Harness;
let cm: Actor;
let otherCm: Actor;
let coordinator: Actor;

beforeAll(async () => {
  h = await startHarness({ withApp: false });
  cm = await demoActor(h.db, 'cm.drk@kim.example');
  otherCm = await demoActor(h.db, 'cm.caritas-eifel@kim.example');
  coordinator = await demoActor(h.db, 'koordination@kim.example');
});
afterAll(async () => {
  await h?.close();
});

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

async function newCase(options: { continueAsNewAfterEvents?: number } = {}) {
  const open = await openCaseRows(h.db, { assigneeId: cm.id });
  const handle = await startCase(h.client, h.taskQueue, open, options);
  return { open, handle };
}

/** Acts as `who` and answers with the case as the action left it, read from the read model as the API does. */
function actor(handle: WorkflowHandle, who: () => Actor) {
  return async (action: CaseAction, payload: unknown = {}, requestId?: string): Promise<CaseData> => {
    const result = await handle.executeUpdate(caseActionUpdate, { args: [{ action, payload, actor: who(), requestId }], ...(requestId ? { updateId: requestId } : {}) });
    return viewAfter(result);
  };
}

async function viewAfter(result: CaseActionResult): Promise<CaseData> {
  const row = await h.db.case.findUniqueOrThrow({ where: { id: result.caseId } });
  return (await readCaseView(h.db, h.client, row, result.seq))!;
}

async function refusal(promise: Promise<unknown>): Promise<{ type: string; details: any }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const failure = cause as ApplicationFailure;
  return { type: failure.type ?? '', details: failure.details?.[0] };
}

async function historyEventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? 'UNKNOWN');
}

/** The history once the workflow has settled: no workflow task pending and the history no longer growing (after a
 *  change the main loop may still be in a task of its own). */
async function settledHistoryTypes(handle: WorkflowHandle): Promise<string[]> {
  let previous: string[] = [];
  for (let i = 0; i < 200; i++) {
    const types = await historyEventTypes(handle);
    if (types.length === previous.length && !(await handle.describe()).raw.pendingWorkflowTask) return types;
    previous = types;
    await new Promise((r) => setTimeout(r, 100));
  }
  return previous;
}

/** What a refused action must not add: every event but the bookkeeping of workflow tasks (on a loaded machine the
 *  server may keep a task that ran a refused update's validator, with no command in it). */
const caseEventTypes = (types: string[]) => types.filter((t) => !t.startsWith('EVENT_TYPE_WORKFLOW_TASK_'));

async function recorded(caseId: string) {
  return h.db.caseEvent.findMany({ where: { caseId }, orderBy: { seq: 'asc' } });
}

describe('case lifecycle on the dev server', () => {
  it('goes from intake through every state to closure, reopen and closure again, recorded in order', async () => {
    const { open, handle } = await newCase();
    const byCm = actor(handle, () => cm);
    const byCoordinator = actor(handle, () => coordinator);
    const states: string[] = [];
    const step = async (p: Promise<CaseData>) => {
      const c = await p;
      states.push(c.state);
      return c;
    };

    await step(byCm('confirm-provider', { organisationId: 'drk' }));
    await step(byCm('record-consent', { scope: 'data_processing', decision: 'given' }));
    await step(byCm('start-assessment'));
    await step(byCm('record-contact', { kind: 'counselling', date: new Date().toISOString(), durationMinutes: 45 }));
    await step(byCm('complete-assessment', { lifeAreas: [{ area: 'housing', situation: 'Notunterkunft', need: 'high' }] }));
    const withGoals = await step(
      byCm('agree-goals', { goals: [{ title: 'Wohnung', measure: 'Wohnungssuche begleiten', owner: 'CM', dueDate: inDays(60) }] }),
    );
    const referred = await step(byCm('refer', { service: 'Wohnungsnotfallhilfe' }));
    await step(byCm('record-referral-outcome', { referralId: referred.referrals[0]!.id, outcome: 'accepted' }));
    await step(byCm('start-review'));
    await step(byCm('complete-review', { outcome: 'replan' }));
    await step(byCm('update-goal', { goalId: withGoals.goals[0]!.id, status: 'open', dueDate: inDays(90) }));
    await step(byCm('start-review'));
    await step(byCm('complete-review', { outcome: 'refer' }));
    await step(byCm('start-review'));
    // A case manager's "close" outcome is a request (work goes on meanwhile); a coordinator approves it.
    const requested = await step(byCm('complete-review', { outcome: 'close', closureReason: 'goals_achieved', goalAttainment: 'achieved' }));
    expect(requested.closureRequest).toBeDefined();
    const closed = await step(byCoordinator('approve-closure'));
    expect(closed.closure).toMatchObject({ reason: 'goals_achieved', goalAttainment: 'achieved' });
    expect(closed.deadlines.filter((d) => ['open', 'reminded'].includes(d.status)).map((d) => d.kind)).toEqual(['retention']);
    const reopened = await step(byCm('reopen', { reason: 'Neue Wohnungskündigung' }));
    await step(byCoordinator('close', { reason: 'client_request', goalAttainment: 'partly' }));

    expect(states).toEqual([
      'intake', 'intake', 'assessment', 'assessment', 'goal_planning', 'goal_planning', 'referral', 'referral',
      'review', 'goal_planning', 'goal_planning', 'review', 'referral', 'review', 'referral', 'closed', reopened.state, 'closed',
    ]);
    expect(reopened.state).not.toBe('closed');

    // The durable record: every event once, numbered without gaps; the read model matches the workflow.
    const view = await handle.query(caseViewQuery);
    const events = await recorded(open.caseId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'case_closed')).toHaveLength(2);
    const row = await h.db.case.findUniqueOrThrow({ where: { id: open.caseId } });
    expect(row).toMatchObject({ state: 'closed', organisationId: 'drk', lastEventSeq: events.length });
    expect(row.closedAt?.toISOString()).toBe(view.closure?.closedAt);
    const consents = await h.db.consent.findMany({ where: { caseId: open.caseId } });
    expect(consents.map((c) => [c.scope, c.decision])).toEqual([['data_processing', 'given']]);
    expect((await handle.describe()).typedSearchAttributes.get(caseStateKey)).toBe('closed');
  });

  it('refuses actions the state, the role or the body do not allow — before they touch history', async () => {
    const { open, handle } = await newCase();
    await actor(handle, () => cm)('assign', { assigneeId: cm.id });
    const before = await settledHistoryTypes(handle);
    const eventsBefore = (await recorded(open.caseId)).length;

    const wrongState = await refusal(actor(handle, () => cm)('complete-assessment', { lifeAreas: [{ area: 'work', situation: 'x', need: 'low' }] }));
    expect(wrongState.type).toBe('transition_not_allowed');
    expect(wrongState.details.allowed).toEqual(expect.arrayContaining(['record-consent', 'record-contact', 'put-on-hold']));
    expect(wrongState.details.allowed).not.toContain('complete-assessment');
    // Without consent to data processing the assessment cannot start, so it is not offered either.
    expect(wrongState.details.allowed).not.toContain('start-assessment');

    const noConsent = await refusal(actor(handle, () => cm)('start-assessment'));
    expect(noConsent.type).toBe('transition_not_allowed');

    const invalid = await refusal(actor(handle, () => cm)('record-contact', { kind: 'telepathy', date: '2025-02-30', durationMinutes: -1 }));
    expect(invalid.type).toBe('validation_failed');
    expect(Object.keys(invalid.details.fields)).toEqual(expect.arrayContaining(['kind', 'date', 'durationMinutes']));

    const otherOrg = await refusal(actor(handle, () => otherCm)('put-on-hold', { reason: 'x' }));
    expect(otherOrg.type).toBe('forbidden');

    expect(caseEventTypes(await settledHistoryTypes(handle))).toEqual(caseEventTypes(before));
    expect((await recorded(open.caseId)).length).toBe(eventsBefore);
  });

  it('applies a retried request (same requestId) once and answers it the same', async () => {
    const { open, handle } = await newCase();
    const byCm = actor(handle, () => cm);
    const first = await byCm('record-contact', { kind: 'phone', date: new Date().toISOString(), durationMinutes: 10 }, 'req-contact-1');
    const second = await byCm('record-contact', { kind: 'phone', date: new Date().toISOString(), durationMinutes: 10 }, 'req-contact-1');
    expect(second).toEqual(first);
    expect(second.contacts.count).toBe(1);
    const accepted = (await historyEventTypes(handle)).filter((t) => t === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED');
    expect(accepted).toHaveLength(1);
    expect((await recorded(open.caseId)).filter((e) => e.type === 'contact_recorded')).toHaveLength(1);
  });

  it('suspends deadlines on hold and re-arms them with their remaining time on resume', async () => {
    const { handle } = await newCase();
    const byCm = actor(handle, () => cm);
    const initial = await handle.query(caseViewQuery);
    const firstDue = initial.deadlines.find((d) => d.kind === 'first_assessment')!.dueAt;
    const held = await byCm('put-on-hold', { reason: 'Klientin nicht erreichbar' });
    expect(held.onHold).toBe(true);
    expect(held.deadlines.filter((d) => d.status === 'suspended').map((d) => d.kind).sort()).toEqual(['first_assessment', 'no_contact']);
    await refusal(byCm('start-assessment'));
    await new Promise((r) => setTimeout(r, 1500));
    const resumed = await byCm('resume');
    const rearmed = resumed.deadlines.find((d) => d.kind === 'first_assessment')!;
    expect(rearmed.status).toBe('open');
    expect(Date.parse(rearmed.dueAt) - Date.parse(firstDue)).toBeGreaterThanOrEqual(1500);
  });

  it('numbers the opening before an update that arrives with the first workflow task (update-with-start)', async () => {
    const open = await openCaseRows(h.db, { assigneeId: cm.id });
    const start = new WithStartWorkflowOperation('caseWorkflow', {
      workflowId: caseWorkflowId(open.caseId),
      taskQueue: h.taskQueue,
      args: [{ open, settings: defaultCaseSettings }],
      workflowIdConflictPolicy: 'FAIL',
    });
    const held = await h.client.workflow.executeUpdateWithStart(caseActionUpdate, {
      args: [{ action: 'put-on-hold', payload: { reason: 'nicht erreichbar' }, actor: cm }],
      startWorkflowOperation: start,
    });
    expect(held.onHold).toBe(true);
    const types = (await recorded(open.caseId)).map((e) => e.type);
    expect(types.slice(0, 4)).toEqual(['case_opened', 'deadline_set', 'deadline_set', 'case_put_on_hold']);
  });

  it('transfers a case to another provider: organisation, read model and search attribute follow', async () => {
    const { open, handle } = await newCase();
    const moved = await actor(handle, () => cm)('transfer', { organisationId: 'caritas-eifel', reason: 'Umzug nach Schleiden' });
    expect(moved.organisationId).toBe('caritas-eifel');
    expect(moved.assigneeId).toBeUndefined();
    // The former organisation can no longer act; the new one can.
    expect((await refusal(actor(handle, () => cm)('put-on-hold', { reason: 'x' }))).type).toBe('forbidden');
    await actor(handle, () => otherCm)('assign', { assigneeId: otherCm.id });
    expect((await h.db.case.findUniqueOrThrow({ where: { id: open.caseId } })).organisationId).toBe('caritas-eifel');
    expect((await handle.describe()).typedSearchAttributes.get(caseOrganisationKey)).toBe('caritas-eifel');
  });
});

describe('continue-as-new', () => {
  it('carries state and armed deadlines into the next run while updates race it', async () => {
    const { open, handle } = await newCase({ continueAsNewAfterEvents: 40 });
    const firstRunId = (await handle.describe()).runId;
    const before = await handle.query(caseViewQuery);
    const byCm = actor(handle, () => cm);
    // Twenty contacts, five at a time: the history passes 40 events while updates are in flight.
    for (let batch = 0; batch < 4; batch++) {
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          byCm('record-contact', { kind: 'phone', date: new Date().toISOString(), durationMinutes: batch * 5 + i }, `race-${batch}-${i}`),
        ),
      );
    }
    const after = await handle.query(caseViewQuery);
    expect((await handle.describe()).runId).not.toBe(firstRunId);
    expect(after.contacts.count).toBe(20);
    // The deadline armed at intake is still armed, unchanged, in the new run.
    const firstAssessment = (c: CaseData) => c.deadlines.find((d) => d.kind === 'first_assessment');
    expect(firstAssessment(after)).toEqual(firstAssessment(before));
    const events = await recorded(open.caseId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'contact_recorded')).toHaveLength(20);
    // A request from the first run, retried after continue-as-new, is recognised and changes nothing.
    const retried = await byCm('record-contact', { kind: 'phone', date: new Date().toISOString(), durationMinutes: 0 }, 'race-0-0');
    expect(retried.contacts.count).toBe(20);
    // And the new run still takes updates.
    expect((await byCm('put-on-hold', { reason: 'Urlaub' })).onHold).toBe(true);
  });
});

describe('deadline timers', () => {
  const count = async (handle: WorkflowHandle, type: string) => (await historyEventTypes(handle)).filter((t) => t === `EVENT_TYPE_${type}`).length;

  it('keeps the timer across actions that leave the next deadline, and re-arms it when an action moves that', async () => {
    const { handle } = await newCase();
    const byCm = actor(handle, () => cm);
    await settledHistoryTypes(handle);
    expect(await count(handle, 'TIMER_STARTED')).toBe(1);
    // Consent and contacts: the first assessment (14 days) stays the next deadline — the no-contact one moves, later.
    await byCm('record-consent', { scope: 'data_processing', decision: 'given' });
    for (let i = 0; i < 3; i++) await byCm('record-contact', { kind: 'phone', date: new Date().toISOString(), durationMinutes: 10 + i });
    expect([await count(handle, 'TIMER_STARTED'), await count(handle, 'TIMER_CANCELED')]).toEqual([1, 0]);

    // Starting the assessment meets the first assessment: the next deadline is another one, at another instant.
    const started = await byCm('start-assessment');
    const next = started.deadlines.filter((d) => d.status === 'open').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0]!;
    expect(next.kind).not.toBe('first_assessment');
    expect([await count(handle, 'TIMER_STARTED'), await count(handle, 'TIMER_CANCELED')]).toEqual([2, 1]);
    const timers = ((await handle.fetchHistory()).events ?? []).filter((e) => e.timerStartedEventAttributes);
    const firesInMs = Number(timers.at(-1)!.timerStartedEventAttributes!.startToFireTimeout!.seconds) * 1000;
    // Armed for the new next deadline (seconds of rounding and of the test's own time aside).
    expect(Math.abs(Date.now() + firesInMs - Date.parse(next.dueAt))).toBeLessThan(60_000);
  });
});
