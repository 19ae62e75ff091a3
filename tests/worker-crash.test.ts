// Fault drill: the worker process is killed (SIGKILL) while a transition is writing its record. After a new
// worker starts, the transition completes exactly once and the database agrees with the workflow.
import { workerReady } from '../harness/processes.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import proto from '@temporalio/proto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Actor } from '../domain/index.js';
import { repoRoot } from '../platform/paths.js';
import { caseActionUpdate, caseViewQuery } from '../workflows/case-messages.js';
import { caseAfter, demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { startHarness, type Harness } from './support/harness.js';

const { temporal } = proto;
let h: Harness;
let cm: Actor;
const taskQueue = `crash-${randomBytes(4).toString('hex')}`;
const workers: ChildProcess[] = [];

function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: h.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      KIM_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  return workerReady(child, 'worker');
}

beforeAll(async () => {
  h = await startHarness({ withApp: false });
  cm = await demoActor(h.db, 'cm.drk@kim.example');
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await h?.close();
});

describe('worker killed mid-transition', () => {
  it('completes the transition exactly once after a new worker starts', async () => {
    await startWorkerProcess();
    const open = await openCaseRows(h.db, { assigneeId: cm.id });
    const handle = await startCase(h.client, taskQueue, open);
    // Wait for the opening to be recorded.
    for (let i = 0; i < 100 && (await h.db.caseEvent.count({ where: { caseId: open.caseId } })) < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }

    // Hold a row lock on the case, so the transition's record write blocks inside the worker.
    const blocker = new pg.Client({ connectionString: h.databaseUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM "Case" WHERE id = $1 FOR UPDATE', [open.caseId]);

    const update = handle.executeUpdate(caseActionUpdate, {
      args: [{ action: 'record-contact', payload: { kind: 'outreach', date: new Date().toISOString(), durationMinutes: 90 }, actor: cm, requestId: 'visit-1' }],
      updateId: 'visit-1',
    });
    // Until the worker has started the activity that writes the record.
    let started = false;
    for (let i = 0; i < 100 && !started; i++) {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      started = pending.some(
        (a) => a.activityType?.name === 'recordCaseEvents' && a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
      );
      if (!started) await new Promise((r) => setTimeout(r, 100));
    }
    expect(started).toBe(true);

    workers[0]!.kill('SIGKILL');
    await new Promise((r) => workers[0]!.once('exit', r));
    await blocker.query('ROLLBACK');
    await blocker.end();

    await startWorkerProcess();
    const result = await update;
    expect((await caseAfter(h.db, h.client, result)).contacts.count).toBe(1);

    const events = await h.db.caseEvent.findMany({ where: { caseId: open.caseId }, orderBy: { seq: 'asc' } });
    expect(events.filter((e) => e.type === 'contact_recorded')).toHaveLength(1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const row = await h.db.case.findUniqueOrThrow({ where: { id: open.caseId } });
    expect(row.lastEventSeq).toBe(events.length);
    expect((await handle.query(caseViewQuery)).contacts.count).toBe(1);
  });
});
