// Staff accounts over HTTP against the real app, database and SMTP server: invitations and password resets by
// one-time link (expiry, single use, the same answer for an unknown address), deactivation and role change ending a
// live session and API token, the last-admin guard, what coordinators may not do, CSRF and role checks, the audit
// rows, and `npm run admin:create`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPasswordReset } from '../api/operations/account-links.js';
import { apiCall, bearerFor, login, type SignedIn } from '../harness/auth.js';
import { repoRoot } from '../platform/paths.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let admin: SignedIn;
let coordinator: SignedIn;

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.baseUrl, 'admin@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
});
afterAll(async () => {
  await h?.close();
});

const GOOD_PASSWORD = 'Wiesenweg-Kastanie-Laterne-42';

/** The one-time link of the newest mail to `to`, as a path of the app (`/konto/passwort/<secret>`). */
async function linkMailedTo(to: string, after = 0): Promise<string> {
  const mails = await h.smtp.waitFor((all) => all.some((m) => m.seq > after && m.envelopeTo.includes(to)));
  const mail = mails.filter((m) => m.seq > after && m.envelopeTo.includes(to)).at(-1)!;
  const match = /\/konto\/passwort\/([A-Za-z0-9_-]{43})/.exec(mail.text);
  expect(match, mail.text).not.toBeNull();
  return match![0];
}
const lastSeq = () => h.smtp.mails.at(-1)?.seq ?? 0;
const secretOf = (path: string) => path.split('/').at(-1)!;

async function invite(by: SignedIn, body: Record<string, unknown>) {
  return apiCall(h.baseUrl, by, 'POST', '/api/v1/accounts', body);
}

async function setPassword(token: string, password: string) {
  return apiCall(h.baseUrl, null, 'POST', '/api/v1/password', { token, password });
}

describe('invitation by one-time link', () => {
  it('admin invites; the mail carries a link; a weak password is refused; the link sets the password once', async () => {
    const before = lastSeq();
    const res = await invite(admin, { email: 'Neu.CM@kim.example', name: 'Nora Neu', role: 'case_manager', organisationId: 'drk' });
    expect(res.status).toBe(201);
    expect(res.body.account).toMatchObject({ email: 'neu.cm@kim.example', role: 'case_manager', active: true, passwordSetAt: null, invitationOpen: true });
    const path = await linkMailedTo('neu.cm@kim.example', before);
    // The secret is stored only as a hash.
    const links = await h.db.accountLink.findMany({ where: { userId: res.body.account.id } });
    expect(links).toHaveLength(1);
    expect(links[0]!.tokenHash).not.toContain(secretOf(path));

    // Not signed in before the invitation is redeemed.
    expect((await apiCall(h.baseUrl, null, 'POST', '/api/v1/session', { email: 'neu.cm@kim.example', password: GOOD_PASSWORD })).status).toBe(401);
    const page = await fetch(`${h.baseUrl}${path}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Passwort festlegen');

    for (const weak of ['kurz', 'passwort1234', 'aaaaaaaaaaaaaaaa', 'qwertzuiop123']) {
      const refused = await setPassword(secretOf(path), weak);
      expect(refused.status, weak).toBe(422);
      expect(refused.body.error.fields.password).toBeTruthy();
    }
    expect((await setPassword(secretOf(path), GOOD_PASSWORD)).status).toBe(204);
    const signedIn = await login(h.baseUrl, 'neu.cm@kim.example', GOOD_PASSWORD);
    expect(signedIn.user.role).toBe('case_manager');

    // Single use: the same link again is gone, as page and as API.
    expect((await setPassword(secretOf(path), 'Ein-anderes-langes-Passwort-7')).status).toBe(410);
    expect((await fetch(`${h.baseUrl}${path}`)).status).toBe(410);

    const audit = await h.db.adminAudit.findMany({ where: { entityId: res.body.account.id }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['invited', 'invitation_accepted']);
    expect(audit[0]!.actorId).toBe(admin.user.id);
    const dump = JSON.stringify(audit);
    expect(dump).not.toContain(secretOf(path));
    expect(dump).not.toMatch(/password|token|\$2[aby]\$/i);
  });

  it('an expired link is refused; a new invitation voids the old link', async () => {
    const before = lastSeq();
    const res = await invite(admin, { email: 'spaet@kim.example', name: 'Sven Spät', role: 'case_manager', organisationId: 'kja' });
    expect(res.status).toBe(201);
    const first = await linkMailedTo('spaet@kim.example', before);
    await h.db.accountLink.updateMany({ where: { userId: res.body.account.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await setPassword(secretOf(first), GOOD_PASSWORD)).status).toBe(410);

    const again = lastSeq();
    expect((await apiCall(h.baseUrl, admin, 'POST', `/api/v1/accounts/${res.body.account.id}/invitation`)).status).toBe(200);
    const second = await linkMailedTo('spaet@kim.example', again);
    expect(second).not.toBe(first);
    expect((await setPassword(secretOf(second), GOOD_PASSWORD)).status).toBe(204);
  });

  it('an address that already has an account is refused with 409; bad input with 422 and fields', async () => {
    const taken = await invite(admin, { email: 'cm.drk@kim.example', name: 'X', role: 'case_manager', organisationId: 'drk' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('email_taken');
    const bad = await invite(admin, { email: 'kein-at', name: '', role: 'chef', organisationId: 'drk' });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['email', 'name', 'role']);
    const org = await invite(admin, { email: 'x@kim.example', name: 'X', role: 'case_manager', organisationId: 'gibt-es-nicht' });
    expect(org.status).toBe(422);
    expect(await h.db.user.count({ where: { email: 'x@kim.example' } })).toBe(0);
  });
});

describe('password reset by mail', () => {
  it('answers a known and an unknown address alike; only the known one gets a link, which works once', async () => {
    const before = lastSeq();
    const known = await apiCall(h.baseUrl, null, 'POST', '/api/v1/password-reset', { email: 'CM.KJA@kim.example' });
    const unknown = await apiCall(h.baseUrl, null, 'POST', '/api/v1/password-reset', { email: 'niemand@kim.example' });
    expect(known).toEqual(unknown);
    expect(known.status).toBe(202);
    const path = await linkMailedTo('cm.kja@kim.example', before);
    expect(h.smtp.mails.filter((m) => m.seq > before).flatMap((m) => m.envelopeTo)).toEqual(['cm.kja@kim.example']);

    const kja = await login(h.baseUrl, 'cm.kja@kim.example');
    expect((await setPassword(secretOf(path), GOOD_PASSWORD)).status).toBe(204);
    // The new password ends the sessions that knew the old one; the old password no longer works.
    expect((await apiCall(h.baseUrl, kja, 'GET', '/api/v1/session')).status).toBe(401);
    expect((await apiCall(h.baseUrl, null, 'POST', '/api/v1/session', { email: 'cm.kja@kim.example', password: 'test-password' })).status).toBe(401);
    await login(h.baseUrl, 'cm.kja@kim.example', GOOD_PASSWORD);
    expect((await setPassword(secretOf(path), 'Noch-ein-ganz-anderes-Passwort-9')).status).toBe(410);
    const audit = await h.db.adminAudit.findMany({ where: { action: 'password_reset' } });
    expect(audit).toHaveLength(1);
  });

  it('sends at most one reset mail per account and quarter of an hour, with the same answer', async () => {
    const deps = { db: h.db, mailer: h.smtp.mailer(), appUrl: h.baseUrl };
    const user = await h.db.user.findUniqueOrThrow({ where: { email: 'abh@kim.example' } });
    const first = await requestPasswordReset(deps, { email: 'abh@kim.example' });
    await first.sent;
    const second = await requestPasswordReset(deps, { email: 'abh@kim.example' });
    await second.sent;
    expect(second.message).toBe(first.message);
    expect(await h.db.accountLink.count({ where: { userId: user.id, purpose: 'password_reset' } })).toBe(1);
  });

  it('the reset page gives the same notice for any address', async () => {
    const form = (email: string) =>
      fetch(`${h.baseUrl}/passwort-vergessen`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=${encodeURIComponent(email)}` });
    const [a, b] = await Promise.all([form('cm.drk@kim.example'), form('unbekannt@kim.example')]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const notice = (html: string) => /<div class="notice[^>]*>[\s\S]*?<\/div>/.exec(html)?.[0];
    expect(notice(await a.text())).toBe(notice(await b.text()));
  });
});

describe('deactivation, role change and the last admin', () => {
  it('deactivation ends a live session and an API token at once; reactivation lets the person sign in again', async () => {
    const drk = await login(h.baseUrl, 'cm.drk@kim.example');
    const token = await bearerFor(h.db, 'cm.drk@kim.example');
    expect((await apiCall(h.baseUrl, drk, 'GET', '/api/v1/cases')).status).toBe(200);
    expect((await apiCall(h.baseUrl, token, 'GET', '/api/v1/cases')).status).toBe(200);

    const off = await apiCall(h.baseUrl, admin, 'POST', `/api/v1/accounts/${drk.user.id}/deactivate`);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await apiCall(h.baseUrl, drk, 'GET', '/api/v1/cases')).status).toBe(401);
    expect((await apiCall(h.baseUrl, token, 'GET', '/api/v1/cases')).status).toBe(401);
    expect(await h.db.session.count({ where: { userId: drk.user.id } })).toBe(0);
    expect(await h.db.apiToken.count({ where: { userId: drk.user.id, revokedAt: null } })).toBe(0);

    const on = await apiCall(h.baseUrl, admin, 'POST', `/api/v1/accounts/${drk.user.id}/reactivate`);
    expect(on.body.active).toBe(true);
    // The old token stays revoked; a fresh sign-in works.
    expect((await apiCall(h.baseUrl, token, 'GET', '/api/v1/cases')).status).toBe(401);
    await login(h.baseUrl, 'cm.drk@kim.example');
    const actions = (await h.db.adminAudit.findMany({ where: { entityId: drk.user.id }, orderBy: { at: 'asc' } })).map((a) => [a.action, (a.before as { active?: boolean })?.active, (a.after as { active?: boolean })?.active]);
    expect(actions).toEqual([
      ['deactivated', true, false],
      ['reactivated', false, true],
    ]);
  });

  it('a role or organisation change ends the sessions and tokens; the audit holds before → after', async () => {
    const kreis = await login(h.baseUrl, 'cm.kreis@kim.example');
    const token = await bearerFor(h.db, 'cm.kreis@kim.example');
    const renamed = await apiCall(h.baseUrl, coordinator, 'PATCH', `/api/v1/accounts/${kreis.user.id}`, { name: 'Thomas Müller-Lang' });
    expect(renamed.status).toBe(200);
    // A new name changes no access: the session lives on.
    expect((await apiCall(h.baseUrl, kreis, 'GET', '/api/v1/session')).status).toBe(200);

    const moved = await apiCall(h.baseUrl, coordinator, 'PATCH', `/api/v1/accounts/${kreis.user.id}`, { organisationId: 'jobcenter' });
    expect(moved.status).toBe(200);
    expect((await apiCall(h.baseUrl, kreis, 'GET', '/api/v1/session')).status).toBe(401);
    expect((await apiCall(h.baseUrl, token, 'GET', '/api/v1/session')).status).toBe(401);
    const last = await h.db.adminAudit.findFirstOrThrow({ where: { entityId: kreis.user.id }, orderBy: { at: 'desc' } });
    expect(last).toMatchObject({ action: 'updated', actorId: coordinator.user.id, actorRole: 'coordinator' });
    expect((last.before as { organisationId: string }).organisationId).toBe('kreis-kim');
    expect((last.after as { organisationId: string }).organisationId).toBe('jobcenter');
  });

  it('the last active admin can be neither deactivated nor demoted; with a second admin it can', async () => {
    const self = await apiCall(h.baseUrl, admin, 'POST', `/api/v1/accounts/${admin.user.id}/deactivate`);
    expect(self.status).toBe(409);
    expect(self.body.error.code).toBe('last_admin');
    const demote = await apiCall(h.baseUrl, admin, 'PATCH', `/api/v1/accounts/${admin.user.id}`, { role: 'coordinator' });
    expect(demote.status).toBe(409);
    expect((await h.db.user.findUniqueOrThrow({ where: { id: admin.user.id } })).role).toBe('admin');

    const second = await invite(admin, { email: 'it2@kim.example', name: 'Ida Zwei', role: 'admin', organisationId: 'kreis-kim' });
    expect(second.status).toBe(201);
    const off = await apiCall(h.baseUrl, admin, 'POST', `/api/v1/accounts/${second.body.account.id}/deactivate`);
    expect(off.status).toBe(200);
    // Only one active admin again: still guarded.
    expect((await apiCall(h.baseUrl, admin, 'POST', `/api/v1/accounts/${admin.user.id}/deactivate`)).status).toBe(409);
  });
});

describe('who may manage accounts', () => {
  it('a coordinator invites staff but cannot create an admin, make someone admin or touch an admin account', async () => {
    expect((await invite(coordinator, { email: 'cm.neu2@kim.example', name: 'Can Neu', role: 'case_manager', organisationId: 'caritas-eifel' })).status).toBe(201);
    const asAdmin = await invite(coordinator, { email: 'boss@kim.example', name: 'Boss', role: 'admin', organisationId: 'kreis-kim' });
    expect(asAdmin.status).toBe(403);
    expect(await h.db.user.count({ where: { email: 'boss@kim.example' } })).toBe(0);
    const cm = await h.db.user.findUniqueOrThrow({ where: { email: 'cm.caritas-eifel@kim.example' } });
    expect((await apiCall(h.baseUrl, coordinator, 'PATCH', `/api/v1/accounts/${cm.id}`, { role: 'admin' })).status).toBe(403);
    expect((await apiCall(h.baseUrl, coordinator, 'POST', `/api/v1/accounts/${admin.user.id}/deactivate`)).status).toBe(403);
    expect((await apiCall(h.baseUrl, coordinator, 'PATCH', `/api/v1/accounts/${admin.user.id}`, { name: 'Y' })).status).toBe(403);
    const list = await apiCall(h.baseUrl, coordinator, 'GET', '/api/v1/accounts');
    expect(list.body.items.find((a: { id: string }) => a.id === admin.user.id).manageable).toBe(false);
  });

  it('case managers and counsellors get 403 on every account route; anonymous callers 401', async () => {
    const cm = await login(h.baseUrl, 'cm.caritas-euskirchen@kim.example');
    const abh = await login(h.baseUrl, 'abh@kim.example');
    const target = admin.user.id;
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v1/accounts'],
      ['POST', '/api/v1/accounts', { email: 'a@kim.example', name: 'A', role: 'case_manager', organisationId: 'drk' }],
      ['GET', `/api/v1/accounts/${target}`],
      ['PATCH', `/api/v1/accounts/${target}`, { name: 'Z' }],
      ['POST', `/api/v1/accounts/${target}/deactivate`],
      ['POST', `/api/v1/accounts/${target}/reactivate`],
      ['POST', `/api/v1/accounts/${target}/invitation`],
    ];
    for (const [method, path, body] of routes) {
      expect((await apiCall(h.baseUrl, cm, method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await apiCall(h.baseUrl, abh, method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await apiCall(h.baseUrl, null, method, path, body)).status, `${method} ${path}`).toBe(401);
      if (method !== 'GET') {
        // A session request without the CSRF token is refused before anything else.
        const res = await fetch(`${h.baseUrl}${path}`, { method, headers: { cookie: admin.cookie, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
        expect(res.status, `${method} ${path} without CSRF`).toBe(403);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
      }
    }
  });

  it('the account pages: 403 for a case manager, and a form post without the CSRF token is refused', async () => {
    const cm = await login(h.baseUrl, 'cm.caritas-euskirchen@kim.example');
    expect((await fetch(`${h.baseUrl}/verwaltung/konten`, { headers: { cookie: cm.cookie }, redirect: 'manual' })).status).toBe(403);
    const list = await fetch(`${h.baseUrl}/verwaltung/konten`, { headers: { cookie: admin.cookie } });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('cm.drk@kim.example');
    const post = await fetch(`${h.baseUrl}/verwaltung/konten/neu`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=ohne-csrf%40kim.example&name=O&role=case_manager&organisationId=drk',
      redirect: 'manual',
    });
    expect(post.status).toBe(403);
    expect(await h.db.user.count({ where: { email: 'ohne-csrf@kim.example' } })).toBe(0);
  });
});

describe('npm run admin:create', () => {
  const run = promisify(execFile);
  const env = () => ({ ...process.env, DATABASE_URL: h.databaseUrl, APP_URL: 'https://kim.kreis.example' });

  it('prints a one-time invitation link for a new admin, who sets a password through it and signs in', async () => {
    const { stdout } = await run('npx', ['tsx', 'scripts/admin-create.ts', '--email', 'erste.it@kim.example', '--name', 'Erika IT'], { cwd: repoRoot, env: env() });
    const match = /https:\/\/kim\.kreis\.example\/konto\/passwort\/([A-Za-z0-9_-]{43})/.exec(stdout);
    expect(match, stdout).not.toBeNull();
    expect(stdout).not.toMatch(/passwort:/i);
    const user = await h.db.user.findUniqueOrThrow({ where: { email: 'erste.it@kim.example' } });
    expect(user).toMatchObject({ role: 'admin', active: true, passwordSetAt: null });
    expect((await setPassword(match![1]!, GOOD_PASSWORD)).status).toBe(204);
    await login(h.baseUrl, 'erste.it@kim.example', GOOD_PASSWORD);
    // Once the password is set, the command cannot hand out a new link for that account (no takeover).
    await expect(run('npx', ['tsx', 'scripts/admin-create.ts', '--email', 'erste.it@kim.example'], { cwd: repoRoot, env: env() })).rejects.toMatchObject({ code: 1 });
    // Without --email: usage and exit code 2.
    await expect(run('npx', ['tsx', 'scripts/admin-create.ts'], { cwd: repoRoot, env: env() })).rejects.toMatchObject({ code: 2 });
  });
});
