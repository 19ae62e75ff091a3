// The referral catalogue over HTTP with real servers (issue 14): entries kept by coordination (audited, idempotent,
// deactivated not deleted while referenced), a refer naming entries by code (checked before the workflow's Update:
// unknown or deactivated codes refused in German with structured JSON, nothing written), and the controlling report
// counting by code — a free-text referral of before under the entry whose name matches once normalised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerFor, login, type Bearer, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let coordinator: Bearer;
let cm: SignedIn;
const DAY = 86_400_000;
const berlinDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(ms));
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = coordinator.headers(body !== undefined)) {
  const res = await fetch(`${h.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

async function act(caseId: string, action: string, body: unknown = {}) {
  const res = await call('POST', `/api/v1/cases/${caseId}/actions/${action}`, body);
  expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.case;
}

/** A case in goal planning, ready to be referred. */
async function caseReadyToRefer(givenName: string): Promise<string> {
  const opened = await call('POST', '/api/v1/cases', {
    person: { givenName, familyName: 'Katalog', birthDate: '1981-02-03', municipality: 'Schleiden', languages: ['ar'] },
    source: 'self',
  });
  expect(opened.status).toBe(201);
  const id = opened.body.id as string;
  await act(id, 'record-consent', { scope: 'data_processing', decision: 'given' });
  await act(id, 'start-assessment');
  await act(id, 'complete-assessment', { lifeAreas: [{ area: 'finances', situation: 'Schulden', need: 'high' }] });
  await act(id, 'agree-goals', { goals: [{ title: 'Schulden ordnen', measure: 'Beratung', owner: 'Klientin', dueDate: inDays(60) }] });
  return id;
}

beforeAll(async () => {
  h = await startHarness();
  coordinator = await bearerFor(h.db, 'koordination@kim.example');
  cm = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('the catalogue', () => {
  it('is seeded from the organisations and the concept, read by staff, kept by coordination with an audit', async () => {
    const seeded = await call('GET', '/api/v1/referral-catalogue', undefined, cm.headers(false));
    expect(seeded.status).toBe(200);
    const codes = seeded.body.entries.map((e: any) => e.code);
    for (const code of ['jobcenter', 'integration-point', 'mbe', 'jmd', 'sprachkurs', 'schuldnerberatung', 'spdi', 'p-drk', 'p-caritas-eifel']) expect(codes).toContain(code);
    expect(seeded.body.entries.find((e: any) => e.code === 'p-drk')).toMatchObject({ kind: 'partner', organisationId: 'drk', active: true });

    const byCm = await call('POST', '/api/v1/referral-catalogue', { name: 'Tafel Zülpich', kind: 'service' }, cm.headers());
    expect(byCm.status).toBe(403);
    expect(byCm.body.error.code).toBe('forbidden');

    const body = { name: 'Tafel Zülpich', kind: 'service', requestId: 'tafel-1' };
    const created = await call('POST', '/api/v1/referral-catalogue', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'tafel-zuelpich', name: 'Tafel Zülpich', kind: 'service', active: true });
    // The same request again: the same entry, no second one and no second audit row.
    const again = await call('POST', '/api/v1/referral-catalogue', body);
    expect(again.status).toBe(201);
    expect(again.body.code).toBe('tafel-zuelpich');
    const audit = () => h.db.adminAudit.findMany({ where: { entity: 'referral_catalogue', entityId: 'tafel-zuelpich' }, orderBy: { at: 'asc' } });
    expect((await audit()).map((a) => a.action)).toEqual(['created']);

    // Another spelling of the same name would split the figures again.
    const twin = await call('POST', '/api/v1/referral-catalogue', { name: '  tafel   ZÜLPICH ', kind: 'service' });
    expect(twin.status).toBe(409);
    expect(twin.body.error).toMatchObject({ code: 'duplicate_name', fields: { name: 'Name schon vergeben' } });
    const bad = await call('POST', '/api/v1/referral-catalogue', { name: 'X', kind: 'dienst' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['kind', 'name']);
    expect(bad.body.error.fields.name).toBe('Name: mindestens 2 Zeichen.');

    const off = await call('PATCH', '/api/v1/referral-catalogue/tafel-zuelpich', { active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const rows = await audit();
    expect(rows.map((a) => a.action)).toEqual(['created', 'deactivated']);
    expect(rows[1]).toMatchObject({ actorRole: 'coordinator', before: expect.objectContaining({ active: true }), after: expect.objectContaining({ active: false }) });
    expect((await call('GET', '/api/v1/referral-catalogue', undefined, cm.headers(false))).body.entries.map((e: any) => e.code)).not.toContain('tafel-zuelpich');
    const all = await call('GET', '/api/v1/referral-catalogue?includeInactive=true');
    expect(all.body.entries.find((e: any) => e.code === 'tafel-zuelpich')).toMatchObject({ active: false });
    expect((await call('PATCH', '/api/v1/referral-catalogue/gibt-es-nicht', { active: false })).status).toBe(404);
  });
});

describe('a referral', () => {
  it('names entries by code; unknown and deactivated codes are refused before anything is written', async () => {
    const id = await caseReadyToRefer('Code');
    const events = () => h.db.caseEvent.count({ where: { caseId: id } });
    const before = await events();

    const unknown = await call('POST', `/api/v1/cases/${id}/actions/refer`, { serviceCode: 'gibt-es-nicht' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'validation_failed', fields: { serviceCode: 'Unbekannter Eintrag „gibt-es-nicht“ im Vermittlungskatalog.' } });
    const inactive = await call('POST', `/api/v1/cases/${id}/actions/refer`, { serviceCode: 'tafel-zuelpich' });
    expect(inactive.status).toBe(422);
    expect(inactive.body.error.fields.serviceCode).toBe('„Tafel Zülpich“ ist im Vermittlungskatalog deaktiviert; bitte einen aktiven Eintrag oder „Sonstiges“ wählen.');
    // A partner is not a service.
    const wrongKind = await call('POST', `/api/v1/cases/${id}/actions/refer`, { serviceCode: 'p-drk' });
    expect(wrongKind.status).toBe(422);
    expect(wrongKind.body.error.fields).toHaveProperty('serviceCode');
    const otherWithoutText = await call('POST', `/api/v1/cases/${id}/actions/refer`, { serviceCode: 'schuldnerberatung', partnerCode: 'sonstiges' });
    expect(otherWithoutText.status).toBe(422);
    expect(otherWithoutText.body.error.fields).toEqual({ partnerName: 'Bei „Sonstiges“ bitte die Stelle als Text angeben.' });
    expect(await events()).toBe(before);

    const referred = await act(id, 'refer', { serviceCode: 'schuldnerberatung', partnerCode: 'p-caritas-eifel', service: 'wird ersetzt' });
    expect(referred.referrals).toHaveLength(1);
    expect(referred.referrals[0]).toMatchObject({
      service: 'Schuldnerberatung',
      serviceCode: 'schuldnerberatung',
      partnerName: 'Caritasverband für die Region Eifel',
      partnerCode: 'p-caritas-eifel',
    });
    const other = await act(id, 'refer', { serviceCode: 'sonstiges', service: 'Wohnungslosenhilfe', partnerName: 'Frau B.' });
    expect(other.referrals[1]).toMatchObject({ service: 'Wohnungslosenhilfe', partnerName: 'Frau B.' });
    expect(other.referrals[1]).not.toHaveProperty('serviceCode');

    // A referenced entry is only deactivated, never deleted.
    const del = await call('DELETE', '/api/v1/referral-catalogue/schuldnerberatung');
    expect(del.status).toBe(409);
    expect(del.body.error).toMatchObject({ code: 'entry_referenced', referrals: 1 });
    const unused = await call('POST', '/api/v1/referral-catalogue', { name: 'Tippfehlerdienst', kind: 'service' });
    expect((await call('DELETE', `/api/v1/referral-catalogue/${unused.body.code}`)).status).toBe(204);
  });
});

describe('the controlling report', () => {
  it('counts by code; a free-text referral of before under the entry its name matches', async () => {
    // Two more persons referred by code, one by free text in another spelling, as before the catalogue; both also
    // by free text to a target not in the catalogue (with "Code"'s "Sonstiges" referral: three persons there too).
    const two = await caseReadyToRefer('Zwei');
    await act(two, 'refer', { serviceCode: 'schuldnerberatung' });
    await act(two, 'refer', { service: 'wohnungslosenhilfe' });
    const three = await caseReadyToRefer('Drei');
    await act(three, 'refer', { service: '  schuldnerBERATUNG ' });
    await act(three, 'refer', { service: 'Wohnungslosenhilfe' });
    const res = await call('GET', `/api/v1/reports/controlling?from=${berlinDate(Date.now() - DAY)}&to=${berlinDate(Date.now() + DAY)}&groupBy=organisation`);
    expect(res.status).toBe(200);
    const services = res.body.total.figures.referrals.byService;
    // Three persons: shown (below three the cell would be suppressed, so the free-text one makes the difference).
    expect(services.Schuldnerberatung.sent).toEqual({ value: 3 });
    // Free text without an entry: counted under its text, as before.
    expect(services.Wohnungslosenhilfe.sent).toEqual({ value: 3 });
    expect(Object.keys(services)).toEqual(['Schuldnerberatung', 'Wohnungslosenhilfe']);
    expect(res.body.total.figures.referrals.sent).toEqual({ value: 6 });
  });
});

describe('the catalogue page', () => {
  it('answers an unknown entry with a German 404 page and a case manager with a 403 page (one answer, no dropped connection)', async () => {
    // The page fuzz of `npm run drill` (seed 1272909161) found such a refusal answered twice — the error page, then
    // the form — which dropped the keep-alive connection after the first answer. Here: one German page, right status.
    const post = async (who: SignedIn, code: string) => {
      const res = await fetch(`${h.baseUrl}/verwaltung/vermittlungskatalog/${code}/status`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: who.csrfToken, active: 'nein' }).toString(),
      });
      return { status: res.status, text: await res.text() };
    };
    const coordination = await login(h.baseUrl, 'koordination@kim.example');
    const unknown = await post(coordination, 'gibt-es-nicht');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('Seite nicht gefunden');
    const forbidden = await post(cm, 'jobcenter');
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain('Keine Berechtigung');
  });
});
