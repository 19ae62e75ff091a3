// Issue 16 item 2 over HTTP on the dev server with PostgreSQL: staff set the residence-law track (one operation for
// the JSON route and the page), its expiry deadline shows with the case; bad entries are refused in German; the ABH
// sees the track only where the client consented to share it; the figures on a hand-countable scenario (JSON, CSV,
// XLSX, the Lenkungsgruppe page), suppressed; the track's texts never reach the engine unencrypted.
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { zonedDate } from '../domain/controlling.js';
import { addDays, endOfDayBerlin } from '../domain/dates.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let drk: SignedIn;
let abh: SignedIn;
let coordinator: SignedIn;

const call = (who: SignedIn, method: string, path: string, body?: unknown) => apiCall(h.baseUrl, who, method, path, body);
async function act(who: SignedIn, id: string, action: string, body: unknown = {}) {
  const res = await call(who, 'POST', `/api/v1/cases/${id}/actions/${action}`, body);
  if (res.status !== 200) expect.fail(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.case;
}
async function newCase(i: number): Promise<string> {
  const created = await call(drk, 'POST', '/api/v1/cases', {
    person: { givenName: `Aufenthalt${i}`, familyName: 'Test', birthDate: '1990-05-05', municipality: 'Zülpich', languages: [] },
    source: 'abh',
  });
  expect(created.status).toBe(201);
  await act(drk, created.body.id, 'record-consent', { scope: 'data_processing', decision: 'given' });
  return created.body.id as string;
}

const today = zonedDate(Date.now());
const NOTE = 'Vorsprache Zimmer 314 am Dienstag';

beforeAll(async () => {
  h = await startHarness();
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  abh = await login(h.baseUrl, 'abh@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('the residence-law track over HTTP', () => {
  let caseId: string;

  it('is set by staff, shown with its expiry deadline (due dates as entered), and refused in German when wrong', async () => {
    caseId = await newCase(0);
    const expiresOn = addDays(today, 120);
    const c = await act(drk, caseId, 'set-residence-track', { currentTitle: 'duldung', expiresOn, targetTitle: 'p25b', achievements: ['language', 'identity'] });
    expect(c.residenceLaw.track).toMatchObject({ currentTitle: 'duldung', expiresOn, targetTitle: 'p25b', achievements: ['language', 'identity'] });
    const expiry = c.deadlines.find((d: { kind: string }) => d.kind === 'residence_expiry');
    expect(expiry).toMatchObject({ status: 'open', dueAt: endOfDayBerlin(addDays(expiresOn, -56)), escalateAt: endOfDayBerlin(expiresOn) });
    expect(expiry.dueDate).toBe(addDays(expiresOn, -56));

    const wrong = await call(drk, 'POST', `/api/v1/cases/${caseId}/actions/set-residence-track`, { currentTitle: 'niederlassungserlaubnis', expiresOn, outcome: 'reached' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.fields).toEqual({ expiresOn: expect.stringMatching(/unbefristet/), targetTitle: expect.stringMatching(/Zieltitel voraus/), outcomeOn: expect.stringMatching(/Pflichtfeld/) });
    const unknown = await call(drk, 'POST', `/api/v1/cases/${caseId}/actions/set-residence-track`, { currentTitle: '§25b' });
    expect(unknown.status).toBe(422);
    expect(Object.keys(unknown.body.error.fields)).toEqual(['currentTitle']);
    // Nothing half-written: the track is still the first one.
    expect((await call(drk, 'GET', `/api/v1/cases/${caseId}`)).body.residenceLaw.track.currentTitle).toBe('duldung');

    // The outcome: reached today, with a note — the deadline is met, the track reads back, the Art. 15 export has it.
    const reached = await act(drk, caseId, 'set-residence-track', { currentTitle: 'duldung', expiresOn, targetTitle: 'p25b', achievements: ['language', 'identity'], outcome: 'reached', outcomeOn: today, outcomeNote: NOTE });
    expect(reached.deadlines.find((d: { kind: string }) => d.kind === 'residence_expiry').status).toBe('met');
    const exported = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/export`);
    expect(exported.body.case.residenceLaw.track).toMatchObject({ outcome: 'reached', outcomeOn: today, outcomeNote: NOTE });
    const printed = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/export?format=html`, { headers: coordinator.headers(false) });
    const html = await printed.text();
    expect(html).toContain('Aufenthaltsrechtliche Situation');
    expect(html).toContain('Zieltitel erreicht am');
    expect(html).toContain(NOTE);
  });

  it('an expiry inside the lead time is due today: in the work queue and the calendar feed like the other deadlines', async () => {
    const id = await newCase(9);
    await act(drk, id, 'assign', { assigneeId: drk.user.id });
    await act(drk, id, 'set-residence-track', { currentTitle: 'p60d', expiresOn: addDays(today, 10), targetTitle: 'p25b', achievements: ['language'] });
    const queue = await call(drk, 'GET', '/api/v1/tasks');
    expect(queue.body.deadlines.find((d: { caseId: string }) => d.caseId === id)).toMatchObject({ kind: 'residence_expiry', dueToday: true });
    const token = await call(drk, 'POST', '/api/v1/me/calendar-token');
    const ics = (await (await fetch(`${h.baseUrl}${token.body.path}`)).text()).replace(/\r\n /g, '');
    expect(ics).toContain(`SUMMARY:Ablauf des Aufenthaltstitels – Fall ${id.slice(0, 8)}`);
    expect(ics).toContain(`DTSTART;VALUE=DATE:${today.replaceAll('-', '')}`);
  });

  it('the track never reaches the engine unencrypted', async () => {
    const raw = new Client({ connection: h.client.connection });
    const history = JSON.stringify((await raw.workflow.getHandle(`case-${caseId}`).fetchHistory()).events);
    expect(history).not.toContain('Zimmer 314');
    expect(history).not.toContain('set-residence-track');
  });

  it('the ABH sees the track only where the client consented to share it with the ABH', async () => {
    const read = () => call(abh, 'GET', `/api/v1/cases/${caseId}`);
    expect((await read()).status).toBe(404);
    const share = (dataCategories: string[]) =>
      act(drk, caseId, 'record-consent', { scope: 'share_with_partner', decision: 'given', partnerOrganisationId: 'abh', purpose: 'Aufenthaltssicherung', dataCategories });
    const first = await share(['master_data']);
    const shared = await read();
    expect(shared.status).toBe(200);
    expect(shared.body.access).toBe('partner');
    expect(shared.body).not.toHaveProperty('residenceTrack');
    expect(JSON.stringify(shared.body)).not.toContain('p25b');
    await share(['residence_law']);
    const withTrack = await read();
    expect(withTrack.body.residenceTrack).toMatchObject({ currentTitle: 'duldung', targetTitle: 'p25b', outcome: 'reached', outcomeOn: today });
    expect(withTrack.body.residenceTrack).not.toHaveProperty('setBy');
    const page = await fetch(`${h.baseUrl}/faelle/${caseId}`, { headers: abh.headers(false) });
    expect(await page.text()).toContain('Zieltitel erreicht am');
    // The counsellor who handed the case over sees its state — and the track only under this consent.
    await h.db.handover.create({ data: { id: `ho-${caseId}`, workflowId: `handover-test-${caseId}`, caseId, state: 'handed_over', counsellorId: abh.user.id, closedAt: new Date() } });
    const handedOver = await read();
    expect(handedOver.body).toMatchObject({ access: 'state_only', residenceTrack: { currentTitle: 'duldung', outcome: 'reached' } });
    expect(handedOver.body).not.toHaveProperty('person');
    const statePage = await fetch(`${h.baseUrl}/faelle/${caseId}`, { headers: abh.headers(false) });
    expect(await statePage.text()).toContain('Zieltitel erreicht am');
    // Withdrawn: gone at once.
    const consents = first.consents.filter((k: { scope: string; withdrawnAt: string | null }) => k.scope === 'share_with_partner');
    const all = (await call(drk, 'GET', `/api/v1/cases/${caseId}`)).body.consents.filter((k: { scope: string; withdrawnAt: string | null }) => k.scope === 'share_with_partner' && !k.withdrawnAt);
    expect(consents.length).toBe(1);
    for (const k of all) await act(drk, caseId, 'withdraw-consent', { consentId: k.id });
    const after = await read();
    expect(after.body.access).toBe('state_only');
    expect(after.body).not.toHaveProperty('residenceTrack');
    const log = await h.db.accessLog.findMany({ where: { caseId, action: 'read_shared_case', userId: abh.user.id } });
    expect(log.length).toBeGreaterThanOrEqual(3);
  });
});

/**
 * Six more DRK cases, all tracked today: three with a Duldung aiming at §25b, reached today; three with a
 * Beschäftigungsduldung (§60d) aiming at §25b, no outcome yet. All work on language; only one on identity.
 * With the first case (Duldung → §25b, reached, language + identity) and the one of the work-queue test (§60d →
 * §25b, language) the period today..today counts: cases 8, current Duldung 4 / §60d 4, target §25b 8, language 8,
 * identity 2 (suppressed, < 3 persons), outcomes 4 = reached 4 = reached §25b 4.
 */
describe('residence figures', () => {
  it('counts cases by current and target title and titles reached, suppressed, as JSON, CSV, XLSX and on the page', async () => {
    for (let i = 1; i <= 6; i += 1) {
      const id = await newCase(i);
      const duldung = i <= 3;
      await act(drk, id, 'set-residence-track', {
        currentTitle: duldung ? 'duldung' : 'p60d',
        expiresOn: addDays(today, 200),
        targetTitle: 'p25b',
        achievements: i === 4 ? ['language', 'identity'] : ['language'],
        ...(duldung ? { outcome: 'reached', outcomeOn: today } : {}),
      });
    }
    const report = await call(coordinator, 'GET', `/api/v1/reports/residence?from=${today}&to=${today}&groupBy=organisation`);
    expect(report.status).toBe(200);
    const t = report.body.total.figures;
    expect(t.cases).toEqual({ value: 8 });
    expect([t.current.duldung, t.current.p60d, t.current.p25b]).toEqual([{ value: 4 }, { value: 4 }, { value: 0 }]);
    expect([t.target.p25b, t.target.none]).toEqual([{ value: 8 }, { value: 0 }]);
    expect(t.achievements.language).toEqual({ value: 8 });
    expect(t.achievements.identity).toEqual({ value: null, suppressed: true });
    expect([t.outcomes, t.outcome.reached, t.reached.p25b, t.outcome.not_reached]).toEqual([{ value: 4 }, { value: 4 }, { value: 4 }, { value: 0 }]);
    const drkRow = report.body.groups.find((g: { key: string }) => g.key === 'drk');
    expect(drkRow.figures.cases).toEqual({ value: 8 });
    // Earlier period: nothing reached yet, and the cases did not exist.
    const before = await call(coordinator, 'GET', `/api/v1/reports/residence?from=${addDays(today, -30)}&to=${addDays(today, -1)}`);
    expect(before.body.total.figures.cases).toEqual({ value: 0 });
    expect((await call(drk, 'GET', '/api/v1/reports/residence')).status).toBe(403);

    const csv = await fetch(`${h.baseUrl}/api/v1/reports/residence?from=${today}&to=${today}&format=csv`, { headers: coordinator.headers(false) });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text).toContain('Erreicht im Zeitraum: § 25b AufenthG');
    expect(text).toContain('*');
    const xlsx = await fetch(`${h.baseUrl}/api/v1/reports/residence?from=${today}&to=${today}&format=xlsx`, { headers: coordinator.headers(false) });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');

    const year = today.slice(0, 4);
    const page = await fetch(`${h.baseUrl}/koordination/lenkungsgruppe?jahr=${year}`, { headers: coordinator.headers(false) });
    const html = await page.text();
    expect(html).toContain('Aufenthaltsrechtliche Situation');
    expect(html).toMatch(/<th scope="row">Duldung<\/th><td>4<\/td><td>0<\/td><td>0<\/td>/);
    expect(html).toMatch(/<th scope="row">§ 25b AufenthG – nachhaltige Integration<\/th><td>0<\/td><td>8<\/td><td>4<\/td>/);
  });
});
