// Issue 15 finding 10: API tokens expire (90 days unless chosen otherwise, shown when made and listed), may be
// read-only, and are listed and revocable per person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let cm: SignedIn;
const DAY = 86_400_000;

const bearer = (token: string) => ({ headers: (json = true) => ({ authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) }) });

beforeAll(async () => {
  h = await startHarness();
  cm = await login(h.baseUrl, 'cm.drk@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('API tokens', () => {
  it('expire after 90 days by default (shown at creation and in the list); an expired token answers 401', async () => {
    const made = await apiCall(h.baseUrl, cm, 'POST', '/api/v1/tokens', { name: 'Auswertung' });
    expect(made.status).toBe(201);
    const lifetime = Date.parse(made.body.expiresAt) - Date.parse(made.body.createdAt);
    expect(lifetime).toBeGreaterThan(90 * DAY - 60_000);
    expect(lifetime).toBeLessThanOrEqual(90 * DAY + 60_000);
    expect(made.body.scope).toBe('full');
    const list = await apiCall(h.baseUrl, cm, 'GET', '/api/v1/tokens');
    expect(list.body.items).toContainEqual(expect.objectContaining({ id: made.body.id, expiresAt: made.body.expiresAt, scope: 'full', revokedAt: null }));
    expect((await apiCall(h.baseUrl, bearer(made.body.token), 'GET', '/api/v1/session')).status).toBe(200);

    await h.db.apiToken.update({ where: { id: made.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await apiCall(h.baseUrl, bearer(made.body.token), 'GET', '/api/v1/session')).status).toBe(401);

    const short = await apiCall(h.baseUrl, cm, 'POST', '/api/v1/tokens', { expiresInDays: 7 });
    expect(Date.parse(short.body.expiresAt) - Date.parse(short.body.createdAt)).toBeLessThanOrEqual(7 * DAY + 60_000);
    for (const bad of [{ expiresInDays: 0 }, { expiresInDays: 366 }, { scope: 'admin' }]) {
      expect((await apiCall(h.baseUrl, cm, 'POST', '/api/v1/tokens', bad)).status).toBe(422);
    }
  });

  it('with scope read answers reads and refuses every change with 403 read_only_token', async () => {
    const made = await apiCall(h.baseUrl, cm, 'POST', '/api/v1/tokens', { name: 'nur lesen', scope: 'read' });
    expect(made.body.scope).toBe('read');
    const reader = bearer(made.body.token);
    expect((await apiCall(h.baseUrl, reader, 'GET', '/api/v1/cases')).status).toBe(200);
    const create = await apiCall(h.baseUrl, reader, 'POST', '/api/v1/cases', {
      person: { givenName: 'A', familyName: 'B', birthDate: '1990-01-01', municipality: 'Kall', languages: [] },
      source: 'self',
    });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('read_only_token');
    expect((await apiCall(h.baseUrl, reader, 'DELETE', `/api/v1/tokens/${made.body.id}`)).status).toBe(403);
    // Revocation by its owner (in the browser session) ends it.
    expect((await apiCall(h.baseUrl, cm, 'DELETE', `/api/v1/tokens/${made.body.id}`)).status).toBe(204);
    expect((await apiCall(h.baseUrl, reader, 'GET', '/api/v1/cases')).status).toBe(401);
  });
});
