// Issue 14 item 6 over HTTP: the printable Art. 15 answer is complete and German (labels, not codes; assessment
// texts, goals, contact notes), the history page hides deadline bookkeeping on request and names the goal of a goal
// deadline, and the access log filters by person, period and kind (API and page).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let drk: SignedIn;
let coordinator: SignedIn;
let caseId: string;

const call = (who: SignedIn, method: string, path: string, body?: unknown) => apiCall(h.baseUrl, who, method, path, body);
const page = async (who: SignedIn, path: string) => {
  const res = await fetch(`${h.baseUrl}${path}`, { headers: who.headers(false) });
  return { status: res.status, text: await res.text() };
};
async function act(who: SignedIn, id: string, action: string, body: unknown = {}) {
  const res = await call(who, 'POST', `/api/v1/cases/${id}/actions/${action}`, body);
  if (res.status !== 200) expect.fail(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
}
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await startHarness();
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  const created = await call(drk, 'POST', '/api/v1/cases', {
    person: { givenName: 'Samira', familyName: 'Yilmaz', birthDate: '1985-05-06', municipality: 'Kall', languages: ['tr', 'de'] },
    source: 'jobcenter',
  });
  caseId = created.body.id;
  await act(drk, caseId, 'record-consent', { scope: 'data_processing', decision: 'given' });
  await act(drk, caseId, 'assign', { assigneeId: drk.user.id });
  await act(drk, caseId, 'start-assessment');
  await act(drk, caseId, 'complete-assessment', { lifeAreas: [{ area: 'housing', situation: 'Wohnung zu klein für fünf Personen', need: 'high' }] });
  await act(drk, caseId, 'agree-goals', { goals: [{ title: 'Größere Wohnung finden', measure: 'Wohnberechtigungsschein beantragen', owner: 'Klientin', dueDate: inAMonth() }] });
  await act(drk, caseId, 'record-contact', { kind: 'counselling', date: new Date().toISOString(), durationMinutes: 45, note: 'Unterlagen für den WBS besprochen' });
});
afterAll(async () => {
  await h?.close();
});

describe('Art. 15 print', () => {
  it('is complete and German: labels instead of codes, assessment, goals and contact notes', async () => {
    const { status, text } = await page(coordinator, `/api/v1/cases/${caseId}/export?format=html`);
    expect(status).toBe(200);
    for (const expected of ['Datenverarbeitung', 'erteilt', 'DRK', 'Jobcenter / Integration Point', 'Wohnen', 'Wohnung zu klein für fünf Personen', 'hoher Bedarf', 'Größere Wohnung finden', 'Wohnberechtigungsschein beantragen', 'Unterlagen für den WBS besprochen', 'Beratung', '45 Min.', 'Zieltermin']) {
      expect(text).toContain(expected);
    }
    for (const code of ['>drk<', 'data_processing', '>given<', '>housing<', '>high<', '>counselling<', '>open<', '>jobcenter<']) expect(text).not.toContain(code);
  });
});

describe('history page', () => {
  it('names the goal of a goal deadline and hides the deadline bookkeeping on request', async () => {
    const all = await page(drk, `/faelle/${caseId}/verlauf`);
    expect(all.text).toContain('Ziel „Größere Wohnung finden“');
    expect(all.text).toContain('Frist gesetzt');
    const professional = await page(drk, `/faelle/${caseId}/verlauf?nur=fachlich`);
    expect(professional.text).not.toContain('Frist gesetzt');
    expect(professional.text).toContain('Kontakt erfasst');
    expect(professional.text).toMatch(/Nur fachliche Einträge: \d+ von \d+ gezeigt/);
    expect(professional.text).toMatch(/id="nur-fachlich"[^>]*checked/);
  });
});

describe('access log filters', () => {
  it('filters by person, period and kind; refuses bad filters with 422', async () => {
    await page(coordinator, `/api/v1/cases/${caseId}/export?format=html`);
    await call(drk, 'GET', `/api/v1/cases/${caseId}`);
    const all = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/access-log`);
    expect(all.status).toBe(200);
    expect(new Set(all.body.items.map((e: { userId: string }) => e.userId))).toEqual(new Set([drk.user.id, coordinator.user.id]));

    const exports = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/access-log?action=export_case`);
    expect(exports.body.items.length).toBeGreaterThan(0);
    expect(exports.body.items.every((e: { action: string }) => e.action === 'export_case')).toBe(true);
    const byDrk = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/access-log?userId=${drk.user.id}`);
    expect(byDrk.body.items.length).toBeGreaterThan(0);
    expect(byDrk.body.items.every((e: { userId: string }) => e.userId === drk.user.id)).toBe(true);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
    expect((await call(coordinator, 'GET', `/api/v1/cases/${caseId}/access-log?from=${today}&to=${today}`)).body.items.length).toBe(all.body.items.length);
    expect((await call(coordinator, 'GET', `/api/v1/cases/${caseId}/access-log?from=2020-01-01&to=2020-01-31`)).body.items).toEqual([]);

    const bad = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/access-log?from=2026-13-40&action=nonsense`);
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['from', 'action']));
    expect((await call(coordinator, 'GET', `/api/v1/cases/${caseId}/access-log?from=2026-02-01&to=2026-01-01`)).status).toBe(422);

    const filtered = await page(coordinator, `/faelle/${caseId}/datenschutz?art=export_case`);
    expect(filtered.status).toBe(200);
    expect(filtered.text).toMatch(/\d+ Einträge? \(gefiltert\)/);
    expect(filtered.text).not.toContain('<td>Fall gelesen</td><td>API</td>');
    const badPage = await page(coordinator, `/faelle/${caseId}/datenschutz?von=kaputt`);
    expect(badPage.status).toBe(200);
    expect(badPage.text).toContain('Die Filter wurden nicht angewandt');
  });
});
