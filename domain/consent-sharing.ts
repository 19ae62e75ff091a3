// Consent-bound sharing (domain.md "Consent"; Art. 6(1)(a), 7(3) GDPR): a partner organisation named in a client's
// consent to pass data on (`share_with_partner`) sees exactly the data categories that consent covers — nothing of
// the case beyond them, and nothing at all once the consent is withdrawn. Pure rules: which categories exist, which
// consents are in force for a viewer, and the projection of a case to what that viewer may see.
import { LIFE_AREA_LABELS, type CaseData, type Consent, type LifeArea, type NeedLevel, type ReferralStatus } from './case-model.js';
import type { ResidenceTrack } from './residence-track.js';

/**
 * What a sharing consent can cover. Only data the case actually holds: KIM keeps no contact details (address, phone)
 * of the person, so there is no such category.
 * - master_data: name, birth date, municipality, languages (the Person row)
 * - referral: the referral(s) made under this consent (service, partner, sent, follow-up date, status)
 * - life_areas: the assessed life areas with their need level, without the situation texts
 * - life_area_situations: additionally the situation texts of those life areas (implies life_areas)
 * - goals: the agreed goals with measure, due date and status
 * - residence_law: the residence-law track (current title and expiry, target title, integration achievements,
 *   outcome; domain/residence-track.ts) — how the ABH sees it, only where the client consented (issue 16)
 */
export const SHARING_CATEGORIES = ['master_data', 'referral', 'life_areas', 'life_area_situations', 'goals', 'residence_law'] as const;
export type SharingCategory = (typeof SHARING_CATEGORIES)[number];

export const SHARING_CATEGORY_LABELS: Record<SharingCategory, string> = {
  master_data: 'Stammdaten (Name, Geburtsdatum, Wohnort, Sprachen)',
  referral: 'Vermittlung an diesen Partner (Dienst, Termin, Stand)',
  life_areas: 'Lebensbereiche mit Bedarf (ohne Beschreibung)',
  life_area_situations: 'Beschreibung der Lebenssituation je Bereich',
  goals: 'Vereinbarte Ziele (Ziel, Maßnahme, Termin, Stand)',
  residence_law: 'Aufenthaltsrechtliche Situation (Titel, Ablaufdatum, Ziel, Integrationsleistungen, Ergebnis)',
};

/** A consent to sharing without categories (recorded before categories existed, or none chosen) covers only these. */
export const DEFAULT_SHARING_CATEGORIES: readonly SharingCategory[] = ['master_data', 'referral'];

export function isSharingCategory(value: string): value is SharingCategory {
  return (SHARING_CATEGORIES as readonly string[]).includes(value);
}

/**
 * The categories a consent covers, in canonical order: the default set when it names none; unknown names (a category
 * dropped in a later release) are ignored rather than widening access; situation texts bring their life areas.
 */
export function consentCategories(consent: Pick<Consent, 'dataCategories'>): SharingCategory[] {
  const named = (consent.dataCategories ?? []).filter(isSharingCategory);
  const chosen = new Set<SharingCategory>(named.length > 0 || (consent.dataCategories ?? []).length > 0 ? named : DEFAULT_SHARING_CATEGORIES);
  if (chosen.has('life_area_situations')) chosen.add('life_areas');
  return SHARING_CATEGORIES.filter((c) => chosen.has(c));
}

/** The sharing consents in force for `organisationId` at this moment: given, not withdrawn, naming that organisation. */
export function sharingConsentsInForce<C extends Pick<Consent, 'scope' | 'decision' | 'partnerOrganisationId' | 'withdrawnAt'>>(
  consents: readonly C[],
  organisationId: string,
): C[] {
  return consents.filter(
    (k) => k.scope === 'share_with_partner' && k.decision === 'given' && !k.withdrawnAt && !!k.partnerOrganisationId && k.partnerOrganisationId === organisationId,
  );
}

/** The Person row's master data, as the projection needs it. */
export interface SharedPersonInput {
  givenName: string;
  familyName: string;
  /** `YYYY-MM-DD` */
  birthDate: string;
  municipality: string;
  languages: string[];
}

export interface PartnerCaseInput {
  caseId: string;
  /** The organisation that holds the case (who shares, whom the partner asks). */
  organisationId: string;
  person: SharedPersonInput;
  /** The case as its workflow holds it; null when the engine holds no workflow (then only master data is shown). */
  data: (Pick<CaseData, 'referrals' | 'assessment' | 'goals'> & Partial<Pick<CaseData, 'residenceLaw'>>) | null;
  /** The case's consents as recorded (the Consent read model, current at request time). */
  consents: readonly Consent[];
}

export interface SharedConsentView {
  id: string;
  purpose: string | null;
  partnerName: string | null;
  recordedAt: string;
  dataCategories: SharingCategory[];
}

export interface PartnerCaseView {
  id: string;
  access: 'partner';
  organisationId: string;
  sharedWithOrganisationId: string;
  /** The union of what the consents in force cover. */
  dataCategories: SharingCategory[];
  consents: SharedConsentView[];
  person?: SharedPersonInput;
  referrals?: Array<{ id: string; service: string; partnerName: string | null; sentAt: string; dueDate: string; status: ReferralStatus; outcomeAt: string | null }>;
  lifeAreas?: Array<{ area: LifeArea; label: string; need: NeedLevel; situation?: string }>;
  goals?: Array<{ id: string; title: string; measure: string; dueDate: string; status: string }>;
  /** The track without who set it (null: none recorded yet). */
  residenceTrack?: Omit<ResidenceTrack, 'setBy'> | null;
}

/**
 * What the partner organisation `viewerOrganisationId` may see of a case: null when no consent is in force for it
 * (the caller answers 404). Otherwise only the categories of the consents in force — a field is absent, not empty,
 * when it is not covered — plus each consent's purpose and date. Referrals are only those made under one of these
 * consents (their `consentId`), never referrals to other partners.
 */
export function partnerCaseView(input: PartnerCaseInput, viewerOrganisationId: string): PartnerCaseView | null {
  const inForce = sharingConsentsInForce(input.consents, viewerOrganisationId);
  if (inForce.length === 0) return null;
  const covered = new Set(inForce.flatMap((k) => consentCategories(k)));
  const categories = SHARING_CATEGORIES.filter((c) => covered.has(c));
  const consentIds = new Set(inForce.map((k) => k.id));
  const view: PartnerCaseView = {
    id: input.caseId,
    access: 'partner',
    organisationId: input.organisationId,
    sharedWithOrganisationId: viewerOrganisationId,
    dataCategories: categories,
    consents: inForce.map((k) => ({
      id: k.id,
      purpose: k.purpose ?? null,
      partnerName: k.partnerName ?? null,
      recordedAt: k.recordedAt,
      dataCategories: consentCategories(k),
    })),
  };
  if (covered.has('master_data')) {
    const p = input.person;
    view.person = { givenName: p.givenName, familyName: p.familyName, birthDate: p.birthDate, municipality: p.municipality, languages: [...p.languages] };
  }
  const data = input.data;
  if (covered.has('referral')) {
    view.referrals = (data?.referrals ?? [])
      .filter((r) => r.consentId !== undefined && consentIds.has(r.consentId))
      .map((r) => ({
        id: r.id,
        service: r.service,
        partnerName: r.partnerName ?? null,
        sentAt: r.sentAt,
        dueDate: r.dueDate,
        status: r.status,
        outcomeAt: r.outcomeAt ?? null,
      }));
  }
  if (covered.has('life_areas')) {
    const withSituation = covered.has('life_area_situations');
    view.lifeAreas = (data?.assessment?.lifeAreas ?? []).map((a) => ({
      area: a.area,
      label: LIFE_AREA_LABELS[a.area],
      need: a.need,
      ...(withSituation ? { situation: a.situation } : {}),
    }));
  }
  if (covered.has('goals')) {
    view.goals = (data?.goals ?? []).map((g) => ({ id: g.id, title: g.title, measure: g.measure, dueDate: g.dueDate, status: g.status }));
  }
  if (covered.has('residence_law')) {
    const track = data?.residenceLaw?.track;
    if (track) {
      const { setBy: _by, ...shown } = track;
      view.residenceTrack = { ...shown, achievements: [...track.achievements] };
    } else view.residenceTrack = null;
  }
  return view;
}

/**
 * The access log's purpose for a partner read: the purposes of the consents it relied on (what the client agreed the
 * data is for). Ids and purposes only — never case content.
 */
export function sharedReadPurpose(view: Pick<PartnerCaseView, 'consents'>): string {
  const purposes = [...new Set(view.consents.map((k) => k.purpose ?? 'Weitergabe an Partner'))];
  return purposes.join('; ').slice(0, 200);
}
