// Issue 15 finding 11: names are stored NFC-normalised without invisible direction or width characters (a name of
// only such characters is missing), and a contact date must be plausible for the case (not 1900 on a new case, not
// in the future).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { cleanName } from '../api/operations/plausibility.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let cm: SignedIn;
let abh: SignedIn;
const person = { givenName: 'Mina', familyName: 'Karimi', birthDate: '1992-02-02', municipality: 'Schleiden', languages: [] };

beforeAll(async () => {
  h = await startHarness();
  cm = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');
  abh = await login(h.baseUrl, 'abh@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('names', () => {
  it('keeps letters and in-word joiners, drops bidi controls and zero-width characters, and composes to NFC', () => {
    expect(cleanName('Jose\u0301')).toBe('José');
    expect(cleanName('Ali\u202Ereh\u202C')).toBe('Alireh');
    expect(cleanName('\u200BAmal\u200B')).toBe('Amal');
    expect(cleanName('\u2067Omar\u2069')).toBe('Omar');
    // Persian names need the zero-width non-joiner inside a word.
    expect(cleanName('\u200Cمحمد\u200Cعلی\u200C')).toBe('محمد\u200Cعلی');
  });

  it('refuses a name of only invisible characters and stores the cleaned name of a new case and handover', async () => {
    const empty = await apiCall(h.baseUrl, cm, 'POST', '/api/v1/cases', { person: { ...person, givenName: '\u200B\u200D\u202E' }, source: 'self' });
    expect(empty.status).toBe(422);
    expect(empty.body.error.fields['person.givenName']).toBeDefined();
    const spoofed = await apiCall(h.baseUrl, cm, 'POST', '/api/v1/cases', { person: { ...person, familyName: 'Kar\u202Eimi' }, source: 'self' });
    expect(spoofed.status).toBe(201);
    const row = await h.db.case.findUniqueOrThrow({ where: { id: spoofed.body.id }, include: { person: true } });
    expect(row.person.familyName).toBe('Karimi');
    const handover = await apiCall(h.baseUrl, abh, 'POST', '/api/v1/handovers', {
      person: { ...person, municipality: 'Kall', givenName: '\u2066\u200B' },
      residenceLaw: { permits: ['§25b'], notes: 'Duldung' },
      reason: 'Unterstützungsbedarf',
    });
    expect(handover.status).toBe(422);
    expect(handover.body.error.fields['person.givenName']).toBeDefined();
  });
});

describe('contact dates', () => {
  it('refuses a contact in 1900 or in the future on a new case, and takes one from today', async () => {
    const created = await apiCall(h.baseUrl, cm, 'POST', '/api/v1/cases', { person, source: 'self' });
    const id = created.body.id as string;
    await apiCall(h.baseUrl, cm, 'POST', `/api/v1/cases/${id}/actions/record-consent`, { scope: 'data_processing', decision: 'given' });
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    for (const date of ['1900-01-01', future]) {
      const res = await apiCall(h.baseUrl, cm, 'POST', `/api/v1/cases/${id}/actions/record-contact`, { kind: 'phone', date, durationMinutes: 5 });
      expect(res.status, date).toBe(422);
      expect(res.body.error.fields.date).toMatch(/Fallbeginn/);
    }
    const today = await apiCall(h.baseUrl, cm, 'POST', `/api/v1/cases/${id}/actions/record-contact`, { kind: 'phone', date: new Date().toISOString(), durationMinutes: 5 });
    expect(today.status).toBe(200);
  });
});
