// Forms that do not make people guess (issue 14, item 4), over HTTP: the empty new-case form names every missing
// field; the handover meeting is planned with a date and a time field read as German time, with German messages for
// what cannot be read; the meeting is recorded as held on the day given, and the handover then no longer says
// "geplant"; the handover consent decision is not preset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, berlinDate } from '../domain/index.js';
import { PageClient } from './support/page-client.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let cm: PageClient;
let abh: PageClient;

/** Text content without tags and with collapsed whitespace. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/\s+/g, ' ');

/** The error summary's entries. */
const summary = (html: string) => [...html.slice(html.indexOf('class="error-summary"')).matchAll(/<li><a href="#[^"]+">([^<]+)<\/a><\/li>/g)].map((m) => m[1]!);

beforeAll(async () => {
  h = await startHarness();
  cm = await PageClient.signIn(h.baseUrl, 'cm.drk@kim.example');
  abh = await PageClient.signIn(h.baseUrl, 'abh@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('the new-case form', () => {
  it('sent empty, names each missing field in the error summary', async () => {
    await cm.get('/faelle/neu');
    const res = await cm.post('/faelle/neu', {});
    expect(res.status).toBe(422);
    const entries = summary(res.html);
    expect(entries).toEqual(expect.arrayContaining(['Vorname: Pflichtfeld', 'Nachname: Pflichtfeld', 'Geburtsdatum: Pflichtfeld', 'Zugang: Pflichtfeld']));
    expect(entries.some((e) => e.startsWith('Wohnort (Kommune): '))).toBe(true);
    // No entry without its field.
    expect(entries.filter((e) => !e.includes(': '))).toEqual([]);
  });
});

describe('the handover meeting', () => {
  let id: string;

  beforeAll(async () => {
    await abh.get('/uebergaben/neu');
    const res = await abh.post('/uebergaben/neu', {
      'person.givenName': 'Samira',
      'person.familyName': 'Okonkwo',
      'person.birthDate': '1991-03-08',
      'person.municipality': 'Kall',
      'person.languages': 'Englisch',
      'residenceLaw.permits': '§25b',
      reason: 'Erhöhter Unterstützungsbedarf',
    });
    expect(res.status).toBe(303);
    id = res.location!.split('/')[2]!.split('?')[0]!;
    const page = await abh.get(`/uebergaben/${id}`);
    // The consent decision is not preset.
    const consent = page.html.slice(page.html.indexOf('id="aktion-record-consent"'));
    expect(consent).toMatch(/<select id="aktion-record-consent-decision"[^>]*>\s*<option value="" selected>Bitte wählen<\/option>/);
    expect((await abh.post(`/uebergaben/${id}/aktionen/record-consent`, {})).status).toBe(422);
    expect((await abh.post(`/uebergaben/${id}/aktionen/record-consent`, { decision: 'given' })).status).toBe(303);
  });

  it('is planned with a date and a time field, read as German time; what cannot be read is said in German', async () => {
    const page = await cm.get(`/uebergaben/${id}`);
    expect(page.html).toContain('id="aktion-schedule-meeting-meetingDate" name="meetingDate" type="date"');
    expect(page.html).toContain('id="aktion-schedule-meeting-meetingTime" name="meetingTime" type="time"');
    const bad = await cm.post(`/uebergaben/${id}/aktionen/schedule-meeting`, { meetingDate: '2099-03-29', meetingTime: '10 Uhr', participants: 'Klientin, ABH, DRK' });
    expect(bad.status).toBe(422);
    expect(summary(bad.html)).toEqual(['Uhrzeit: Bitte eine Uhrzeit angeben, zum Beispiel 10:30.']);
    expect(text(bad.html)).not.toContain('ISO');
    const noDate = await cm.post(`/uebergaben/${id}/aktionen/schedule-meeting`, { meetingDate: '29.03.2099', meetingTime: '10:00', participants: 'Klientin' });
    expect(summary(noDate.html)).toEqual(['Datum des Gesprächs: Bitte ein Datum angeben, zum Beispiel 15.01.2027.']);
    expect(await h.db.handover.findUniqueOrThrow({ where: { id } }).then((r) => r.meetingAt)).toBeNull();

    // 29.03.2099 is the day after the change to summer time: 10:00 in Germany is 08:00 UTC.
    const ok = await cm.post(`/uebergaben/${id}/aktionen/schedule-meeting`, { meetingDate: '2099-03-29', meetingTime: '10:00', participants: 'Klientin, ABH, DRK' });
    expect(ok.status).toBe(303);
    expect((await h.db.handover.findUniqueOrThrow({ where: { id } })).meetingAt?.toISOString()).toBe('2099-03-29T08:00:00.000Z');
  });

  it('is recorded as held on the day given, and the handover no longer says "geplant"', async () => {
    const today = berlinDate(Date.now());
    const page = await abh.get(`/uebergaben/${id}`);
    expect(page.html).toContain(`id="aktion-complete-meeting-heldDate" name="heldDate" type="date" value="${today}"`);
    const future = await abh.post(`/uebergaben/${id}/aktionen/complete-meeting`, { heldDate: addDays(today, 1) });
    expect(future.status).toBe(422);
    expect(summary(future.html)).toEqual(['Geführt am: Das Gespräch kann nicht in der Zukunft geführt worden sein.']);

    const day = addDays(today, -3);
    const held = await abh.post(`/uebergaben/${id}/aktionen/complete-meeting`, { heldDate: day, heldTime: '09:15', notes: 'Ziele besprochen' });
    expect(held.status).toBe(303);
    const api = await fetch(`${h.baseUrl}/api/v1/handovers/${id}`, { headers: { cookie: abh.cookie } });
    const heldAt = ((await api.json()) as { meeting: { heldAt: string } }).meeting.heldAt;
    expect(berlinDate(Date.parse(heldAt))).toBe(day);
    const html = (await abh.get(`/uebergaben/${id}`)).html;
    const [y, m, d] = day.split('-');
    expect(text(html)).toContain(`${d}.${m}.${y}, 09:15`);
    expect(/<span class="badge badge--state">([^<]+)<\/span>/.exec(html)?.[1]).toBe('Übergabegespräch geführt – Übernahme ausstehend');
    expect(text(html)).toContain('Status Übergabegespräch geführt – Übernahme ausstehend');
    // The list says so too (in the row; "geplant" stays a choice of its state filter).
    const list = text((await abh.get('/uebergaben')).html);
    expect(list).toMatch(/Übergabe vom \d\d\.\d\d\.\d{4} von [^]*? Übergabegespräch geführt – Übernahme ausstehend DRK/);
  });
});
