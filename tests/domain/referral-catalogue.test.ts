// The referral catalogue's rules (domain/referral-catalogue.ts): names normalised, codes proposed, a refer's choice
// resolved (unknown, deactivated, wrong kind, "Sonstiges"), the target a referral is counted under; a referral keeps
// its codes on process rules 10 only (or when the workflow lets a running case take them); and the controlling report
// groups by code — from the facts and from the events alike — with free text of before under the entry it matches.
import { describe, expect, it } from 'vitest';
import { computeControlling, computeControllingFromEvents, type ControllingCaseEvent } from '../../domain/controlling.js';
import {
  CATALOGUE_CODE_PATTERN,
  catalogueIndex,
  codeFromName,
  isCatalogueCode,
  normaliseTargetName,
  OTHER_CATALOGUE_CODE,
  referralTarget,
  resolveCatalogueChoice,
  SEED_REFERRAL_CATALOGUE,
  usesCatalogue,
  type ReferralCatalogueEntry,
} from '../../domain/referral-catalogue.js';
import { CaseDriver, goal, refusal, toGoalPlanning } from './helpers.js';

const CATALOGUE: ReferralCatalogueEntry[] = [
  { code: 'jobcenter', name: 'Jobcenter', kind: 'service', active: true },
  { code: 'schuldnerberatung', name: 'Schuldnerberatung', kind: 'service', active: true },
  { code: 'alt', name: 'Altes Angebot', kind: 'service', active: false },
  { code: 'p-drk', name: 'DRK Kreisverband Euskirchen', kind: 'partner', active: true },
];
const FIELDS = { code: 'serviceCode', text: 'service' };

describe('names and codes', () => {
  it('normalises case, blanks and Unicode composition', () => {
    expect(normaliseTargetName('  Job\tCenter   Euskirchen ')).toBe('job center euskirchen');
    expect(normaliseTargetName('Flu\u0308chtlingsberatung')).toBe('flüchtlingsberatung');
    expect(normaliseTargetName('ÜBERGANG')).toBe('übergang');
  });

  it('proposes a code from a name', () => {
    expect(codeFromName('Sozialpsychiatrischer Dienst')).toBe('sozialpsychiatrischer-dienst');
    expect(codeFromName('Tafel Zülpich')).toBe('tafel-zuelpich');
    expect(codeFromName('Straße & Öffnung')).toBe('strasse-oeffnung');
    expect(codeFromName('Café Énergie')).toBe('cafe-energie');
    expect(codeFromName('  --Jugend/Migration--  ')).toBe('jugend-migration');
    expect(codeFromName('Ab')).toBe('ab');
    expect(codeFromName('X')).toBe('eintrag-x');
    expect(codeFromName('!!')).toBe('eintrag-x');
    const long = codeFromName('Beratungsstelle für ganz besonders lange Namen von Angeboten im Kreis');
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toBe('beratungsstelle-fuer-ganz-besonders-lang');
    expect(long.endsWith('-')).toBe(false);
    expect(CATALOGUE_CODE_PATTERN.test(codeFromName('a b c d e f g h i j k l m n o p q r s t u v'))).toBe(true);
    expect(codeFromName('a b c d e f g h i j k l m n o p q r s t u v')).toBe('a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t');
  });

  it('takes codes of letters, digits and dashes, never "sonstiges"', () => {
    expect(isCatalogueCode('jobcenter')).toBe(true);
    expect(isCatalogueCode('p-drk2')).toBe(true);
    expect(isCatalogueCode('ab')).toBe(true);
    expect(isCatalogueCode('a')).toBe(false);
    expect(isCatalogueCode('-ab')).toBe(false);
    expect(isCatalogueCode('Jobcenter')).toBe(false);
    expect(isCatalogueCode('job center')).toBe(false);
    expect(isCatalogueCode('x'.repeat(40))).toBe(true);
    expect(isCatalogueCode('x'.repeat(41))).toBe(false);
    expect(isCatalogueCode(OTHER_CATALOGUE_CODE)).toBe(false);
  });

  it('seeds unique codes and names of both kinds', () => {
    const codes = SEED_REFERRAL_CATALOGUE.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(SEED_REFERRAL_CATALOGUE.map((e) => normaliseTargetName(e.name))).size).toBe(codes.length);
    for (const code of codes) expect(isCatalogueCode(code), code).toBe(true);
    expect(SEED_REFERRAL_CATALOGUE.filter((e) => e.kind === 'partner').length).toBeGreaterThan(3);
    expect(SEED_REFERRAL_CATALOGUE.every((e) => e.active)).toBe(true);
  });
});

describe('a refer choice', () => {
  it('resolves an active entry of the kind to its code and name', () => {
    expect(resolveCatalogueChoice(CATALOGUE, 'service', { code: ' jobcenter ', text: 'egal' }, FIELDS, true)).toEqual({ ok: true, code: 'jobcenter', name: 'Jobcenter' });
    expect(resolveCatalogueChoice(CATALOGUE, 'partner', { code: 'p-drk' }, { code: 'partnerCode', text: 'partnerName' }, false)).toEqual({
      ok: true,
      code: 'p-drk',
      name: 'DRK Kreisverband Euskirchen',
    });
  });

  it('refuses unknown codes, other kinds and deactivated entries in German, at the code field', () => {
    expect(resolveCatalogueChoice(CATALOGUE, 'service', { code: 'nix' }, FIELDS, true)).toEqual({ ok: false, field: 'serviceCode', message: 'Unbekannter Eintrag „nix“ im Vermittlungskatalog.' });
    expect(resolveCatalogueChoice(CATALOGUE, 'service', { code: 'p-drk' }, FIELDS, true)).toEqual({ ok: false, field: 'serviceCode', message: 'Unbekannter Eintrag „p-drk“ im Vermittlungskatalog.' });
    expect(resolveCatalogueChoice(CATALOGUE, 'service', { code: 'alt' }, FIELDS, true)).toEqual({
      ok: false,
      field: 'serviceCode',
      message: '„Altes Angebot“ ist im Vermittlungskatalog deaktiviert; bitte einen aktiven Eintrag oder „Sonstiges“ wählen.',
    });
  });

  it('takes "Sonstiges" or no code with free text; asks for the text where it is missing', () => {
    expect(resolveCatalogueChoice(CATALOGUE, 'service', { code: 'sonstiges', text: ' Tafel ' }, FIELDS, true)).toEqual({ ok: true, name: 'Tafel' });
    expect(resolveCatalogueChoice(CATALOGUE, 'service', { text: 'Tafel' }, FIELDS, true)).toEqual({ ok: true, name: 'Tafel' });
    expect(resolveCatalogueChoice(CATALOGUE, 'service', { code: '  ', text: 'Tafel' }, FIELDS, true)).toEqual({ ok: true, name: 'Tafel' });
    const missing = { ok: false, field: 'service', message: 'Bei „Sonstiges“ bitte die Stelle als Text angeben.' };
    expect(resolveCatalogueChoice(CATALOGUE, 'service', { code: 'sonstiges', text: '  ' }, FIELDS, true)).toEqual(missing);
    expect(resolveCatalogueChoice(CATALOGUE, 'service', {}, FIELDS, true)).toEqual(missing);
    // The partner may be left out — but not "Sonstiges" without its name.
    expect(resolveCatalogueChoice(CATALOGUE, 'partner', {}, { code: 'partnerCode', text: 'partnerName' }, false)).toEqual({ ok: true });
    expect(resolveCatalogueChoice(CATALOGUE, 'partner', { code: 'sonstiges' }, { code: 'partnerCode', text: 'partnerName' }, false)).toEqual({
      ok: false,
      field: 'partnerName',
      message: 'Bei „Sonstiges“ bitte die Stelle als Text angeben.',
    });
  });

  it('is a catalogue request only for refer with a code', () => {
    expect(usesCatalogue('refer', { serviceCode: 'jobcenter' })).toBe(true);
    expect(usesCatalogue('refer', { partnerCode: 'p-drk', service: 'x' })).toBe(true);
    expect(usesCatalogue('refer', { service: 'Jobcenter' })).toBe(false);
    expect(usesCatalogue('refer', { serviceCode: '', partnerCode: '' })).toBe(false);
    expect(usesCatalogue('refer', { serviceCode: 7 })).toBe(false);
    expect(usesCatalogue('refer', null)).toBe(false);
    expect(usesCatalogue('refer', 'jobcenter')).toBe(false);
    expect(usesCatalogue('record-contact', { serviceCode: 'jobcenter' })).toBe(false);
  });
});

describe('the target a referral is counted under', () => {
  const index = catalogueIndex(CATALOGUE);

  it('is its code, shown by the entry name of today', () => {
    expect(referralTarget(index, 'schuldnerberatung', 'Schuldnerberatung (alter Name)')).toEqual({ key: '\u0000schuldnerberatung', name: 'Schuldnerberatung' });
    // A code the catalogue does not know (never deleted, but data may be older): still one target, shown by spelling.
    expect(referralTarget(index, 'weg', 'Weg-Dienst')).toEqual({ key: '\u0000weg' });
  });

  it('is, for free text, the entry its name matches once normalised — else the normalised text', () => {
    expect(referralTarget(index, undefined, '  JOBcenter ')).toEqual({ key: '\u0000jobcenter', name: 'Jobcenter' });
    expect(referralTarget(index, undefined, 'Altes  angebot')).toEqual({ key: '\u0000alt', name: 'Altes Angebot' });
    expect(referralTarget(index, undefined, 'Tafel  Zülpich')).toEqual({ key: 'tafel zülpich' });
    expect(referralTarget(catalogueIndex([]), undefined, 'Jobcenter')).toEqual({ key: 'jobcenter' });
  });

  it('keeps the first entry of a name', () => {
    const twice = catalogueIndex([
      { code: 'a', name: 'Dienst' },
      { code: 'b', name: ' dienst' },
    ]);
    expect(twice.byName.get('dienst')).toBe('a');
    expect(twice.byCode.get('b')?.name).toBe(' dienst');
  });
});

describe('a referral with codes', () => {
  const referred = (rules: 8 | 10) => {
    const d = new CaseDriver();
    d.rules = rules;
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    const r = d.try('refer', { service: 'Jobcenter', serviceCode: 'jobcenter', partnerName: 'DRK', partnerCode: 'p-drk' });
    if (!r.ok) expect.fail(JSON.stringify(r.error));
    return r;
  };

  it('keeps them on rules 10, in the case and in the event', () => {
    const r = referred(10);
    expect(r.next.referrals[0]).toMatchObject({ service: 'Jobcenter', serviceCode: 'jobcenter', partnerName: 'DRK', partnerCode: 'p-drk' });
    expect(r.events.find((e) => e.type === 'referral_sent')!.data.referral).toMatchObject({ serviceCode: 'jobcenter', partnerCode: 'p-drk' });
  });

  it('is written as before on older rules (a history recorded then replays as it was)', () => {
    const r = referred(8);
    expect(r.next.referrals[0]).toMatchObject({ service: 'Jobcenter', partnerName: 'DRK' });
    expect(r.next.referrals[0]).not.toHaveProperty('serviceCode');
    expect(r.next.referrals[0]).not.toHaveProperty('partnerCode');
  });

  it('refuses a malformed code in the workflow\'s own check', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    const error = refusal(d.try('refer', { service: 'Jobcenter', serviceCode: 'Job Center' }), 'validation_failed');
    expect(error.fields).toEqual({ serviceCode: 'Katalogcode: Kleinbuchstaben, Ziffern und Bindestriche (2–40 Zeichen).' });
  });
});

describe('the controlling report by code', () => {
  const rows: ControllingCaseEvent[] = [];
  const at = (day: number) => `2025-03-${String(day).padStart(2, '0')}T10:00:00Z`;
  const referral = (caseId: string, day: number, service: string, serviceCode?: string) => {
    rows.push({ caseId, seq: 1, type: 'case_opened', at: at(day), data: { caseId, organisationId: 'drk', municipality: 'Kall' } });
    rows.push({ caseId, seq: 2, type: 'referral_sent', at: at(day + 1), data: { fromState: 'goal_planning', toState: 'referral', referral: { id: `r-${caseId}`, service, ...(serviceCode ? { serviceCode } : {}) } } });
  };
  // The entry was renamed after A and B were referred: one target all the same.
  referral('A', 3, 'Schuldnerberatung', 'schuldnerberatung');
  referral('B', 4, 'Schuldner-Beratung', 'schuldnerberatung');
  referral('C', 5, ' schuldner- und insolvenzberatung'); // free text of before, today's name
  referral('D', 6, 'Tafel'); // free text, no entry
  referral('E', 7, 'tafel');
  const catalogue = [{ code: 'schuldnerberatung', name: 'Schuldner- und Insolvenzberatung' }];
  const query = { caseEvents: rows, from: '2025-03-01', to: '2025-03-31', groupBy: 'organisation' as const, minPersons: 1 };

  it('groups by code under the current name, and free text under its entry or its own spelling', () => {
    const services = (computeControlling({ ...query, referralCatalogue: catalogue }).total.figures as any).referrals.byService;
    expect(Object.keys(services)).toEqual(['Schuldner- und Insolvenzberatung', 'Tafel']);
    expect(services['Schuldner- und Insolvenzberatung'].sent).toEqual({ value: 3 });
    expect(services.Tafel.sent).toEqual({ value: 2 });
  });

  it('counts the same from the facts as from the events', () => {
    const withCatalogue = { ...query, referralCatalogue: catalogue };
    expect(computeControlling(withCatalogue)).toEqual(computeControllingFromEvents(withCatalogue));
    expect(computeControlling(query)).toEqual(computeControllingFromEvents(query));
  });

  it('without a catalogue, by code where there is one, else by spelling as before', () => {
    const services = (computeControlling(query).total.figures as any).referrals.byService;
    // A and B by their code (shown in the spelling that sorts first), C by its text.
    expect(Object.keys(services)).toEqual(['schuldner- und insolvenzberatung', 'Schuldner-Beratung', 'Tafel']);
    expect(services['Schuldner-Beratung'].sent).toEqual({ value: 2 });
  });
});
