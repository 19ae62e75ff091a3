// Issue 15, operators' needs and "still open": structured request logs (request id also as X-Request-Id, user id,
// route pattern, status, duration; no client data), GET /metrics in the Prometheus text format behind coordination/
// admin or the scrape secret (HTTP durations by route and status, outbox backlog and ages — also notifications left
// in `sending` —, open cases by state, overdue deadlines), and pages that answer 503 during a database outage and
// 400 (not 500) for a NUL character in paths and queries (finding 8).
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { login, type SignedIn } from '../harness/auth.js';
import { serveApp, type ServedApp } from '../harness/app-server.js';
import { createDatabase } from '../platform/database.js';
import { PageClient } from './support/page-client.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let served: ServedApp;
const lines: Array<Record<string, unknown>> = [];
let caritas: SignedIn;
let caseId: string;
const SCRAPE_SECRET = 'scrape-secret-for-tests-0123456789';

beforeAll(async () => {
  process.env.METRICS_TOKEN = SCRAPE_SECRET;
  h = await startHarness({ withApp: false });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  served = await serveApp(createApp({ db: h.db, temporal: h.client, taskQueue: h.taskQueue, logger: pino({ level: 'info' }, sink) }));
  caritas = await login(served.baseUrl, 'cm.caritas-eifel@kim.example');
  const created = await fetch(`${served.baseUrl}/api/v1/cases`, {
    method: 'POST',
    headers: caritas.headers(),
    body: JSON.stringify({ person: { givenName: 'Samira', familyName: 'Vertraulich', birthDate: '1990-01-01', municipality: 'Schleiden', languages: [] }, source: 'self' }),
  });
  caseId = ((await created.json()) as { id: string }).id;
});
afterAll(async () => {
  delete process.env.METRICS_TOKEN;
  await served?.close();
  await h?.close();
});

describe('request logs', () => {
  it('writes one JSON line per request with request id, user id, route pattern, status and duration — no client data', async () => {
    const res = await fetch(`${served.baseUrl}/api/v1/cases/${caseId}`, { headers: caritas.headers(false) });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const line = lines.find((l) => l.requestId === requestId && l.msg === 'request');
    expect(line).toMatchObject({ level: 30, method: 'GET', route: '/api/v1/cases/:id', status: 200, userId: caritas.user.id });
    expect(typeof line!.durationMs).toBe('number');
    // A caller's own request id is kept (and echoed) when it is sane.
    const own = `trace-${randomUUID()}`;
    const traced = await fetch(`${served.baseUrl}/api/v1/cases/${caseId}`, { headers: { ...caritas.headers(false), 'x-request-id': own } });
    expect(traced.headers.get('x-request-id')).toBe(own);
    expect(lines.some((l) => l.requestId === own)).toBe(true);
    expect((await fetch(`${served.baseUrl}/healthz`, { headers: { 'x-request-id': 'bad id\u00e4' } })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Never the person's name, never the case id in the route.
    const all = JSON.stringify(lines);
    expect(all).not.toContain('Vertraulich');
    expect(lines.filter((l) => typeof l.route === 'string' && (l.route as string).includes(caseId))).toEqual([]);
  });
});

describe('GET /metrics', () => {
  it('is for coordination, admins and the scrape secret only', async () => {
    expect((await fetch(`${served.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${served.baseUrl}/metrics`, { headers: caritas.headers(false) })).status).toBe(403);
    expect((await fetch(`${served.baseUrl}/metrics`, { headers: { authorization: 'Bearer falsch' } })).status).toBe(401);
    const admin = await login(served.baseUrl, 'admin@kim.example');
    expect((await fetch(`${served.baseUrl}/metrics`, { headers: admin.headers(false) })).status).toBe(200);
    expect((await fetch(`${served.baseUrl}/metrics`, { headers: { authorization: `Bearer ${SCRAPE_SECRET}` } })).status).toBe(200);
  });

  it('shows request durations by route and status, the outbox, open cases by state and overdue deadlines', async () => {
    const hourAgo = new Date(Date.now() - 3600_000);
    await h.db.notification.createMany({
      data: [
        { id: `metrics-pending-${randomUUID()}`, caseId, kind: 'reminder', recipientRole: 'assignee', subject: 'x', status: 'pending', createdAt: hourAgo },
        { id: `metrics-sending-${randomUUID()}`, caseId, kind: 'reminder', recipientRole: 'assignee', subject: 'x', status: 'sending', createdAt: hourAgo },
      ],
    });
    await h.db.caseDeadline.create({ data: { id: `metrics-${randomUUID()}`, caseId, kind: 'contact', dueAt: hourAgo, status: 'open', updatedSeq: 0 } });
    await fetch(`${served.baseUrl}/api/v1/cases/${caseId}`, { headers: caritas.headers(false) });
    const res = await fetch(`${served.baseUrl}/metrics`, { headers: { authorization: `Bearer ${SCRAPE_SECRET}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/kim_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/cases\/:id",status="200"\} [1-9]/);
    expect(text).toMatch(/kim_outbox_notifications\{status="pending"\} [1-9]/);
    expect(text).toMatch(/kim_outbox_notifications\{status="sending"\} [1-9]/);
    expect(Number(/^kim_outbox_oldest_pending_age_seconds (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(3500);
    expect(Number(/^kim_outbox_oldest_sending_age_seconds (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(3500);
    expect(text).toMatch(/kim_open_cases\{state="intake"\} [1-9]/);
    expect(Number(/^kim_overdue_deadlines (\S+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(caseId);
  });
});

describe('pages under bad input and outages', () => {
  it('answers 400, not 500, for a NUL character in a page path or query, and keeps bad Stichtage a form error', async () => {
    const page = await PageClient.signIn(served.baseUrl, 'cm.caritas-eifel@kim.example');
    for (const path of ['/faelle/%00', '/faelle?suche=%00', `/faelle/${caseId}/verlauf?stichtag=%00`]) {
      const res = await page.get(path);
      expect([400, 404, 200], path).toContain(res.status);
    }
    // Ids are UUIDs: anything else is not found, before any query (the API answers the same).
    expect((await page.get('/faelle/%00')).status).toBe(404);
    expect((await page.get('/uebergaben/%00/aktionen/cancel')).status).toBe(404);
    const api = await fetch(`${served.baseUrl}/api/v1/cases/%00/history`, { headers: caritas.headers(false) });
    expect(api.status).toBe(404);
    expect((await page.get('/faelle?suche=a%00b')).status).toBe(400);
    for (const stichtag of ['0000-01-01', '-0001-05-05', '1899-12-31']) {
      const res = await page.get(`/faelle/${caseId}/verlauf?stichtag=${encodeURIComponent(stichtag)}`);
      expect(res.status, stichtag).toBe(200);
      expect(res.html, stichtag).toContain('gültigen Stichtag');
    }
  });

  it('answers a German 503 page with Retry-After while the database is unreachable', async () => {
    const deadDb = createDatabase('postgresql://kim:kim@127.0.0.1:1/kim');
    const down = await serveApp(createApp({ db: deadDb, temporal: h.client, taskQueue: h.taskQueue }));
    try {
      const res = await fetch(`${down.baseUrl}/faelle`, { headers: { cookie: caritas.cookie }, redirect: 'manual' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('60');
      expect(await res.text()).toContain('Vorübergehend nicht verfügbar');
    } finally {
      await down.close();
      await deadDb.$disconnect();
    }
  });
});

describe('an unreachable engine ("still open": API calls waited ~20 s before 503)', () => {
  it('answers reads and actions with 503 temporal_unavailable within the cap', { timeout: 20_000 }, async () => {
    // A port nothing listens on: the client's connection attempts fail, as with an engine that is down.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const connection = Connection.lazy({ address: `127.0.0.1:${port}` });
    const down = await serveApp(createApp({ db: h.db, temporal: new Client({ connection }), taskQueue: h.taskQueue }));
    try {
      const read = await fetch(`${down.baseUrl}/api/v1/cases/${caseId}`, { headers: caritas.headers(false) });
      expect(read.status).toBe(503);
      const act = await fetch(`${down.baseUrl}/api/v1/cases/${caseId}/actions/put-on-hold`, {
        method: 'POST',
        headers: caritas.headers(),
        body: JSON.stringify({ reason: 'Urlaub' }),
      });
      expect(act.status).toBe(503);
      expect(((await act.json()) as { error: { code: string } }).error.code).toBe('temporal_unavailable');
    } finally {
      await down.close();
      await connection.close().catch(() => undefined);
    }
  });
});
