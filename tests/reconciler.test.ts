// The case reconciler (activities/case-reconciler.ts) on the real dev server: a case recorded in PostgreSQL whose
// workflow never started (the API died between the rows and the start) is found and started with the input intake
// would have given it, and then works; running it again, twice at once, or after the workflow ended starts nothing
// twice. The Schedule (worker.ts ensureCaseReconcilerSchedule) runs the same pass through the scheduled workflow.
import { randomUUID } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileUnstartedCases, type ReconcileResult } from '../activities/case-reconciler.js';
import { apiCall, bearerFor, type Bearer } from '../harness/auth.js';
import { openCaseRows } from '../harness/cases.js';
import { loadCaseSettings } from '../platform/settings.js';
import { CASE_CODE_VERSION, caseWorkflowId } from '../workflows/case-messages.js';
import { caseNextDeadlineKey } from '../workflows/search-attributes.js';
import { caseReconcilerScheduleId, ensureCaseReconcilerSchedule } from '../worker.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let drk: Bearer;
let openerId: string;

beforeAll(async () => {
  h = await startHarness();
  drk = await bearerFor(h.db, 'cm.drk@kim.example');
  openerId = (await h.db.user.findUniqueOrThrow({ where: { email: 'cm.drk@kim.example' } })).id;
});
afterAll(async () => {
  await h?.close();
});

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** Person and Case rows as openCase writes them, without the workflow start: the API "died" in between. */
async function orphan(openedAt = minutesAgo(5)) {
  const open = await openCaseRows(h.db, { openedAt });
  await h.db.case.update({
    where: { id: open.caseId },
    data: { openedById: openerId, proposedOrganisationId: 'drk', proposalReason: 'Wohnort Kall' },
  });
  return open.caseId;
}

const deps = () => ({ db: h.db, client: h.client, taskQueue: h.taskQueue });

const runScheduledPass = (): Promise<ReconcileResult> =>
  h.client.workflow.execute('caseReconcilerWorkflow', { workflowId: `reconciler-test-${randomUUID()}`, taskQueue: h.taskQueue, args: [{}] });

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startInput(caseId: string): Promise<unknown> {
  const history = await h.client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
  const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]! as Payload;
  expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('binary/encrypted');
  const [plain] = await h.dataConverter.payloadCodecs![0]!.decode([payload]);
  return JSON.parse(Buffer.from(plain!.data!).toString('utf8'));
}

describe('case reconciler', () => {
  it('starts the workflow of a case without one, with the input intake would have given it, and the case works', async () => {
    const caseId = await orphan();
    const young = await orphan(minutesAgo(0)); // within the grace period: its intake may still be starting it
    const closed = await orphan();
    await h.db.case.update({ where: { id: closed }, data: { state: 'closed', closedAt: new Date() } });
    const erased = await orphan();
    await h.db.case.update({ where: { id: erased }, data: { erasedAt: new Date() } });

    const first = await runScheduledPass();
    expect(first).toEqual({ started: [caseId], alreadyStarted: [], failed: [] });

    const row = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(await startInput(caseId)).toEqual({
      settings: JSON.parse(JSON.stringify(await loadCaseSettings(h.db))),
      open: {
        caseId,
        openedAt: row.openedAt.toISOString(),
        openedBy: openerId,
        organisationId: 'drk',
        proposedProvider: { organisationId: 'drk', reason: 'Wohnort Kall' },
        municipality: 'Kall',
        source: 'self',
      },
      codeVersion: CASE_CODE_VERSION,
    });
    const description = await h.client.workflow.getHandle(caseWorkflowId(caseId)).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.searchAttributes.KimCaseState).toEqual(['intake']);
    expect(description.searchAttributes.KimOrganisation).toEqual(['drk']);
    // The first deadline too, as intake starts a case (workflows/case-start.ts).
    expect(description.typedSearchAttributes.get(caseNextDeadlineKey)).toBeInstanceOf(Date);

    // The workflow writes its first record; the opening event names who opened the case.
    await until('first record', async () => (await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).lastEventSeq > 0);
    const opened = await h.db.caseEvent.findFirstOrThrow({ where: { caseId, type: 'case_opened' } });
    expect(opened.actorId).toBe(openerId);
    const consent = await apiCall(h.baseUrl, drk, 'POST', `/api/v1/cases/${caseId}/actions/record-consent`, { scope: 'data_processing', decision: 'given' });
    expect(consent.status).toBe(200);
    const start = await apiCall(h.baseUrl, drk, 'POST', `/api/v1/cases/${caseId}/actions/start-assessment`, {});
    expect(start.status).toBe(200);
    expect((await apiCall(h.baseUrl, drk, 'GET', `/api/v1/cases/${caseId}`)).body.state).toBe('assessment');

    // Nothing else was touched: too young, closed, erased.
    for (const id of [young, closed, erased]) {
      await expect(h.client.workflow.getHandle(caseWorkflowId(id)).describe(), id).rejects.toThrow();
    }
    // A second run starts nothing.
    expect(await runScheduledPass()).toEqual({ started: [], alreadyStarted: [], failed: [] });
  });

  it('never starts a workflow twice: two passes at once, a pass that does not know the workflow exists, a closed workflow', async () => {
    const caseId = await orphan();
    const [a, b] = await Promise.all([reconcileUnstartedCases(deps()), reconcileUnstartedCases(deps())]);
    expect([...a.started, ...b.started]).toEqual([caseId]);
    const { runId } = await h.client.workflow.getHandle(caseWorkflowId(caseId)).describe();
    // The started workflow records its opening on its own; let it land, or it would undo the reset below.
    await eventually(() => h.db.case.findUniqueOrThrow({ where: { id: caseId } }), (row) => row.lastEventSeq > 0, 'the opening recorded');

    // As if nothing had been recorded or confirmed: the workflow id answers "already started", no second run.
    await h.db.case.update({ where: { id: caseId }, data: { lastEventSeq: 0, workflowConfirmedAt: null } });
    expect(await reconcileUnstartedCases(deps())).toEqual({ started: [], alreadyStarted: [caseId], failed: [] });
    expect((await h.client.workflow.getHandle(caseWorkflowId(caseId)).describe()).runId).toBe(runId);

    // A workflow that has ended is not started again either (WorkflowIdReusePolicy REJECT_DUPLICATE).
    await h.client.workflow.getHandle(caseWorkflowId(caseId)).terminate('test');
    await h.db.case.update({ where: { id: caseId }, data: { lastEventSeq: 0, workflowConfirmedAt: null } });
    expect(await reconcileUnstartedCases(deps())).toEqual({ started: [], alreadyStarted: [caseId], failed: [] });
    const after = await h.client.workflow.getHandle(caseWorkflowId(caseId)).describe();
    expect([after.runId, after.status.name]).toEqual([runId, 'TERMINATED']);
  });

  it('runs from one Schedule per task queue that every worker process ensures', async () => {
    const scheduleId = caseReconcilerScheduleId(h.taskQueue);
    try {
      expect(await ensureCaseReconcilerSchedule(h.client, h.taskQueue)).toBe(true);
      // The second worker process finds it.
      expect(await ensureCaseReconcilerSchedule(h.client, h.taskQueue)).toBe(false);
      const schedule = h.client.schedule.getHandle(scheduleId);
      const described = await schedule.describe();
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'caseReconcilerWorkflow', taskQueue: h.taskQueue });
      expect(described.policies.overlap).toBe('SKIP');

      const caseId = await orphan();
      await schedule.trigger();
      await until('the scheduled run to start the case', () =>
        h.client.workflow.getHandle(caseWorkflowId(caseId)).describe().then(() => true, () => false),
      );
    } finally {
      await h.client.schedule.getHandle(scheduleId).delete();
    }
  });
});
