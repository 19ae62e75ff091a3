// Issue 16 over HTTP on the dev server with PostgreSQL: success criteria at the assessment, ratings at each review and
// the closure (GET /cases/:id/progress, Art. 15 export), the progress figures and the controlling by age band, access
// channel and post on a hand-countable scenario, the Lenkungsgruppe report as page, CSV and XLSX.
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { zonedDate } from '../domain/controlling.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let drk: SignedIn;
let coordinator: SignedIn;

const call = (who: SignedIn, method: string, path: string, body?: unknown) => apiCall(h.baseUrl, who, method, path, body);
async function act(who: SignedIn, id: string, action: string, body: unknown = {}) {
  const res = await call(who, 'POST', `/api/v1/cases/${id}/actions/${action}`, body);
  if (res.status !== 200) expect.fail(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.case;
}

const today = zonedDate(Date.now());
const yearsAgo = (n: number) => `${Number(today.slice(0, 4)) - n}${today.slice(4)}`;

/**
 * Six cases at the DRK, all opened and closed today. Channel × age: jobcenter 20, 20, 40 years; ABH 20, 40, 40.
 * Needs at the assessment: language high, housing high. Final rating: language low in all six (improved 6); housing
 * none in the first three (improved 3), high in the others (unchanged 3). Criteria B1 and own flat: B1 reached in all,
 * own flat reached in the first two only (reached 2, not 4). Jobcenter cases had a joint first appointment.
 */
const SCENARIO = [
  { source: 'jobcenter', birthDate: yearsAgo(20), housing: 'none', flat: 'reached' },
  { source: 'jobcenter', birthDate: yearsAgo(20), housing: 'none', flat: 'reached' },
  { source: 'jobcenter', birthDate: '1980-01-01', housing: 'none', flat: 'not' },
  { source: 'abh', birthDate: yearsAgo(20), housing: 'high', flat: 'not' },
  { source: 'abh', birthDate: '1980-01-01', housing: 'high', flat: 'not' },
  { source: 'abh', birthDate: '1980-01-01', housing: 'high', flat: 'not' },
] as const;

const ids: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('measured progress over HTTP', () => {
  it('rates at each review and at the closure; the case reads its development back', async () => {
    for (const [i, s] of SCENARIO.entries()) {
      const created = await call(drk, 'POST', '/api/v1/cases', {
        person: { givenName: `Person${i}`, familyName: 'Test', birthDate: s.birthDate, municipality: 'Zülpich', languages: [] },
        source: s.source,
      });
      expect(created.status).toBe(201);
      const id: string = created.body.id;
      ids.push(id);
      await act(drk, id, 'record-consent', { scope: 'data_processing', decision: 'given' });
      if (s.source === 'jobcenter') await act(drk, id, 'record-contact', { kind: 'joint_first_appointment', date: today, durationMinutes: 60 });
      await act(drk, id, 'start-assessment');
      await act(drk, id, 'complete-assessment', {
        lifeAreas: [
          { area: 'language', situation: 'A1', need: 'high' },
          { area: 'housing', situation: 'Gemeinschaftsunterkunft', need: 'high' },
        ],
        successCriteria: ['language_b1', 'own_flat'],
      });
      await act(drk, id, 'agree-goals', { goals: [{ title: 'B1', measure: 'Kurs', owner: 'Klient', dueDate: yearsAgo(-1) }] });
      const afterAssessment = await call(drk, 'GET', `/api/v1/cases/${id}/progress`);
      expect(afterAssessment.body.criteria).toEqual([{ id: 'k1', code: 'language_b1' }, { id: 'k2', code: 'own_flat' }]);
      expect(afterAssessment.body.points).toHaveLength(1);

      await act(drk, id, 'start-review');
      await act(drk, id, 'complete-review', { outcome: 'continue', needs: { language: 'low', housing: 'high' }, criteria: { k1: 'partly', k2: 'not' } });
      const afterReview = await call(drk, 'GET', `/api/v1/cases/${id}/progress`);
      expect(afterReview.body.points.map((p: { occasion: string }) => p.occasion)).toEqual(['assessment', 'review']);
      expect(afterReview.body.points[1]).toMatchObject({ needs: { language: 'low', housing: 'high' }, criteria: { k1: 'partly', k2: 'not' } });

      // An unknown criterion is refused with its field, nothing is written.
      await act(drk, id, 'start-review');
      const refused = await call(drk, 'POST', `/api/v1/cases/${id}/actions/complete-review`, { outcome: 'continue', criteria: { k5: 'reached' } });
      expect(refused.status).toBe(422);
      expect(refused.body.error.fields).toEqual({ 'criteria.k5': expect.stringContaining('nicht vereinbart') });
      await act(drk, id, 'complete-review', {
        outcome: 'close',
        closureReason: 'goals_achieved',
        goalAttainment: 'partly',
        needs: { language: 'low', housing: s.housing },
        criteria: { k1: 'reached', k2: s.flat },
      });
      const closed = await act(coordinator, id, 'approve-closure', {});
      expect(closed.state).toBe('closed');
      const final = await call(drk, 'GET', `/api/v1/cases/${id}/progress`);
      expect(final.body.points.map((p: { occasion: string }) => p.occasion)).toEqual(['assessment', 'review', 'closure']);
      expect(final.body.points[2]).toMatchObject({ needs: { language: 'low', housing: s.housing }, criteria: { k1: 'reached', k2: s.flat } });
    }
    // Another provider's case manager does not see it; the Art. 15 export carries the development.
    const eifel = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');
    expect((await call(eifel, 'GET', `/api/v1/cases/${ids[0]}/progress`)).status).toBe(404);
    const exported = await call(coordinator, 'GET', `/api/v1/cases/${ids[0]}/export`);
    expect(exported.body.progress.points).toHaveLength(3);
    expect(exported.body.history.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['success_criteria_agreed', 'progress_rated']));
  });

  it('the progress figures count the change per life area and the criteria reached', async () => {
    const r = await call(coordinator, 'GET', `/api/v1/reports/progress?from=${today}&to=${today}&groupBy=channel`);
    expect(r.status).toBe(200);
    const total = r.body.total.figures;
    expect(total.closed).toEqual({ value: 6 });
    expect(total.needs.language).toEqual({ rated: { value: 6 }, improved: { value: 6 }, unchanged: { value: 0 }, worsened: { value: 0 } });
    expect(total.needs.housing).toEqual({ rated: { value: 6 }, improved: { value: 3 }, unchanged: { value: 3 }, worsened: { value: 0 } });
    expect(total.criteria.language_b1).toMatchObject({ agreed: { value: 6 }, reached: { value: 6 } });
    // Own flat reached by two persons: hidden, and so is one more part of 6 = 2 + 4 + 0 + 0.
    expect(total.criteria.own_flat.reached).toEqual({ value: null, suppressed: true });
    expect(total.criteria.own_flat.agreed).toEqual({ value: 6 });
    const jobcenter = r.body.groups.find((g: { key: string }) => g.key === 'jobcenter').figures;
    expect(jobcenter.needs.housing.improved).toEqual({ value: 3 });
    expect(r.body.groups.find((g: { key: string }) => g.key === 'abh').figures.needs.housing.unchanged).toEqual({ value: 3 });
    // A case manager gets no report.
    expect((await call(drk, 'GET', `/api/v1/reports/progress?from=${today}&to=${today}`)).status).toBe(403);
    const csv = await fetch(`${h.baseUrl}/api/v1/reports/progress?from=${today}&to=${today}&groupBy=channel&format=csv`, { headers: coordinator.headers(false) });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await csv.text()).toContain('Sprache: Bedarf gesunken');
  });

  it('every controlling figure groups by age band, access channel and post', async () => {
    const by = async (groupBy: string) => {
      const r = await call(coordinator, 'GET', `/api/v1/reports/controlling?from=${today}&to=${today}&groupBy=${groupBy}`);
      expect(r.status).toBe(200);
      return (key: string) => r.body.groups.find((g: { key: string }) => g.key === key)?.figures;
    };
    const channel = await by('channel');
    expect(channel('jobcenter').cases.opened).toEqual({ value: 3 });
    expect(channel('abh').cases.opened).toEqual({ value: 3 });
    expect(channel('jobcenter').contacts.byKind.joint_first_appointment).toEqual({ value: 3 });
    expect(channel('abh').contacts.byKind.joint_first_appointment).toEqual({ value: 0 });
    expect(channel('self').cases.opened).toEqual({ value: 0 });
    const age = await by('ageBand');
    expect([age('0-17').cases.opened, age('18-26').cases.opened, age('27+').cases.closed]).toEqual([{ value: 0 }, { value: 3 }, { value: 3 }]);
    const post = await by('post');
    expect(post('provider').cases.opened).toEqual({ value: 6 });
    expect(post('county').cases.opened).toEqual({ value: 0 });

    // The age bands are configurable: one bound at 21 puts all 20-year-olds under it.
    const put = await call(coordinator, 'PUT', '/api/v1/settings/report', { ageBandBounds: [21] });
    expect(put.status).toBe(200);
    expect(put.body.ageBands.map((b: { key: string }) => b.key)).toEqual(['0-20', '21+']);
    expect((await call(coordinator, 'PUT', '/api/v1/settings/report', { ageBandBounds: [27, 18] })).status).toBe(422);
    const age2 = await by('ageBand');
    expect([age2('0-20').cases.opened, age2('21+').cases.opened]).toEqual([{ value: 3 }, { value: 3 }]);
    // The same on the Verwaltung page (a form with CSRF token); a wrong entry is answered on the form, audited change.
    const form = (value: string) =>
      fetch(`${h.baseUrl}/verwaltung/altersgruppen`, {
        method: 'POST',
        headers: { cookie: coordinator.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: coordinator.csrfToken, ageBandBounds: value }).toString(),
        redirect: 'manual',
      });
    const wrong = await form('27, 18');
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('Altersgrenzen aufsteigend angeben');
    expect((await form('18, 27')).status).toBe(303);
    const page = await fetch(`${h.baseUrl}/verwaltung/altersgruppen`, { headers: { cookie: coordinator.cookie } });
    expect(await page.text()).toContain('unter 18 · 18–26 · 27 und älter');
    const audit = await call(coordinator, 'GET', '/api/v1/admin-audit?entity=report_settings');
    expect(audit.body.items.length).toBeGreaterThanOrEqual(2);
  });

  it('the Lenkungsgruppe report: printable page with charts and tables, the same numbers as CSV and XLSX', async () => {
    const year = today.slice(0, 4);
    const half = Number(today.slice(5, 7)) <= 6 ? '1' : '2';
    const page = await fetch(`${h.baseUrl}/koordination/lenkungsgruppe?jahr=${year}&halbjahr=${half}`, { headers: coordinator.headers(false) });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`${half}. Halbjahr ${year}`);
    expect(html).toContain('<svg');
    expect(html).toContain('Gemeinsame Ersttermine mit der zuweisenden Stelle');
    expect(html).toContain('Jobcenter / Integration Point');
    const csv = await fetch(`${h.baseUrl}/api/v1/reports/steering?year=${year}&half=${half}&format=csv`, { headers: coordinator.headers(false) });
    const text = await csv.text();
    expect(text).toContain('Kennzahlen Zugangsweg');
    expect(text).toContain('Fortschritt Altersgruppe');
    const xlsx = await fetch(`${h.baseUrl}/api/v1/reports/steering?year=${year}&half=${half}&format=xlsx`, { headers: coordinator.headers(false) });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    expect((await fetch(`${h.baseUrl}/koordination/lenkungsgruppe`, { headers: drk.headers(false) })).status).toBe(403);
  });

  it('the criteria and ratings travel encrypted through the engine', async () => {
    const secret = `Führerschein Klasse B ${Date.now()}`;
    const created = await call(drk, 'POST', '/api/v1/cases', {
      person: { givenName: 'Verschluesselt', familyName: 'Test', birthDate: '1990-01-01', municipality: 'Kall', languages: [] },
      source: 'self',
    });
    const id: string = created.body.id;
    await act(drk, id, 'record-consent', { scope: 'data_processing', decision: 'given' });
    await act(drk, id, 'start-assessment');
    await act(drk, id, 'complete-assessment', { lifeAreas: [{ area: 'work', situation: 'sucht Arbeit', need: 'high' }], successCriteriaText: [secret] });
    await act(drk, id, 'agree-goals', { goals: [{ title: 'Arbeit', measure: 'Bewerbungen', owner: 'Klient', dueDate: yearsAgo(-1) }] });
    await act(drk, id, 'start-review');
    await act(drk, id, 'complete-review', { outcome: 'continue', needs: { work: 'low' }, criteria: { k1: 'partly' } });
    // Every payload of the engine history as stored (fetchHistory does not decode): no criterion text, no rating.
    const history = await new Client({ connection: h.client.connection }).workflow.getHandle(`case-${id}`).fetchHistory();
    const payloads: Uint8Array[] = [];
    const collect = (v: unknown): void => {
      if (!v || typeof v !== 'object') return;
      const o = v as { data?: unknown; metadata?: unknown };
      if (o.data instanceof Uint8Array && o.metadata) payloads.push(o.data);
      else for (const inner of Object.values(v)) collect(inner);
    };
    collect(history);
    expect(payloads.length).toBeGreaterThan(5);
    const stored = payloads.map((p) => Buffer.from(p).toString('latin1')).join('\n');
    expect(stored).not.toContain('Klasse B');
    expect(stored).not.toContain('"partly"');
    expect((await call(drk, 'GET', `/api/v1/cases/${id}/progress`)).body.criteria).toEqual([{ id: 'k1', code: 'other', text: secret }]);
    // The printable Art. 15 export shows the own criterion with its text and its rating.
    const printed = await fetch(`${h.baseUrl}/api/v1/cases/${id}/export?format=html`, { headers: coordinator.headers(false) });
    const html = await printed.text();
    expect(html).toContain('Entwicklung und Erfolgskriterien');
    expect(html).toContain(secret);
    expect(html).toContain('teilweise erreicht');
  });
});
