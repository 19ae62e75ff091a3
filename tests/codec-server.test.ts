// The Temporal UI's codec server (api/codec-server.ts) over HTTP, with payloads read raw from the real dev server:
// coordinators get them decrypted and each case revealed is in the access log; nobody else gets anything; a
// destroyed key leaves the ciphertext; only the UI's origin gets CORS with credentials.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import type { CaseAction } from '../domain/index.js';
import { caseActionUpdate, caseWorkflowId } from '../workflows/case-messages.js';
import { login, TEST_PASSWORD } from '../harness/auth.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { startHarness, type Harness } from './support/harness.js';
import { encodedPayloads } from './support/payloads.js';

const UI = 'http://localhost:8233';
let h: Harness;
let server: Server;
let base: string;

beforeAll(async () => {
  h = await startHarness({ withApp: false });
  const app = createApp({ db: h.db, temporal: h.client, taskQueue: h.taskQueue, temporalUiUrl: UI });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await h?.close();
});

const wire = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

async function encryptedCasePayloads(situation: string) {
  const cm = await demoActor(h.db, 'cm.drk@kim.example');
  const open = await openCaseRows(h.db, { assigneeId: cm.id });
  const handle = await startCase(h.client, h.taskQueue, open);
  const act = (action: CaseAction, payload: unknown = {}) => handle.executeUpdate(caseActionUpdate, { args: [{ action, payload, actor: cm }] });
  await act('record-consent', { scope: 'data_processing', decision: 'given' });
  await act('start-assessment');
  await act('complete-assessment', { lifeAreas: [{ area: 'family', situation, need: 'high' }] });
  const raw = new Client({ connection: h.client.connection });
  const history = await raw.workflow.getHandle(caseWorkflowId(open.caseId)).fetchHistory();
  return { caseId: open.caseId, payloads: encodedPayloads(history) };
}

const decode = (headers: Record<string, string>, payloads: Payload[]) =>
  fetch(`${base}/api/v1/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify({ payloads: payloads.map(wire) }) });

describe('codec server for the Temporal UI', () => {
  it('decrypts for coordinators (session cookie, no CSRF token) and logs the case', async () => {
    const situation = 'Familiennachzug, Tochter in Eritrea';
    const { caseId, payloads } = await encryptedCasePayloads(situation);
    expect(payloads.length).toBeGreaterThan(3);
    const coordinator = await login(base, 'koordination@kim.example', TEST_PASSWORD);

    const res = await decode({ cookie: coordinator.cookie, origin: UI }, payloads);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const body = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(body.payloads).toHaveLength(payloads.length);
    const text = body.payloads.map((p) => Buffer.from(p.data, 'base64').toString()).join('\n');
    expect(text).toContain(situation);
    expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');

    const log = await h.db.accessLog.findMany({ where: { caseId, action: 'read_engine_history' } });
    expect(log).toMatchObject([{ userId: coordinator.user.id, channel: 'temporal_ui' }]);
  });

  it('refuses everyone else, and answers the UI preflight only for its origin', async () => {
    const { payloads } = await encryptedCasePayloads('Schulden bei der Stadtkasse');
    expect((await decode({}, payloads)).status).toBe(401);
    const cm = await login(base, 'cm.drk@kim.example', TEST_PASSWORD);
    const refused = await decode({ cookie: cm.cookie }, payloads);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(await refused.json())).not.toContain('Schulden');

    const preflight = await fetch(`${base}/api/v1/codec/decode`, { method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Namespace');
    const foreign = await fetch(`${base}/api/v1/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    const coordinator = await login(base, 'koordination@kim.example', TEST_PASSWORD);
    expect((await decode({ cookie: coordinator.cookie }, [])).status).toBe(200);
    const bad = await fetch(`${base}/api/v1/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: coordinator.cookie }, body: '{"payloads": 5}' });
    expect(bad.status).toBe(422);
  });

  it('leaves payloads under a destroyed key as ciphertext', async () => {
    const { caseId, payloads } = await encryptedCasePayloads('Aufenthalt nach §25b');
    const live = await encryptedCasePayloads('Sprachkurs B1 abgebrochen');
    await h.dataKeys.destroy([caseWorkflowId(caseId)], 'test');
    const coordinator = await login(base, 'koordination@kim.example', TEST_PASSWORD);
    const res = await decode({ cookie: coordinator.cookie }, [...payloads, ...live.payloads]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    const erased = body.payloads.slice(0, payloads.length);
    expect(erased.map((p) => p.data)).toEqual(payloads.map((p) => Buffer.from(p.data!).toString('base64')));
    // In the same answer, the other case's payloads are decrypted: the ciphertext above is the destroyed key's doing.
    const liveText = body.payloads.slice(payloads.length).map((p) => Buffer.from(p.data, 'base64').toString()).join('\n');
    expect(liveText).toContain('Sprachkurs B1 abgebrochen');
    expect(await h.db.accessLog.count({ where: { caseId, action: 'read_engine_history' } })).toBe(0);
  });
});
