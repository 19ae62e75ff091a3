// The German handover pages over HTTP (issue 4, "handover pages for the ABH counsellor and the receiving case
// manager"): the counsellor proposes a handover through the form, the receiving case manager sees only its state
// before consent and everything after it, another provider gets the 404 page, refused actions show their German
// message, every form needs the CSRF token, and the takeover links to the new case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { germanWallTimeToIso } from '../api/pages/handover-forms.js';
import { TEST_PASSWORD } from '../harness/auth.js';
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
    return { status: res.status, html, location: res.headers.get('location'), cacheControl: res.headers.get('cache-control') };
  }

  async post(path: string, fields: Record<string, string | string[]>, options: { csrf?: boolean } = {}) {
    const body = new URLSearchParams();
    if (options.csrf !== false) body.append('_csrf', this.csrf);
    for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
    const res = await fetch(`${h.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body,
      redirect: 'manual',
    });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('kim_session='));
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  }

  static async signIn(email: string) {
    const client = new PageClient();
    const res = await client.post('/anmelden', { email, password: TEST_PASSWORD, weiter: '/uebergaben' }, { csrf: false });
    expect(res.status).toBe(303);
    await client.get('/uebergaben'); // picks up the CSRF token
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

/** The <details> block of one action form ('' when the action is not offered). */
function actionBlock(html: string, action: string): string {
  const start = html.indexOf(`id="aktion-${action}"`);
  if (start < 0) return '';
  return html.slice(start, html.indexOf('</details>', start));
}

const proposal = {
  'person.givenName': 'Samira',
  'person.familyName': 'Okonkwo',
  'person.birthDate': '1991-03-08',
  'person.municipality': 'Kall',
  'person.languages': 'Englisch, Igbo',
  'residenceLaw.permits': ['§25b', '§104c'],
  'residenceLaw.notes': 'Duldung seit 2020, Arbeitsangebot liegt vor',
  reason: 'Erhöhter Unterstützungsbedarf: Wohnung und Anerkennung',
};

let abh: PageClient;
let drk: PageClient;
let caritas: PageClient;
let handoverId: string;

beforeAll(async () => {
  h = await startHarness();
  abh = await PageClient.signIn('abh@kim.example');
  drk = await PageClient.signIn('cm.drk@kim.example');
  caritas = await PageClient.signIn('cm.caritas-eifel@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('Neue Übergabe', () => {
  it('is offered to ABH counsellors only, in the navigation and as a form with the residence-law checkboxes', async () => {
    const list = await abh.get('/uebergaben');
    expect(list.status).toBe(200);
    expect(list.cacheControl).toBe('no-store');
    expect(list.html).toMatch(/<a href="\/uebergaben" aria-current="page">Übergaben<\/a>/);
    expect(list.html).toContain('href="/uebergaben/neu"');
    const form = await abh.get('/uebergaben/neu');
    expect(form.status).toBe(200);
    expect(form.html).toMatch(/<label for="uebergabe-person-givenName">Vorname/);
    expect(form.html).toMatch(/<input type="checkbox" id="uebergabe-permits-\d" name="residenceLaw.permits" value="§25b">/);
    expect(text(form.html)).toContain('§ 104c AufenthG – Chancen-Aufenthaltsrecht');
    expect(form.html).toMatch(/<option value="drk">DRK<\/option>/);
    expect(form.html).toContain('name="requestId"');

    expect((await drk.get('/uebergaben/neu')).status).toBe(403);
    expect((await drk.post('/uebergaben/neu', proposal)).status).toBe(403);
    const admin = await PageClient.signIn('admin@kim.example');
    expect((await admin.get('/uebergaben')).status).toBe(403);
    // Case managers get the entry too (their incoming handovers); it is the layout of every page.
    expect((await drk.get('/faelle')).html).toContain('href="/uebergaben"');
  });

  it('needs the CSRF token', async () => {
    const before = await h.db.handover.count();
    const res = await abh.post('/uebergaben/neu', proposal, { csrf: false });
    expect(res.status).toBe(403);
    expect(text(res.html)).toContain('Sicherheitsprüfung fehlgeschlagen');
    expect(await h.db.handover.count()).toBe(before);
  });

  it('shows errors next to the fields with a summary and keeps the input', async () => {
    const res = await abh.post('/uebergaben/neu', { ...proposal, 'person.givenName': '', reason: '' });
    expect(res.status).toBe(422);
    expect(res.html).toContain('class="error-summary"');
    expect(res.html).toContain('data-fehler-fokus');
    expect(res.html).toMatch(/<a href="#uebergabe-person-givenName">Vorname: /);
    expect(res.html).toMatch(/<a href="#uebergabe-reason">Grund der Übergabe: /);
    expect(res.html).toMatch(/aria-describedby="[^"]*uebergabe-person-givenName-fehler"/);
    // Input kept: text, select, checkboxes, notes.
    expect(res.html).toContain('value="Okonkwo"');
    expect(res.html).toMatch(/<option value="Kall" selected>/);
    expect(res.html).toMatch(/value="§25b" checked>/);
    expect(res.html).toMatch(/value="§104c" checked>/);
    expect(res.html).not.toMatch(/value="§60c" checked>/);
    expect(res.html).toContain('Duldung seit 2020, Arbeitsangebot liegt vor</textarea>');

    const future = await abh.post('/uebergaben/neu', { ...proposal, 'person.birthDate': '2999-01-01' });
    expect(future.status).toBe(422);
    expect(future.html).toMatch(/id="uebergabe-person-birthDate-fehler"><span class="visually-hidden">Fehler: <\/span>Geburtsdatum liegt in der Zukunft/);

    // A provider that cannot take a case over: the API's message at the select.
    const jobcenter = await abh.post('/uebergaben/neu', { ...proposal, proposedOrganisationId: 'jobcenter' });
    expect(jobcenter.status).toBe(422);
    expect(jobcenter.html).toContain('id="uebergabe-proposedOrganisationId-fehler"');
  });

  it('proposes the handover and shows it with its consent deadline and the counsellor\'s actions', async () => {
    const res = await abh.post('/uebergaben/neu', proposal);
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/uebergaben\/[0-9a-f-]{36}\?angelegt=1$/);
    handoverId = res.location!.split('/')[2]!.split('?')[0]!;
    const row = await h.db.handover.findUniqueOrThrow({ where: { id: handoverId } });
    expect(row).toMatchObject({ state: 'awaiting_consent', receivingOrganisationId: 'drk' });
    expect(row.proposal).toMatchObject({ residenceLaw: { permits: ['§25b', '§104c'] } });

    const page = await abh.get(res.location!);
    expect(page.status).toBe(200);
    expect(page.cacheControl).toBe('no-store');
    const t = text(page.html);
    expect(t).toContain('Übergabe: Samira Okonkwo');
    expect(t).toContain('Die Übergabe wurde vorgeschlagen.');
    expect(t).toContain('Einwilligung ausstehend');
    expect(t).toContain('§ 25b AufenthG – nachhaltige Integration');
    expect(t).toMatch(/Einwilligung fällig bis \d{2}\.\d{2}\.\d{4}/);
    expect(t).toContain('Einwilligung zur Übergabe');
    expect(actionBlock(page.html, 'record-consent')).toContain(`action="/uebergaben/${handoverId}/aktionen/record-consent"`);
    expect(actionBlock(page.html, 'record-consent')).toContain('name="_csrf"');
    expect(actionBlock(page.html, 'cancel')).not.toBe('');
    expect(actionBlock(page.html, 'accept')).toBe('');
    expect(actionBlock(page.html, 'schedule-meeting')).toBe('');
  });
});

describe('the receiving side', () => {
  it('sees only the state before consent; another provider gets the 404 page', async () => {
    const list = await drk.get('/uebergaben');
    expect(list.status).toBe(200);
    expect(list.html).toContain(`href="/uebergaben/${handoverId}"`);
    expect(text(list.html)).toContain('(nur Stand sichtbar)');
    expect(list.html).not.toMatch(/Okonkwo|§25b|§ 25b/);

    const page = await drk.get(`/uebergaben/${handoverId}`);
    expect(page.status).toBe(200);
    expect(text(page.html)).toContain('Einwilligung ausstehend');
    expect(text(page.html)).toContain('Ohne Einwilligung der Person sehen Sie nur ihren Stand');
    expect(page.html).not.toMatch(/Okonkwo|Samira|1991|§ 25b|Duldung|Wohnung und Anerkennung/);
    expect(page.html).not.toContain('aktion-');

    for (const path of [`/uebergaben/${handoverId}`, '/uebergaben/gibt-es-nicht']) {
      const other = await caritas.get(path);
      expect(other.status).toBe(404);
      expect(text(other.html)).toContain('Seite nicht gefunden');
      expect(other.html).not.toContain('Okonkwo');
    }
    const post = await caritas.post(`/uebergaben/${handoverId}/aktionen/cancel`, { reason: 'fremd' });
    expect(post.status).toBe(404);
    expect(text((await caritas.get('/uebergaben')).html)).not.toContain(handoverId);
    expect((await h.db.handover.findUniqueOrThrow({ where: { id: handoverId } })).state).toBe('awaiting_consent');
  });

  it('shows refused actions with their German message', async () => {
    const early = await drk.post(`/uebergaben/${handoverId}/aktionen/accept`, {});
    expect(early.status).toBe(409);
    expect(text(early.html)).toContain('„Fall übernehmen“ wurde nicht ausgeführt: „Fall übernehmen“ ist im Status „Einwilligung ausstehend“ nicht möglich.');
    expect(early.html).toMatch(/role="alert" tabindex="-1" data-fehler-fokus/);
    expect(early.html).not.toContain('Okonkwo');
    const notHers = await drk.post(`/uebergaben/${handoverId}/aktionen/record-consent`, { decision: 'given' });
    expect(notHers.status).toBe(403);
    expect(text(notHers.html)).toContain('Nur die Sozialberatung der Ausländerbehörde kann das tun.');
    const unknown = await abh.post(`/uebergaben/${handoverId}/aktionen/fly-away`, {});
    expect(unknown.status).toBe(404);
    const noToken = await abh.post(`/uebergaben/${handoverId}/aktionen/record-consent`, { decision: 'given' }, { csrf: false });
    expect(noToken.status).toBe(403);
    expect(text(noToken.html)).toContain('Sicherheitsprüfung fehlgeschlagen');
  });

  it('sees everything after consent; meeting, then takeover opens the case and links to it', async () => {
    await abh.get(`/uebergaben/${handoverId}`);
    const consent = await abh.post(`/uebergaben/${handoverId}/aktionen/record-consent`, { decision: 'given', requestId: 'page-consent-1' });
    expect(consent.status).toBe(303);
    expect(consent.location).toBe(`/uebergaben/${handoverId}?erledigt=record-consent`);
    // The same form sent twice (same requestId): applied once.
    expect((await abh.post(`/uebergaben/${handoverId}/aktionen/record-consent`, { decision: 'given', requestId: 'page-consent-1' })).status).toBe(303);
    expect(await h.db.handoverEvent.count({ where: { handoverId, type: 'handover_consent_given' } })).toBe(1);
    expect(text((await abh.get(consent.location!)).html)).toContain('„Einwilligung erfassen“ wurde ausgeführt.');

    const page = await drk.get(`/uebergaben/${handoverId}`);
    const t = text(page.html);
    expect(t).toContain('Übergabe: Samira Okonkwo');
    expect(t).toContain('§ 104c AufenthG – Chancen-Aufenthaltsrecht');
    expect(t).toContain('Wohnung und Anerkennung');
    expect(t).toMatch(/Übergabegespräch \d{2}\.\d{2}\.\d{4} offen/);
    // Read through the API's own handler: logged like an API read, as a page read.
    const drkUser = await h.db.user.findFirstOrThrow({ where: { email: 'cm.drk@kim.example' } });
    expect(await h.db.accessLog.count({ where: { handoverId, userId: drkUser.id, action: 'read_handover', channel: 'page' } })).toBeGreaterThan(0);
    expect(actionBlock(page.html, 'schedule-meeting')).toContain('value="Klient*in, Sozialberatung ABH, Case Management DRK"');
    expect(actionBlock(page.html, 'cancel')).toBe(''); // the counsellor's

    // A time the page cannot read: the error is at the time field, the input kept.
    const bad = await drk.post(`/uebergaben/${handoverId}/aktionen/schedule-meeting`, { meetingDate: '2099-06-01', meetingTime: 'mittags', participants: 'Klientin, ABH, DRK' });
    expect(bad.status).toBe(422);
    expect(bad.html).toContain('id="aktion-schedule-meeting-meetingTime-fehler"');
    expect(bad.html).toContain('value="mittags"');
    expect(bad.html).toContain('value="2099-06-01"');

    const scheduled = await drk.post(`/uebergaben/${handoverId}/aktionen/schedule-meeting`, { meetingDate: '2099-06-01', meetingTime: '10:30', participants: 'Klientin, ABH, DRK' });
    expect(scheduled.status).toBe(303);
    const row = await h.db.handover.findUniqueOrThrow({ where: { id: handoverId } });
    expect(row.state).toBe('meeting_scheduled');
    // 10:30 in Germany in summer = 08:30 UTC.
    expect(row.meetingAt?.toISOString()).toBe('2099-06-01T08:30:00.000Z');
    const planned = text((await abh.get(`/uebergaben/${handoverId}`)).html);
    expect(planned).toContain('Termin 01.06.2099, 10:30');
    expect(planned).toContain('Teilnehmende Klientin, ABH, DRK');

    // Taking over before the meeting was held is not offered, and refused with the domain's reason when sent.
    expect(actionBlock((await drk.get(`/uebergaben/${handoverId}`)).html, 'accept')).toBe('');
    const tooSoon = await drk.post(`/uebergaben/${handoverId}/aktionen/accept`, {});
    expect(tooSoon.status).toBe(409);
    expect(text(tooSoon.html)).toContain('„Fall übernehmen“ wurde nicht ausgeführt: Der Fall kann erst nach dem Übergabegespräch übernommen werden.');

    await abh.get(`/uebergaben/${handoverId}`);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
    expect((await abh.post(`/uebergaben/${handoverId}/aktionen/complete-meeting`, { heldDate: today, notes: 'Ziele besprochen' })).status).toBe(303);
    const ready = await drk.get(`/uebergaben/${handoverId}`);
    expect(text(ready.html)).toContain('Ziele besprochen');
    expect(actionBlock(ready.html, 'accept')).toMatch(/<option value="[^"]+" selected>/);

    const accepted = await drk.post(`/uebergaben/${handoverId}/aktionen/accept`, {});
    expect(accepted.status).toBe(303);
    const done = await drk.get(accepted.location!);
    expect(text(done.html)).toContain('Der Fall wurde übernommen.');
    const caseId = /<a href="\/faelle\/([0-9a-f-]{36})">Zum neuen Fall<\/a>/.exec(done.html)?.[1];
    expect(caseId).toBeDefined();
    const casePage = await drk.get(`/faelle/${caseId}`);
    expect(casePage.status).toBe(200);
    expect(text(casePage.html)).toContain('Samira Okonkwo');
    // The counsellor follows the handover, and the case's state only.
    expect(text((await abh.get(`/uebergaben/${handoverId}`)).html)).toContain('Übergeben');
    expect(text((await abh.get(`/faelle/${caseId}`)).html)).toContain('Stand des Falls');
    // Nothing is offered on an ended handover; an old form is refused in German.
    expect((await drk.get(`/uebergaben/${handoverId}`)).html).not.toContain('id="aktion-');
    const late = await abh.post(`/uebergaben/${handoverId}/aktionen/cancel`, { reason: 'zu spät' });
    expect(late.status).toBe(409);
    expect(text(late.html)).toContain('„Übergabe abbrechen“ wurde nicht ausgeführt: Die Übergabe ist bereits beendet (Status „Übergeben“).');
  });
});

describe('Übergaben list', () => {
  it('marks a consent deadline that has passed and filters by state', async () => {
    const res = await abh.post('/uebergaben/neu', { ...proposal, 'person.familyName': 'Späth', 'residenceLaw.permits': '§60c' });
    const id = res.location!.split('/')[2]!.split('?')[0]!;
    // The workflow's opening record writes the read model too: wait for it, so it cannot overwrite the change below.
    await expect.poll(() => h.db.handoverEvent.count({ where: { handoverId: id } }), { timeout: 60_000 }).toBeGreaterThan(0);
    // As the read model would stand two days after the deadline, before the timer lapsed the handover.
    await h.db.handover.update({ where: { id }, data: { consentDueAt: new Date(Date.now() - 2 * 86_400_000 - 60_000) } });
    const list = await abh.get('/uebergaben?status=awaiting_consent');
    expect(list.status).toBe(200);
    const row = list.html.slice(list.html.indexOf(`href="/uebergaben/${id}"`));
    expect(text(row.slice(0, row.indexOf('</tr>')))).toMatch(/§60c .*überfällig seit 2 Tagen/);
    expect(list.html).not.toContain(`href="/uebergaben/${handoverId}"`); // handed over, filtered out
    expect(text(list.html)).toContain('(gefiltert)');
  });
});

describe('germanWallTimeToIso', () => {
  it('reads the time as German wall-clock time, summer and winter', () => {
    expect(germanWallTimeToIso('2099-06-01', '10:30')).toBe('2099-06-01T08:30:00.000Z');
    expect(germanWallTimeToIso('2030-01-15', '9.05')).toBe('2030-01-15T08:05:00.000Z');
    expect(germanWallTimeToIso('2030-02-31', '10:00')).toBeUndefined();
    expect(germanWallTimeToIso('2030-01-15', '24:00')).toBeUndefined();
  });
});
