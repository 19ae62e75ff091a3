// The contact data of a case's person over HTTP on real PostgreSQL: replaced and read back (API and case page form),
// stored only sealed with the case's data key, checked with German messages, hidden from another provider, in the
// Art. 15 export, and deleted by the erasure at the end of retention.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErasureActivities } from '../activities/erasure.js';
import { login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let coordinator: SignedIn;
let cm: SignedIn;
let otherCm: SignedIn;

const CONTACT = {
  address: 'Bahnhofstraße 7\n53909 Zülpich',
  phone: '+49 2252 123456',
  email: 'amina.haddad@example.org',
  preferredLanguage: 'Arabisch',
  interpreterNeeded: true,
  relatedPersons: [
    { name: 'Omar Haddad', relation: 'partner', birthYear: 1983 },
    { name: 'Lina Haddad', relation: 'child', birthYear: null },
  ],
};

async function openCase(familyName: string): Promise<string> {
  const res = await fetch(`${h.baseUrl}/api/v1/cases`, {
    method: 'POST',
    headers: coordinator.headers(),
    body: JSON.stringify({
      person: { givenName: 'Amina', familyName, birthDate: '1985-03-04', municipality: 'Weilerswist', languages: ['ar'] },
      source: 'volunteers',
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const put = (who: SignedIn, caseId: string, body: unknown) =>
  fetch(`${h.baseUrl}/api/v1/cases/${caseId}/contact`, { method: 'PUT', headers: who.headers(), body: JSON.stringify(body) });

beforeAll(async () => {
  h = await startHarness();
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  cm = await login(h.baseUrl, 'cm.drk@kim.example'); // Weilerswist → DRK
  otherCm = await login(h.baseUrl, 'cm.kreis@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('contact data of the person', () => {
  it('is replaced and read back, stored sealed, and in the Art. 15 export', async () => {
    const caseId = await openCase('Kontakt');
    const empty = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/contact`, { headers: cm.headers(false) });
    expect(await empty.json()).toMatchObject({ address: null, phone: null, interpreterNeeded: false, updatedAt: null });

    const res = await put(cm, caseId, CONTACT);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ...CONTACT, updatedById: cm.user.id });
    const read = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/contact`, { headers: cm.headers(false) });
    expect(await read.json()).toMatchObject(CONTACT);

    const row = await h.db.caseContact.findUniqueOrThrow({ where: { caseId } });
    expect(row.keyId).toBe((await h.db.dataKey.findUniqueOrThrow({ where: { subject: `case-${caseId}` } })).id);
    const raw = Buffer.from(row.sealed).toString('latin1');
    for (const plain of ['Bahnhof', '2252', 'amina', 'Arabisch', 'interpreter', 'Omar', 'Lina']) expect(raw).not.toContain(plain);

    // Fields left out are cleared: the body replaces the contact data.
    expect(await (await put(cm, caseId, { phone: '02251 1' })).json()).toMatchObject({ phone: '02251 1', address: null, interpreterNeeded: false });
    await put(cm, caseId, CONTACT);

    const exported = (await (await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/export`, { headers: coordinator.headers(false) })).json()) as {
      person: { contact: Record<string, unknown> };
    };
    expect(exported.person.contact).toMatchObject(CONTACT);
    const print = await (await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/export?format=html`, { headers: { cookie: coordinator.cookie } })).text();
    expect(print).toContain('amina.haddad@example.org');
    expect(print).toContain('<dt>Dolmetschung nötig</dt><dd>ja</dd>');
    expect(print).toContain('Omar Haddad (Ehe-/Lebenspartner*in, Geburtsjahr 1983); Lina Haddad (Kind, Geburtsjahr –)');
  });

  it('refuses bad input in German, and another provider sees nothing', async () => {
    const caseId = await openCase('Pruefung');
    const bad = await put(cm, caseId, { email: 'keine-adresse', phone: 'abc', interpreterNeeded: 'vielleicht' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields).toEqual({
      email: 'E-Mail: keine gültige E-Mail-Adresse.',
      phone: 'Telefon: nur Ziffern, Leerzeichen und + ( ) / - .',
      interpreterNeeded: 'Dolmetschung nötig: ja oder nein.',
    });
    const related = await put(cm, caseId, { relatedPersons: [{ name: ' ', relation: 'cousin', birthYear: 2999 }] });
    expect(((await related.json()) as { error: { fields: Record<string, string> } }).error.fields).toEqual({
      'relatedPersons.0.name': 'Angehörige: Bitte einen Namen angeben.',
      'relatedPersons.0.relation': 'Angehörige: Bitte die Beziehung wählen.',
      'relatedPersons.0.birthYear': 'Angehörige: Geburtsjahr liegt in der Zukunft.',
    });
    expect(await h.db.caseContact.count({ where: { caseId } })).toBe(0);
    expect((await put(otherCm, caseId, CONTACT)).status).toBe(404);
    expect((await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/contact`, { headers: otherCm.headers(false) })).status).toBe(404);
    expect(await h.db.caseContact.count({ where: { caseId } })).toBe(0);
  });

  it('is edited with the case page form, and a refused save shows the German message on the page', async () => {
    const caseId = await openCase('Seite');
    // Two rows of related persons (repeated fields, as the form sends them), the second left empty.
    const rows = (name: string, year: string): Array<[string, string]> => [
      ['relatedName', name],
      ['relatedRelation', name ? 'sibling' : ''],
      ['relatedBirthYear', year],
      ['relatedName', ''],
      ['relatedRelation', ''],
      ['relatedBirthYear', ''],
    ];
    const form = (fields: Record<string, string>, related = rows('', '')) =>
      fetch(`${h.baseUrl}/faelle/${caseId}/kontaktdaten`, {
        method: 'POST',
        headers: { cookie: cm.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([['_csrf', cm.csrfToken], ...Object.entries(fields), ...related]).toString(),
        redirect: 'manual',
      });
    const badYear = await form({ address: 'Markt 1' }, rows('Sami Haddad', 'neunzehn'));
    expect(badYear.status).toBe(422);
    const badYearHtml = await badYear.text();
    expect(badYearHtml).toContain('Angehörige: Geburtsjahr als Zahl.');
    expect(badYearHtml).toContain('value="Sami Haddad"');
    const refused = await form({ email: 'falsch', address: 'Markt 1' });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain('E-Mail: keine gültige E-Mail-Adresse.');
    expect(html).toContain('>Markt 1</textarea>');
    const saved = await form({ address: 'Markt 1', phone: '0160 1', email: 'a@example.org', preferredLanguage: 'Tigrinya', interpreterNeeded: 'ja' }, rows('Sami Haddad', '2001'));
    expect(saved.status).toBe(303);
    const page = await (await fetch(`${h.baseUrl}/faelle/${caseId}`, { headers: { cookie: cm.cookie } })).text();
    expect(page).toContain('<dt>Bevorzugte Sprache</dt><dd>Tigrinya</dd>');
    expect(page).toContain('<dt>Dolmetschung nötig</dt><dd>ja</dd>');
    expect(page).toContain('<li>Sami Haddad (Geschwister, Geburtsjahr 2001)</li>');
    const stored = (await (await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/contact`, { headers: cm.headers(false) })).json()) as { relatedPersons: unknown[] };
    expect(stored.relatedPersons).toEqual([{ name: 'Sami Haddad', relation: 'sibling', birthYear: 2001 }]);
  });

  it('goes with the case at the end of retention', async () => {
    const caseId = await openCase('Ende');
    expect((await put(cm, caseId, CONTACT)).status).toBe(200);
    const erasure = createErasureActivities(h.db, h.dataKeys);
    await erasure.erasePersonalData({ caseId });
    expect(await h.db.caseContact.count({ where: { caseId } })).toBe(0);
    expect((await put(coordinator, caseId, CONTACT)).status).toBe(409);
    expect(await h.db.caseContact.count({ where: { caseId } })).toBe(0);
  });
});
