// Issue 12 part 1 on the real servers: who may open a case where (domain/case-opening.ts) over the API and the page,
// and transfers out of the ABH only through a handover.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let kreis: SignedIn;
let drk: SignedIn;
let abh: SignedIn;
let coordinator: SignedIn;

const call = (who: SignedIn, method: string, path: string, body?: unknown) => apiCall(h.baseUrl, who, method, path, body);
const person = (municipality: string, familyName = 'Öztürk') => ({ givenName: 'Elif', familyName, birthDate: '1979-02-02', municipality, languages: ['tr'] });

beforeAll(async () => {
  h = await startHarness();
  kreis = await login(h.baseUrl, 'cm.kreis@kim.example');
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  abh = await login(h.baseUrl, 'abh@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('county posts keep the cases they open', () => {
  it('a case opened by the KIM team in Zülpich stays with the team; the DRK proposal stays on record', async () => {
    const res = await call(kreis, 'POST', '/api/v1/cases', { person: person('Zülpich'), source: 'jobcenter' });
    expect(res.status).toBe(201);
    expect(res.body.organisationId).toBe('kreis-kim');
    expect(res.body.proposedProvider.organisationId).toBe('drk');
    const read = await call(kreis, 'GET', `/api/v1/cases/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.organisationId).toBe('kreis-kim');
    expect((await call(drk, 'GET', `/api/v1/cases/${res.body.id}`)).status).toBe(404);
  });

  it('a county post cannot open a case for a provider (422, German, naming the way)', async () => {
    const res = await call(kreis, 'POST', '/api/v1/cases', { person: person('Zülpich'), source: 'self', organisationId: 'drk' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.organisationId).toMatch(/Stellen des Kreises führen die Fälle/);
    expect(res.body.error.allowedWay).toMatch(/Übertragen/);
  });

  it('coordination sees which post an organisation is', async () => {
    const res = await call(coordinator, 'GET', '/api/v1/organisations');
    expect(res.status).toBe(200);
    const items = (res.body.items ?? res.body) as Array<{ id: string; countyPost: string | null; countyPostLabel: string | null }>;
    expect(items.find((o) => o.id === 'kreis-bne')).toMatchObject({ countyPost: 'bne', countyPostLabel: expect.stringMatching(/BNE/) });
    expect(items.find((o) => o.id === 'kreis-ip')).toMatchObject({ countyPost: 'integration_point' });
    expect(items.find((o) => o.id === 'abh')).toMatchObject({ countyPost: 'abh_cm' });
    expect(items.find((o) => o.id === 'drk')).toMatchObject({ countyPost: null });
  });
});

describe('providers open for their organisation or accept the proposal', () => {
  it('DRK opens a Schleiden case for itself; without a choice the proposal (Caritas Eifel) holds it; KJA is refused', async () => {
    const own = await call(drk, 'POST', '/api/v1/cases', { person: person('Schleiden', 'Eigen'), source: 'self', organisationId: 'drk' });
    expect(own.status).toBe(201);
    expect(own.body.organisationId).toBe('drk');
    const proposal = await call(drk, 'POST', '/api/v1/cases', { person: person('Schleiden', 'Vorschlag'), source: 'self' });
    expect(proposal.status).toBe(201);
    expect(proposal.body.organisationId).toBe('caritas-eifel');
    const other = await call(drk, 'POST', '/api/v1/cases', { person: person('Schleiden', 'Fremd'), source: 'self', organisationId: 'kja' });
    expect(other.status).toBe(422);
    expect(other.body.error.fields.organisationId).toMatch(/eigene Organisation/);
  });
});

describe('the ABH hands over only with consent', () => {
  let abhCase: string;

  it('an ABH counsellor opens an ABH-held case', async () => {
    const res = await call(abh, 'POST', '/api/v1/cases', { person: person('Euskirchen', 'Abh'), source: 'abh' });
    expect(res.status).toBe(201);
    expect(res.body.organisationId).toBe('abh');
    abhCase = res.body.id;
  });

  it('an ABH counsellor cannot open a provider case (409 handover_required), and nothing is written', async () => {
    const before = await h.db.case.count();
    const people = await h.db.person.count();
    const res = await call(abh, 'POST', '/api/v1/cases', { person: person('Euskirchen', 'Direkt'), source: 'abh', organisationId: 'caritas-euskirchen' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('handover_required');
    expect(res.body.error.message).toMatch(/Einwilligung/);
    expect(res.body.error.allowedWay).toMatch(/Übergabe vorschlagen/);
    expect(await h.db.case.count()).toBe(before);
    expect(await h.db.person.count()).toBe(people);
  });

  it('an ABH case cannot be transferred to a provider, by the counsellor nor by coordination; a handover can be proposed', async () => {
    for (const who of [abh, coordinator]) {
      const res = await call(who, 'POST', `/api/v1/cases/${abhCase}/actions/transfer`, { organisationId: 'drk', reason: 'Umzug nach Zülpich' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('handover_required');
      expect(res.body.error.allowedWay).toMatch(/Übergabe vorschlagen/);
    }
    expect((await call(abh, 'GET', `/api/v1/cases/${abhCase}`)).body.organisationId).toBe('abh');
    const handover = await call(abh, 'POST', '/api/v1/handovers', {
      caseId: abhCase,
      proposedOrganisationId: 'drk',
      residenceLaw: { permits: ['§25b'], notes: 'Duldung bis 31.03.2027' },
      reason: 'Höherer Unterstützungsbedarf',
    });
    expect(handover.status).toBe(201);
  });

  it('staff cannot fake a handover takeover: continueFromHandover on a transfer is refused (422), nothing changes', async () => {
    const opened = await call(drk, 'POST', '/api/v1/cases', { person: person('Schleiden', 'Nowak'), source: 'self', organisationId: 'drk' });
    const fake = { handoverId: 'ho-x', consentRecordedAt: new Date().toISOString(), residenceLaw: { permits: ['§25b'], notes: '' } };
    const res = await call(coordinator, 'POST', `/api/v1/cases/${opened.body.id}/actions/transfer`, { organisationId: 'kja', reason: 'Umzug', continueFromHandover: fake });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.continueFromHandover).toMatch(/Fallübernahme/);
    const read = await call(drk, 'GET', `/api/v1/cases/${opened.body.id}`);
    expect(read.body).toMatchObject({ organisationId: 'drk', state: 'intake' });
  });

  it('the page refuses a provider case for the ABH in German (the form offers only the rule or the own organisation)', async () => {
    const res = await fetch(`${h.baseUrl}/faelle/neu`, { headers: abh.headers(false) });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Wer führt den Fall?');
    expect(html).toContain('Übergabe vorschlagen');
  });
});
