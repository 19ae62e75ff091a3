// Records handover-workflow histories for the replay tests (tests/replay.test.ts). Run it when a version of the
// handover workflow is released: `npx tsx scripts/record-handover-histories.ts <label>`; keep the files of older
// versions, they prove that new code still replays handovers that are already running.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../activities/index.js';
import type { Actor, HandoverAction } from '../domain/index.js';
import { createDatabase } from '../platform/database.js';
import { startEmbeddedPostgres } from '../platform/embedded-postgres.js';
import { deployMigrations } from '../platform/migrations.js';
import { repoRoot } from '../platform/paths.js';
import { seedDatabase } from '../platform/seed.js';
import { resolveBinary } from '../platform/temporal-binaries.js';
import { registerSearchAttributes } from '../platform/temporal.js';
import { caseSearchAttributes } from '../workflows/search-attributes.js';
import { workflowsPath } from '../worker.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { proposeHandoverRows, startHandover } from '../harness/handovers.js';
import { handoverActionUpdate } from '../workflows/handover-messages.js';

const label = process.argv[2] ?? 'v1';
const outDir = join(repoRoot, 'tests', 'histories');
mkdirSync(outDir, { recursive: true });
const TASK_QUEUE = 'record-handover';

const pg = await startEmbeddedPostgres();
await deployMigrations({ databaseUrl: pg.url });
const db = createDatabase(pg.url);
await seedDatabase(db, { demoPassword: 'x', production: false });
const testServer = resolveBinary('testServer');
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: testServer.path ? { type: 'existing-path', path: testServer.path } : { type: 'cached-download' } },
});
// The case a handover opens is started with the case search attributes.
await registerSearchAttributes(env.connection, 'default', caseSearchAttributes);
const worker = await Worker.create({
  connection: env.nativeConnection,
  taskQueue: TASK_QUEUE,
  workflowsPath,
  activities: createActivities({ db }),
});

let requests = 0;
const now = async () => new Date(await env.currentTimeMs()).toISOString();
const act = (handle: WorkflowHandle, actor: Actor, action: HandoverAction, payload: unknown = {}) => {
  const requestId = `record-handover-${++requests}`;
  return handle.executeUpdate(handoverActionUpdate, { args: [{ action, payload, actor, requestId }], updateId: requestId });
};
async function save(handle: WorkflowHandle, name: string) {
  const history = await handle.fetchHistory();
  const file = join(outDir, `handover-${label}-${name}.json`);
  writeFileSync(file, historyToJSON(history));
  console.log(`recorded ${file} (${history.events?.length ?? 0} events)`);
}

try {
  await worker.runUntil(async () => {
    const counsellor = await demoActor(db, 'abh@kim.example');
    const cm = await demoActor(db, 'cm.drk@kim.example');
    const participants = ['Klient', 'Sozialberatung ABH', 'Case Management DRK'];

    // Scenario: a person without a case; consent, meeting, acceptance → a case workflow started as child.
    {
      const open = await proposeHandoverRows(db, counsellor, { requestedAt: await now() });
      const handle = await startHandover(env.client, TASK_QUEUE, open);
      await env.sleep('3 days');
      await act(handle, counsellor, 'record-consent', { decision: 'given' });
      await env.sleep('2 days');
      await act(handle, cm, 'schedule-meeting', { at: new Date(Date.parse(await now()) + 7 * 86_400_000).toISOString(), participants });
      await env.sleep('7 days');
      await act(handle, counsellor, 'complete-meeting', { notes: 'Ziele und nächste Schritte besprochen' });
      await act(handle, cm, 'accept');
      await handle.result();
      await save(handle, 'new-case-handed-over');
    }

    // Scenario: no consent within 14 days → lapsed, counsellor notified.
    {
      const open = await proposeHandoverRows(db, counsellor, { requestedAt: await now() });
      const handle = await startHandover(env.client, TASK_QUEUE, open);
      await env.sleep('15 days');
      await handle.result();
      await save(handle, 'lapsed');
    }

    // Scenario: an existing ABH case; meeting reminder after 21 days, then meeting, acceptance → case transferred.
    {
      const caseOpen = await openCaseRows(db, {
        openedAt: await now(),
        organisationId: 'abh',
        municipality: 'Kall',
        proposedProvider: { organisationId: 'drk', reason: 'Wohnort Kall' },
        assigneeId: counsellor.id,
        source: 'abh',
      });
      await startCase(env.client, TASK_QUEUE, caseOpen);
      const open = await proposeHandoverRows(db, counsellor, {
        requestedAt: await now(),
        body: { caseId: caseOpen.caseId, proposedOrganisationId: 'drk' },
      });
      const handle = await startHandover(env.client, TASK_QUEUE, open);
      await act(handle, counsellor, 'record-consent', { decision: 'given' });
      await env.sleep('22 days');
      await act(handle, counsellor, 'schedule-meeting', { at: new Date(Date.parse(await now()) + 86_400_000).toISOString(), participants });
      await env.sleep('1 day');
      await act(handle, cm, 'complete-meeting');
      await act(handle, cm, 'accept');
      await handle.result();
      await save(handle, 'existing-case-reminded-handed-over');
    }
  });
} finally {
  await env.teardown();
  await db.$disconnect();
  await pg.stop();
}
