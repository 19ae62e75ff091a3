// The time-skipping test server with a fresh migrated database and ONE worker for the whole test file: a worker
// stopped between tests would leave workflow tasks on its sticky queue, and the test server does not skip time
// while a workflow task is outstanding.
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { loadConfig } from '../../platform/config.js';
import { createDatabase, type Database } from '../../platform/database.js';
import { deployMigrations } from '../../platform/migrations.js';
import { loadPayloadEncryption, type PayloadEncryption } from '../../platform/payload-codec.js';
import { seedDatabase } from '../../platform/seed.js';
import { resolveBinary } from '../../platform/temporal-binaries.js';
import { registerSearchAttributes } from '../../platform/temporal.js';
import { caseSearchAttributes } from '../../workflows/search-attributes.js';
import { createTestDatabase, type TestDatabase } from '../../harness/database.js';

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  db: Database;
  /** Client and worker encrypt as an installation does: per-case data keys in `db` (platform/data-keys.ts). */
  encryption: PayloadEncryption;
  taskQueue: string;
  close(): Promise<void>;
}

/** The time-skipping test server, with start retries: the SDK gives it about 5 s to come up, on a busy 2-core
 * machine that is sometimes too short. */
export async function createTimeSkippingEnv(client: { dataConverter?: DataConverter } = {}): Promise<TestWorkflowEnvironment> {
  const testServer = resolveBinary('testServer');
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: testServer.path ? { type: 'existing-path', path: testServer.path } : { type: 'cached-download' } },
        client,
      });
    } catch (error) {
      if (attempt >= 3) throw error;
      console.warn(`time-skipping test server did not start (attempt ${attempt} of 3): ${String(error).slice(0, 200)}`);
    }
  }
}

export async function startTimeSkippingStack(taskQueue: string): Promise<TimeSkippingStack> {
  const database: TestDatabase = await createTestDatabase();
  await deployMigrations({ databaseUrl: database.url });
  const db = createDatabase(database.url);
  await seedDatabase(db, { demoPassword: 'x', production: false });
  const encryption = loadPayloadEncryption(loadConfig(), { db });
  const env = await createTimeSkippingEnv({ dataConverter: encryption.dataConverter });
  // The test server knows no custom search attributes until they are registered.
  await registerSearchAttributes(env.connection, 'default', caseSearchAttributes);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: createActivities({ db, dataKeys: encryption.dataKeys }),
    dataConverter: encryption.dataConverter,
  });
  const running = worker.run();
  return {
    env,
    db,
    encryption,
    taskQueue,
    async close() {
      worker.shutdown();
      await running;
      await db.$disconnect();
      await database.drop();
      await env.teardown();
    },
  };
}

/**
 * The result of a workflow that reaches its end without time being skipped for it. The time-skipping client's
 * `handle.result()` unlocks time skipping while it waits — even for a workflow that has already ended — and the test
 * server then jumps to the next timer anywhere (the 3-year retention of a lapsed handover, say). This waits for the
 * condition "not running" instead and reads the result through a plain client, which never unlocks skipping.
 */
export async function resultOnceCompleted<T>(
  env: TestWorkflowEnvironment,
  handle: { workflowId: string; describe(): Promise<{ status: { name: string } }> },
  options: { dataConverter?: DataConverter; timeoutMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const until = Date.now() + timeoutMs;
  while ((await handle.describe()).status.name === 'RUNNING') {
    if (Date.now() > until) throw new Error(`workflow still running after ${timeoutMs} ms of waiting (no time skipped)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const plain = new Client({ connection: env.connection, ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) });
  return plain.workflow.getHandle(handle.workflowId).result() as Promise<T>;
}
