// The login limiter shared by all API processes (api/operations/login-limiter.ts createSharedLoginLimiter): two app
// instances on the same database (two API processes behind a load balancer) count failures together; the sign-in page
// and the JSON door share it; counting is atomic under concurrency; no e-mail address is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { createSharedLoginLimiter, LOGIN_WINDOW_MS } from '../api/operations/login-limiter.js';
import { TEST_PASSWORD } from '../harness/auth.js';
import { serveApp, type ServedApp } from '../harness/app-server.js';
import { createDatabase } from '../platform/database.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let a: ServedApp;
let b: ServedApp;

beforeAll(async () => {
  h = await startHarness({ withApp: false });
  // Two API processes of one installation: each its own app (and limiter), one database.
  a = await serveApp(createApp({ db: h.db, temporal: h.client, taskQueue: h.taskQueue }));
  b = await serveApp(createApp({ db: h.db, temporal: h.client, taskQueue: h.taskQueue }));
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await h?.close();
});

async function signIn(app: ServedApp, email: string, password: string) {
  const res = await fetch(`${app.baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error?: { code: string } } };
}

async function signInPage(app: ServedApp, email: string, password: string) {
  const res = await fetch(`${app.baseUrl}/anmelden`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }).toString(),
    redirect: 'manual',
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

describe('login limiter shared by the API processes', () => {
  it('counts the failures of both app instances together: the 11th attempt is refused on either, also the right password', async () => {
    const email = 'cm.caritas-eifel@kim.example';
    for (let i = 0; i < 10; i++) {
      const res = await signIn(i % 2 === 0 ? a : b, email, `falsch-${i}`);
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    for (const app of [a, b]) {
      const locked = await signIn(app, email, TEST_PASSWORD);
      expect(locked.status).toBe(429);
      expect(locked.body.error?.code).toBe('too_many_attempts');
      expect(Number(locked.retryAfter)).toBeGreaterThan(14 * 60);
      expect(Number(locked.retryAfter)).toBeLessThanOrEqual(15 * 60);
    }
    // The sign-in page uses the same limiter.
    const page = await signInPage(b, email, TEST_PASSWORD);
    expect(page.status).toBe(429);
    expect(Number(page.retryAfter)).toBeGreaterThan(14 * 60);
    // Other accounts are not affected.
    expect((await signIn(b, 'cm.drk@kim.example', TEST_PASSWORD)).status).toBe(200);
  });

  it('forgets the failures after a success on any instance', async () => {
    const email = 'cm.kreis@kim.example';
    for (let i = 0; i < 9; i++) expect((await signIn(a, email, 'falsch')).status).toBe(401);
    expect((await signIn(b, email, TEST_PASSWORD)).status).toBe(200);
    // Counting starts again: nine more failures are still answered 401.
    for (let i = 0; i < 9; i++) expect((await signIn(a, email, 'falsch')).status, `attempt ${i + 1}`).toBe(401);
    expect((await signIn(b, email, TEST_PASSWORD)).status).toBe(200);
  });

  it('stores no e-mail address, only a hash of e-mail and client address', async () => {
    await signIn(a, 'niemand@kim.example', 'x');
    const rows = await h.db.loginFailure.findMany();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.key).toMatch(/^login:[0-9a-f]{64}$/);
  });

  it('counts every failure when several processes record at the same moment', async () => {
    // Two Prisma clients = two processes' connection pools.
    const other = createDatabase(h.databaseUrl);
    try {
      const limiters = [createSharedLoginLimiter(h.db, { maxFailures: 40 }), createSharedLoginLimiter(other, { maxFailures: 40 })];
      const key = 'gleichzeitig@kim.example\n203.0.113.7';
      await Promise.all(Array.from({ length: 30 }, (_, i) => limiters[i % 2]!.recordFailure(key)));
      const [row] = await h.db.loginFailure.findMany({ where: { points: 30 } });
      expect(row, 'one row with all 30 failures').toBeDefined();
      expect(await limiters[0]!.retryAfterMs(key)).toBe(0);
      await Promise.all(Array.from({ length: 10 }, (_, i) => limiters[i % 2]!.recordFailure(key)));
      for (const limiter of limiters) expect(await limiter.retryAfterMs(key)).toBeGreaterThan(LOGIN_WINDOW_MS - 60_000);
      await limiters[1]!.reset(key);
      expect(await limiters[0]!.retryAfterMs(key)).toBe(0);
    } finally {
      await other.$disconnect();
    }
  });

  it('lets a key try again once its window is over', async () => {
    const limiter = createSharedLoginLimiter(h.db, { maxFailures: 2, windowMs: 1000 });
    const key = 'kurz@kim.example\n203.0.113.8';
    await limiter.recordFailure(key);
    await limiter.recordFailure(key);
    const wait = await limiter.retryAfterMs(key);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, wait + 50));
    expect(await limiter.retryAfterMs(key)).toBe(0);
  });
});
