// Fault drill: the worker process is killed (SIGKILL) after a transition's record committed and before the worker
// reported it. After a new
// worker starts, the transition completes exactly once and the database agrees with the workflow.
import { workerReady } from '../harness/processes.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { foldCaseFacts, storedFacts } from '../domain/controlling.js';
import type { Actor } from '../domain/index.js';
import { repoRoot } from '../platform/paths.js';
import { WORKER_PROCESS_ARGS } from '../worker.js';
import { caseActionUpdate, caseViewQuery } from '../workflows/case-messages.js';
import { caseAfter, demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let cm: Actor;
const taskQueue = `crash-${randomBytes(4).toString('hex')}`;
const workers: ChildProcess[] = [];

function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, WORKER_PROCESS_ARGS, {
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
  // Needs a PostgreSQL server (CI: TEST_DATABASE_URL): the embedded PGlite serves one session at a time, so nothing
  // can commit while the test holds its lock.
  it.skipIf(!process.env.TEST_DATABASE_URL)('completes the transition exactly once after a new worker starts', async () => {
    await startWorkerProcess();
    const open = await openCaseRows(h.db, { assigneeId: cm.id });
    const handle = await startCase(h.client, taskQueue, open);
    // Wait for the opening to be recorded.
    for (let i = 0; i < 100 && (await h.db.caseEvent.count({ where: { caseId: open.caseId } })) < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }

    // The worker that recorded the opening holds the case's facts in memory and would write them within the record
    // statement; a worker without them (here: the one taking over) writes them in a second statement after it. That
    // gap is where this test holds the worker: after the commit, before the local activity reports completion.
    workers[0]!.kill('SIGKILL');
    await new Promise((r) => workers[0]!.once('exit', r));
    // The case's next task goes to the task queue at once, not to the dead worker's sticky queue first.
    await h.client.workflowService.resetStickyTaskQueue({ namespace: h.client.options.namespace, execution: { workflowId: handle.workflowId } });
    await startWorkerProcess();

    // Hold the case's facts row: the record statement commits the events, then the fold into the facts waits — the
    // worker dies after the commit and before the local activity reports completion.
    const blocker = new pg.Client({ connectionString: h.databaseUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT "caseId" FROM "CaseFacts" WHERE "caseId" = $1 FOR UPDATE', [open.caseId]);

    const update = handle.executeUpdate(caseActionUpdate, {
      args: [{ action: 'record-contact', payload: { kind: 'outreach', date: new Date().toISOString(), durationMinutes: 90 }, actor: cm, requestId: 'visit-1' }],
      updateId: 'visit-1',
    });
    // Until the contact is committed and the worker's fold waits on the lock.
    let committedAndWaiting = false;
    for (let i = 0; i < 200 && !committedAndWaiting; i++) {
      const committed = (await h.db.caseEvent.count({ where: { caseId: open.caseId, type: 'contact_recorded' } })) === 1;
      // Asked outside the blocker's transaction: inside it, pg_stat_activity answers the snapshot of its first read.
      const waiting = await h.db.$queryRaw<unknown[]>`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%CaseFacts%' AND datname = current_database()`;
      committedAndWaiting = committed && waiting.length > 0;
      if (!committedAndWaiting) await new Promise((r) => setTimeout(r, 100));
    }
    expect(committedAndWaiting).toBe(true);
    const seqBefore = (await h.db.case.findUniqueOrThrow({ where: { id: open.caseId } })).lastEventSeq;

    workers[1]!.kill('SIGKILL');
    await new Promise((r) => workers[1]!.once('exit', r));
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
    expect(row.lastEventSeq).toBe(seqBefore);
    expect((await handle.query(caseViewQuery)).contacts.count).toBe(1);
    // The retried record folded the committed events into the facts exactly once.
    const facts = await h.db.caseFacts.findUniqueOrThrow({ where: { caseId: open.caseId } });
    expect(facts.lastSeq).toBe(events.length);
    expect(storedFacts(foldCaseFacts(null, events)).facts).toBe(JSON.stringify(facts.facts));
  });
});
