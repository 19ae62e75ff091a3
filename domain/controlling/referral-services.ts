// Referral targets of the controlling report: free text, normalised (case, blanks) and pooled under OTHER_SERVICES
// when fewer than `minPersons` persons were referred there in the whole period (a rare target could identify someone).
// A referral with a catalogue code is counted by its code, free text under the entry its name matches (issue 14).
import { catalogueIndex, referralTarget } from '../referral-catalogue.js';
import { OTHER_SERVICES } from './model.js';
import { SEP, obj, referralIdOf, str, type CaseModel } from './histories.js';

export interface ReferralServices {
  /** `referralKey(case, referral)` → the service name shown (a spelling of it, or OTHER_SERVICES). */
  serviceOf: Map<string, string>;
  /** Services with figures in the period, alphabetically, OTHER_SERVICES last. */
  services: string[];
}

export const referralKey = (caseId: string, referralId: string): string => `${caseId}${SEP}${referralId}`;

export function referralServices(
  cases: readonly CaseModel[],
  start: number,
  end: number,
  minPersons: number,
  catalogue: readonly { code: string; name: string }[] = [],
): ReferralServices {
  const { rawService, spellings, servicePersons } = readServices(cases, start, end, catalogue);
  const serviceOf = new Map<string, string>();
  for (const [ref, norm] of rawService) {
    const shown = (servicePersons.get(norm)?.size ?? 0) >= minPersons;
    serviceOf.set(ref, shown ? [...spellings.get(norm)!].sort()[0]! : OTHER_SERVICES);
  }
  const usedServices = new Set<string>();
  for (const c of cases) {
    for (const e of c.events) {
      if (e.at < start || e.at >= end || !e.type.startsWith('referral_')) continue;
      const id = referralIdOf(e);
      usedServices.add((id && serviceOf.get(referralKey(c.id, id))) ?? OTHER_SERVICES);
    }
  }
  const services = [...usedServices].filter((s) => s !== OTHER_SERVICES).sort((a, b) => a.localeCompare(b, 'de'));
  if (usedServices.has(OTHER_SERVICES)) services.push(OTHER_SERVICES);
  return { serviceOf, services };
}

/** Every referral's normalised target, the spellings of each target, and the persons referred there in the period. */
function readServices(cases: readonly CaseModel[], start: number, end: number, catalogue: readonly { code: string; name: string }[]) {
  const index = catalogueIndex(catalogue);
  const rawService = new Map<string, string>();
  const spellings = new Map<string, string[]>();
  const servicePersons = new Map<string, Set<string>>();
  for (const c of cases) {
    for (const e of c.events) {
      if (e.type !== 'referral_sent') continue;
      const referral = obj(e.data.referral);
      const id = str(referral, 'id');
      const spelling = (str(referral, 'service') ?? '').trim().replace(/\s+/g, ' ');
      if (!id || !spelling) continue;
      const target = referralTarget(index, str(referral, 'serviceCode'), spelling);
      const norm = target.key;
      rawService.set(referralKey(c.id, id), norm);
      spellings.set(norm, target.name !== undefined ? [target.name] : [...(spellings.get(norm) ?? []), spelling]);
    }
    for (const e of c.events) {
      if (!['referral_sent', 'referral_outcome_recorded', 'referral_stopped'].includes(e.type) || e.at < start || e.at >= end) continue;
      const id = referralIdOf(e);
      const norm = id && rawService.get(referralKey(c.id, id));
      if (!norm) continue;
      servicePersons.set(norm, (servicePersons.get(norm) ?? new Set()).add(c.person));
    }
  }
  return { rawService, spellings, servicePersons };
}
