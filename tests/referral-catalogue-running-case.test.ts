// A case that was running before the referral catalogue (issue 14), on the dev server: opened and worked up to goal
// planning by a worker with the workflow code of before (process rules 8, no catalogue: the sources of workflows/,
// domain/, platform/ and activities/ at commit a2cede1, kept in tests/fixtures/workflow-code-rules-8.tar.gz so the
// test needs no git history — a shallow clone has none), then
// the worker is replaced by one with the current code. The running case takes a refer with catalogue codes (its run
// stays on rules 8; the request records its own marker, `referral-catalogue-on-a-running-case`), keeps the codes, and
// its whole history — the old code's part and the new one's — replays against the current code.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bearerFor, type Bearer } from '../harness/auth.js';
import { openCaseRows, startCase } from '../harness/cases.js';
import { eventually } from './support/eventually.js';
import { repoRoot } from '../platform/paths.js';
import { createCaseWorker } from '../worker.js';
import { startHarness, type Harness } from './support/harness.js';

/** `git archive --format=tar a2cede1 workflows domain platform activities | gzip -9`: process rules 8, no catalogue. */
const BEFORE_CATALOGUE = fileURLToPath(new URL('./fixtures/workflow-code-rules-8.tar.gz', import.meta.url));

let h: Harness;
let coordinator: Bearer;
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  coordinator = await bearerFor(h.db, 'koordination@kim.example');
  dir = mkdtempSync(join(tmpdir(), 'kim-rules8-'));
  execFileSync('tar', ['-xzf', BEFORE_CATALOGUE, '-C', dir]);
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
}, 120_000);
afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${h.baseUrl}${path}`, { method, headers: coordinator.headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}
async function act(caseId: string, action: string, body: unknown = {}) {
  const res = await call('POST', `/api/v1/cases/${caseId}/actions/${action}`, body);
  expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.case;
}

describe('a case running since before the catalogue', () => {
  it('takes a refer with codes after the worker is replaced, and its history replays', async () => {
    // The worker of before on the harness's task queue.
    await h.stopWorker();
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const { code } = await bundleWorkflowCode({ workflowsPath: join(dir, 'workflows', 'index.ts'), failureConverterPath: join(dir, 'platform', 'failure-converter.cjs') });
    const old = await createCaseWorker({
      connection,
      namespace: 'default',
      taskQueue: h.taskQueue,
      db: h.db,
      mailer: h.smtp.mailer(),
      workflowBundle: { code },
      dataConverter: h.dataConverter,
      dataKeys: h.dataKeys,
    });
    const running = old.run();

    // Opened as the intake of before started cases (no code version: the run asks patched(), workflows/case-patches.ts).
    const open = await openCaseRows(h.db, { organisationId: 'drk', municipality: 'Kall' });
    await startCase(h.client, h.taskQueue, open, { asBefore: true });
    const caseId = open.caseId;
    await eventually(() => h.db.case.findUniqueOrThrow({ where: { id: caseId } }), (row) => row.lastEventSeq > 0, 'the opening record');
    await act(caseId, 'record-consent', { scope: 'data_processing', decision: 'given' });
    await act(caseId, 'start-assessment');
    await act(caseId, 'complete-assessment', { lifeAreas: [{ area: 'finances', situation: 'Schulden', need: 'high' }] });
    await act(caseId, 'agree-goals', { goals: [{ title: 'Schulden ordnen', measure: 'Beratung', owner: 'Klient', dueDate: '2099-01-31' }] });
    old.shutdown();
    await running;
    await connection.close();

    // The current code takes over the running case.
    await h.startWorker();
    const referred = await act(caseId, 'refer', { serviceCode: 'schuldnerberatung', partnerCode: 'p-drk' });
    expect(referred.referrals[0]).toMatchObject({ service: 'Schuldnerberatung', serviceCode: 'schuldnerberatung', partnerCode: 'p-drk', partnerName: 'DRK Kreisverband Euskirchen' });

    const row = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    const history = await h.client.workflow.getHandle(row.workflowId).fetchHistory();
    // The patch markers' ids (core writes them as plain JSON payloads).
    const patches = (history.events ?? [])
      .flatMap((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}))
      .flatMap((p) => (p.payloads ?? []).map((x) => Buffer.from(x.data ?? []).toString('utf8')))
      .join(' ');
    // Opened on rules 8 (the old code's marker), the catalogue taken by the request's own marker — not rules 10.
    expect(patches).toContain('case-rules-8');
    expect(patches).toContain('referral-catalogue-on-a-running-case');
    expect(patches).not.toContain('case-rules-10');
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: h.dataConverter }, history, row.workflowId);
  });
});
