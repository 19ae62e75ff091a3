// Provider proposal (Zuständigkeit, seed section 3.4). The system only *proposes*; a person confirms or overrides the
// proposal with a reason (`confirm-provider`).
//
// Seed: Caritas Eifel / Caritas Euskirchen / DRK serve people "im Alter von über 18 Jahren" by municipality; KJA Bonn
// serves young people aged 6–27 county-wide. The bands overlap for 18–27. Default rules (configurable):
//   - age < 6:       the municipality's adult provider — small children are counselled together with their family,
//                    which the municipal provider does; KJA's target group starts at 6. (Seed is silent; our choice.)
//   - 6 ≤ age < 18:  KJA (the only provider for minors).
//   - 18 ≤ age ≤ 27: the municipality's provider (we read "über 18" as "volljährig", i.e. 18 and older); KJA is listed
//                    as alternative because it is equally responsible.
//   - age > 27:      the municipality's provider.
import { ageOn, isIsoDate, isIsoTimestamp, datePart } from './dates.js';
import { normaliseMunicipality, organisationShortName, type Municipality } from './organisations.js';

/** Configurable by admins/coordinators (validated by `routingRulesSchema`, settings-schemas.ts). */
export interface RoutingRules {
  /** Adult provider per municipality. */
  municipalProviders: Record<Municipality, string>;
  /** County-wide youth provider and its age band (inclusive). */
  youthProvider: { organisationId: string; minAge: number; maxAge: number };
  /** From this age on the municipal provider is proposed first (youth provider becomes an alternative). */
  adultFromAge: number;
  /** Children below the youth band go to the municipal provider (true) or to the youth provider (false). */
  underYouthAgeToMunicipalProvider: boolean;
}

export const defaultRoutingRules: RoutingRules = {
  municipalProviders: {
    Schleiden: 'caritas-eifel',
    Hellenthal: 'caritas-eifel',
    Dahlem: 'caritas-eifel',
    Blankenheim: 'caritas-eifel',
    Mechernich: 'caritas-eifel',
    Euskirchen: 'caritas-euskirchen',
    'Bad Münstereifel': 'caritas-euskirchen',
    Kall: 'drk',
    Zülpich: 'drk',
    Nettersheim: 'drk',
    Weilerswist: 'drk',
  },
  youthProvider: { organisationId: 'kja', minAge: 6, maxAge: 27 },
  adultFromAge: 18,
  underYouthAgeToMunicipalProvider: true,
};

export interface ProviderProposalInput {
  municipality: string;
  /** `YYYY-MM-DD` */
  birthDate: string;
  /** The day the proposal is made (ISO date or timestamp) — age is computed on this day. */
  on: string;
}

export interface ProviderProposal {
  ok: true;
  organisationId: string;
  /** German, human-readable: why this provider. */
  reason: string;
  /** Other organisations that are responsible as well (shown to the person confirming). */
  alternatives: string[];
  municipality: Municipality;
  age: number;
}

export type ProviderProposalError =
  | { ok: false; error: { code: 'unknown_municipality'; message: string; municipality: string } }
  | { ok: false; error: { code: 'invalid_birth_date'; message: string; birthDate: string } };

export function proposeProvider(
  input: ProviderProposalInput,
  rules: RoutingRules = defaultRoutingRules,
): ProviderProposal | ProviderProposalError {
  const municipality = normaliseMunicipality(input.municipality);
  if (!municipality) {
    return {
      ok: false,
      error: {
        code: 'unknown_municipality',
        message: `Unbekannte Gemeinde „${input.municipality}“ – zulässig sind die elf Kommunen des Kreises Euskirchen.`,
        municipality: input.municipality,
      },
    };
  }
  if (!isIsoDate(input.birthDate) || !(isIsoDate(input.on) || isIsoTimestamp(input.on)) || input.birthDate > datePart(input.on)) {
    return {
      ok: false,
      error: { code: 'invalid_birth_date', message: 'Ungültiges Geburtsdatum.', birthDate: input.birthDate },
    };
  }
  const age = ageOn(input.birthDate, input.on);
  const municipal = rules.municipalProviders[municipality];
  const youth = rules.youthProvider;
  const mName = organisationShortName(municipal);
  const yName = organisationShortName(youth.organisationId);
  const inYouthBand = age >= youth.minAge && age <= youth.maxAge;
  const base = { ok: true as const, municipality, age };

  if (age < youth.minAge) {
    return rules.underYouthAgeToMunicipalProvider
      ? {
          ...base,
          organisationId: municipal,
          reason: `${age} Jahre, unter ${youth.minAge}: Begleitung mit der Familie über den für ${municipality} zuständigen Träger (${mName}).`,
          alternatives: [],
        }
      : {
          ...base,
          organisationId: youth.organisationId,
          reason: `${age} Jahre, unter ${youth.minAge}: laut Regel an ${yName}.`,
          alternatives: [municipal],
        };
  }
  if (age < rules.adultFromAge) {
    return {
      ...base,
      organisationId: youth.organisationId,
      reason: `${age} Jahre, minderjährig: ${yName} ist kreisweit für junge Menschen von ${youth.minAge} bis ${youth.maxAge} Jahren zuständig.`,
      alternatives: [],
    };
  }
  if (inYouthBand) {
    return {
      ...base,
      organisationId: municipal,
      reason:
        `${age} Jahre, Wohnort ${municipality}: ${mName} ist für Erwachsene in ${municipality} zuständig. ` +
        `${yName} ist für ${youth.minAge}–${youth.maxAge}-Jährige ebenfalls zuständig und als Alternative vorgeschlagen.`,
      alternatives: [youth.organisationId],
    };
  }
  return {
    ...base,
    organisationId: municipal,
    reason: `${age} Jahre, Wohnort ${municipality}: ${mName} ist für Erwachsene in ${municipality} zuständig.`,
    alternatives: [],
  };
}
