// Records case-workflow histories for the replay tests (tests/replay.test.ts). Run it when a workflow
// version is released: `npx tsx scripts/record-histories.ts <label>`; keep the files of older versions,
// they prove that new code still replays cases that are already running.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { createDatabase } from '../platform/database.js';
import { startEmbeddedPostgres } from '../platform/embedded-postgres.js';
import { deployMigrations } from '../platform/migrations.js';
import { repoRoot } from '../platform/paths.js';
import { seedDatabase } from '../platform/seed.js';
import { resolveBinary } from '../platform/temporal-binaries.js';
import { registerSearchAttributes } from '../platform/temporal.js';
import { caseSearchAttributes } from '../workflows/search-attributes.js';
import { workflowsPath } from '../worker.js';
import { openCaseRows, startCase } from '../tests/support/cases.js';

const label = process.argv[2] ?? 'v1';
const outDir = join(repoRoot, 'tests', 'histories');
mkdirSync(outDir, { recursive: true });

const pg = await startEmbeddedPostgres();
await deployMigrations({ databaseUrl: pg.url });
const db = createDatabase(pg.url);
await seedDatabase(db, { demoPassword: 'x', production: true });
const testServer = resolveBinary('testServer');
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: testServer.path ? { type: 'existing-path', path: testServer.path } : { type: 'cached-download' } },
});
await registerSearchAttributes(env.connection, 'default', caseSearchAttributes);
const worker = await Worker.create({
  connection: env.nativeConnection,
  taskQueue: 'record',
  workflowsPath,
  activities: createActivities({ db }),
});

try {
  await worker.runUntil(async () => {
    // Scenario: a case opened and left alone for 30 days (deadline set, reminded, escalated).
    const input = await openCaseRows(db, { openedAt: new Date(await env.currentTimeMs()).toISOString() });
    const handle = await startCase(env.client, 'record', input);
    await env.sleep('30 days');
    const history = await handle.fetchHistory();
    const file = join(outDir, `case-${label}-untouched-30-days.json`);
    writeFileSync(file, historyToJSON(history));
    console.log(`recorded ${file} (${history.events?.length ?? 0} events)`);
  });
} finally {
  await env.teardown();
  await db.$disconnect();
  await pg.stop();
}
