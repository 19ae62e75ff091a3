// Sign-in, sessions, CSRF, API tokens and login rate limiting over HTTP, against the real app and database
// (api.md "Sessions and identity").
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handedOverCaseIds, caseListFilter, isHandedOverBy } from '../api/operations/access-policy.js';
import { createApp } from '../api/app.js';
import {
  SESSION_ABSOLUTE_MS,
  SESSION_COOKIE,
  SESSION_IDLE_MS,
  authenticate,
  cookieSecureFromEnv,
  csrfProtection,
  requireRole,
  sha256,
} from '../api/http/authentication.js';
import { errorHandler } from '../api/http/json-errors.js';
import { openCaseRows } from '../harness/cases.js';
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

const { call, signIn } = authCalls(() => h.baseUrl);


describe('POST /api/v1/session (sign-in)', () => {
  it('answers the user and a CSRF token and sets an HttpOnly, SameSite=Lax session cookie', async () => {
    const res = await signIn('cm.drk@kim.example');
    expect(res.status).toBe(200);
    const user = await h.db.user.findUniqueOrThrow({ where: { email: 'cm.drk@kim.example' } });
    expect(res.body).toEqual({
      user: { id: user.id, email: 'cm.drk@kim.example', name: 'Sabine Krüger', role: 'case_manager', organisationId: 'drk' },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const cookie = sessionCookie(res)!;
    expect(cookie).toBeDefined();
    const attributes = cookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    // Plain HTTP, COOKIE_SECURE unset, not production: no Secure flag (or the browser would drop the cookie).
    expect(attributes).not.toContain('secure');
    // A browser-session cookie: it ends with the browser; the server enforces the expiry.
    expect(attributes.some((a) => a.startsWith('max-age') || a.startsWith('expires'))).toBe(false);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('accepts the e-mail address in any case and with spaces around it', async () => {
    const res = await signIn('  CM.DRK@kim.example ');
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe('cm.drk@kim.example');
  });

  it('answers 401 with the same body for a wrong password and an unknown e-mail address', async () => {
    const wrong = await signIn('cm.caritas-eifel@kim.example', 'falsch');
    const unknown = await signIn('niemand@kim.example');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(wrong.body.error.message).toMatch(/Passwort/);
    expect(sessionCookie(wrong)).toBeUndefined();
    expect(sessionCookie(unknown)).toBeUndefined();
  });

  it('answers 422 when e-mail or password is missing', async () => {
    const res = await call('POST', '/api/v1/session', { body: { email: 'cm.drk@kim.example' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(Object.keys(res.body.error.fields)).toEqual(['password']);
  });

  it('stores only the SHA-256 of the cookie token', async () => {
    const res = await signIn('cm.kreis@kim.example');
    const token = sessionCookie(res)!.split(';')[0]!.slice(`${SESSION_COOKIE}=`.length);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await h.db.session.findUnique({ where: { id: token } })).toBeNull();
    const row = await h.db.session.findUniqueOrThrow({ where: { id: sha256(token) } });
    expect(row.csrfToken).toBe(res.body.csrfToken);
    // Nothing in the table carries the token itself.
    const all = await h.db.session.findMany();
    expect(JSON.stringify(all)).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(SESSION_IDLE_MS);
  });

  it('makes a new session at every sign-in and drops the one the browser came with', async () => {
    const first = await login(h.baseUrl, 'cm.kja@kim.example');
    const again = await call('POST', '/api/v1/session', {
      headers: { cookie: first.cookie },
      body: { email: 'cm.kja@kim.example', password: TEST_PASSWORD },
    });
    expect(again.status).toBe(200);
    const second = sessionCookie(again)!.split(';')[0]!;
    expect(second).not.toBe(first.cookie);
    expect(again.body.csrfToken).not.toBe(first.csrfToken);
    expect((await call('GET', '/api/v1/session', { headers: { cookie: first.cookie } })).status).toBe(401);
    expect((await call('GET', '/api/v1/session', { headers: { cookie: second } })).status).toBe(200);
    // A second, independent sign-in (another browser) does not end the first.
    const other = await login(h.baseUrl, 'cm.kja@kim.example');
    expect((await call('GET', '/api/v1/session', { headers: { cookie: second } })).status).toBe(200);
    expect(other.cookie).not.toBe(second);
  });

  it('refuses a deactivated account and ends its sessions', async () => {
    const session = await login(h.baseUrl, 'cm.caritas-euskirchen@kim.example');
    await h.db.user.update({ where: { email: 'cm.caritas-euskirchen@kim.example' }, data: { active: false } });
    try {
      const res = await signIn('cm.caritas-euskirchen@kim.example');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('account_inactive');
      // With a wrong password it looks like any other wrong password.
      expect((await signIn('cm.caritas-euskirchen@kim.example', 'falsch')).body.error.code).toBe('invalid_credentials');
      expect((await call('GET', '/api/v1/session', { headers: { cookie: session.cookie } })).status).toBe(401);
    } finally {
      await h.db.user.update({ where: { email: 'cm.caritas-euskirchen@kim.example' }, data: { active: true } });
    }
  });
});

describe('GET and DELETE /api/v1/session', () => {
  it('answers the signed-in user and CSRF token, and 401 without a session', async () => {
    const session = await login(h.baseUrl, 'koordination@kim.example');
    const res = await call('GET', '/api/v1/session', { headers: { cookie: session.cookie } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: session.user, csrfToken: session.csrfToken });

    const anonymous = await call('GET', '/api/v1/session');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
    const forged = await call('GET', '/api/v1/session', { headers: { cookie: `${SESSION_COOKIE}=${'A'.repeat(43)}` } });
    expect(forged.status).toBe(401);
  });

  it('logs out: deletes the session, clears the cookie, and the old cookie no longer works', async () => {
    const session = await login(h.baseUrl, 'abh@kim.example');
    const id = sha256(session.cookie.slice(`${SESSION_COOKIE}=`.length));
    expect(await h.db.session.findUnique({ where: { id } })).not.toBeNull();

    const out = await call('DELETE', '/api/v1/session', { headers: session.headers(false) });
    expect(out.status).toBe(204);
    const cleared = sessionCookie(out)!;
    expect(cleared).toMatch(/^kim_session=;/);
    expect(cleared.toLowerCase()).toMatch(/expires=thu, 01 jan 1970/);
    expect(await h.db.session.findUnique({ where: { id } })).toBeNull();

    const after = await call('GET', '/api/v1/session', { headers: { cookie: session.cookie } });
    expect(after.status).toBe(401);
    expect((await call('DELETE', '/api/v1/session', { headers: session.headers(false) })).status).toBe(401);
  });

  it('ends a session after 8 hours without activity and 12 hours after sign-in', async () => {
    const idle = await login(h.baseUrl, 'cm.drk@kim.example');
    const idleId = sha256(idle.cookie.slice(`${SESSION_COOKIE}=`.length));
    await h.db.session.update({ where: { id: idleId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await call('GET', '/api/v1/session', { headers: { cookie: idle.cookie } })).status).toBe(401);
    expect(await h.db.session.findUnique({ where: { id: idleId } })).toBeNull();

    const old = await login(h.baseUrl, 'cm.drk@kim.example');
    const oldId = sha256(old.cookie.slice(`${SESSION_COOKIE}=`.length));
    await h.db.session.update({
      where: { id: oldId },
      data: { createdAt: new Date(Date.now() - SESSION_ABSOLUTE_MS - 1000), expiresAt: new Date(Date.now() + 3600_000) },
    });
    expect((await call('GET', '/api/v1/session', { headers: { cookie: old.cookie } })).status).toBe(401);
  });

  it('slides the expiry with activity, but never past 12 hours after sign-in', async () => {
    const session = await login(h.baseUrl, 'cm.drk@kim.example');
    const id = sha256(session.cookie.slice(`${SESSION_COOKIE}=`.length));
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await h.db.session.update({ where: { id }, data: { lastSeenAt: tenMinutesAgo, expiresAt: new Date(Date.now() + 3600_000) } });
    const before = Date.now();
    expect((await call('GET', '/api/v1/session', { headers: { cookie: session.cookie } })).status).toBe(200);
    let row = await h.db.session.findUniqueOrThrow({ where: { id } });
    expect(row.lastSeenAt.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(row.expiresAt.getTime()).toBeGreaterThanOrEqual(before + SESSION_IDLE_MS - 5);

    // Within 5 minutes nothing is written again.
    const seen = row.lastSeenAt.getTime();
    await call('GET', '/api/v1/session', { headers: { cookie: session.cookie } });
    expect((await h.db.session.findUniqueOrThrow({ where: { id } })).lastSeenAt.getTime()).toBe(seen);

    const createdAt = new Date(Date.now() - 10 * 3600_000);
    await h.db.session.update({ where: { id }, data: { createdAt, lastSeenAt: tenMinutesAgo } });
    await call('GET', '/api/v1/session', { headers: { cookie: session.cookie } });
    row = await h.db.session.findUniqueOrThrow({ where: { id } });
    expect(row.expiresAt.getTime()).toBe(createdAt.getTime() + SESSION_ABSOLUTE_MS);
  });
});

describe('CSRF protection for cookie sessions', () => {
  it('refuses state-changing requests without or with a wrong token and lets the right one through', async () => {
    const session = await login(h.baseUrl, 'cm.kreis@kim.example');
    const without = await call('POST', '/api/v1/tokens', { headers: { cookie: session.cookie }, body: { name: 'ohne' } });
    expect(without.status).toBe(403);
    expect(without.body.error.code).toBe('csrf_failed');
    expect(without.body.error.message).toMatch(/Sicherheitsprüfung/);
    const wrong = await call('POST', '/api/v1/tokens', {
      headers: { cookie: session.cookie, 'x-csrf-token': `${session.csrfToken.slice(0, -1)}x` },
      body: { name: 'falsch' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('csrf_failed');
    const short = await call('DELETE', '/api/v1/session', { headers: { cookie: session.cookie, 'x-csrf-token': 'kurz' } });
    expect(short.status).toBe(403);
    // Another session's token does not fit this session.
    const other = await login(h.baseUrl, 'cm.kreis@kim.example');
    const foreign = await call('POST', '/api/v1/tokens', { headers: { cookie: session.cookie, 'x-csrf-token': other.csrfToken } });
    expect(foreign.status).toBe(403);
    expect(await h.db.apiToken.count({ where: { name: { in: ['ohne', 'falsch'] } } })).toBe(0);

    const ok = await call('POST', '/api/v1/tokens', { headers: session.headers(), body: { name: 'mit' } });
    expect(ok.status).toBe(201);
    // Reading needs no token.
    expect((await call('GET', '/api/v1/tokens', { headers: { cookie: session.cookie } })).status).toBe(200);
  });

  it('accepts the token as the form field _csrf of an urlencoded form', async () => {
    const session = await login(h.baseUrl, 'cm.kreis@kim.example');
    const form = new URLSearchParams({ _csrf: session.csrfToken, name: 'Formular' }).toString();
    const res = await call('POST', '/api/v1/tokens', {
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Formular');
    const bad = new URLSearchParams({ _csrf: 'falsch', name: 'Formular' }).toString();
    const refused = await call('POST', '/api/v1/tokens', {
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: bad,
    });
    expect(refused.status).toBe(403);
  });

  it('does not ask for a token at sign-in, even when a session cookie comes along', async () => {
    const session = await login(h.baseUrl, 'cm.kreis@kim.example');
    const res = await call('POST', '/api/v1/session', {
      headers: { cookie: session.cookie },
      body: { email: 'cm.kreis@kim.example', password: TEST_PASSWORD },
    });
    expect(res.status).toBe(200);
  });
});


describe('which routes need a user', () => {
  it('keeps /healthz public', async () => {
    const res = await call('GET', '/healthz');
    expect(res.status).toBe(200);
  });

  it('answers GET /api/v1/organisations only to signed-in users', async () => {
    const anonymous = await call('GET', '/api/v1/organisations');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toEqual({ code: 'unauthenticated', message: expect.any(String) });
    const session = await login(h.baseUrl, 'admin@kim.example');
    const res = await call('GET', '/api/v1/organisations', { headers: { cookie: session.cookie } });
    expect(res.status).toBe(200);
    // All seeded organisations: 4 providers, the county's KIM team and posts (IP, BNE), the ABH, the Jobcenter.
    expect(res.body.items.map((o: { id: string }) => o.id).sort()).toEqual(['abh', 'caritas-eifel', 'caritas-euskirchen', 'drk', 'jobcenter', 'kja', 'kreis-bne', 'kreis-ip', 'kreis-kim'].sort());
  });

  it('closes the case routes and unknown API paths to anonymous callers, but not sign-in and the OpenAPI document', async () => {
    expect((await call('POST', '/api/v1/cases', { body: {} })).status).toBe(401);
    expect((await call('GET', '/api/v1/cases/00000000-0000-0000-0000-000000000000')).status).toBe(401);
    expect((await call('GET', '/api/v1/gibt-es-nicht')).status).toBe(401);
    const openapi = await call('GET', '/api/v1/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toMatch(/^3\.1/);
    // Sign-in is open: a wrong password is a 401 about the credentials, not the session check's refusal.
    const signIn = await call('POST', '/api/v1/session', { body: { email: 'niemand@kim.example', password: 'falsch-123' } });
    expect(signIn.status).toBe(401);
    expect(signIn.body.error.code).toBe('invalid_credentials');
  });

  it('lets a signed-in session with its CSRF token open and read a case', async () => {
    // The way tests/case-slice.test.ts can call the case routes now (harness/auth.ts).
    const session = await login(h.baseUrl, 'koordination@kim.example');
    const person = { givenName: 'Amina', familyName: 'Haddad', birthDate: '1990-04-12', municipality: 'Kall', languages: ['ar'] };
    const created = await call('POST', '/api/v1/cases', { headers: session.headers(), body: { person, source: 'self' } });
    expect(created.status).toBe(201);
    const read = await call('GET', `/api/v1/cases/${created.body.id}`, { headers: session.headers(false) });
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(created.body.id);
  });

  it('requireRole answers 401 without a user and 403 with the wrong role', async () => {
    const app = express();
    app.use(express.json());
    app.use(authenticate(h.db), csrfProtection());
    app.get('/nur-koordination', requireRole('coordinator'), (req, res) => {
      res.json({ via: req.user?.via, role: req.user?.role });
    });
    app.use(errorHandler);
    const server = await listen(app);
    try {
      expect((await call('GET', '/nur-koordination', { baseUrl: server.url })).status).toBe(401);
      const cm = await login(h.baseUrl, 'cm.drk@kim.example');
      const refused = await call('GET', '/nur-koordination', { baseUrl: server.url, headers: { cookie: cm.cookie } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      const coordinator = await login(h.baseUrl, 'koordination@kim.example');
      const ok = await call('GET', '/nur-koordination', { baseUrl: server.url, headers: { cookie: coordinator.cookie } });
      expect(ok).toMatchObject({ status: 200, body: { via: 'session', role: 'coordinator' } });
      const token = await bearerFor(h.db, 'koordination@kim.example');
      const viaToken = await call('GET', '/nur-koordination', { baseUrl: server.url, headers: token.headers(false) });
      expect(viaToken.body).toEqual({ via: 'token', role: 'coordinator' });
    } finally {
      await server.close();
    }
  });
});

describe('session cookie Secure flag', () => {
  it('follows COOKIE_SECURE', async () => {
    expect(cookieSecureFromEnv({})).toBe('auto');
    expect(cookieSecureFromEnv({ COOKIE_SECURE: 'true' })).toBe(true);
    expect(cookieSecureFromEnv({ COOKIE_SECURE: '0' })).toBe(false);
    const previous = process.env.COOKIE_SECURE;
    process.env.COOKIE_SECURE = 'true';
    const server = await listen(createApp({ db: h.db, temporal: h.client, taskQueue: h.taskQueue }));
    try {
      const res = await call('POST', '/api/v1/session', {
        baseUrl: server.url,
        body: { email: 'cm.drk@kim.example', password: TEST_PASSWORD },
      });
      expect(sessionCookie(res)!.toLowerCase().split(';').map((a) => a.trim())).toContain('secure');
    } finally {
      if (previous === undefined) delete process.env.COOKIE_SECURE;
      else process.env.COOKIE_SECURE = previous;
      await server.close();
    }
  });
});

describe('access rules against the database', () => {
  it('finds the cases a counsellor handed over and lists them with the ABH\'s own cases', async () => {
    const counsellor = await h.db.user.findUniqueOrThrow({ where: { email: 'abh@kim.example' } });
    const cm = await h.db.user.findUniqueOrThrow({ where: { email: 'cm.drk@kim.example' } });
    const handedOver = await openCaseRows(h.db, { organisationId: 'drk', municipality: 'Kall' });
    const other = await openCaseRows(h.db, { organisationId: 'drk', municipality: 'Kall' });
    const own = await openCaseRows(h.db, { organisationId: 'abh', municipality: 'Euskirchen' });
    await h.db.handover.create({
      data: { id: 'h-test-1', workflowId: 'handover-h-test-1', caseId: handedOver.caseId, state: 'handed_over', counsellorId: counsellor.id },
    });
    await h.db.handover.create({
      data: { id: 'h-test-2', workflowId: 'handover-h-test-2', caseId: null, state: 'awaiting_consent', counsellorId: counsellor.id },
    });

    expect(await handedOverCaseIds(h.db, counsellor)).toEqual([handedOver.caseId]);
    expect(await isHandedOverBy(h.db, counsellor, handedOver.caseId)).toBe(true);
    expect(await isHandedOverBy(h.db, counsellor, other.caseId)).toBe(false);

    const ids = await handedOverCaseIds(h.db, counsellor);
    const listed = await h.db.case.findMany({ where: caseListFilter(counsellor, ids), select: { id: true } });
    expect(listed.map((c) => c.id).sort()).toEqual([handedOver.caseId, own.caseId].sort());
    const forCm = await h.db.case.findMany({ where: caseListFilter(cm), select: { id: true } });
    expect(forCm.map((c) => c.id)).toEqual(expect.arrayContaining([handedOver.caseId, other.caseId]));
    expect(forCm.map((c) => c.id)).not.toContain(own.caseId);
    const admin = await h.db.user.findUniqueOrThrow({ where: { email: 'admin@kim.example' } });
    expect(await h.db.case.count({ where: caseListFilter(admin) })).toBe(0);
  });
});
