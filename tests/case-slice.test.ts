// The vertical slice over HTTP: POST /api/v1/cases writes rows and starts the case workflow on the real
// Temporal server; GET answers with the workflow's state; bad input is refused and writes nothing.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { createDatabase } from '../platform/database.js';
import { caseWorkflowId } from '../workflows/case-messages.js';
import { caseStateKey } from '../workflows/search-attributes.js';
import { login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let s: SignedIn;

beforeAll(async () => {
  h = await startHarness();
  s = await login(h.baseUrl, 'koordination@kim.example');
});
afterAll(async () => {
  await h?.close();
});

async function post(path: string, body: unknown, baseUrl = h.baseUrl) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: s.headers(),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function get(path: string, baseUrl = h.baseUrl) {
  const res = await fetch(`${baseUrl}${path}`, { headers: s.headers(false) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const adult = {
  person: { givenName: 'Amina', familyName: 'Haddad', birthDate: '1990-04-12', municipality: 'Mechernich', languages: ['ar', 'de'] },
  source: 'self',
};

describe('POST /api/v1/cases', () => {
  it('writes person and case rows, starts the case workflow and answers 201 in intake', async () => {
    const created = await post('/api/v1/cases', adult);
    expect(created.status).toBe(201);
    expect(created.body.state).toBe('intake');
    expect(created.body.proposedProvider.organisationId).toBe('caritas-eifel');
    const id = created.body.id as string;

    const row = await h.db.case.findUniqueOrThrow({ where: { id }, include: { person: true } });
    expect(row.person.familyName).toBe('Haddad');
    expect(row.workflowId).toBe(caseWorkflowId(id));

    const description = await h.client.workflow.getHandle(caseWorkflowId(id)).describe();
    expect(description.type).toBe('caseWorkflow');
    expect(description.status.name).toBe('RUNNING');
    expect(description.taskQueue).toBe(h.taskQueue);
    expect(description.typedSearchAttributes.get(caseStateKey)).toBe('intake');

    // The workflow writes the durable record: case opened and the first deadline, in order.
    const events = await eventually(
      () => h.db.caseEvent.findMany({ where: { caseId: id }, orderBy: { seq: 'asc' } }),
      (list) => list.length >= 3,
    );
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['case_opened', expect.objectContaining({ organisationId: 'caritas-eifel', municipality: 'Mechernich' })],
      ['deadline_set', expect.objectContaining({ kind: 'first_assessment' })],
      ['deadline_set', expect.objectContaining({ kind: 'no_contact' })],
    ]);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    const readModel = await h.db.case.findUniqueOrThrow({ where: { id } });
    expect(readModel.nextDeadlineKind).toBe('first_assessment');
    expect(readModel.lastEventSeq).toBe(3);
  });

  it('refuses invalid input with 422 and field messages, writing nothing', async () => {
    const before = await h.db.person.count();
    const bad = await post('/api/v1/cases', {
      person: { givenName: '', familyName: 'X', birthDate: '2025-02-30', municipality: 'Bonn', languages: [] },
      source: 'self',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(Object.keys(bad.body.error.fields)).toEqual(
      expect.arrayContaining(['person.givenName', 'person.birthDate', 'person.municipality']),
    );
    const malformed = await post('/api/v1/cases', '{"person":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
    expect(await h.db.person.count()).toBe(before);
  });

  it('answers 503 and leaves no rows behind when Temporal is unreachable', async () => {
    const before = { persons: await h.db.person.count(), cases: await h.db.case.count() };
    const deadConnection = await Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const app = createApp({ db: h.db, temporal: new Client({ connection: deadConnection }), taskQueue: h.taskQueue });
    const server = await new Promise<import('node:http').Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
      const res = await post('/api/v1/cases', adult, url);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('temporal_unavailable');
      expect({ persons: await h.db.person.count(), cases: await h.db.case.count() }).toEqual(before);
      const health = await get('/healthz', url);
      expect(health.status).toBe(503);
      expect(health.body.database).toBe('ok');
      expect(health.body.temporal).toMatch(/^down/);
    } finally {
      await new Promise((r) => server.close(r));
      await deadConnection.close();
    }
  });
});

describe('GET /api/v1/cases/:id', () => {
  it('answers with the state held by the workflow', async () => {
    // The same person again, at the DRK now: confirmed past the duplicate check (issue 16).
    const created = await post('/api/v1/cases', { ...adult, person: { ...adult.person, municipality: 'Zülpich' }, confirmNewCase: true });
    const res = await eventually(
      () => get(`/api/v1/cases/${created.body.id}`),
      (r) => r.body.stateSource === 'workflow',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.id, state: 'intake', onHold: false, organisationId: 'drk' });
    expect(res.body.person).toMatchObject({ givenName: 'Amina', municipality: 'Zülpich', birthDate: '1990-04-12' });
    const deadline = res.body.deadlines.find((d: { kind: string }) => d.kind === 'first_assessment');
    expect(Date.parse(deadline.dueAt) - Date.parse(res.body.openedAt)).toBe(14 * 24 * 3600 * 1000);
  });

  it('answers 404 for an unknown case', async () => {
    const res = await get('/api/v1/cases/00000000-0000-0000-0000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('GET /healthz', () => {
  it('reports Temporal and the database', async () => {
    const res = await get('/healthz');
    expect(res).toEqual({ status: 200, body: { temporal: 'ok', database: 'ok' } });
  });

  it('answers 503 naming the database when it is down', async () => {
    const deadDb = createDatabase('postgresql://postgres@127.0.0.1:1/none');
    const app = createApp({ db: deadDb, temporal: h.client, taskQueue: h.taskQueue });
    const server = await new Promise<import('node:http').Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
      const res = await get('/healthz', url);
      expect(res.status).toBe(503);
      expect(res.body.temporal).toBe('ok');
      expect(res.body.database).toMatch(/^down/);
    } finally {
      await new Promise((r) => server.close(r));
      await deadDb.$disconnect();
    }
  });
});
