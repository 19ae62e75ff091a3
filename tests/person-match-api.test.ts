// One person across providers (issue 16 item 3) over HTTP on the real servers: the intake's duplicate check finds the
// same person at another provider in spelling variants without telling anything of the other case, the opener confirms
// or nothing is written, coordination links or dismisses (API and page, audited, access-logged), the controlling report
// counts linked cases as one person — in its persons column and in the small-cell suppression — and the erasure and
// the Art. 15 export know the link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErasureActivities } from '../activities/erasure.js';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';
import { PageClient } from './support/page-client.js';

let h: Harness;
let coordinator: SignedIn;
let drk: SignedIn;
let eifel: SignedIn;
let kreis: SignedIn;

const DAY = 86_400_000;
const berlinDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(ms));

type Person = { givenName: string; familyName: string; birthDate: string; municipality: string };
const open = (who: SignedIn, person: Person, extra: Record<string, unknown> = {}) =>
  apiCall(h.baseUrl, who, 'POST', '/api/v1/cases', { person: { ...person, languages: [] }, source: 'self', ...extra });

async function opened(who: SignedIn, person: Person, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await open(who, person, extra);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id as string;
  await eventually(() => h.db.case.findUniqueOrThrow({ where: { id } }), (row) => row.lastEventSeq > 0, 'case opening recorded');
  return id;
}

/** Nothing of the other case in what the opener gets: its id, the person's names and birth date, where it is. */
function expectNothingOf(text: string, other: { id: string; names: string[]; birthDate: string; places: string[] }) {
  expect(text).not.toContain(other.id);
  for (const n of other.names) expect(text.toLowerCase()).not.toContain(n.toLowerCase());
  expect(text).not.toContain(other.birthDate);
  expect(text).not.toContain(other.birthDate.split('-').reverse().join('.'));
  for (const p of other.places) expect(text).not.toContain(p);
}

beforeAll(async () => {
  h = await startHarness();
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  drk = await login(h.baseUrl, 'cm.drk@kim.example'); // Kall, Zülpich, Nettersheim, Weilerswist
  eifel = await login(h.baseUrl, 'cm.caritas-eifel@kim.example'); // Schleiden, Hellenthal, …
  kreis = await login(h.baseUrl, 'cm.kreis@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('the duplicate check at intake', () => {
  const amina = { givenName: 'Amina', familyName: 'Al-Khatib', birthDate: '1990-04-12', municipality: 'Kall' };
  let drkCase: string;

  it('finds the same person at another provider in a spelling variant, without revealing the other case', async () => {
    drkCase = await opened(drk, amina);
    const variant = { givenName: 'AL KHATIB', familyName: 'amina', birthDate: '1990-04-12', municipality: 'Schleiden' };
    const before = await h.db.case.count();
    const refused = await open(eifel, variant, { requestId: 'f1b2c3d4-0000-4000-8000-000000000001' });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error: {
        code: 'possible_existing_case',
        message: 'Möglicherweise besteht bereits ein offener Fall bei einem Träger der Wohlfahrtspflege; bitte Koordination kontaktieren.',
        organisationKinds: ['provider'],
        confirmWith: { confirmNewCase: true },
      },
    });
    expectNothingOf(JSON.stringify(refused.body), { id: drkCase, names: ['Al-Khatib'], birthDate: amina.birthDate, places: ['Kall', 'DRK', 'drk'] });
    // Nothing was written; the same request again gets the same answer.
    expect(await h.db.case.count()).toBe(before);
    expect(await h.db.personMatch.count()).toBe(0);
    expect((await open(eifel, variant, { requestId: 'f1b2c3d4-0000-4000-8000-000000000001' })).status).toBe(409);

    // Confirmed: opened, the confirmation recorded for coordination; still nothing of the other case in the answer.
    const confirmed = await open(eifel, variant, { requestId: 'f1b2c3d4-0000-4000-8000-000000000001', confirmNewCase: true });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.possibleExistingCase).toEqual({ organisationKinds: ['provider'], confirmed: true });
    expect(JSON.stringify(confirmed.body)).not.toContain(drkCase);
    const matches = await h.db.personMatch.findMany();
    expect(matches).toEqual([expect.objectContaining({ caseId: confirmed.body.id, otherCaseId: drkCase, status: 'open', confirmedById: eifel.user.id })]);
    // Idempotent by requestId as before: the repeat answers with the case the first confirmed request opened.
    const repeated = await open(eifel, variant, { requestId: 'f1b2c3d4-0000-4000-8000-000000000001', confirmNewCase: true });
    expect(repeated.status).toBe(201);
    expect(repeated.body.id).toBe(confirmed.body.id);
    expect(await h.db.personMatch.count()).toBe(1);
  });

  it('stores only keyed hashes, made with a key of its own kept wrapped', async () => {
    const keys = await h.db.personMatchKey.findMany({ where: { caseId: drkCase } });
    expect(keys.length).toBe(1);
    for (const k of keys) expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
    const all = JSON.stringify(await h.db.personMatchKey.findMany());
    for (const plain of ['amina', 'khatib', '1990']) expect(all.toLowerCase()).not.toContain(plain);
    const key = await h.db.dataKey.findUniqueOrThrow({ where: { subject: 'person-match' } });
    expect(key.wrappedKey).not.toBeNull();
    expect(key.retiredAt).toBeNull();
  });

  it('names a county post as "einer Stelle des Kreises", and says nothing for the same organisation', async () => {
    const samir = { givenName: 'Samir', familyName: 'Öztürk', birthDate: '1975-11-30', municipality: 'Zülpich' };
    const kreisCase = await opened(kreis, samir);
    const atDrk = await open(drk, { ...samir, givenName: 'SAMIR', familyName: 'Oeztuerk' });
    expect(atDrk.status).toBe(409);
    expect(atDrk.body.error.message).toBe('Möglicherweise besteht bereits ein offener Fall bei einer Stelle des Kreises; bitte Koordination kontaktieren.');
    expect(atDrk.body.error.organisationKinds).toEqual(['county']);
    expectNothingOf(JSON.stringify(atDrk.body), { id: kreisCase, names: ['Öztürk', 'Oeztuerk'], birthDate: samir.birthDate, places: ['KIM-Team', 'Zülpich'] });
    // The Kreis itself opening a second case of its own person: no warning (it sees its own cases).
    expect((await open(kreis, { ...samir, municipality: 'Kall' })).status).toBe(201);
    // Another person (birth date one day off): no warning.
    expect((await open(drk, { ...samir, birthDate: '1975-11-29' })).status).toBe(201);
  });

  it('warns on the intake page, and the page neither names the other case', async () => {
    const page = await PageClient.signIn(h.baseUrl, 'cm.caritas-eifel@kim.example');
    const form = await page.get('/faelle/neu');
    const requestId = /name="requestId" value="([^"]+)"/.exec(form.html)![1]!;
    const fields = {
      requestId,
      'person.givenName': 'Amina',
      'person.familyName': 'Al Khatib',
      'person.birthDate': '1990-04-12',
      'person.municipality': 'Hellenthal',
      source: 'self',
    };
    const warned = await page.post('/faelle/neu', fields);
    expect(warned.status).toBe(409);
    expect(warned.html).toContain('Möglicherweise besteht bereits ein offener Fall bei einem Träger der Wohlfahrtspflege; bitte Koordination kontaktieren.');
    expect(warned.html).toContain('name="confirmNewCase" value="ja"');
    expect(warned.html).not.toContain(drkCase);
    // The page's own lists name every municipality and provider: the warning names none.
    const warning = /<div class="notice notice--error"[^>]*id="moeglicher-fall">[\s\S]*?<\/div>\s*<\/div>/.exec(warned.html)![0];
    expectNothingOf(warning, { id: drkCase, names: ['Al-Khatib'], birthDate: '1990-04-12', places: ['Kall', 'DRK', 'Caritas'] });
    const confirmed = await page.post('/faelle/neu', { ...fields, confirmNewCase: 'ja' });
    expect(confirmed.status).toBe(303);
    expect(await h.db.personMatch.count({ where: { otherCaseId: drkCase } })).toBe(2);
  });
});

describe('a case an ABH handover opens', () => {
  it('gets its hashes, and an open case elsewhere becomes a possible match (the handover is not stopped)', async () => {
    const abh = await login(h.baseUrl, 'abh@kim.example');
    const person = { givenName: 'Tesfay', familyName: 'Gebremedhin', birthDate: '1993-06-06', municipality: 'Nettersheim', languages: [] };
    const eifelCase = await opened(eifel, { ...person, municipality: 'Dahlem' });
    const proposed = await apiCall(h.baseUrl, abh, 'POST', '/api/v1/handovers', {
      person: { ...person, givenName: 'TESFAY' },
      residenceLaw: { permits: ['§25b'], notes: '' },
      reason: 'Arbeitsaufnahme',
    });
    expect(proposed.status).toBe(201);
    const id: string = proposed.body.id;
    const act = async (who: SignedIn, action: string, body: unknown = {}) => {
      const res = await apiCall(h.baseUrl, who, 'POST', `/api/v1/handovers/${id}/actions/${action}`, body);
      expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
      return res.body.handover;
    };
    await act(abh, 'record-consent', { decision: 'given' });
    await act(drk, 'schedule-meeting', { at: new Date(Date.now() + 3 * DAY).toISOString(), participants: ['Klient', 'ABH', 'DRK'] });
    await act(abh, 'complete-meeting', {});
    const caseId: string = (await act(drk, 'accept')).caseId;
    await eventually(() => h.db.personMatchKey.count({ where: { caseId } }), (n) => n === 1, 'hashes of the handed-over case');
    expect(await h.db.personMatch.findMany({ where: { caseId } })).toEqual([
      expect.objectContaining({ otherCaseId: eifelCase, status: 'open', confirmedById: abh.user.id }),
    ]);
    // Further intakes elsewhere find the handed-over person too.
    expect((await open(kreis, { ...person, municipality: 'Kall' })).status).toBe(409);
  });
});

describe("coordination's possible matches", () => {
  it('lists them with both persons (access-logged), links and dismisses (audited); case managers are refused', async () => {
    expect((await apiCall(h.baseUrl, drk, 'GET', '/api/v1/person-matches')).status).toBe(403);
    expect((await apiCall(h.baseUrl, coordinator, 'GET', '/api/v1/person-matches?status=vielleicht')).status).toBe(422);
    const list = await apiCall(h.baseUrl, coordinator, 'GET', '/api/v1/person-matches');
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBe(3); // two confirmed intakes, one handover
    // Newest first: the handover's match (its other case at Caritas Eifel), then the two intakes against the DRK's case.
    const [handedOver, first, second] = list.body.items as Array<{ id: string; case: { id: string; person: { familyName: string } }; otherCase: { id: string; organisationName: string } }>;
    expect(handedOver!.otherCase.organisationName).toMatch(/Caritas/);
    expect(first!.otherCase.organisationName).toMatch(/DRK/);
    expect(second!.otherCase.organisationName).toMatch(/DRK/);
    const logged = await h.db.accessLog.findMany({ where: { action: 'read_person_match', userId: coordinator.user.id } });
    expect(new Set(logged.map((l) => l.caseId))).toEqual(new Set(list.body.items.flatMap((m: { case: { id: string }; otherCase: { id: string } }) => [m.case.id, m.otherCase.id])));

    expect((await apiCall(h.baseUrl, drk, 'POST', `/api/v1/person-matches/${first!.id}/link`, {})).status).toBe(403);
    const linked = await apiCall(h.baseUrl, coordinator, 'POST', `/api/v1/person-matches/${first!.id}/link`, {});
    expect(linked.status).toBe(200);
    expect(linked.body.match).toMatchObject({ id: first!.id, status: 'linked', decidedById: coordinator.user.id });
    expect((await apiCall(h.baseUrl, coordinator, 'POST', `/api/v1/person-matches/${first!.id}/link`, {})).body.match.status).toBe('linked');
    const refused = await apiCall(h.baseUrl, coordinator, 'POST', `/api/v1/person-matches/${first!.id}/dismiss`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('match_already_decided');
    expect((await apiCall(h.baseUrl, coordinator, 'POST', '/api/v1/person-matches/00000000-0000-4000-8000-000000000000/link', {})).status).toBe(404);
    const audit = await h.db.adminAudit.findMany({ where: { entity: 'person_match' } });
    expect(audit).toEqual([expect.objectContaining({ entityId: first!.id, action: 'person_linked', actorId: coordinator.user.id })]);

    // The page: both persons, and the dismissal through its form.
    const page = await PageClient.signIn(h.baseUrl, 'koordination@kim.example');
    const listed = await page.get('/koordination/personenabgleich');
    expect(listed.status).toBe(200);
    expect(listed.html).toContain(second!.id);
    expect(listed.html).toContain(second!.case.person.familyName);
    const dismissed = await page.post(`/koordination/personenabgleich/${second!.id}/verwerfen`, {});
    expect(dismissed.status).toBe(303);
    expect((await h.db.personMatch.findUniqueOrThrow({ where: { id: second!.id } })).status).toBe('dismissed');
    expect((await page.get('/koordination/personenabgleich?status=verknuepft')).html).toContain(first!.id);
    expect((await page.get('/koordination/personenabgleich?status=verworfen')).html).toContain(second!.id);
    const cm = await PageClient.signIn(h.baseUrl, 'cm.drk@kim.example');
    expect((await cm.get('/koordination/personenabgleich')).status).toBe(403);
    expect((await h.db.adminAudit.findMany({ where: { entity: 'person_match' } })).map((a) => a.action).sort()).toEqual(['person_linked', 'person_match_dismissed']);

    // Art. 15: the linked case says it is linked, and nothing of the other case.
    const exported = await apiCall(h.baseUrl, coordinator, 'GET', `/api/v1/cases/${first!.case.id}/export`);
    expect(exported.body.person.linkedToAnotherCase).toBe(true);
    expect(JSON.stringify(exported.body)).not.toContain(first!.otherCase.id);
    const print = await (await fetch(`${h.baseUrl}/api/v1/cases/${first!.case.id}/export?format=html`, { headers: { cookie: coordinator.cookie } })).text();
    expect(print).toContain('<dt>Mit einem weiteren Fall derselben Person verknüpft</dt><dd>ja (durch die KIM-Koordination)</dd>');
    expect(print).not.toContain(first!.otherCase.id);
    const unlinked = await apiCall(h.baseUrl, coordinator, 'GET', `/api/v1/cases/${second!.case.id}/export`);
    expect(unlinked.body.person.linkedToAnotherCase).toBe(false);
  });
});

describe('controlling counts persons', () => {
  // Hand-countable, in Weilerswist only (no other case of this file is there): A and B at DRK, B′ (B in another
  // spelling) at Caritas Eifel. Before the link: 3 cases of 3 persons, shown. Linked: 3 cases of 2 persons, so the
  // cell is suppressed (fewer than 3 persons). With C at DRK: 4 cases of 3 persons, shown, and 3 persons active.
  const period = `from=${berlinDate(Date.now() - DAY)}&to=${berlinDate(Date.now() + DAY)}&groupBy=municipality`;
  const weilerswist = async () => {
    const res = await apiCall(h.baseUrl, coordinator, 'GET', `/api/v1/reports/controlling?${period}`);
    expect(res.status).toBe(200);
    const row = (res.body.groups as Array<{ key: string; figures: any }>).find((g) => g.key === 'Weilerswist')!;
    return { cases: row.figures.cases.active, persons: row.figures.persons.active, opened: row.figures.cases.opened };
  };
  const place = { birthDate: '1982-02-02', municipality: 'Weilerswist' };

  it('suppresses a cell of three cases of two persons, and counts linked cases once', async () => {
    await opened(drk, { givenName: 'Anna', familyName: 'Aksoy', ...place });
    const b = await opened(drk, { givenName: 'Bekir', familyName: 'Yılmaz', ...place });
    const b2 = await opened(eifel, { givenName: 'BEKIR', familyName: 'Yilmaz', ...place }, { organisationId: 'caritas-eifel', confirmNewCase: true });
    expect(await weilerswist()).toEqual({ cases: { value: 3 }, persons: { value: 3 }, opened: { value: 3 } });

    const match = await h.db.personMatch.findFirstOrThrow({ where: { caseId: b2, otherCaseId: b } });
    expect((await apiCall(h.baseUrl, coordinator, 'POST', `/api/v1/person-matches/${match.id}/link`, {})).status).toBe(200);
    expect(await weilerswist()).toEqual({ cases: { value: null, suppressed: true }, persons: { value: null, suppressed: true }, opened: { value: null, suppressed: true } });

    await opened(drk, { givenName: 'Cem', familyName: 'Demir', ...place });
    expect(await weilerswist()).toEqual({ cases: { value: 4 }, persons: { value: 3 }, opened: { value: 4 } });
  });

  it('erases the hashes and the link with the case; the other case keeps working as a person of its own', async () => {
    // The existing case (the match's other side) reaches the end of its retention first.
    const b = await h.db.case.findFirstOrThrow({ where: { municipality: 'Weilerswist', organisationId: 'drk', person: { givenName: 'Bekir' } } });
    const b2 = await h.db.case.findFirstOrThrow({ where: { municipality: 'Weilerswist', organisationId: 'caritas-eifel' } });
    await createErasureActivities(h.db).erasePersonalData({ caseId: b.id });
    expect(await h.db.personMatchKey.count({ where: { caseId: b.id } })).toBe(0);
    expect(await h.db.personMatch.count({ where: { OR: [{ caseId: b.id }, { otherCaseId: b.id }] } })).toBe(0);
    expect(await h.db.personMatchKey.count({ where: { caseId: b2.id } })).toBe(1);
    const read = await apiCall(h.baseUrl, eifel, 'GET', `/api/v1/cases/${b2.id}`);
    expect(read.status).toBe(200);
    expect(read.body.person.givenName).toBe('BEKIR');
    expect((await apiCall(h.baseUrl, coordinator, 'GET', `/api/v1/cases/${b2.id}/export`)).body.person.linkedToAnotherCase).toBe(false);
    // The erased case is no open case any more for the check; the other one still is.
    expect((await open(eifel, { givenName: 'Bekir', familyName: 'Yilmaz', birthDate: '1982-02-02', municipality: 'Schleiden' })).status).toBe(201);
    expect((await open(drk, { givenName: 'Bekir', familyName: 'Yilmaz', birthDate: '1982-02-02', municipality: 'Kall' })).status).toBe(409);
  });

});
