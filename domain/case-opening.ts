// Who may open a case where (shared/domain.md "Who opens a case where", seed sections 3.1–3.4). The routing proposal
// stays (it is recorded with the case); this rule decides which organisation holds the case the person opens:
//   - a provider's case manager: their own organisation, or the proposal (the default);
//   - a county post (KIM team, Integration Point/Jobcenter, BNE, ABH-CM): keeps the cases it opens;
//   - an ABH counsellor: the ABH (Fallbegleitung in the ABH's own KIM CM) — never a provider directly; passing a
//     person on needs the client's consent first, so it goes through a handover (section 3.3);
//   - coordination: the proposal, or any organisation that holds cases.
// A transfer out of the ABH to another organisation also goes through the consent-gated handover.
import type { ActorRole, OrganisationKind } from './organisations.js';

/** The county's own KIM posts and their focus (seed 3.1–3.3), so coordination sees which post holds a case. */
export const COUNTY_POSTS = ['kim_team', 'integration_point', 'bne', 'abh_cm'] as const;
export type CountyPost = (typeof COUNTY_POSTS)[number];
export const COUNTY_POST_LABELS: Record<CountyPost, string> = {
  kim_team: 'KIM-Team des Kreises',
  integration_point: 'KIM-CM Integration Point/Jobcenter',
  bne: 'KIM-CM Bildung für nachhaltige Entwicklung (BNE)',
  abh_cm: 'KIM-CM in der Ausländerbehörde',
};

/** Organisation kinds that hold cases (partners and the Jobcenter itself have no KIM case managers). */
export const CASE_HOLDING_KINDS: readonly OrganisationKind[] = ['provider', 'county', 'abh'];

export interface OpeningOrganisation {
  id: string;
  kind: OrganisationKind;
  countyPost?: CountyPost | null;
}

export interface OpeningInput {
  role: ActorRole;
  /** The opening person's organisation. */
  own: OpeningOrganisation;
  proposedOrganisationId: string;
  /** The organisation named in the request (`organisationId`), looked up; `null` when it names none that exists. */
  requested?: OpeningOrganisation | null;
}

export type OpeningBasis = 'proposal' | 'own_organisation' | 'county_post' | 'abh' | 'coordination';

export type OpeningRefusal = {
  ok: false;
  /** 409: the process requires another way (a handover); 422: the named organisation is not allowed. */
  status: 409 | 422;
  code: 'handover_required' | 'validation_failed';
  message: string;
  /** The allowed way, in German. */
  allowed: string;
};

export type OpeningDecision = { ok: true; organisationId: string; basis: OpeningBasis } | OpeningRefusal;

const HANDOVER_WAY = 'Fall in der ABH anlegen (Fallbegleitung) oder eine Übergabe vorschlagen: „Übergabe vorschlagen“ (POST /api/v1/handovers).';

/** Whether the organisation is one of the county's own posts (they keep the cases they open). */
export function isCountyPost(o: Pick<OpeningOrganisation, 'kind'>): boolean {
  return o.kind === 'county' || o.kind === 'abh';
}

/** Which organisation holds a case the person opens, or why not. Pure. */
export function caseHolderAtOpening(input: OpeningInput): OpeningDecision {
  const { role, own, proposedOrganisationId, requested } = input;
  const named = requested !== undefined;
  if (named && requested === null) return refuse(422, 'validation_failed', 'Unbekannte Organisation.', 'Eine bestehende Organisation angeben oder das Feld weglassen.');
  if (role === 'coordinator') {
    if (!requested) return { ok: true, organisationId: proposedOrganisationId, basis: 'proposal' };
    if (!CASE_HOLDING_KINDS.includes(requested.kind)) {
      return refuse(422, 'validation_failed', 'Diese Organisation kann keine Fälle führen.', 'Einen Träger, eine Stelle des Kreises oder die ABH angeben.');
    }
    return { ok: true, organisationId: requested.id, basis: 'coordination' };
  }
  if (role === 'abh_counsellor') {
    if (requested && requested.id !== own.id) {
      return refuse(
        409,
        'handover_required',
        'Die Sozialberatung der ABH kann keinen Fall direkt bei einem Träger oder einer anderen Stelle anlegen: ohne Einwilligung der Person werden keine Daten weitergegeben (Übergabe mit Einwilligung und Übergabegespräch).',
        HANDOVER_WAY,
      );
    }
    return { ok: true, organisationId: own.id, basis: 'abh' };
  }
  if (role !== 'case_manager') return refuse(422, 'validation_failed', 'Ihre Rolle darf keine Fälle anlegen.', 'Die Fallaufnahme durch Case Management, Sozialberatung der ABH oder Koordination.');
  if (isCountyPost(own)) {
    if (requested && requested.id !== own.id) {
      return refuse(
        422,
        'validation_failed',
        'Stellen des Kreises führen die Fälle, die sie anlegen, selbst.',
        'Den Fall ohne Organisation (oder mit der eigenen) anlegen; eine Abgabe an einen Träger ist danach mit „Übertragen“ möglich.',
      );
    }
    return { ok: true, organisationId: own.id, basis: 'county_post' };
  }
  if (!requested) return { ok: true, organisationId: proposedOrganisationId, basis: 'proposal' };
  if (requested.id === own.id) return { ok: true, organisationId: own.id, basis: 'own_organisation' };
  if (requested.id === proposedOrganisationId) return { ok: true, organisationId: requested.id, basis: 'proposal' };
  return refuse(
    422,
    'validation_failed',
    'Case Manager*innen legen Fälle für ihre eigene Organisation an oder übernehmen den Trägervorschlag.',
    'Die eigene Organisation angeben oder das Feld weglassen (Trägervorschlag).',
  );
}

/**
 * German reason why a transfer from `from` to `to` is not a transfer but needs a handover, or null. A case held by
 * the ABH leaves it only with the client's consent: through a handover (section 3.3).
 */
export function transferError(from: Pick<OpeningOrganisation, 'id' | 'kind'>, to: Pick<OpeningOrganisation, 'id' | 'kind'>): OpeningRefusal | null {
  if (from.kind !== 'abh' || to.id === from.id || to.kind === 'abh') return null;
  return refuse(
    409,
    'handover_required',
    'Ein Fall der ABH geht nur mit Einwilligung der Person an eine andere Organisation: bitte eine Übergabe vorschlagen statt zu übertragen.',
    'Übergabe vorschlagen (POST /api/v1/handovers, mit bestehendem Fall: caseId) – Einwilligung, Übergabegespräch, Fallübernahme.',
  );
}

function refuse(status: 409 | 422, code: OpeningRefusal['code'], message: string, allowed: string): OpeningRefusal {
  return { ok: false, status, code, message, allowed };
}
