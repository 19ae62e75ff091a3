// Records ENCRYPTED workflow histories for tests/replay-encrypted.test.ts, as production holds them: payloads
// encrypted by the codec (platform/payload-codec.ts) with per-case/per-handover data keys wrapped by an installation
// key. One history or more for every workflow type (case, handover, handover retention, reconciler, outbox
// dispatcher), a case that continued as new with updates racing it, one that decided to continue while an update was
// still open (its record slow), and the key fixture that opens them (tests/histories/encrypted/keys.json: the
// installation key, a test-only one, and the wrapped data keys as they stood before any erasure destroyed them).
// Run when a workflow version is released: `npx tsx scripts/record-encrypted-histories.ts <label>`; keep old files.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import type { Actor, CaseAction, HandoverAction } from '../domain/index.js';
import { createDatabase, type Database } from '../platform/database.js';
import { startEmbeddedPostgres } from '../platform/embedded-postgres.js';
import { deployMigrations } from '../platform/migrations.js';
import { repoRoot } from '../platform/paths.js';
import { newPayloadKeyEntry, parsePayloadKeys, payloadEncryption } from '../platform/payload-codec.js';
import { seedDatabase } from '../platform/seed.js';
import { resolveBinary } from '../platform/temporal-binaries.js';
import { registerSearchAttributes } from '../platform/temporal.js';
import { caseActionUpdate, caseWorkflowId } from '../workflows/case-messages.js';
import { handoverActionUpdate } from '../workflows/handover-messages.js';
import { handoverRetentionWorkflowId } from '../workflows/retention-ids.js';
import { caseSearchAttributes } from '../workflows/search-attributes.js';
import { workflowsPath } from '../worker.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { proposeHandoverRows, startHandover } from '../harness/handovers.js';

export interface KeyFixture {
  /** `id:base64key` — a key made for these fixtures only, never an installation's. */
  installationKeys: string;
  dataKeys: Array<{ id: string; subject: string; wrappedKey: string; wrappingKeyId: string }>;
}

const label = process.argv[2] ?? 'v1';
const outDir = join(repoRoot, 'tests', 'histories', 'encrypted');
const keyFile = join(outDir, 'keys.json');
mkdirSync(outDir, { recursive: true });
const TASK_QUEUE = 'record-encrypted';

// The same installation key for every label, so one key fixture opens all of them.
const fixture: KeyFixture = existsSync(keyFile)
  ? (JSON.parse(readFileSync(keyFile, 'utf8')) as KeyFixture)
  : { installationKeys: newPayloadKeyEntry('replay-fixture'), dataKeys: [] };
const keys = parsePayloadKeys(fixture.installationKeys, 'keys.json');

const pg = await startEmbeddedPostgres();
await deployMigrations({ databaseUrl: pg.url });
const db = createDatabase(pg.url);
await seedDatabase(db, { demoPassword: 'x', production: false });
// Keys of the installation rather than of one workflow (the person-match key, issue 16) exist once: the recording
// reuses the fixture's, so the fixture never holds two keys for one subject.
const sharedKeys = fixture.dataKeys.filter((k) => !/^(case|handover)-/.test(k.subject));
for (const k of sharedKeys) {
  await db.dataKey.create({ data: { id: k.id, subject: k.subject, wrappedKey: Buffer.from(k.wrappedKey, 'base64'), wrappingKeyId: k.wrappingKeyId } });
}
const encryption = payloadEncryption({ keys, source: 'keys.json' }, db);
const testServer = resolveBinary('testServer');
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: testServer.path ? { type: 'existing-path', path: testServer.path } : { type: 'cached-download' } },
  client: { dataConverter: encryption.dataConverter },
});
await registerSearchAttributes(env.connection, 'default', caseSearchAttributes);
// A record write that takes long (a row lock held elsewhere, a slow disk): the cases named here get their next
// contact's record delayed beyond the workflow task timeout, so the history shows an update still open while the
// workflow has decided to continue as new (the scenario "continued as new with a pending update" below).
const slowContactRecords = new Set<string>();
const activities = createActivities({ db, dataKeys: encryption.dataKeys! });
const recordCaseBatch = activities.recordCaseBatch;
activities.recordCaseBatch = async (input) => {
  if (slowContactRecords.has(input.caseId) && input.events.some((e) => e.type === 'contact_recorded')) {
    slowContactRecords.delete(input.caseId);
    await new Promise((resolve) => setTimeout(resolve, 12_000));
  }
  return recordCaseBatch(input);
};
const worker = await Worker.create({
  connection: env.nativeConnection,
  taskQueue: TASK_QUEUE,
  workflowsPath,
  dataConverter: encryption.dataConverter,
  activities,
});

let requests = 0;
const now = async () => new Date(await env.currentTimeMs()).toISOString();

/** Every run of a workflow, first to last (following continue-as-new), one file each (`-run2`, … after the first). */
async function save(workflowId: string, name: string, firstRunId?: string) {
  let runId: string | undefined = firstRunId ?? (await env.client.workflow.getHandle(workflowId).describe()).runId;
  for (let run = 1; runId; run++) {
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const file = join(outDir, `${name.replace('<label>', label)}${run === 1 ? '' : `-run${run}`}.json`);
    writeFileSync(file, historyToJSON(history));
    console.log(`recorded ${file} (${history.events?.length ?? 0} events)`);
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
}

/** The wrapped data keys as they are now (a later erasure destroys them; the fixture keeps them). */
async function snapshotKeys(database: Database) {
  const rows = await database.dataKey.findMany({ where: { wrappedKey: { not: null } } });
  const known = new Map(fixture.dataKeys.map((k) => [k.id, k]));
  for (const row of rows) {
    known.set(row.id, { id: row.id, subject: row.subject, wrappedKey: Buffer.from(row.wrappedKey!).toString('base64'), wrappingKeyId: row.wrappingKeyId! });
  }
  fixture.dataKeys = [...known.values()].sort((a, b) => a.id.localeCompare(b.id));
}

const caseAct = (handle: WorkflowHandle, actor: Actor, action: CaseAction, payload: unknown = {}) => {
  const requestId = `record-encrypted-${++requests}`;
  return handle.executeUpdate(caseActionUpdate, { args: [{ action, payload, actor, requestId }], updateId: requestId });
};
const handoverAct = (handle: WorkflowHandle, actor: Actor, action: HandoverAction, payload: unknown = {}) => {
  const requestId = `record-encrypted-${++requests}`;
  return handle.executeUpdate(handoverActionUpdate, { args: [{ action, payload, actor, requestId }], updateId: requestId });
};

/** Case: worked, with a short history limit, and updates sent all at once while the limit is reached. */
async function recordRacingUpdates(cm: Actor) {
  const worked = await openCaseRows(db, { openedAt: await now(), assigneeId: cm.id });
  const h1 = await startCase(env.client, TASK_QUEUE, worked, { continueAsNewAfterEvents: 30 });
  await caseAct(h1, cm, 'record-consent', { scope: 'data_processing', decision: 'given' });
  await caseAct(h1, cm, 'start-assessment');
  await Promise.all(
    Array.from({ length: 8 }, (_, i) => caseAct(h1, cm, 'record-contact', { kind: 'phone', date: new Date().toISOString(), durationMinutes: 10 + i })),
  );
  await caseAct(h1, cm, 'complete-assessment', { lifeAreas: [{ area: 'work', situation: 'arbeitssuchend', need: 'high' }] });
  // v6: the residence-law track (its titles and dates are personal data: encrypted like the rest).
  const expiresOn = new Date(Date.parse(await now()) + 200 * 86_400_000).toISOString().slice(0, 10);
  await caseAct(h1, cm, 'set-residence-track', { currentTitle: 'p60d', expiresOn, targetTitle: 'p25b', achievements: ['livelihood'] });
  await env.sleep('20 days');
  await save(h1.workflowId, 'case-<label>-continued-as-new-with-racing-updates', h1.firstExecutionRunId);
}

try {
  await worker.runUntil(async () => {
    const cm = await demoActor(db, 'cm.drk@kim.example');
    const coordinator = await demoActor(db, 'koordination@kim.example');
    const counsellor = await demoActor(db, 'abh@kim.example');

    await recordRacingUpdates(cm);

    // Case: the first update makes the run long enough to continue as new, and its record is slow: the workflow decides
    // to continue while that update (and a second one arriving meanwhile) is still open, and finishes both first.
    const pending = await openCaseRows(db, { openedAt: await now(), assigneeId: cm.id });
    const h6 = await startCase(env.client, TASK_QUEUE, pending, { continueAsNewAfterEvents: 8 });
    slowContactRecords.add(pending.caseId);
    const slow = caseAct(h6, cm, 'record-contact', { kind: 'phone', date: new Date().toISOString(), durationMinutes: 30 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const meanwhile = caseAct(h6, cm, 'record-consent', { scope: 'data_processing', decision: 'given' });
    await Promise.all([slow, meanwhile]);
    await env.sleep('1 day');
    await save(h6.workflowId, 'case-<label>-continued-as-new-with-pending-update', h6.firstExecutionRunId);

    // Case: left alone 30 days (reminder, escalation).
    const untouched = await openCaseRows(db, { openedAt: await now() });
    const h2 = await startCase(env.client, TASK_QUEUE, untouched);
    await env.sleep('30 days');
    await save(h2.workflowId, 'case-<label>-untouched-30-days', h2.firstExecutionRunId);

    // Handover: consent, meeting, acceptance → a new case (its workflow recorded too).
    const participants = ['Klient', 'Sozialberatung ABH', 'Case Management DRK'];
    const proposed = await proposeHandoverRows(db, counsellor, { requestedAt: await now() });
    const h3 = await startHandover(env.client, TASK_QUEUE, proposed);
    await handoverAct(h3, counsellor, 'record-consent', { decision: 'given' });
    await env.sleep('2 days');
    await handoverAct(h3, cm, 'schedule-meeting', { at: new Date(Date.parse(await now()) + 3 * 86_400_000).toISOString(), participants });
    await env.sleep('3 days');
    await handoverAct(h3, counsellor, 'complete-meeting', { notes: 'Ziele und nächste Schritte besprochen' });
    await handoverAct(h3, cm, 'accept');
    await h3.result();
    await save(h3.workflowId, 'handover-<label>-new-case-handed-over', h3.firstExecutionRunId);
    const opened = (await db.handover.findUniqueOrThrow({ where: { id: proposed.handoverId } })).caseId;
    if (!opened) throw new Error('the accepted handover opened no case');
    await save(caseWorkflowId(opened), 'case-<label>-opened-by-handover');

    // Handover: no consent → lapsed; its retention workflow erases it three years later.
    const lapsing = await proposeHandoverRows(db, counsellor, { requestedAt: await now() });
    const h4 = await startHandover(env.client, TASK_QUEUE, lapsing);
    await env.sleep('15 days');
    await h4.result();
    await snapshotKeys(db);
    await save(h4.workflowId, 'handover-<label>-lapsed', h4.firstExecutionRunId);

    // Case: closed, its retention period elapses (erasure, then the key-destroying last run).
    const retained = await openCaseRows(db, { openedAt: await now() });
    const h5 = await startCase(env.client, TASK_QUEUE, retained);
    await caseAct(h5, coordinator, 'close', { reason: 'moved_away', goalAttainment: 'not_achieved' });
    await snapshotKeys(db);
    await env.sleep('1200 days');
    await h5.result();
    await save(h5.workflowId, 'case-<label>-retention-elapsed', h5.firstExecutionRunId);
    await env.client.workflow.getHandle(handoverRetentionWorkflowId(lapsing.handoverId)).result();
    await save(handoverRetentionWorkflowId(lapsing.handoverId), 'handover-retention-<label>-erased');

    // Outbox dispatcher: one tick of its schedule (no mailer here: it finds the outbox and sends nothing).
    const tick = await env.client.workflow.start('outboxDispatcherWorkflow', { workflowId: `outbox-record-${label}`, taskQueue: TASK_QUEUE, args: [] });
    await tick.result();
    await save(tick.workflowId, 'outbox-dispatcher-<label>-one-tick', tick.firstExecutionRunId);

    // Reconciler: one run (nothing to repair).
    const reconciler = await env.client.workflow.start('caseReconcilerWorkflow', { workflowId: `reconciler-record-${label}`, taskQueue: TASK_QUEUE, args: [{}] });
    await reconciler.result();
    await save(reconciler.workflowId, 'reconciler-<label>-nothing-to-do', reconciler.firstExecutionRunId);
  });
  writeFileSync(keyFile, `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(`wrote ${keyFile} (${fixture.dataKeys.length} data keys)`);
} finally {
  await env.teardown();
  await db.$disconnect();
  await pg.stop();
}
