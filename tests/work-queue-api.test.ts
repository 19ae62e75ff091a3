// "Meine Aufgaben" over HTTP on the dev server and real PostgreSQL (issue 14 item 2): per role — a case manager's due
// and overdue Wiedervorlagen of their cases, handovers waiting for them, closure requests returned to them; the
// counsellor's handovers; coordination's closure requests, unassigned cases, new handovers and escalations; admins
// none. The navigation's count, the person's settings (daily digest) and the calendar feed (token, revocation, valid
// iCalendar without personal data).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let drk: SignedIn;
let caritas: SignedIn;
let abh: SignedIn;
let coordinator: SignedIn;
let admin: SignedIn;

const call = (who: SignedIn | null, method: string, path: string, body?: unknown) => apiCall(h.baseUrl, who, method, path, body);
async function act(who: SignedIn, id: string, action: string, body: unknown = {}) {
  const res = await call(who, 'POST', `/api/v1/cases/${id}/actions/${action}`, body);
  if (res.status !== 200) expect.fail(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.case;
}
const tasks = async (who: SignedIn) => {
  const res = await call(who, 'GET', '/api/v1/tasks');
  expect(res.status).toBe(200);
  return res.body;
};
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());

async function openCase(who: SignedIn, familyName: string) {
  const res = await call(who, 'POST', '/api/v1/cases', {
    person: { givenName: 'Test', familyName, birthDate: '1991-02-03', municipality: 'Kall', languages: ['ar'] },
    source: 'self',
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

let goalCase: string;

beforeAll(async () => {
  h = await startHarness();
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  caritas = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');
  abh = await login(h.baseUrl, 'abh@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  admin = await login(h.baseUrl, 'admin@kim.example');
  // A DRK case assigned to the DRK case manager with a goal due today.
  goalCase = await openCase(drk, 'Zielfrist');
  await act(drk, goalCase, 'record-consent', { scope: 'data_processing', decision: 'given' });
  await act(drk, goalCase, 'assign', { assigneeId: drk.user.id });
  await act(drk, goalCase, 'start-assessment');
  await act(drk, goalCase, 'complete-assessment', { lifeAreas: [{ area: 'language', situation: 'Deutsch A2', need: 'high' }] });
  await act(drk, goalCase, 'agree-goals', { goals: [{ title: 'Sprachkurs B1 beginnen', measure: 'Anmeldung VHS', owner: 'Klientin', dueDate: today() }] });
});
afterAll(async () => {
  await h?.close();
});

describe('GET /api/v1/tasks', () => {
  it("lists the case manager's due deadline, and the overdue one as overdue; other organisations see none of it", async () => {
    const mine = await tasks(drk);
    expect(mine.queue).toBe('personal');
    const goal = mine.deadlines.find((d: { caseId: string; kind: string }) => d.caseId === goalCase && d.kind === 'goal_due');
    expect(goal).toMatchObject({ label: 'Zieltermin', dueToday: true, overdue: false, status: 'open' });
    expect(mine.count).toBeGreaterThanOrEqual(1);
    // No client data in the list: case ids, kinds and dates only.
    expect(JSON.stringify(mine)).not.toContain('Zielfrist');

    const other = await tasks(caritas);
    expect(other.deadlines.some((d: { caseId: string }) => d.caseId === goalCase)).toBe(false);

    // A day later in the read model (the workflow keeps it; here the due time is moved back a day): overdue.
    const before = mine.count;
    await h.db.caseDeadline.updateMany({ where: { caseId: goalCase, kind: 'goal_due' }, data: { dueAt: new Date(Date.now() - 86_400_000) } });
    const later = await tasks(drk);
    expect(later.deadlines.find((d: { caseId: string; kind: string }) => d.caseId === goalCase && d.kind === 'goal_due')).toMatchObject({ overdue: true });
    expect(later.count).toBe(before);
  });

  it('shows a returned closure request to the case manager and the pending one to coordination', async () => {
    const id = await openCase(drk, 'Abschluss');
    await act(drk, id, 'record-consent', { scope: 'data_processing', decision: 'given' });
    await act(drk, id, 'assign', { assigneeId: drk.user.id });
    await act(drk, id, 'request-closure', { reason: 'moved_away', goalAttainment: 'partly' });
    const coord = await tasks(coordinator);
    expect(coord.queue).toBe('coordination');
    expect(coord.closureRequests.map((r: { caseId: string }) => r.caseId)).toContain(id);

    await act(coordinator, id, 'return-closure', { reason: 'Bitte die neue Adresse dokumentieren' });
    const mine = await tasks(drk);
    expect(mine.returnedClosures).toEqual(expect.arrayContaining([expect.objectContaining({ caseId: id })]));
    // The reason is case content: on the case page (logged), not in the list.
    expect(JSON.stringify(mine)).not.toContain('Bitte die neue Adresse');
    expect((await tasks(coordinator)).closureRequests.map((r: { caseId: string }) => r.caseId)).not.toContain(id);
    expect((await tasks(caritas)).returnedClosures).toEqual([]);

    // Requested again: no longer "returned".
    await act(drk, id, 'request-closure', { reason: 'moved_away', goalAttainment: 'partly' });
    expect((await tasks(drk)).returnedClosures.map((r: { caseId: string }) => r.caseId)).not.toContain(id);
  });

  it("lists unassigned cases and escalations for coordination, not for case managers", async () => {
    const id = await openCase(drk, 'Ohnezuweisung');
    const coord = await tasks(coordinator);
    expect(coord.unassignedCases.map((c: { caseId: string }) => c.caseId)).toContain(id);
    expect(coord.unassignedCases.map((c: { caseId: string }) => c.caseId)).not.toContain(goalCase);
    expect((await tasks(drk)).unassignedCases).toBeUndefined();

    // An escalated deadline in the read model (the workflow escalates after the grace period; moved here).
    await h.db.caseDeadline.updateMany({ where: { caseId: goalCase, kind: 'goal_due' }, data: { status: 'escalated' } });
    expect((await tasks(coordinator)).escalations.map((d: { caseId: string }) => d.caseId)).toContain(goalCase);
  });

  it('shows a handover to the counsellor at once, to the receiving case managers after consent, and to coordination as new', async () => {
    const proposed = await call(abh, 'POST', '/api/v1/handovers', {
      person: { givenName: 'Amina', familyName: 'Haddad', birthDate: '1990-04-12', municipality: 'Kall', languages: ['ar'] },
      residenceLaw: { permits: ['§25b'], notes: 'Duldung' },
      reason: 'Unterstützung bei Wohnung und Arbeit',
    });
    expect(proposed.status).toBe(201);
    const id = proposed.body.id as string;
    const counsellor = await tasks(abh);
    expect(counsellor.handovers).toEqual(expect.arrayContaining([expect.objectContaining({ id, state: 'awaiting_consent', nextStep: 'Einwilligung erfassen' })]));
    expect((await tasks(drk)).handovers.map((x: { id: string }) => x.id)).not.toContain(id);
    expect((await tasks(coordinator)).handovers.map((x: { id: string }) => x.id)).toContain(id);

    expect((await call(abh, 'POST', `/api/v1/handovers/${id}/actions/record-consent`, { decision: 'given' })).status).toBe(200);
    await eventually(async () => (await tasks(drk)).handovers, (list: Array<{ id: string; nextStep: string }>) => list.some((x) => x.id === id && x.nextStep === 'Übergabegespräch planen'), 'handover waits for DRK');
    expect((await tasks(caritas)).handovers.map((x: { id: string }) => x.id)).not.toContain(id);
  });

  it('refuses admins (no case content) and anonymous callers', async () => {
    expect((await call(admin, 'GET', '/api/v1/tasks')).status).toBe(403);
    expect((await call(null, 'GET', '/api/v1/tasks')).status).toBe(401);
  });

  it('shows the count in every page navigation, and the page itself', async () => {
    const count = (await tasks(drk)).count as number;
    const page = await (await fetch(`${h.baseUrl}/faelle`, { headers: drk.headers(false) })).text();
    expect(page).toContain(`Meine Aufgaben <span class="nav-count">${count}<`);
    const own = await (await fetch(`${h.baseUrl}/aufgaben`, { headers: drk.headers(false) })).text();
    expect(own).toContain(`/faelle/${goalCase}`);
    expect(own).toContain('Zieltermin');
    expect((await fetch(`${h.baseUrl}/aufgaben`, { headers: admin.headers(false) })).status).toBe(403);
    const adminPage = await (await fetch(`${h.baseUrl}/verwaltung`, { headers: admin.headers(false) })).text();
    expect(adminPage).not.toContain('Meine Aufgaben');
  });
});

describe('personal settings and the calendar feed', () => {
  it('switches the mail mode and refuses unknown ones', async () => {
    expect((await call(caritas, 'GET', '/api/v1/me/settings')).body).toEqual({ notificationMode: 'immediate', calendarFeed: { active: false, createdAt: null } });
    expect((await call(caritas, 'PUT', '/api/v1/me/settings', { notificationMode: 'daily' })).body.notificationMode).toBe('daily');
    const bad = await call(caritas, 'PUT', '/api/v1/me/settings', { notificationMode: 'hourly' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.notificationMode).toBeTruthy();
    expect((await call(caritas, 'PUT', '/api/v1/me/settings', { notificationMode: 'immediate' })).body.notificationMode).toBe('immediate');
    expect((await call(admin, 'GET', '/api/v1/me/settings')).status).toBe(403);
  });

  it('serves the deadlines as iCalendar behind a revocable token, without personal data', async () => {
    const first = await call(drk, 'POST', '/api/v1/me/calendar-token');
    expect(first.status).toBe(201);
    const feed = await fetch(`${h.baseUrl}${first.body.path}`);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toMatch(/^text\/calendar/);
    const ics = await feed.text();
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    const unfolded = ics.replace(/\r\n /g, '');
    expect(unfolded).toContain(`Fall ${goalCase.slice(0, 8)}`);
    expect(unfolded).toMatch(/DTSTART;VALUE=DATE:\d{8}\r\n/);
    expect(unfolded).not.toMatch(/Zielfrist|Haddad|Sprachkurs/);
    // The same deadline keeps its UID on the next fetch.
    const uids = (text: string) => [...text.matchAll(/^UID:(.+)$/gm)].map((m) => m[1]);
    expect(uids(await (await fetch(`${h.baseUrl}${first.body.path}`)).text())).toEqual(uids(ics));
    expect((await call(drk, 'GET', '/api/v1/me/settings')).body.calendarFeed.active).toBe(true);

    // A new address revokes the old one; switching off revokes the new one.
    const second = await call(drk, 'POST', '/api/v1/me/calendar-token');
    expect((await fetch(`${h.baseUrl}${first.body.path}`)).status).toBe(404);
    expect((await fetch(`${h.baseUrl}${second.body.path}`)).status).toBe(200);
    expect((await call(drk, 'DELETE', '/api/v1/me/calendar-token')).status).toBe(204);
    expect((await fetch(`${h.baseUrl}${second.body.path}`)).status).toBe(404);
    expect((await fetch(`${h.baseUrl}/kalender/nicht-gueltig.ics`)).status).toBe(404);
  });
});
