// Organisations and routing rules as data, against the real app, database and Temporal dev server: the routing
// matrix runs against the rules stored in the database; a new version applies to new intakes only (a running case
// keeps its proposal); versions are kept with who and when; seeding never overwrites edits; organisations are
// edited by coordinators and admins only, with CSRF, and every change is in the audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MUNICIPALITIES, proposeProvider } from '../domain/index.js';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { berlinDay, routingRulesOn } from '../platform/routing-rules.js';
import { seedDatabase } from '../platform/seed.js';
import { ADULT_PROVIDER, AGE_CASES, born, ON } from './support/routing-matrix.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let coordinator: SignedIn;
let admin: SignedIn;
let cm: SignedIn;

beforeAll(async () => {
  h = await startHarness();
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  admin = await login(h.baseUrl, 'admin@kim.example');
  cm = await login(h.baseUrl, 'cm.drk@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('the routing matrix against the rules in the database', () => {
  it.each(MUNICIPALITIES.map((m) => [m]))('adult (30) in %s → municipal provider', async (municipality) => {
    const { version, rules } = await routingRulesOn(h.db, ON);
    expect(version).toBe(1);
    expect(proposeProvider({ municipality, birthDate: born(30), on: ON }, rules)).toMatchObject({ ok: true, organisationId: ADULT_PROVIDER[municipality], alternatives: [] });
  });
  it.each(AGE_CASES)('age %i in %s → %s (alternatives %j)', async (age, municipality, org, alternatives) => {
    const { rules } = await routingRulesOn(h.db, ON);
    expect(proposeProvider({ municipality, birthDate: born(age), on: ON }, rules)).toMatchObject({ ok: true, organisationId: org, alternatives, age });
  });
});

const person = (familyName: string) => ({ givenName: 'Demo', familyName, birthDate: '1980-01-01', municipality: 'Kall', languages: ['ar'] });
const rulesOf = async () => (await apiCall(h.baseUrl, coordinator, 'GET', '/api/v1/routing-rules')).body;

describe('a rule change', () => {
  it('applies to new intakes from its day on and never to a running case', async () => {
    const before = await apiCall(h.baseUrl, coordinator, 'POST', '/api/v1/cases', { person: person('Vorher'), source: 'self' });
    expect(before.status).toBe(201);
    const today = berlinDay(new Date());
    const current = (await rulesOf()).current;
    const tomorrow = berlinDay(new Date(Date.now() + 36 * 3600 * 1000));

    // A version from tomorrow: today's intakes do not use it yet.
    const later = await apiCall(h.baseUrl, coordinator, 'POST', '/api/v1/routing-rules', {
      rules: { ...current, municipalProviders: { ...current.municipalProviders, Kall: 'caritas-eifel' } },
      validFrom: tomorrow,
      note: 'Test: morgen',
    });
    expect(later.status).toBe(201);
    const now = await apiCall(h.baseUrl, coordinator, 'POST', '/api/v1/routing-rules', {
      rules: { ...current, municipalProviders: { ...current.municipalProviders, Kall: 'kreis-kim' } },
      validFrom: today,
      note: 'Kall übernimmt vorübergehend das KIM-Team',
    });
    expect(now.status).toBe(201);
    expect(now.body).toMatchObject({ version: 3, validFrom: today, createdById: coordinator.user.id });

    const after = await apiCall(h.baseUrl, coordinator, 'POST', '/api/v1/cases', { person: person('Nachher'), source: 'self' });
    expect(after.status).toBe(201);
    const rows = await h.db.case.findMany({ where: { id: { in: [before.body.id, after.body.id] } } });
    expect(rows.find((r) => r.id === before.body.id)!.proposedOrganisationId).toBe('drk');
    expect(rows.find((r) => r.id === after.body.id)!.proposedOrganisationId).toBe('kreis-kim');

    // Every version is kept; the audit names who and the rules before → after.
    const view = await rulesOf();
    expect(view.currentVersion).toBe(3);
    expect(view.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const audit = await h.db.adminAudit.findFirstOrThrow({ where: { entity: 'routing_rules', entityId: 'v3' } });
    expect(audit.actorId).toBe(coordinator.user.id);
    expect((audit.before as { municipalProviders: Record<string, string> }).municipalProviders.Kall).toBe('drk');
    expect((audit.after as { municipalProviders: Record<string, string> }).municipalProviders.Kall).toBe('kreis-kim');
  });

  it('is refused for a day in the past, for an organisation that cannot take cases, and for case managers', async () => {
    const current = (await rulesOf()).current;
    const past = await apiCall(h.baseUrl, coordinator, 'POST', '/api/v1/routing-rules', { rules: current, validFrom: '2020-01-01' });
    expect(past.status).toBe(422);
    expect(past.body.error.fields.validFrom).toContain('Frühestens ab heute');
    const abh = await apiCall(h.baseUrl, admin, 'POST', '/api/v1/routing-rules', {
      rules: { ...current, youthProvider: { ...current.youthProvider, organisationId: 'abh' } },
      validFrom: berlinDay(new Date()),
    });
    expect(abh.status).toBe(422);
    expect(Object.keys(abh.body.error.fields)).toEqual(['rules.youthProvider.organisationId']);
    expect((await apiCall(h.baseUrl, cm, 'GET', '/api/v1/routing-rules')).status).toBe(403);
    expect((await apiCall(h.baseUrl, cm, 'POST', '/api/v1/routing-rules', { rules: current, validFrom: berlinDay(new Date()) })).status).toBe(403);
    expect(await h.db.routingRuleVersion.count()).toBe(3);
  });

  it('the page shows the rules in force and saves a new version', async () => {
    const page = await fetch(`${h.baseUrl}/verwaltung/zustaendigkeit`, { headers: { cookie: coordinator.cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Version 3');
    expect(html).toContain('Kall übernimmt vorübergehend das KIM-Team');
    const values: Record<string, string> = { _csrf: coordinator.csrfToken, validFrom: berlinDay(new Date()), 'youthProvider.organisationId': 'kja', 'youthProvider.minAge': '6', 'youthProvider.maxAge': '27', adultFromAge: '18', underYouthAgeToMunicipalProvider: 'ja' };
    for (const m of MUNICIPALITIES) values[`municipalProviders.${m}`] = ADULT_PROVIDER[m]!;
    const post = (body: Record<string, string>, who = coordinator) =>
      fetch(`${h.baseUrl}/verwaltung/zustaendigkeit`, { method: 'POST', headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString(), redirect: 'manual' });
    expect((await post({ ...values, _csrf: '' })).status).toBe(403);
    expect((await post({ ...values, 'youthProvider.maxAge': '3' })).status).toBe(422);
    const saved = await post(values);
    expect(saved.status).toBe(303);
    expect((await routingRulesOn(h.db, berlinDay(new Date()))).version).toBe(4);
  });
});

describe('organisations', () => {
  it('coordinators add partner services and edit contact addresses; an organisation the rules propose stays active', async () => {
    const created = await apiCall(h.baseUrl, coordinator, 'POST', '/api/v1/organisations', {
      id: 'schuldnerberatung-eu',
      name: 'Schuldnerberatung Euskirchen',
      shortName: 'Schuldnerberatung',
      kind: 'partner',
      contactEmail: 'Info@Schuldnerberatung.example',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'partner', contactEmail: 'info@schuldnerberatung.example', active: true });
    expect((await apiCall(h.baseUrl, coordinator, 'POST', '/api/v1/organisations', { id: 'schuldnerberatung-eu', name: 'X', shortName: 'X', kind: 'partner' })).status).toBe(409);

    const edited = await apiCall(h.baseUrl, admin, 'PATCH', '/api/v1/organisations/drk', { contactEmail: 'kim@drk-eu.example', name: 'DRK Kreisverband Euskirchen e. V.' });
    expect(edited.status).toBe(200);
    const off = await apiCall(h.baseUrl, coordinator, 'PATCH', '/api/v1/organisations/drk', { active: false });
    expect(off.status).toBe(409);
    expect(off.body.error.code).toBe('in_routing_rules');
    expect((await apiCall(h.baseUrl, coordinator, 'PATCH', '/api/v1/organisations/schuldnerberatung-eu', { active: false })).status).toBe(200);

    expect((await apiCall(h.baseUrl, cm, 'POST', '/api/v1/organisations', { id: 'x-y', name: 'X', shortName: 'X', kind: 'partner' })).status).toBe(403);
    expect((await apiCall(h.baseUrl, cm, 'PATCH', '/api/v1/organisations/drk', { name: 'X' })).status).toBe(403);
    const noCsrf = await fetch(`${h.baseUrl}/api/v1/organisations/drk`, { method: 'PATCH', headers: { cookie: coordinator.cookie, 'content-type': 'application/json' }, body: '{"name":"X"}' });
    expect(noCsrf.status).toBe(403);
    expect((await fetch(`${h.baseUrl}/verwaltung/organisationen`, { headers: { cookie: cm.cookie } })).status).toBe(403);

    const audit = await h.db.adminAudit.findMany({ where: { entity: 'organisation' }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => [a.entityId, a.action])).toEqual([
      ['schuldnerberatung-eu', 'created'],
      ['drk', 'updated'],
      ['schuldnerberatung-eu', 'updated'],
    ]);
    expect(audit[1]!.before).toMatchObject({ name: 'DRK Kreisverband Euskirchen', contactEmail: null });
    expect(audit[1]!.after).toMatchObject({ name: 'DRK Kreisverband Euskirchen e. V.', contactEmail: 'kim@drk-eu.example' });
  });

  it('seeding again (every start) inserts nothing that exists and overwrites no edit', async () => {
    const versions = await h.db.routingRuleVersion.count();
    const organisations = await h.db.organisation.count();
    await seedDatabase(h.db, { demoPassword: 'x', production: false });
    expect((await h.db.organisation.findUniqueOrThrow({ where: { id: 'drk' } })).name).toBe('DRK Kreisverband Euskirchen e. V.');
    expect(await h.db.routingRuleVersion.count()).toBe(versions);
    expect(await h.db.organisation.count()).toBe(organisations);
  });
});
