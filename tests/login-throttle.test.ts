// Issue 15 finding 2: sign-in throttling beyond (e-mail, client address) — per e-mail and client network (IPv4 /24,
// IPv6 /64), per network across accounts, a progressive per-account delay across networks — and password hashing
// off the event loop behind a cap (platform/password-hashing.ts). Runs the sign-in operation on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../harness/auth.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { createLoginThrottle, networkOf, type LoginThrottle } from '../api/operations/login-limiter.js';
import { signIn } from '../api/operations/sessions.js';
import { ApiError } from '../api/operations/errors.js';
import { createDatabase, type Database } from '../platform/database.js';
import { deployMigrations } from '../platform/migrations.js';
import { createHashingGate, PasswordHashingBusy } from '../platform/password-hashing.js';
import { seedDatabase } from '../platform/seed.js';

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  await deployMigrations({ databaseUrl: database.url });
  db = createDatabase(database.url);
  await seedDatabase(db, { demoPassword: TEST_PASSWORD, production: false });
});
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

/** The status a sign-in answers (200 for a session), and Retry-After seconds when refused. */
async function attempt(throttle: LoginThrottle, email: string, password: string, ip: string) {
  try {
    await signIn(db, throttle, { email, password }, { ip });
    return { status: 200, retryAfter: undefined };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { status: error.status, retryAfter: error.extra.retryAfter as number | undefined };
  }
}

describe('client networks', () => {
  it('takes IPv4 /24 and IPv6 /64 as one network', () => {
    expect(networkOf('10.1.2.3')).toBe(networkOf('10.1.2.250'));
    expect(networkOf('::ffff:10.1.2.3')).toBe(networkOf('10.1.2.9'));
    expect(networkOf('10.1.2.3')).not.toBe(networkOf('10.1.3.3'));
    expect(networkOf('2001:db8:0:0:1::1')).toBe(networkOf('2001:0db8::ffff'));
    expect(networkOf('2001:db8:0:1::1')).not.toBe(networkOf('2001:db8::1'));
  });
});

describe('sign-in throttle', () => {
  it('counts an account\'s failures per network: many addresses of one IPv6 /64 get 10 guesses, not 10 each', async () => {
    await db.loginFailure.deleteMany();
    const throttle = createLoginThrottle(db);
    const email = 'cm.drk@kim.example';
    for (let i = 1; i <= 10; i++) expect((await attempt(throttle, email, 'falsch', `2001:db8:a:b::${i.toString(16)}`)).status).toBe(401);
    const next = await attempt(throttle, email, TEST_PASSWORD, '2001:db8:a:b::ff');
    expect(next.status).toBe(429);
    expect(next.retryAfter).toBeGreaterThan(14 * 60);
  });

  it('limits one network across accounts (password spraying), and only that network', async () => {
    await db.loginFailure.deleteMany();
    const throttle = createLoginThrottle(db, { perNetwork: { maxFailures: 5 } });
    const accounts = ['cm.kja@kim.example', 'cm.kreis@kim.example', 'cm.drk@kim.example', 'abh@kim.example', 'admin@kim.example'];
    for (const [i, email] of accounts.entries()) expect((await attempt(throttle, email, 'Sommer2025!', `198.51.100.${i + 1}`)).status).toBe(401);
    // A sixth account from the same /24 is refused, even with its right password; other networks are not affected.
    expect((await attempt(throttle, 'koordination@kim.example', TEST_PASSWORD, '198.51.100.77')).status).toBe(429);
    expect((await attempt(throttle, 'koordination@kim.example', TEST_PASSWORD, '203.0.113.5')).status).toBe(200);
  });

  it('delays an account progressively after its free failures, whichever networks they came from; success resets it', async () => {
    await db.loginFailure.deleteMany();
    const throttle = createLoginThrottle(db, { account: { freeFailures: 3, baseDelayMs: 2000 } });
    const email = 'cm.caritas-euskirchen@kim.example';
    for (let i = 1; i <= 3; i++) expect((await attempt(throttle, email, 'falsch', `192.0.${i}.1`)).status).toBe(401);
    // The fourth failure (another network again) delays the next attempt by 2 s, the fifth by 4 s.
    expect((await attempt(throttle, email, 'falsch', '192.0.4.1')).status).toBe(401);
    const first = await attempt(throttle, email, TEST_PASSWORD, '192.0.5.1');
    expect(first.status).toBe(429);
    expect(first.retryAfter).toBeGreaterThanOrEqual(1);
    expect(first.retryAfter).toBeLessThanOrEqual(2);
    await waitUntilFree(throttle, email, '192.0.5.1');
    expect((await attempt(throttle, email, 'falsch', '192.0.6.1')).status).toBe(401);
    const wait = await throttle.retryAfterMs({ email, ip: '192.0.7.1' });
    expect(wait).toBeGreaterThan(2000);
    expect(wait).toBeLessThanOrEqual(4000);
    await waitUntilFree(throttle, email, '192.0.7.1');
    expect((await attempt(throttle, email, TEST_PASSWORD, '192.0.7.1')).status).toBe(200);
    // Counting starts again after the success.
    for (let i = 1; i <= 3; i++) expect((await attempt(throttle, email, 'falsch', `192.0.${10 + i}.1`)).status).toBe(401);
    expect(await throttle.retryAfterMs({ email, ip: '192.0.20.1' })).toBe(0);
  });
});

async function waitUntilFree(throttle: LoginThrottle, email: string, ip: string): Promise<void> {
  for (;;) {
    const wait = await throttle.retryAfterMs({ email, ip });
    if (wait === 0) return;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

describe('password hashing gate', () => {
  it('runs at most N hashes at once, lets a bounded number wait and refuses the rest at once', async () => {
    const gate = createHashingGate(2, 3);
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const results = Array.from({ length: 10 }, () => gate.run(() => blocked.then(() => 'ok')));
    const settled = Promise.allSettled(results);
    expect(gate.stats()).toMatchObject({ running: 2, waiting: 3 });
    release();
    const outcomes = await settled;
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.reason).toBeInstanceOf(PasswordHashingBusy);
    expect(gate.stats().maxRunning).toBe(2);
  });
});
