// The German pages over HTTP: sign-in, forms with CSRF tokens, error rendering that keeps the input, the actions
// offered on the case page, and the access rules (another provider's case manager gets the 404 page).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../harness/auth.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;

/** A browser stand-in: keeps the session cookie, reads the CSRF token from the pages, posts urlencoded forms. */
class PageClient {
  cookie = '';
  csrf = '';

  async get(path: string) {
    const res = await fetch(`${h.baseUrl}${path}`, { headers: this.cookie ? { cookie: this.cookie } : {}, redirect: 'manual' });
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, html, location: res.headers.get('location') };
  }

  async post(path: string, fields: Record<string, string>, options: { csrf?: boolean; origin?: string } = {}) {
    const body = new URLSearchParams({ ...(options.csrf === false ? {} : { _csrf: this.csrf }), ...fields });
    const res = await fetch(`${h.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
      },
      body,
      redirect: 'manual',
    });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('kim_session='));
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    return { status: res.status, html: await res.text(), location: res.headers.get('location'), setCookie };
  }

  static async signIn(email: string) {
    const client = new PageClient();
    const res = await client.post('/anmelden', { email, password: TEST_PASSWORD, weiter: '/faelle' }, { csrf: false });
    expect(res.status).toBe(303);
    await client.get('/faelle'); // picks up the CSRF token
    return client;
  }
}

/** Text content without tags and with collapsed whitespace, for readable assertions. */
function text(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The <details> block of one action form on the case page ('' when the action is not offered). */
function actionBlock(html: string, action: string): string {
  const start = html.indexOf(`id="aktion-${action}"`);
  if (start < 0) return '';
  return html.slice(start, html.indexOf('</details>', start));
}

let caritas: PageClient;
let caseId: string;

beforeAll(async () => {
  h = await startHarness();
  caritas = await PageClient.signIn('cm.caritas-eifel@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('sign-in', () => {
  it('sends visitors without a session to the sign-in page and back afterwards', async () => {
    const anonymous = new PageClient();
    const res = await anonymous.get('/faelle?status=intake');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/anmelden?weiter=%2Ffaelle%3Fstatus%3Dintake');
    const page = await anonymous.get(res.location!);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="de">');
    expect(page.html).toContain('Zum Inhalt springen');
    expect(page.html).toMatch(/<label for="anmelden-email">E-Mail-Adresse/);
    expect(page.html).toContain('value="/faelle?status&#x3D;intake"');
    const signedIn = await anonymous.post('/anmelden', { email: 'cm.drk@kim.example', password: TEST_PASSWORD, weiter: '/faelle?status=intake' }, { csrf: false });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/faelle?status=intake');
    expect(signedIn.setCookie).toMatch(/HttpOnly/i);
    expect(signedIn.setCookie).toMatch(/SameSite=Lax/i);
  });

  it('shows a wrong password as an error, keeps the e-mail address and never echoes the password', async () => {
    const client = new PageClient();
    const res = await client.post('/anmelden', { email: 'cm.drk@kim.example', password: 'falsch-123' }, { csrf: false });
    expect(res.status).toBe(401);
    expect(res.setCookie).toBeUndefined();
    expect(res.html).toContain('class="error-summary"');
    expect(text(res.html)).toContain('E-Mail-Adresse oder Passwort ist falsch.');
    expect(res.html).toContain('value="cm.drk@kim.example"');
    expect(res.html).not.toContain('falsch-123');
    const empty = await client.post('/anmelden', { email: '', password: '' }, { csrf: false });
    expect(empty.status).toBe(422);
    expect(empty.html).toContain('href="#anmelden-password"');
  });

  it('refuses a sign-in posted from another site', async () => {
    const res = await new PageClient().post('/anmelden', { email: 'cm.drk@kim.example', password: TEST_PASSWORD }, { csrf: false, origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.setCookie).toBeUndefined();
  });

  it('signs out with the form (CSRF-checked) and ends the session', async () => {
    const client = await PageClient.signIn('cm.kja@kim.example');
    expect((await client.post('/abmelden', {}, { csrf: false })).status).toBe(403);
    const out = await client.post('/abmelden', {});
    expect(out.status).toBe(303);
    expect(out.location).toBe('/anmelden?abgemeldet=1');
    expect((await client.get('/faelle')).status).toBe(303);
  });
});

describe('Neuer Fall', () => {
  it('shows field errors with a summary, keeps the input, and needs the CSRF token', async () => {
    const page = await caritas.get('/faelle/neu');
    expect(page.status).toBe(200);
    // The eleven municipalities to choose from.
    expect(page.html.match(/<option value="[^"]+">(Euskirchen|Bad Münstereifel|Schleiden|Hellenthal|Dahlem|Blankenheim|Mechernich|Kall|Zülpich|Nettersheim|Weilerswist)</g)).toHaveLength(11);

    const input = { 'person.givenName': '', 'person.familyName': 'Haddad', 'person.birthDate': '1979-02-30', 'person.municipality': 'Mechernich', 'person.languages': 'Arabisch, Französisch', source: 'self', note: 'kam mit Schwester' };
    const res = await caritas.post('/faelle/neu', input);
    expect(res.status).toBe(422);
    expect(res.html).toContain('class="error-summary"');
    expect(res.html).toContain('href="#neu-person-givenName"');
    expect(res.html).toContain('href="#neu-person-birthDate"');
    expect(res.html).toMatch(/id="neu-person-givenName-fehler"[^>]*>.*Pflichtfeld/s);
    expect(res.html).toMatch(/aria-describedby="[^"]*neu-person-birthDate-fehler"/);
    expect(text(res.html)).toContain('Ungültiges Datum');
    // What the user typed is still there.
    expect(res.html).toContain('value="Haddad"');
    expect(res.html).toContain('value="Arabisch, Französisch"');
    expect(res.html).toContain('<option value="Mechernich" selected>');
    expect(res.html).toContain('kam mit Schwester</textarea>');

    const forged = await caritas.post('/faelle/neu', { ...input, 'person.givenName': 'Amal' }, { csrf: false });
    expect(forged.status).toBe(403);
    expect(text(forged.html)).toContain('Sicherheitsprüfung fehlgeschlagen');
  });

  it('opens the case and shows the proposed provider', async () => {
    const res = await caritas.post('/faelle/neu', {
      'person.givenName': 'Amal',
      'person.familyName': 'Haddad',
      'person.birthDate': '1979-05-14',
      'person.municipality': 'Mechernich',
      'person.languages': 'Arabisch, Französisch',
      source: 'self',
    });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/faelle\/[0-9a-f-]{36}\?angelegt=1$/);
    caseId = res.location!.split('/')[2]!.split('?')[0]!;
    const page = await caritas.get(res.location!);
    expect(page.status).toBe(200);
    const t = text(page.html);
    expect(t).toContain('Der Fall wurde angelegt.');
    expect(t).toContain('Vorgeschlagener Träger: Caritas Eifel');
    expect(t).toContain('Wohnort Mechernich');
    expect(t).toContain('Arabisch, Französisch');
  });

  it('tells the creator when the case goes to another provider they cannot see', async () => {
    const res = await caritas.post('/faelle/neu', {
      'person.givenName': 'Omar',
      'person.familyName': 'Nasser',
      'person.birthDate': '1970-02-02',
      'person.municipality': 'Kall',
      source: 'outreach',
    });
    expect(res.status).toBe(201);
    expect(text(res.html)).toContain('Vorgeschlagener Träger: DRK');
  });
});

describe('Fallseite', () => {
  it('offers only the actions allowed now and runs one as the workflow update', async () => {
    let page = await caritas.get(`/faelle/${caseId}`);
    expect(actionBlock(page.html, 'record-consent')).toContain(`action="/faelle/${caseId}/aktionen/record-consent"`);
    expect(actionBlock(page.html, 'confirm-provider')).not.toBe('');
    // No consent yet: the assessment cannot start, so it is not offered; approval is the coordinators'.
    expect(actionBlock(page.html, 'start-assessment')).toBe('');
    expect(actionBlock(page.html, 'approve-closure')).toBe('');
    expect(actionBlock(page.html, 'complete-review')).toBe('');

    const res = await caritas.post(`/faelle/${caseId}/aktionen/record-consent`, { scope: 'data_processing', decision: 'given', partnerName: '', purpose: '', requestId: 'consent-1' });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(new RegExp(`^/faelle/${caseId}\\?von=\\d+&bis=\\d+&erledigt=record-consent$`));
    page = await caritas.get(res.location!);
    // The notice says what was done and what comes next.
    expect(text(page.html)).toContain('Einwilligung erteilt: Datenverarbeitung');
    expect(text(page.html)).toContain('Nächster Schritt: Träger bestätigen, dann Assessment beginnen');
    expect(text(page.html)).toMatch(/Datenverarbeitung erteilt/);
    expect(actionBlock(page.html, 'start-assessment')).not.toBe('');

    // The same request id again (a double submit) changes nothing.
    await caritas.post(`/faelle/${caseId}/aktionen/record-consent`, { scope: 'data_processing', decision: 'given', requestId: 'consent-1' });
    const api = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}`, { headers: { cookie: caritas.cookie } });
    expect(((await api.json()) as any).consents).toHaveLength(1);
  });

  it('renders 422 field errors next to the fields and keeps the input', async () => {
    const res = await caritas.post(`/faelle/${caseId}/aktionen/record-contact`, { kind: 'outreach', date: '2020-13-45', durationMinutes: '', note: 'Hausbesuch mit Dolmetscherin' });
    expect(res.status).toBe(422);
    const block = actionBlock(res.html, 'record-contact');
    expect(block).toContain(' open>');
    expect(block).toContain('class="error-summary"');
    expect(block).toContain('href="#aktion-record-contact-durationMinutes"');
    expect(block).toMatch(/id="aktion-record-contact-durationMinutes-fehler"[^>]*>.*Pflichtfeld/s);
    expect(block).toMatch(/id="aktion-record-contact-date-fehler"[^>]*>.*Ungültiges Datum/s);
    expect(block).toContain('Hausbesuch mit Dolmetscherin</textarea>');
    expect(block).toContain('<option value="outreach" selected>');
    expect(block).toContain('value="2020-13-45"');
  });

  it('maps errors of repeated rows (goals) back to the row the user filled', async () => {
    await caritas.post(`/faelle/${caseId}/aktionen/start-assessment`, {});
    await caritas.post(`/faelle/${caseId}/aktionen/complete-assessment`, {
      'lifeAreas.language.need': 'high',
      'lifeAreas.language.situation': 'A1, Kurs gesucht',
      'lifeAreas.work.need': 'low',
      'lifeAreas.work.situation': 'Erfahrung als Schneiderin',
    });
    const page = await caritas.get(`/faelle/${caseId}`);
    expect(text(page.html)).toMatch(/Sprache hoher Bedarf A1, Kurs gesucht/);
    // Row 1 empty, row 3 filled with a date in the past: the API says goals.1.dueDate, the page shows it at row 3.
    const res = await caritas.post(`/faelle/${caseId}/aktionen/agree-goals`, {
      'goals.0.title': 'Deutschkurs B1',
      'goals.0.measure': 'Anmeldung VHS',
      'goals.0.owner': 'Frau Haddad',
      'goals.0.dueDate': '2099-06-30',
      'goals.2.title': 'Arbeit finden',
      'goals.2.measure': 'Termin Jobcenter',
      'goals.2.owner': 'CM',
      'goals.2.dueDate': '2001-01-01',
    });
    expect(res.status).toBe(422);
    const block = actionBlock(res.html, 'agree-goals');
    expect(block).toMatch(/id="aktion-agree-goals-goals-2-dueDate-fehler"[^>]*>.*Zieltermin liegt in der Vergangenheit/s);
    expect(block).toContain('value="Arbeit finden"');
  });

  it('shows the German message of a transition the state does not allow (409)', async () => {
    const res = await caritas.post(`/faelle/${caseId}/aktionen/start-review`, {});
    expect(res.status).toBe(409);
    expect(text(res.html)).toMatch(/„Überprüfung beginnen“ wurde nicht ausgeführt: .*Es sind noch keine Ziele vereinbart/);
    expect(res.html).toContain('data-fehler-fokus');
  });

  it('lets a case manager of another provider neither see nor change the case (404 page)', async () => {
    const drk = await PageClient.signIn('cm.drk@kim.example');
    const page = await drk.get(`/faelle/${caseId}`);
    expect(page.status).toBe(404);
    expect(page.html).toContain('<html lang="de">');
    expect(text(page.html)).toContain('Seite nicht gefunden');
    expect(page.html).not.toContain('Haddad');
    const post = await drk.post(`/faelle/${caseId}/aktionen/record-contact`, { kind: 'phone', date: '2025-01-01', durationMinutes: '5' });
    expect(post.status).toBe(404);
    const admin = await PageClient.signIn('admin@kim.example');
    expect((await admin.get(`/faelle/${caseId}`)).status).toBe(404);
    expect((await admin.get('/faelle/neu')).status).toBe(403);
    const coordinator = await PageClient.signIn('koordination@kim.example');
    expect((await coordinator.get(`/faelle/${caseId}`)).status).toBe(200);
    expect((await drk.get('/faelle/gibt-es-nicht')).status).toBe(404);
  });
});

describe('Meine Fälle and Koordination', () => {
  it('lists the provider\'s cases with filters and marks overdue deadlines', async () => {
    // A case whose first deadline is made overdue in the read models (as the timers would after 14 days).
    const created = await caritas.post('/faelle/neu', {
      'person.givenName': 'Lina',
      'person.familyName': 'Karimi',
      'person.birthDate': '1990-09-09',
      'person.municipality': 'Schleiden',
      source: 'jobcenter',
    });
    const lateId = created.location!.split('/')[2]!.split('?')[0]!;
    await eventually(() => h.db.caseDeadline.count({ where: { caseId: lateId, kind: 'first_assessment' } }), (n) => n > 0, 'first deadline in the read model');
    const past = new Date(Date.now() - 3 * 86_400_000);
    await h.db.caseDeadline.updateMany({ where: { caseId: lateId, kind: 'first_assessment' }, data: { dueAt: past } });
    await h.db.case.update({ where: { id: lateId }, data: { nextDeadlineAt: past, nextDeadlineKind: 'first_assessment' } });

    const all = await caritas.get('/faelle');
    expect(all.status).toBe(200);
    const t = text(all.html);
    expect(t).toContain('Haddad, Amal');
    expect(t).toContain('Karimi, Lina');
    expect(t).not.toContain('Nasser'); // at DRK
    expect(t).toMatch(/Karimi, Lina .* Erster Assessment-Schritt, \d\d\.\d\d\.\d{4} überfällig/);

    const overdue = text((await caritas.get('/faelle?ueberfaellig=1')).html);
    expect(overdue).toContain('Karimi, Lina');
    expect(overdue).not.toContain('Haddad, Amal');
    const byState = await eventually(() => caritas.get('/faelle?status=goal_planning'), (r) => text(r.html).includes('Haddad'), 'Haddad listed in goal planning');
    expect(text(byState.html)).toContain('Haddad, Amal');
    expect(text(byState.html)).not.toContain('Karimi');
    expect(byState.html).toContain('<option value="goal_planning" selected>');
    const elsewhere = await caritas.get('/faelle?gemeinde=Euskirchen');
    expect(text(elsewhere.html)).toContain('Keine Fälle gefunden.');
    expect(elsewhere.html).toContain('<option value="Euskirchen" selected>');

    const coordinator = await PageClient.signIn('koordination@kim.example');
    const deadlines = await coordinator.get('/koordination/fristen');
    expect(deadlines.status).toBe(200);
    expect(text(deadlines.html)).toMatch(/Karimi, Lina Erster Assessment-Schritt .* 3 Tage überfällig/);
    expect(text(deadlines.html)).not.toContain('Haddad');
    expect((await caritas.get('/koordination/fristen')).status).toBe(403);
  });

  it('answers unknown pages with the German 404 page and keeps JSON for the API', async () => {
    const page = await caritas.get('/gibt-es-nicht');
    expect(page.status).toBe(404);
    expect(text(page.html)).toContain('Seite nicht gefunden');
    const api = await fetch(`${h.baseUrl}/api/v1/gibt-es-nicht`, { headers: { cookie: caritas.cookie } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as any).error.code).toBe('not_found');
  });
});
