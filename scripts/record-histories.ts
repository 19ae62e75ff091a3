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
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import type { Actor, CaseAction } from '../domain/index.js';
import { caseActionUpdate, caseViewQuery } from '../workflows/case-messages.js';

let requests = 0;

const label = process.argv[2] ?? 'v1';
const outDir = join(repoRoot, 'tests', 'histories');
mkdirSync(outDir, { recursive: true });

const pg = await startEmbeddedPostgres();
await deployMigrations({ databaseUrl: pg.url });
const db = createDatabase(pg.url);
await seedDatabase(db, { demoPassword: 'x', production: false });
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

    // Scenario: a case worked through every phase to an approved closure, with deadlines met on the way.
    const cm = await demoActor(db, 'cm.drk@kim.example');
    const coordinator = await demoActor(db, 'koordination@kim.example');
    const worked = await openCaseRows(db, { openedAt: new Date(await env.currentTimeMs()).toISOString(), assigneeId: cm.id });
    const h2 = await startCase(env.client, 'record', worked);
    const act = (actor: Actor, action: CaseAction, payload: unknown = {}) =>
      h2.executeUpdate(caseActionUpdate, { args: [{ action, payload, actor, requestId: `record-${++requests}` }] });
    const day = async (n: number) => {
      await env.sleep(`${n} days`);
      return new Date(await env.currentTimeMs()).toISOString();
    };
    await act(cm, 'record-consent', { scope: 'data_processing', decision: 'given' });
    await act(cm, 'start-assessment');
    await act(cm, 'record-contact', { kind: 'counselling', date: await day(3), durationMinutes: 60 });
    await act(cm, 'complete-assessment', { lifeAreas: [{ area: 'work', situation: 'arbeitssuchend', need: 'high' }] });
    const goalDue = (await day(1)).slice(0, 10).replace(/^(\d{4})/, (y) => String(Number(y) + 1));
    await act(cm, 'agree-goals', { goals: [{ title: 'Anerkennung', measure: 'Antrag stellen', owner: 'Klient', dueDate: goalDue }] });
    // v7: the residence-law track with an expiry deadline (rules 9), and a referral by catalogue codes (rules 10).
    const expiresOn = (await day(0)).slice(0, 10).replace(/^(\d{4})/, (y) => String(Number(y) + 1));
    await act(cm, 'set-residence-track', { currentTitle: 'duldung', expiresOn, targetTitle: 'p25b', achievements: ['language', 'identity'] });
    await act(cm, 'refer', { service: 'Anerkennungsberatung', serviceCode: 'anerkennungsberatung', partnerName: 'IQ Netzwerk NRW', partnerCode: 'p-iq-netzwerk' });
    const referralId = (await h2.query(caseViewQuery)).referrals[0]!.id;
    await act(cm, 'record-referral-outcome', { referralId, outcome: 'accepted' });
    await act(cm, 'record-contact', { kind: 'accompaniment', date: await day(20), durationMinutes: 120 });
    await act(cm, 'start-review');
    await act(cm, 'update-goal', { goalId: (await h2.query(caseViewQuery)).goals[0]!.id, status: 'achieved' });
    await act(cm, 'complete-review', { outcome: 'close', closureReason: 'goals_achieved', goalAttainment: 'achieved' });
    await act(coordinator, 'approve-closure');
    await env.sleep('7 days');
    const history2 = await h2.fetchHistory();
    const file2 = join(outDir, `case-${label}-worked-to-closure.json`);
    writeFileSync(file2, historyToJSON(history2));
    console.log(`recorded ${file2} (${history2.events?.length ?? 0} events)`);

    // Scenario: a closed case reaches the end of its retention period (erasure; from v4 the key-destroying last run).
    const retained = await openCaseRows(db, { openedAt: new Date(await env.currentTimeMs()).toISOString() });
    const h3 = await startCase(env.client, 'record', retained);
    await h3.executeUpdate(caseActionUpdate, {
      args: [{ action: 'close', payload: { reason: 'moved_away', goalAttainment: 'not_achieved' }, actor: coordinator, requestId: `record-${++requests}` }],
    });
    await env.sleep('1200 days');
    await h3.result();
    const runs = [h3.firstExecutionRunId, (await h3.describe()).runId];
    for (const [i, runId] of [...new Set(runs)].entries()) {
      const history3 = await env.client.workflow.getHandle(h3.workflowId, runId).fetchHistory();
      const file3 = join(outDir, `case-${label}-retention-elapsed${i === 0 ? '' : '-last-run'}.json`);
      writeFileSync(file3, historyToJSON(history3));
      console.log(`recorded ${file3} (${history3.events?.length ?? 0} events)`);
    }

    // Scenario (from v8): a case with many contacts in a row, past RUN_EVENT_LIMIT of v9 (200 events): recorded before
    // v9 it is one run of ≈ 330 events, from v9 its first run hands over at the limit. The first run is kept.
    const busy = await openCaseRows(db, { openedAt: new Date(await env.currentTimeMs()).toISOString(), assigneeId: cm.id });
    const h4 = await startCase(env.client, 'record', busy);
    const today = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
    await h4.executeUpdate(caseActionUpdate, {
      args: [{ action: 'record-consent', payload: { scope: 'data_processing', decision: 'given' }, actor: cm, requestId: `record-${++requests}` }],
    });
    for (let i = 0; i < 45; i++) {
      const payload = { kind: 'phone', date: today, durationMinutes: 10, note: `Kontakt ${i}` };
      await h4.executeUpdate(caseActionUpdate, { args: [{ action: 'record-contact', payload, actor: cm, requestId: `record-${++requests}` }] });
    }
    const history4 = await env.client.workflow.getHandle(h4.workflowId, h4.firstExecutionRunId).fetchHistory();
    const file4 = join(outDir, `case-${label}-many-contacts-first-run.json`);
    writeFileSync(file4, historyToJSON(history4));
    console.log(`recorded ${file4} (${history4.events?.length ?? 0} events)`);
  });
} finally {
  await env.teardown();
  await db.$disconnect();
  await pg.stop();
}
