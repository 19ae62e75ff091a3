// Consent-bound sharing, pure: which categories a consent covers, which consents are in force for a partner, and the
// projection of a case to exactly what the partner may see.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SHARING_CATEGORIES,
  SHARING_CATEGORIES,
  SHARING_CATEGORY_LABELS,
  consentCategories,
  parseActionPayload,
  partnerCaseView,
  sharedReadPurpose,
  sharingConsentsInForce,
  type Consent,
  type PartnerCaseInput,
} from '../../domain/index.js';
import { CaseDriver, T0 } from './helpers.js';

const share = (over: Partial<Consent> = {}): Consent => ({
  id: 'k-1',
  scope: 'share_with_partner',
  decision: 'given',
  partnerOrganisationId: 'jobcenter',
  purpose: 'Vermittlung in Arbeit',
  recordedBy: 'u-cm',
  recordedAt: T0,
  ...over,
});

const person = { givenName: 'Samir', familyName: 'Al-Khatib', birthDate: '1988-07-21', municipality: 'Zülpich', languages: ['ar'] };

/** A DRK case with assessment, goal and two referrals, one of them under consent k-1. */
function caseInput(consents: Consent[]): PartnerCaseInput {
  const d = new CaseDriver();
  d.do('confirm-provider', { organisationId: 'drk' });
  d.do('record-consent', { scope: 'data_processing', decision: 'given' });
  d.do('start-assessment');
  d.do('complete-assessment', {
    lifeAreas: [
      { area: 'work', situation: 'Sucht Arbeit als Elektriker', need: 'high' },
      { area: 'health', situation: 'Chronische Erkrankung', need: 'low' },
    ],
  });
  d.do('agree-goals', { goals: [{ title: 'Arbeit finden', measure: 'Bewerbungen', owner: 'Klient', dueDate: '2025-06-30' }] });
  const data = structuredClone(d.c);
  data.referrals = [
    { id: 'ref-a', service: 'Jobcenter', consentId: 'k-1', sentAt: T0, sentBy: 'u-cm', dueDate: '2025-03-17', status: 'sent' },
    { id: 'ref-b', service: 'Schuldnerberatung', sentAt: T0, sentBy: 'u-cm', dueDate: '2025-03-17', status: 'sent' },
    { id: 'ref-c', service: 'Sprachkurs', consentId: 'k-other', sentAt: T0, sentBy: 'u-cm', dueDate: '2025-03-17', status: 'sent' },
  ];
  return { caseId: 'case-1', organisationId: 'drk', person, data, consents };
}

describe('consentCategories', () => {
  it('gives the default set (master data, referral) when a consent names none', () => {
    expect(DEFAULT_SHARING_CATEGORIES).toEqual(['master_data', 'referral']);
    expect(consentCategories(share())).toEqual(['master_data', 'referral']);
    expect(consentCategories(share({ dataCategories: [] }))).toEqual(['master_data', 'referral']);
  });

  it('keeps the named ones in canonical order; situation texts bring their life areas', () => {
    expect(consentCategories(share({ dataCategories: ['goals', 'master_data'] }))).toEqual(['master_data', 'goals']);
    expect(consentCategories(share({ dataCategories: ['life_area_situations'] }))).toEqual(['life_areas', 'life_area_situations']);
  });

  it('ignores unknown names instead of widening access', () => {
    expect(consentCategories(share({ dataCategories: ['contact_details'] }))).toEqual([]);
    expect(consentCategories(share({ dataCategories: ['contact_details', 'goals'] }))).toEqual(['goals']);
  });

  it('has a German label for every category', () => {
    for (const c of SHARING_CATEGORIES) expect(SHARING_CATEGORY_LABELS[c]).toMatch(/\S/);
  });
});

describe('sharingConsentsInForce', () => {
  it('takes only given, not withdrawn share_with_partner consents naming that organisation', () => {
    const consents = [
      share({ id: 'a' }),
      share({ id: 'b', withdrawnAt: T0 }),
      share({ id: 'c', decision: 'refused' }),
      share({ id: 'd', partnerOrganisationId: 'drk' }),
      share({ id: 'e', scope: 'data_processing' }),
      share({ id: 'f', partnerOrganisationId: undefined, partnerName: 'Jobcenter' }),
    ];
    expect(sharingConsentsInForce(consents, 'jobcenter').map((k) => k.id)).toEqual(['a']);
    expect(sharingConsentsInForce(consents, 'drk').map((k) => k.id)).toEqual(['d']);
    expect(sharingConsentsInForce(consents, 'kja')).toEqual([]);
  });
});

describe('partnerCaseView', () => {
  it('is null without a consent in force for the viewer', () => {
    expect(partnerCaseView(caseInput([]), 'jobcenter')).toBeNull();
    expect(partnerCaseView(caseInput([share({ withdrawnAt: T0 })]), 'jobcenter')).toBeNull();
    expect(partnerCaseView(caseInput([share()]), 'caritas-eifel')).toBeNull();
  });

  it('shows the default set: master data and the referrals made under this consent, nothing else', () => {
    const v = partnerCaseView(caseInput([share()]), 'jobcenter')!;
    expect(Object.keys(v).sort()).toEqual(['access', 'consents', 'dataCategories', 'id', 'organisationId', 'person', 'referrals', 'sharedWithOrganisationId']);
    expect(v).toMatchObject({ id: 'case-1', access: 'partner', organisationId: 'drk', sharedWithOrganisationId: 'jobcenter', person });
    expect(v.consents).toEqual([{ id: 'k-1', purpose: 'Vermittlung in Arbeit', partnerName: null, recordedAt: T0, dataCategories: ['master_data', 'referral'] }]);
    expect(v.referrals!.map((r) => r.id)).toEqual(['ref-a']);
    expect(JSON.stringify(v)).not.toMatch(/Schuldnerberatung|Sprachkurs|Elektriker|Arbeit finden/);
  });

  it('shows life areas without situations unless those are consented, and goals only when consented', () => {
    const areas = partnerCaseView(caseInput([share({ dataCategories: ['life_areas'] })]), 'jobcenter')!;
    expect(areas.person).toBeUndefined();
    expect(areas.referrals).toBeUndefined();
    expect(areas.goals).toBeUndefined();
    expect(areas.lifeAreas).toEqual([
      { area: 'work', label: 'Arbeit', need: 'high' },
      { area: 'health', label: 'Gesundheit', need: 'low' },
    ]);
    const texts = partnerCaseView(caseInput([share({ dataCategories: ['life_area_situations', 'goals'] })]), 'jobcenter')!;
    expect(texts.lifeAreas![0]).toEqual({ area: 'work', label: 'Arbeit', need: 'high', situation: 'Sucht Arbeit als Elektriker' });
    expect(texts.goals).toEqual([expect.objectContaining({ title: 'Arbeit finden', measure: 'Bewerbungen', dueDate: '2025-06-30', status: 'open' })]);
    expect(Object.keys(texts.goals![0]!)).not.toContain('owner');
  });

  it('unites the categories of several consents in force for the same partner, ignoring withdrawn ones', () => {
    const v = partnerCaseView(
      caseInput([
        share({ id: 'k-1', dataCategories: ['master_data'] }),
        share({ id: 'k-2', dataCategories: ['goals'], purpose: 'Ausbildung' }),
        share({ id: 'k-3', dataCategories: ['life_area_situations'], withdrawnAt: T0 }),
      ]),
      'jobcenter',
    )!;
    expect(v.dataCategories).toEqual(['master_data', 'goals']);
    expect(v.consents.map((k) => k.id)).toEqual(['k-1', 'k-2']);
    expect(v.lifeAreas).toBeUndefined();
    expect(sharedReadPurpose(v)).toBe('Vermittlung in Arbeit; Ausbildung');
  });

  it('without the engine\'s case shows master data and empty lists, never fails', () => {
    const v = partnerCaseView({ ...caseInput([share({ dataCategories: ['master_data', 'referral', 'goals'] })]), data: null }, 'jobcenter')!;
    expect(v.person).toEqual(person);
    expect(v.referrals).toEqual([]);
    expect(v.goals).toEqual([]);
  });
});

describe('record-consent payload', () => {
  it('accepts data categories for sharing and refuses unknown ones, duplicates and other scopes', () => {
    const base = { scope: 'share_with_partner', decision: 'given', partnerOrganisationId: 'jobcenter', purpose: 'Arbeit' };
    expect(parseActionPayload('record-consent', { ...base, dataCategories: ['goals'] })).toMatchObject({ ok: true, payload: { dataCategories: ['goals'] } });
    expect(parseActionPayload('record-consent', { ...base, dataCategories: ['phone'] })).toMatchObject({ ok: false, fields: { 'dataCategories.0': expect.any(String) } });
    expect(parseActionPayload('record-consent', { ...base, dataCategories: ['goals', 'goals'] })).toMatchObject({ ok: false, fields: { dataCategories: expect.any(String) } });
    expect(parseActionPayload('record-consent', { scope: 'data_processing', decision: 'given', dataCategories: ['goals'] })).toMatchObject({
      ok: false,
      fields: { dataCategories: 'Datenkategorien gibt es nur bei Weitergabe an Partner' },
    });
  });

  it('stores the categories on the consent only when given (absent = default set, as for older consents)', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'share_with_partner', decision: 'given', partnerOrganisationId: 'jobcenter', purpose: 'Arbeit', dataCategories: ['goals'] });
    d.do('record-consent', { scope: 'share_with_partner', decision: 'given', partnerOrganisationId: 'jobcenter', purpose: 'Arbeit' });
    expect(d.c.consents[0]!.dataCategories).toEqual(['goals']);
    expect(d.c.consents[1]).not.toHaveProperty('dataCategories');
    expect(d.events.find((e) => e.type === 'consent_recorded')!.data).toMatchObject({ dataCategories: ['goals'] });
  });
});
