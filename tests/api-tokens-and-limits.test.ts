// API tokens and login rate limiting over HTTP, against the real app and database (api.md "Sessions and identity");
// split from tests/auth.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { sha256 } from '../api/http/authentication.js';
import { createLoginLimiter } from '../api/operations/login-limiter.js';
import { bearerFor, login, TEST_PASSWORD } from '../harness/auth.js';
import { authCalls, listen, sessionCookie } from './support/auth-calls.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const { call } = authCalls(() => h.baseUrl);

describe('personal API tokens', () => {
  it('creates a token shown once, stores only its hash, and lists it without the secret', async () => {
    const session = await login(h.baseUrl, 'koordination@kim.example');
    const res = await call('POST', '/api/v1/tokens', { headers: session.headers(), body: { name: 'Controlling-Export' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      token: expect.stringMatching(/^kim_[A-Za-z0-9_-]{43}$/),
      id: expect.any(String),
      name: 'Controlling-Export',
      scope: 'full',
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const row = await h.db.apiToken.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.tokenHash).toBe(sha256(res.body.token));
    expect(JSON.stringify(await h.db.apiToken.findMany())).not.toContain(res.body.token);

    const list = await call('GET', '/api/v1/tokens', { headers: { cookie: session.cookie } });
    const item = list.body.items.find((t: { id: string }) => t.id === res.body.id);
    expect(item).toEqual({
      id: res.body.id,
      name: 'Controlling-Export',
      scope: 'full',
      createdAt: expect.any(String),
      expiresAt: res.body.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(list.body)).not.toContain(res.body.token);

    // Without a name it is still made.
    const unnamed = await call('POST', '/api/v1/tokens', { headers: session.headers(false) });
    expect(unnamed.status).toBe(201);
    expect(unnamed.body.name).toBeNull();
    const tooLong = await call('POST', '/api/v1/tokens', { headers: session.headers(), body: { name: 'x'.repeat(101) } });
    expect(tooLong.status).toBe(422);
  });

  it('authenticates with Authorization: Bearer, without CSRF token, and records the use sparingly', async () => {
    const session = await login(h.baseUrl, 'koordination@kim.example');
    const created = await call('POST', '/api/v1/tokens', { headers: session.headers(), body: { name: 'Skript' } });
    const auth = { authorization: `Bearer ${created.body.token}` };

    const me = await call('GET', '/api/v1/session', { headers: auth });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: session.user, csrfToken: null });
    const used = await h.db.apiToken.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(used.lastUsedAt).not.toBeNull();
    await call('GET', '/api/v1/organisations', { headers: auth });
    expect((await h.db.apiToken.findUniqueOrThrow({ where: { id: created.body.id } })).lastUsedAt).toEqual(used.lastUsedAt);

    // A state-changing request with the token alone: no CSRF token needed.
    const spare = await call('POST', '/api/v1/tokens', { headers: session.headers(), body: { name: 'Ersatz' } });
    const revokeSpare = await call('DELETE', `/api/v1/tokens/${spare.body.id}`, { headers: auth });
    expect(revokeSpare.status).toBe(204);
    // But a token cannot mint further tokens.
    const mint = await call('POST', '/api/v1/tokens', { headers: auth, body: { name: 'Kette' } });
    expect(mint.status).toBe(403);
    expect(mint.body.error.code).toBe('forbidden');
  });

  it('revokes own tokens only; a revoked token answers 401', async () => {
    const cm = await bearerFor(h.db, 'cm.drk@kim.example');
    const coordinator = await login(h.baseUrl, 'koordination@kim.example');
    // Someone else's token looks like an unknown one.
    expect((await call('DELETE', `/api/v1/tokens/${cm.id}`, { headers: coordinator.headers(false) })).status).toBe(404);
    expect((await call('DELETE', '/api/v1/tokens/unbekannt', { headers: coordinator.headers(false) })).status).toBe(404);
    expect((await call('GET', '/api/v1/organisations', { headers: cm.headers(false) })).status).toBe(200);

    const revoke = await call('DELETE', `/api/v1/tokens/${cm.id}`, { headers: cm.headers(false) });
    expect(revoke.status).toBe(204);
    expect((await h.db.apiToken.findUniqueOrThrow({ where: { id: cm.id } })).revokedAt).not.toBeNull();
    const after = await call('GET', '/api/v1/organisations', { headers: cm.headers(false) });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthenticated');

    // Revoking again from the browser session is harmless.
    const session = await login(h.baseUrl, 'cm.drk@kim.example');
    expect((await call('DELETE', `/api/v1/tokens/${cm.id}`, { headers: session.headers(false) })).status).toBe(204);
  });

  it('ignores malformed or unknown bearer tokens and does not fall back to the cookie', async () => {
    const session = await login(h.baseUrl, 'cm.drk@kim.example');
    for (const authorization of ['Bearer ', 'Bearer kim_abc', `Bearer kim_${'A'.repeat(43)}`]) {
      const res = await call('GET', '/api/v1/organisations', { headers: { authorization, cookie: session.cookie } });
      expect(res.status, authorization).toBe(401);
    }
  });
});

describe('login rate limiting', () => {
  it('answers 429 with Retry-After after 10 failures and refuses even the right password meanwhile', async () => {
    const email = 'cm.caritas-eifel@kim.example';
    // Failures are counted in PostgreSQL for every app instance, and an earlier test failed once for this address:
    // start from a known count.
    await h.db.loginFailure.deleteMany();
    const app = createApp({ db: h.db, temporal: h.client, taskQueue: h.taskQueue });
    const server = await listen(app);
    try {
      for (let i = 0; i < 10; i++) {
        const res = await call('POST', '/api/v1/session', { baseUrl: server.url, body: { email, password: `falsch-${i}` } });
        expect(res.status, `attempt ${i + 1}`).toBe(401);
      }
      const locked = await call('POST', '/api/v1/session', { baseUrl: server.url, body: { email, password: 'falsch' } });
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('too_many_attempts');
      expect(locked.body.error.message).toMatch(/Anmeldeversuche/);
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(14 * 60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);

      const right = await call('POST', '/api/v1/session', { baseUrl: server.url, body: { email, password: TEST_PASSWORD } });
      expect(right.status).toBe(429);
      expect(sessionCookie(right)).toBeUndefined();
      // The lock is per e-mail address (and client): other accounts sign in as usual.
      const other = await call('POST', '/api/v1/session', { baseUrl: server.url, body: { email: 'cm.drk@kim.example', password: TEST_PASSWORD } });
      expect(other.status).toBe(200);
      // Unknown addresses are limited the same way, so the limit does not tell which addresses exist.
      for (let i = 0; i < 10; i++) {
        await call('POST', '/api/v1/session', { baseUrl: server.url, body: { email: 'niemand@kim.example', password: 'x' } });
      }
      expect((await call('POST', '/api/v1/session', { baseUrl: server.url, body: { email: 'niemand@kim.example', password: 'x' } })).status).toBe(429);
    } finally {
      await server.close();
    }
  });
});

describe('login limiter (unit)', () => {
  it('counts failures in a sliding window, forgets them on success and stays bounded', () => {
    let now = 0;
    const limiter = createLoginLimiter({ maxFailures: 3, windowMs: 1000, maxKeys: 2, now: () => now });
    limiter.recordFailure('a');
    now = 100;
    limiter.recordFailure('a');
    now = 200;
    expect(limiter.retryAfterMs('a')).toBe(0);
    limiter.recordFailure('a');
    // Locked until the first of the three failures (t=0) leaves the window.
    expect(limiter.retryAfterMs('a')).toBe(800);
    now = 999;
    expect(limiter.retryAfterMs('a')).toBe(1);
    now = 1000;
    expect(limiter.retryAfterMs('a')).toBe(0);
    limiter.recordFailure('a');
    expect(limiter.retryAfterMs('a')).toBe(100);
    limiter.reset('a');
    expect(limiter.retryAfterMs('a')).toBe(0);

    // At most maxKeys keys: the oldest is forgotten rather than memory growing.
    for (const key of ['x', 'y', 'z']) {
      for (let i = 0; i < 3; i++) limiter.recordFailure(key);
    }
    expect(limiter.retryAfterMs('x')).toBe(0);
    expect(limiter.retryAfterMs('y')).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('z')).toBeGreaterThan(0);
  });
});
