import { describe, expect, it } from 'vitest';
import {
  DEMO_ACCOUNTS,
  MUNICIPALITIES,
  ORGANISATIONS,
  ORGANISATION_IDS,
  defaultRoutingRules,
  proposeProvider,
  routingRulesSchema,
} from '../../domain/index.js';
import { ADULT_PROVIDER, AGE_CASES, born, ON } from '../support/routing-matrix.js';

describe('organisations', () => {
  it('seeds the seven organisations with stable ids and the eleven municipalities', () => {
    expect(ORGANISATIONS.map((o) => o.id)).toEqual([...ORGANISATION_IDS]);
    expect(MUNICIPALITIES).toHaveLength(11);
    expect(new Set(MUNICIPALITIES)).toEqual(new Set(Object.keys(ADULT_PROVIDER)));
    const covered = ORGANISATIONS.flatMap((o) => o.municipalities);
    expect(covered.sort()).toEqual([...MUNICIPALITIES].sort()); // each municipality has exactly one adult provider
    expect(ORGANISATIONS.find((o) => o.id === 'kja')).toMatchObject({ kind: 'provider', municipalities: [], ageRange: { min: 6, max: 27 } });
    expect(ORGANISATIONS.find((o) => o.id === 'abh')?.kind).toBe('abh');
  });

  it('has the demo accounts of api.md, all in seeded organisations', () => {
    expect(DEMO_ACCOUNTS.map((a) => a.email).sort()).toEqual(
      [
        'koordination@kim.example',
        'abh@kim.example',
        'admin@kim.example',
        'cm.caritas-eifel@kim.example',
        'cm.caritas-euskirchen@kim.example',
        'cm.drk@kim.example',
        'cm.kja@kim.example',
        'cm.kreis@kim.example',
      ].sort(),
    );
    for (const a of DEMO_ACCOUNTS) expect(ORGANISATION_IDS).toContain(a.organisationId);
    expect(DEMO_ACCOUNTS.find((a) => a.email === 'cm.kreis@kim.example')).toMatchObject({ role: 'case_manager', organisationId: 'kreis-kim' });
  });
});

describe('proposeProvider', () => {
  it.each(MUNICIPALITIES.map((m) => [m]))('adult (30) in %s → municipal provider', (municipality) => {
    const r = proposeProvider({ municipality, birthDate: born(30), on: ON });
    expect(r).toMatchObject({ ok: true, organisationId: ADULT_PROVIDER[municipality], alternatives: [], age: 30 });
    if (r.ok) expect(r.reason).toContain(municipality);
  });

  it.each(AGE_CASES)('age %i in %s → %s (alternatives %j)', (age, municipality, org, alternatives) => {
    const r = proposeProvider({ municipality, birthDate: born(age), on: ON });
    expect(r).toMatchObject({ ok: true, organisationId: org, alternatives, age });
  });

  it('counts the age on the given day (day before the 18th birthday is still 17)', () => {
    expect(proposeProvider({ municipality: 'Kall', birthDate: '2007-03-04', on: ON })).toMatchObject({ age: 17, organisationId: 'kja' });
    expect(proposeProvider({ municipality: 'Kall', birthDate: '2007-03-03', on: '2025-03-03T08:00:00+01:00' })).toMatchObject({ age: 18, organisationId: 'drk' });
  });

  it('explains the overlap in German', () => {
    const r = proposeProvider({ municipality: 'Zülpich', birthDate: born(20), on: ON });
    expect(r.ok && r.reason).toMatch(/DRK.*Zülpich.*KJA Bonn.*Alternative/);
  });

  it('tolerates case and spacing of the municipality', () => {
    expect(proposeProvider({ municipality: '  bad   münstereifel ', birthDate: born(40), on: ON })).toMatchObject({
      ok: true,
      municipality: 'Bad Münstereifel',
      organisationId: 'caritas-euskirchen',
    });
  });

  it('unknown municipality → typed error', () => {
    expect(proposeProvider({ municipality: 'Bonn', birthDate: born(30), on: ON })).toEqual({
      ok: false,
      error: { code: 'unknown_municipality', municipality: 'Bonn', message: expect.stringContaining('Bonn') },
    });
  });

  it('invalid or future birth date → typed error', () => {
    expect(proposeProvider({ municipality: 'Kall', birthDate: '2025-02-30', on: ON })).toMatchObject({ ok: false, error: { code: 'invalid_birth_date' } });
    expect(proposeProvider({ municipality: 'Kall', birthDate: '2025-03-04', on: ON })).toMatchObject({ ok: false, error: { code: 'invalid_birth_date' } });
  });

  it('uses configured rules', () => {
    const rules = { ...defaultRoutingRules, underYouthAgeToMunicipalProvider: false, municipalProviders: { ...defaultRoutingRules.municipalProviders, Kall: 'kreis-kim' } };
    expect(routingRulesSchema.safeParse(rules).success).toBe(true);
    expect(proposeProvider({ municipality: 'Kall', birthDate: born(4), on: ON }, rules)).toMatchObject({ organisationId: 'kja', alternatives: ['kreis-kim'] });
    expect(proposeProvider({ municipality: 'Kall', birthDate: born(40), on: ON }, rules)).toMatchObject({ organisationId: 'kreis-kim' });
    expect(routingRulesSchema.safeParse({ ...rules, youthProvider: { organisationId: 'kja', minAge: 30, maxAge: 6 } }).success).toBe(false);
  });

  it('says why, in German, for every band', () => {
    const reason = (age: number, rules = defaultRoutingRules) => {
      const r = proposeProvider({ municipality: 'Kall', birthDate: born(age), on: ON }, rules);
      return r.ok ? r.reason : '';
    };
    expect(reason(4)).toBe('4 Jahre, unter 6: Begleitung mit der Familie über den für Kall zuständigen Träger (DRK).');
    expect(reason(4, { ...defaultRoutingRules, underYouthAgeToMunicipalProvider: false })).toBe('4 Jahre, unter 6: laut Regel an KJA Bonn.');
    expect(reason(12)).toBe('12 Jahre, minderjährig: KJA Bonn ist kreisweit für junge Menschen von 6 bis 27 Jahren zuständig.');
    expect(reason(40)).toBe('40 Jahre, Wohnort Kall: DRK ist für Erwachsene in Kall zuständig.');
  });

  it('takes a child born on the day itself, and an instant as the day', () => {
    expect(proposeProvider({ municipality: 'Kall', birthDate: ON, on: ON })).toMatchObject({ ok: true, age: 0 });
    expect(proposeProvider({ municipality: 'Kall', birthDate: ON, on: `${ON}T07:00:00+01:00` })).toMatchObject({ ok: true, age: 0 });
    expect(proposeProvider({ municipality: 'Kall', birthDate: born(30), on: 'heute' })).toEqual({
      ok: false,
      error: { code: 'invalid_birth_date', message: 'Ungültiges Geburtsdatum.', birthDate: born(30) },
    });
  });

  it('offers the youth provider as an alternative from its first year when adults start there', () => {
    const rules = { ...defaultRoutingRules, adultFromAge: 18, youthProvider: { organisationId: 'kja', minAge: 18, maxAge: 27 } };
    expect(proposeProvider({ municipality: 'Kall', birthDate: born(18), on: ON }, rules)).toMatchObject({ organisationId: 'drk', alternatives: ['kja'] });
    expect(proposeProvider({ municipality: 'Kall', birthDate: born(27), on: ON }, rules)).toMatchObject({ organisationId: 'drk', alternatives: ['kja'] });
    expect(proposeProvider({ municipality: 'Kall', birthDate: born(28), on: ON }, rules)).toMatchObject({ organisationId: 'drk', alternatives: [] });
  });
});
