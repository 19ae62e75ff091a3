// Every read of case content is logged (who, when, which case, channel, purpose) and only coordination reads the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let cm: SignedIn;
let coordinator: SignedIn;
let caseId: string;

beforeAll(async () => {
  h = await startHarness();
  cm = await login(h.baseUrl, 'cm.kreis@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  const created = await fetch(`${h.baseUrl}/api/v1/cases`, {
    method: 'POST',
    headers: coordinator.headers(),
    body: JSON.stringify({
      person: { givenName: 'Samir', familyName: 'Khalil', birthDate: '1960-05-05', municipality: 'Weilerswist', languages: [] },
      source: 'volunteers',
    }),
  });
  caseId = ((await created.json()) as { id: string }).id;
});
afterAll(async () => {
  await h?.close();
});

describe('access log', () => {
  it('records API and page reads with purpose, ids only, readable by coordination', async () => {
    const before = await h.db.accessLog.count({ where: { caseId } });
    const api = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}`, { headers: { ...coordinator.headers(false), 'x-purpose': 'Fallkonferenz' } });
    expect(api.status).toBe(200);
    await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/history`, { headers: coordinator.headers(false) });
    const page = await fetch(`${h.baseUrl}/faelle/${caseId}`, { headers: { cookie: coordinator.cookie } });
    expect(page.status).toBe(200);
    expect(await h.db.accessLog.count({ where: { caseId } })).toBe(before + 3);

    const log = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/access-log`, { headers: coordinator.headers(false) });
    expect(log.status).toBe(200);
    const body = (await log.json()) as { items: Array<{ action: string; channel: string; purpose: string; userName: string }> };
    expect(body.items.map((i) => [i.action, i.channel])).toEqual(
      expect.arrayContaining([
        ['read_case', 'api'],
        ['read_history', 'api'],
        ['read_case', 'page'],
      ]),
    );
    expect(body.items.find((i) => i.channel === 'api' && i.action === 'read_case')!.purpose).toBe('Fallkonferenz');
    expect(body.items.every((i) => i.userName === coordinator.user.name)).toBe(true);
    // The log holds no case content.
    expect(JSON.stringify(body)).not.toContain('Khalil');
  });

  it('is not for case managers, and a case they cannot see stays hidden', async () => {
    const res = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/access-log`, { headers: cm.headers(false) });
    expect(res.status).toBe(404); // Weilerswist → DRK; the county's CM does not see the case at all
    const none = await h.db.accessLog.count({ where: { caseId, userId: cm.user.id } });
    expect(none).toBe(0);
    const owner = await login(h.baseUrl, 'cm.drk@kim.example');
    const own = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/access-log`, { headers: owner.headers(false) });
    expect(own.status).toBe(403);
  });

  it('produces the Art. 15 export for coordination, as JSON and readable HTML, and logs it', async () => {
    const json = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/export`, { headers: coordinator.headers(false) });
    expect(json.status).toBe(200);
    const data = (await json.json()) as any;
    expect(data.person).toMatchObject({ givenName: 'Samir', familyName: 'Khalil', birthDate: '1960-05-05' });
    expect(data.history[0].type).toBe('case_opened');
    expect(data.case.state).toBe('intake');
    const html = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/export?format=html`, { headers: coordinator.headers(false) });
    const text = await html.text();
    expect(text).toContain('Auskunft nach Art. 15 DSGVO');
    expect(text).toContain('Khalil');
    expect(await h.db.accessLog.count({ where: { caseId, action: 'export_case' } })).toBe(2);
    const owner = await login(h.baseUrl, 'cm.drk@kim.example');
    expect((await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/export`, { headers: owner.headers(false) })).status).toBe(403);
  });

  it('shows coordination the Datenschutz page of a case: access log, key state, Art. 15 links — to nobody else', async () => {
    const casePage = await (await fetch(`${h.baseUrl}/faelle/${caseId}`, { headers: { cookie: coordinator.cookie } })).text();
    expect(casePage).toContain(`href="/faelle/${caseId}/datenschutz"`);
    const page = await fetch(`${h.baseUrl}/faelle/${caseId}/datenschutz`, { headers: { cookie: coordinator.cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Zugriffsprotokoll');
    expect(html).toContain('Fall gelesen');
    expect(html).toContain('Fallkonferenz');
    expect(html).toContain('Datenschutzkontrolle'); // the page's own read is logged first
    expect(html).toContain(coordinator.user.name);
    expect(html).toMatch(/Schlüssel des Falls: Aktiv seit/);
    expect(html).toContain(`/api/v1/cases/${caseId}/export?format=html`);

    const owner = await login(h.baseUrl, 'cm.drk@kim.example');
    expect((await fetch(`${h.baseUrl}/faelle/${caseId}/datenschutz`, { headers: { cookie: owner.cookie } })).status).toBe(404);
    const ownerCasePage = await (await fetch(`${h.baseUrl}/faelle/${caseId}`, { headers: { cookie: owner.cookie } })).text();
    expect(ownerCasePage).not.toContain('/datenschutz');
    // After the key is destroyed the page says so.
    await h.dataKeys.destroy([`case-${caseId}`], 'test');
    const after = await (await fetch(`${h.baseUrl}/faelle/${caseId}/datenschutz`, { headers: { cookie: coordinator.cookie } })).text();
    expect(after).toMatch(/Vernichtet am/);
  });
});
