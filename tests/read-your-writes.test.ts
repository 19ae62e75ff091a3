// Read-your-writes over HTTP on the real servers: right after an action is answered, every read shows it — the
// case, the deadline list, the history, the case page, and a partner's read after the consent was withdrawn. No
// waiting: the record is written before the workflow answers the action.
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, TEST_PASSWORD, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let drk: SignedIn;
let jobcenter: SignedIn;

const call = (who: SignedIn, method: string, path: string, body?: unknown) => apiCall(h.baseUrl, who, method, path, body);

beforeAll(async () => {
  h = await startHarness();
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  await h.db.user.create({ data: { email: 'ryw.jobcenter@kim.example', name: 'Jobcenter RYW', role: 'case_manager', organisationId: 'jobcenter', passwordHash: await bcrypt.hash(TEST_PASSWORD, 4) } });
  jobcenter = await login(h.baseUrl, 'ryw.jobcenter@kim.example');
});
afterAll(async () => {
  await h?.close();
});

async function act(caseId: string, action: string, body: Record<string, unknown> = {}) {
  const res = await call(drk, 'POST', `/api/v1/cases/${caseId}/actions/${action}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.case;
}

describe('read your writes', () => {
  it('every read right after an action shows it', async () => {
    const created = await call(drk, 'POST', '/api/v1/cases', {
      person: { givenName: 'Rana', familyName: 'Yousef', birthDate: '1990-02-02', municipality: 'Kall', languages: [] },
      source: 'self',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await act(id, 'confirm-provider', { organisationId: 'drk' });
    await act(id, 'record-consent', { scope: 'data_processing', decision: 'given' });

    const held = await act(id, 'put-on-hold', { reason: 'Kur' });
    expect(held).toMatchObject({ onHold: true });
    expect((await call(drk, 'GET', `/api/v1/cases/${id}`)).body).toMatchObject({ onHold: true, hold: { reason: 'Kur' } });
    const history = await call(drk, 'GET', `/api/v1/cases/${id}/history`);
    expect(history.body.events.map((e: { type: string }) => e.type)).toContain('case_put_on_hold');
    const page = await fetch(`${h.baseUrl}/faelle/${id}`, { headers: drk.headers(false) });
    expect(await page.text()).toContain('Kur');

    const dueSoon = async () =>
      ((await call(drk, 'GET', '/api/v1/deadlines?status=due_soon&days=90&pageSize=500')).body.items as Array<{ caseId: string; dueAt: string }>).filter((d) => d.caseId === id);
    expect(await dueSoon()).toEqual([]); // suspended while on hold
    const resumed = await act(id, 'resume');
    const open = resumed.deadlines.filter((d: { status: string }) => d.status === 'open').map((d: { dueAt: string }) => d.dueAt).sort();
    expect(open.length).toBeGreaterThan(0);
    expect((await dueSoon()).map((d) => d.dueAt).sort()).toEqual(open);

    const shared = await act(id, 'record-consent', { scope: 'share_with_partner', decision: 'given', partnerOrganisationId: 'jobcenter', partnerName: 'Jobcenter', purpose: 'Vermittlung' });
    const consentId = shared.consents.find((c: { scope: string }) => c.scope === 'share_with_partner').id;
    expect((await call(jobcenter, 'GET', `/api/v1/cases/${id}`)).status).toBe(200);
    await act(id, 'withdraw-consent', { consentId });
    expect((await call(jobcenter, 'GET', `/api/v1/cases/${id}`)).status).toBe(404);
  });
});
