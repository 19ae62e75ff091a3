// Case actions, lists and history over HTTP, with the access rules of each role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, bearerFor, login, type SignedIn } from '../harness/auth.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let caritas: SignedIn;
let drk: SignedIn;
let coordinator: SignedIn;
let admin: SignedIn;
let abh: SignedIn;
let caseId: string;

const call = (who: { headers(json?: boolean): Record<string, string> } | null, method: string, path: string, body?: unknown) =>
  apiCall(h.baseUrl, who, method, path, body);

beforeAll(async () => {
  h = await startHarness();
  caritas = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  admin = await login(h.baseUrl, 'admin@kim.example');
  abh = await login(h.baseUrl, 'abh@kim.example');
  const created = await call(caritas, 'POST', '/api/v1/cases', {
    person: { givenName: 'Yusuf', familyName: 'Demir', birthDate: '1988-03-01', municipality: 'Schleiden', languages: ['tr'] },
    source: 'self',
  });
  expect(created.status).toBe(201);
  expect(created.body.organisationId).toBe('caritas-eifel');
  caseId = created.body.id;
});
afterAll(async () => {
  await h?.close();
});

describe('access to a case', () => {
  it('lets the owning provider and coordination read it; others get 404, anonymous 401', async () => {
    expect((await call(caritas, 'GET', `/api/v1/cases/${caseId}`)).status).toBe(200);
    expect((await call(coordinator, 'GET', `/api/v1/cases/${caseId}`)).status).toBe(200);
    for (const other of [drk, admin, abh]) {
      const res = await call(other, 'GET', `/api/v1/cases/${caseId}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await call(null, 'GET', `/api/v1/cases/${caseId}`)).status).toBe(401);
    expect((await call(drk, 'POST', `/api/v1/cases/${caseId}/actions/put-on-hold`, { reason: 'x' })).status).toBe(404);
    expect((await call(admin, 'POST', '/api/v1/cases', { person: {}, source: 'self' })).status).toBe(403);
  });
});

describe('POST /api/v1/cases/:id/actions/:action', () => {
  it('applies an allowed action and answers with the case', async () => {
    const res = await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/record-consent`, { scope: 'data_processing', decision: 'given' });
    expect(res.status).toBe(200);
    expect(res.body.case.consents).toEqual([expect.objectContaining({ scope: 'data_processing', decision: 'given', recordedBy: caritas.user.id })]);
    const assigned = await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/assign`, { assigneeId: caritas.user.id });
    expect(assigned.body.case.assignee).toBe(caritas.user.id);
  });

  it('answers 409 with the allowed actions for a transition the state does not allow', async () => {
    const res = await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/complete-review`, { outcome: 'continue' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('transition_not_allowed');
    expect(res.body.error.allowed).toContain('start-assessment');
  });

  it('answers 422 naming the fields of an invalid body, and for an assignee of another provider', async () => {
    const bad = await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/record-contact`, { kind: 'fax', durationMinutes: 'long' });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['kind', 'date', 'durationMinutes']));
    const foreign = await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/assign`, { assigneeId: drk.user.id });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.fields.assigneeId).toBeDefined();
    expect((await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/fly-away`, {})).status).toBe(404);
  });

  it('refuses text with a NUL character before the workflow accepts it (PostgreSQL could not store it)', async () => {
    const res = await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/put-on-hold`, { reason: 'a\u0000b' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.reason).toMatch(/NUL/);
    expect((await call(caritas, 'GET', `/api/v1/cases/${caseId}`)).body.onHold).toBe(false);
  });

  it('returns the first answer for a repeated requestId and changes nothing twice', async () => {
    const body = { kind: 'counselling', date: new Date().toISOString(), durationMinutes: 50, requestId: 'contact-42' };
    const first = await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/record-contact`, body);
    const again = await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/record-contact`, body);
    expect(first.status).toBe(200);
    expect(again.body.case.contacts).toEqual(first.body.case.contacts);
    expect(again.body.case.contacts.count).toBe(1);
  });

  it('accepts a bearer token without a CSRF token; a cookie session needs one', async () => {
    const bearer = await bearerFor(h.db, 'cm.caritas-eifel@kim.example');
    const res = await call(bearer, 'POST', `/api/v1/cases/${caseId}/actions/start-assessment`, {});
    expect(res.status).toBe(200);
    expect(res.body.case.state).toBe('assessment');
    const noCsrf = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/actions/record-contact`, {
      method: 'POST',
      headers: { cookie: caritas.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'phone', date: new Date().toISOString(), durationMinutes: 5 }),
    });
    expect(noCsrf.status).toBe(403);
  });
});

describe('GET /api/v1/deadlines', () => {
  it('lists open deadlines of the caller\'s cases that fall due soon', async () => {
    const soon = await call(caritas, 'GET', '/api/v1/deadlines?status=due_soon&days=30');
    expect(soon.status).toBe(200);
    const mine = soon.body.items.filter((d: { caseId: string }) => d.caseId === caseId);
    expect(mine.map((d: { kind: string }) => d.kind)).toContain('assessment_completion');
    expect(mine.every((d: { status: string }) => d.status === 'open')).toBe(true);
    const other = await call(drk, 'GET', '/api/v1/deadlines?status=due_soon&days=30');
    expect(other.body.items.map((d: { caseId: string }) => d.caseId)).not.toContain(caseId);
    expect((await call(caritas, 'GET', '/api/v1/deadlines?status=overdue')).body.total).toBe(0);
    expect((await call(caritas, 'GET', '/api/v1/deadlines?status=late')).status).toBe(422);
  });
});

describe('lists and history', () => {
  it('lists only what the caller may see, filtered and paginated', async () => {
    const mine = await call(caritas, 'GET', '/api/v1/cases?state=assessment&q=demir');
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([caseId]);
    expect(mine.body.total).toBe(1);
    expect((await call(drk, 'GET', '/api/v1/cases')).body.items.map((c: { id: string }) => c.id)).not.toContain(caseId);
    expect((await call(admin, 'GET', '/api/v1/cases')).body.total).toBe(0);
    const all = await call(coordinator, 'GET', '/api/v1/cases?municipality=Schleiden&pageSize=1&page=1');
    expect(all.body.items).toHaveLength(1);
    expect((await call(coordinator, 'GET', '/api/v1/cases?pageSize=0')).status).toBe(422);
  });

  it('gives the full, ordered history from intake on', async () => {
    const res = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/history`);
    expect(res.status).toBe(200);
    const types = res.body.events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('case_opened');
    expect(types).toEqual(expect.arrayContaining(['deadline_set', 'consent_recorded', 'case_assigned', 'contact_recorded', 'assessment_started', 'deadline_met']));
    expect(res.body.events.map((e: { seq: number }) => e.seq)).toEqual(res.body.events.map((_: unknown, i: number) => i + 1));
    const early = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/history?asOf=${encodeURIComponent(res.body.events[2].at)}`);
    expect(early.body.events.length).toBeLessThan(res.body.events.length);
    expect((await call(drk, 'GET', `/api/v1/cases/${caseId}/history`)).status).toBe(404);
  });

  it('shows the case as it stood at several points in time (asOf)', async () => {
    const full = (await call(coordinator, 'GET', `/api/v1/cases/${caseId}/history`)).body.events as Array<{ type: string; at: string; actorName: string | null }>;
    const at = (type: string) => full.find((e) => e.type === type)!.at;
    expect(full.find((e) => e.type === 'consent_recorded')!.actorName).toBe(caritas.user.name);

    const opened = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/history?asOf=${encodeURIComponent(at('case_opened'))}`);
    expect(opened.body.case).toMatchObject({ state: 'intake', consents: [], goals: [] });
    expect(opened.body.case.openDeadlines.map((d: { kind: string }) => d.kind).sort()).toEqual(['first_assessment', 'no_contact']);

    const consented = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/history?asOf=${encodeURIComponent(at('consent_recorded'))}`);
    expect(consented.body.case.state).toBe('intake');
    expect(consented.body.case.consents).toHaveLength(1);

    const assessing = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/history?asOf=${encodeURIComponent(at('assessment_started'))}`);
    expect(assessing.body.case.state).toBe('assessment');
    expect(assessing.body.case.openDeadlines.map((d: { kind: string }) => d.kind)).toContain('assessment_completion');
    expect(assessing.body.case.openDeadlines.map((d: { kind: string }) => d.kind)).not.toContain('first_assessment');

    const before = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/history?asOf=2020-01-01`);
    expect(before.body).toMatchObject({ case: null, events: [] });
    expect((await call(coordinator, 'GET', `/api/v1/cases/${caseId}/history?asOf=gestern`)).status).toBe(422);
  });

  it('still answers from the database after the engine has dropped the workflow and its history', async () => {
    const created = await call(caritas, 'POST', '/api/v1/cases', {
      person: { givenName: 'Lina', familyName: 'Haddad', birthDate: '1995-07-07', municipality: 'Dahlem', languages: [] },
      source: 'outreach',
    });
    const id = created.body.id as string;
    await call(caritas, 'POST', `/api/v1/cases/${id}/actions/record-consent`, { scope: 'data_processing', decision: 'given' });
    await call(caritas, 'POST', `/api/v1/cases/${id}/actions/start-assessment`, {});
    const before = await call(coordinator, 'GET', `/api/v1/cases/${id}/history`);
    const row = await h.db.case.findUniqueOrThrow({ where: { id } });
    await h.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: row.workflowId } });
    await eventually(() => h.client.workflow.getHandle(row.workflowId).describe().then(() => false, () => true), (gone) => gone, 'workflow deleted');
    const after = await call(caritas, 'GET', `/api/v1/cases/${id}`);
    expect(after.status).toBe(200);
    // The whole case, from the state its workflow recorded with its last action (the read model since version 5).
    expect(after.body).toMatchObject({ state: 'assessment', stateSource: 'workflow', organisationId: 'caritas-eifel' });
    expect(after.body.consents).toMatchObject([{ scope: 'data_processing', decision: 'given' }]);
    const history = await call(coordinator, 'GET', `/api/v1/cases/${id}/history`);
    expect(history.body.events).toEqual(before.body.events);
    expect(history.body.events.map((e: { type: string }) => e.type)).toContain('assessment_started');
  });
});
