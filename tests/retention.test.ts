// Retention after closure (time-skipping server): three years after a case is closed, the person's data is
// anonymised, the event skeleton stays, and the case workflow ends.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createActivities } from '../activities/index.js';
import { createDatabase, type Database } from '../platform/database.js';
import { deployMigrations } from '../platform/migrations.js';
import { seedDatabase } from '../platform/seed.js';
import { resolveBinary } from '../platform/temporal-binaries.js';
import { registerSearchAttributes } from '../platform/temporal.js';
import { caseActionUpdate } from '../workflows/definitions.js';
import type { CaseWorkflowResult } from '../workflows/case-state.js';
import { caseSearchAttributes } from '../workflows/search-attributes.js';
import { demoActor, openCaseRows, startCase } from './support/cases.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let db: Database;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  const testServer = resolveBinary('testServer');
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: testServer.path ? { type: 'existing-path', path: testServer.path } : { type: 'cached-download' } },
  });
  await registerSearchAttributes(env.connection, 'default', caseSearchAttributes);
  database = await createTestDatabase();
  await deployMigrations({ databaseUrl: database.url });
  db = createDatabase(database.url);
  await seedDatabase(db, { demoPassword: 'x', production: false });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'retention',
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: createActivities({ db }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await db?.$disconnect();
  await database?.drop();
  await env?.teardown();
});

describe('retention after closure', () => {
  it('anonymises the person three years after closure and keeps the event skeleton', async () => {
    const coordinator = await demoActor(db, 'koordination@kim.example');
    const open = await openCaseRows(db, { openedAt: new Date(await env.currentTimeMs()).toISOString() });
    const handle = await startCase(env.client, 'retention', open);
    const closed = await handle.executeUpdate(caseActionUpdate, {
      args: [{ action: 'close', payload: { reason: 'moved_away', goalAttainment: 'not_achieved' }, actor: coordinator }],
    });
    const retention = closed.deadlines.find((d) => d.kind === 'retention' && d.status === 'open');
    expect(retention).toBeDefined();

    await env.sleep('1000 days');
    const person = async () => (await db.case.findUniqueOrThrow({ where: { id: open.caseId }, include: { person: true } })).person;
    expect((await person()).familyName).toBe('Person');

    await env.sleep('200 days');
    const result = (await handle.result()) as CaseWorkflowResult;
    expect(result).toMatchObject({ caseId: open.caseId, state: 'closed', personalDataErased: true });
    expect(await person()).toMatchObject({ givenName: '–', familyName: '(anonymisiert)', languages: [] });
    const events = await db.caseEvent.findMany({ where: { caseId: open.caseId }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['case_opened', 'case_closed', 'retention_period_elapsed']));
    const row = await db.case.findUniqueOrThrow({ where: { id: open.caseId } });
    expect(row.state).toBe('closed');
  });
});
