// Continue-as-new on the server's suggestion (workflows/workflow-skeleton.ts shouldContinueAsNew): a dev server of its
// own, told to suggest continue-as-new after 40 history events instead of thousands, and a case workflow started
// WITHOUT the test-only event limit. The case must move to a new run by itself and carry everything over.
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../domain/index.js';
import { loadConfig } from '../platform/config.js';
import { createDatabase, type Database } from '../platform/database.js';
import { deployMigrations } from '../platform/migrations.js';
import { loadPayloadEncryption } from '../platform/payload-codec.js';
import { seedDatabase } from '../platform/seed.js';
import { resolveBinary } from '../platform/temporal-binaries.js';
import { caseActionUpdate, caseViewQuery } from '../workflows/case-messages.js';
import { caseSearchAttributes } from '../workflows/search-attributes.js';
import { createCaseWorker } from '../worker.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { startTestSmtpServer, type TestSmtpServer } from '../harness/smtp.js';
import { eventually } from './support/eventually.js';

const TASK_QUEUE = 'continue-as-new-suggested';
const SUGGEST_AFTER_EVENTS = 40;

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let db: Database;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let cm: Actor;
let smtp: TestSmtpServer;

beforeAll(async () => {
  const cli = resolveBinary('cli');
  for (let attempt = 1; !env; attempt++) {
    try {
      env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: cli.path ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
          searchAttributes: caseSearchAttributes,
          extraArgs: ['--log-level', 'error', '--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_AFTER_EVENTS}`],
        },
      });
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  database = await createTestDatabase();
  await deployMigrations({ databaseUrl: database.url });
  db = createDatabase(database.url);
  await seedDatabase(db, { demoPassword: 'x', production: false });
  cm = await demoActor(db, 'cm.drk@kim.example');
  const encryption = loadPayloadEncryption(loadConfig(), { db });
  connection = await Connection.connect({ address: env.address });
  client = new Client({ connection, dataConverter: encryption.dataConverter });
  native = await NativeConnection.connect({ address: env.address });
  smtp = await startTestSmtpServer();
  worker = await createCaseWorker({
    connection: native,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    db,
    mailer: smtp.mailer(),
    workflowBundle: { codePath: inject('workflowBundlePath') },
    dataConverter: encryption.dataConverter,
    ...(encryption.dataKeys ? { dataKeys: encryption.dataKeys } : {}),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await native?.close();
  await smtp?.close();
  await connection?.close();
  await db?.$disconnect();
  await database?.drop();
  await env?.teardown();
});

describe('continue-as-new on the server\'s suggestion', () => {
  it('a case with a long history moves to a new run by itself and keeps its state', async () => {
    const open = await openCaseRows(db, { assigneeId: cm.id });
    // No continueAsNewAfterEvents: only the server's suggestion can end the first run.
    const handle = await startCase(client, TASK_QUEUE, open);
    const updates = 20;
    for (let i = 0; i < updates; i++) {
      await handle.executeUpdate(caseActionUpdate, {
        args: [{ action: 'record-contact', payload: { kind: 'phone', date: new Date().toISOString(), durationMinutes: i + 1 }, actor: cm, requestId: `contact-${i}` }],
        updateId: `contact-${i}`,
      });
    }
    const latest = client.workflow.getHandle(handle.workflowId);
    const described = await eventually(() => latest.describe(), (d) => d.runId !== handle.firstExecutionRunId, 'a second run');
    expect(described.status.name).toBe('RUNNING');
    const first = await client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    // The first run ended around the suggested length, not after all updates by some other rule.
    expect(first.historyLength).toBeGreaterThanOrEqual(SUGGEST_AFTER_EVENTS);

    // Everything carried over: the contacts, the deadlines, the requests already seen (a repeat changes nothing).
    const view = await latest.query(caseViewQuery);
    expect(view.contacts.count).toBe(updates);
    expect(view.deadlines.map((d) => d.kind)).toContain('first_assessment');
    const repeat = await latest.executeUpdate(caseActionUpdate, {
      args: [{ action: 'record-contact', payload: { kind: 'phone', date: new Date().toISOString(), durationMinutes: 1 }, actor: cm, requestId: `contact-${updates - 1}` }],
    });
    expect(repeat.caseId).toBe(open.caseId);
    expect((await latest.query(caseViewQuery)).contacts.count).toBe(updates);
    const more = await latest.executeUpdate(caseActionUpdate, {
      args: [{ action: 'record-contact', payload: { kind: 'accompaniment', date: new Date().toISOString(), durationMinutes: 45 }, actor: cm, requestId: 'after-continue' }],
    });
    expect(more.seq).toBeGreaterThan(repeat.seq);
    expect((await latest.query(caseViewQuery)).contacts.count).toBe(updates + 1);
    const recorded = await eventually(
      () => db.caseEvent.count({ where: { caseId: open.caseId, type: 'contact_recorded' } }),
      (n) => n >= updates + 1,
      'contacts recorded',
    );
    expect(recorded).toBe(updates + 1);
  });
});
