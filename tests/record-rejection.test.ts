// Issue 15 finding 1: a record write that can never succeed fails visibly. The database refuses a batch (here a
// CHECK constraint the test adds — a real PostgreSQL integrity refusal, 23514): the action fails with a clear error
// instead of being retried every minute forever, the case is held (further actions refused), listed for IT, counted
// in /metrics, and the history check reports it; once IT repaired the cause, a retry writes the held batch and the
// case works again. Real Temporal dev server, real PostgreSQL, HTTP.
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { refusedDataState } from '../activities/case-batch-records.js';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let cm: SignedIn;
let coordinator: SignedIn;
let admin: SignedIn;

beforeAll(async () => {
  h = await startHarness();
  cm = await login(h.baseUrl, 'cm.drk@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  admin = await login(h.baseUrl, 'admin@kim.example');
});
afterAll(async () => {
  await h?.db.$executeRawUnsafe('ALTER TABLE "CaseEvent" DROP CONSTRAINT IF EXISTS "kim_test_refuse_contacts"').catch(() => undefined);
  await h?.close();
});

const contact = (minutes: number) => ({ kind: 'phone', date: new Date().toISOString(), durationMinutes: minutes });

async function metric(name: string): Promise<number> {
  const res = await fetch(`${h.baseUrl}/metrics`, { headers: admin.headers(false) });
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

describe('a record write the database refuses for good', () => {
  it('fails the action visibly, holds and lists the case, and lands after IT repaired the cause and retried', async () => {
    const drk = await demoActor(h.db, 'cm.drk@kim.example');
    const open = await openCaseRows(h.db, { assigneeId: drk.id });
    await startCase(h.client, h.taskQueue, open);
    const path = `/api/v1/cases/${open.caseId}/actions/record-contact`;
    expect((await apiCall(h.baseUrl, cm, 'POST', path, contact(5))).status).toBe(200);
    const before = await h.db.caseEvent.count({ where: { caseId: open.caseId } });

    // A constraint that refuses every new contact record: retrying can never help.
    await h.db.$executeRawUnsafe(`ALTER TABLE "CaseEvent" ADD CONSTRAINT "kim_test_refuse_contacts" CHECK ("type" <> 'contact_recorded') NOT VALID`);
    const refused = await apiCall(h.baseUrl, cm, 'POST', path, contact(10));
    expect(refused.status).toBe(500);
    expect(refused.body.error.code).toBe('record_rejected');
    expect(refused.body.error.message).toMatch(/SQLSTATE 23514/);
    expect(await h.db.caseEvent.count({ where: { caseId: open.caseId } })).toBe(before);

    // Held: the next action is refused at once with the reason (not queued behind a write retried forever).
    const held = await apiCall(h.baseUrl, cm, 'POST', `/api/v1/cases/${open.caseId}/actions/put-on-hold`, { reason: 'Urlaub' });
    expect(held.status).toBe(409);
    expect(held.body.error.code).toBe('record_held');
    expect(held.body.error.message).toMatch(/gesperrt/);

    // Listed for IT and coordination; counted for operators; a case manager sees no such list.
    const listed = await apiCall(h.baseUrl, coordinator, 'GET', '/api/v1/admin/record-rejections');
    expect(listed.status).toBe(200);
    const item = listed.body.items.find((r: { caseId: string }) => r.caseId === open.caseId);
    // The contact's batch: its event and the deadline bookkeeping that came with it.
    expect(item).toMatchObject({ sqlState: '23514', fromSeq: before + 1, attempts: 1, resolvedAt: null });
    expect(item.toSeq).toBeGreaterThanOrEqual(before + 1);
    const batchSeqs = Array.from({ length: item.toSeq - before }, (_, i) => before + 1 + i);
    expect(item.message).toMatch(/kim_test_refuse_contacts/);
    expect((await apiCall(h.baseUrl, cm, 'GET', '/api/v1/admin/record-rejections')).status).toBe(403);
    expect(await metric('kim_record_writes_rejected')).toBe(1);

    // The history check no longer says "agrees": the batch the engine numbered is not in the database.
    const check = await apiCall(h.baseUrl, coordinator, 'GET', `/api/v1/cases/${open.caseId}/history/check`);
    expect(check.body.agrees).toBe(false);
    expect(check.body.unrecorded).toEqual(batchSeqs);
    expect(check.body.rejected).toMatchObject([{ fromSeq: before + 1, sqlState: '23514' }]);

    // Only IT retries; a retry before the repair is refused by the database again (one more attempt, still held).
    expect((await apiCall(h.baseUrl, coordinator, 'POST', `/api/v1/admin/record-rejections/${open.caseId}/retry`)).status).toBe(403);
    expect((await apiCall(h.baseUrl, admin, 'POST', `/api/v1/admin/record-rejections/${open.caseId}/retry`)).status).toBe(202);
    await eventually(
      () => h.db.caseRecordRejection.findFirstOrThrow({ where: { caseId: open.caseId } }),
      (r) => r.attempts === 2,
      'second refused attempt noted',
    );
    expect((await apiCall(h.baseUrl, cm, 'POST', path, contact(1))).status).toBe(409);

    // A new worker rebuilds the hold from the history alone (replay of the refused writes): still held.
    await h.stopWorker();
    await h.startWorker();
    const stillHeld = await apiCall(h.baseUrl, cm, 'POST', `/api/v1/cases/${open.caseId}/actions/put-on-hold`, { reason: 'Urlaub' });
    expect(stillHeld.body.error?.code).toBe('record_held');

    // IT repairs the cause and retries: the held batch lands, the case takes actions again, the check agrees.
    await h.db.$executeRawUnsafe('ALTER TABLE "CaseEvent" DROP CONSTRAINT "kim_test_refuse_contacts"');
    expect((await apiCall(h.baseUrl, admin, 'POST', `/api/v1/admin/record-rejections/${open.caseId}/retry`)).status).toBe(202);
    const resolved = await eventually(
      () => h.db.caseRecordRejection.findFirstOrThrow({ where: { caseId: open.caseId } }),
      (r) => r.resolvedAt !== null,
      'refusal resolved by the retry',
    );
    expect(resolved.resolvedAt).not.toBeNull();
    const landed = await h.db.caseEvent.findUniqueOrThrow({ where: { caseId_seq: { caseId: open.caseId, seq: before + 1 } } });
    expect(landed.type).toBe('contact_recorded');
    expect(landed.summary).toMatch(/\(10 Min\.\)/);
    const again = await eventually(
      () => apiCall(h.baseUrl, cm, 'POST', path, contact(15)),
      (r) => r.status === 200,
      'case takes actions again',
    );
    expect(again.body.case.contacts.count).toBe(3);
    expect(await metric('kim_record_writes_rejected')).toBe(0);
    const agreed = await eventually(
      () => apiCall(h.baseUrl, coordinator, 'GET', `/api/v1/cases/${open.caseId}/history/check`),
      (r) => r.body.agrees === true,
      'history check agrees after the retry',
    );
    expect(agreed.body).toMatchObject({ unrecorded: [], rejected: [], missingInDatabase: [] });
    // The whole path — refusal, hold, refused retry, retry that lands — replays deterministically.
    const history = await h.client.workflow.getHandle(`case-${open.caseId}`).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: h.dataConverter }, history, 'record-rejection');
  });

  it('tells refusals of the data (class 22/23) from failures that may pass (connection, lock, missing function)', async () => {
    const errorOf = async (sql: string) => h.db.$queryRawUnsafe(sql).then(() => null, (e: unknown) => e);
    expect(refusedDataState(await errorOf(`SELECT '"a\\u0000b"'::jsonb::text`))).toBe('22P05');
    expect(refusedDataState(await errorOf(`SELECT 1/0`))).toBe('22012');
    expect(refusedDataState(await errorOf(`SELECT kim_record_case_batch('{"caseId":"no-such-case","events":[]}'::jsonb)`))).toBe('23503');
    expect(refusedDataState(await errorOf(`SELECT kim_no_such_function()`))).toBeNull();
    expect(refusedDataState(new Error('connection reset'))).toBeNull();
  });
});
