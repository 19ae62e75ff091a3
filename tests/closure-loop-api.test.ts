// Issue 12 part 3 over HTTP on the dev server: request → return with reason (on the case, in the page, mailed via the
// outbox) → new request → withdraw → request → stale-request warning → confirmed approval; the dashboard lists the
// pending requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let drk: SignedIn;
let coordinator: SignedIn;

const call = (who: SignedIn, method: string, path: string, body?: unknown) => apiCall(h.baseUrl, who, method, path, body);
async function act(who: SignedIn, id: string, action: string, body: unknown = {}) {
  const res = await call(who, 'POST', `/api/v1/cases/${id}/actions/${action}`, body);
  if (res.status !== 200) expect.fail(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.case;
}
const page = async (who: SignedIn, path: string) => (await fetch(`${h.baseUrl}${path}`, { headers: who.headers(false) })).text();

beforeAll(async () => {
  h = await startHarness();
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('closure approval loop', () => {
  it('request, return with reason, withdraw, stale warning, approval', async () => {
    const created = await call(drk, 'POST', '/api/v1/cases', {
      person: { givenName: 'Nadia', familyName: 'Karimi', birthDate: '1990-09-09', municipality: 'Kall', languages: ['fa'] },
      source: 'self',
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await act(drk, id, 'record-consent', { scope: 'data_processing', decision: 'given' });
    await act(drk, id, 'assign', { assigneeId: drk.user.id });
    const closure = { reason: 'goals_achieved', goalAttainment: 'achieved' };

    const requested = await act(drk, id, 'request-closure', closure);
    expect(requested.closureRequest).toMatchObject({ reason: 'goals_achieved', requestedBy: drk.user.id });
    const live = (c: { deadlines: Array<{ kind: string; status: string }> }) => c.deadlines.filter((d) => ['open', 'reminded', 'escalated'].includes(d.status)).map((d) => d.kind);
    expect(live(requested)).toEqual(['closure_decision']);
    await eventually(() => h.db.notification.count({ where: { caseId: id, kind: 'closure_requested', recipientRole: 'coordination' } }), (n) => n === 1, 'closure request mailed to coordination');
    expect(await page(coordinator, '/koordination')).toContain(`/faelle/${id}#abschlussantrag`);

    // A case manager cannot return; coordination returns with a reason, the CM sees it on the case and the page.
    expect((await call(drk, 'POST', `/api/v1/cases/${id}/actions/return-closure`, { reason: 'x' })).status).toBe(403);
    const returned = await act(coordinator, id, 'return-closure', { reason: 'Bitte den Sprachkurs noch nachhalten' });
    expect(returned.closureRequest).toBeNull();
    expect(returned.closureReturn).toMatchObject({ reason: 'Bitte den Sprachkurs noch nachhalten', by: coordinator.user.id });
    expect(live(returned)).toEqual(expect.arrayContaining(['first_assessment', 'no_contact']));
    expect(await page(drk, `/faelle/${id}`)).toContain('Bitte den Sprachkurs noch nachhalten');
    await eventually(() => h.db.notification.count({ where: { caseId: id, kind: 'closure_returned', recipientUserId: drk.user.id } }), (n) => n === 1, 'return mailed to the case manager');
    expect(await page(coordinator, '/koordination')).not.toContain(`/faelle/${id}#abschlussantrag`);

    // The CM files again and withdraws.
    await act(drk, id, 'request-closure', closure);
    const withdrawn = await act(drk, id, 'withdraw-closure', {});
    expect(withdrawn.closureRequest).toBeNull();
    expect(live(withdrawn)).not.toContain('closure_decision');

    // A request the case outgrew: approval warns, then goes through when confirmed.
    await act(drk, id, 'request-closure', closure);
    await new Promise((r) => setTimeout(r, 5));
    await act(drk, id, 'record-contact', { kind: 'phone', date: new Date().toISOString(), durationMinutes: 10 });
    const warned = await call(coordinator, 'POST', `/api/v1/cases/${id}/actions/approve-closure`, {});
    expect(warned.status).toBe(422);
    expect(warned.body.error.fields.confirmChanges).toMatch(/geändert \(neuer Kontakt\)/);
    const approved = await act(coordinator, id, 'approve-closure', { confirmChanges: true });
    expect(approved.state).toBe('closed');
    expect(approved.closure).toMatchObject({ approvedBy: coordinator.user.id, requestedBy: drk.user.id });

    const history = await call(coordinator, 'GET', `/api/v1/cases/${id}/history`);
    const types: string[] = history.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['closure_requested', 'closure_returned', 'closure_withdrawn', 'closure_approved', 'case_closed']));
  });
});
