// The referral catalogue (Vermittlungskatalog, issue 14): services and partner institutions a referral names by a
// stable code, so the controlling figures no longer split on spellings ("Jobcenter", "jobcenter ", "JC"). What is
// missing from the catalogue is still referred as "Sonstiges" with free text. Referrals of before carry free text only:
// they are counted under the catalogue entry whose name matches theirs once normalised, else under their own text.

export const REFERRAL_CATALOGUE_KINDS = ['service', 'partner'] as const;
export type ReferralCatalogueKind = (typeof REFERRAL_CATALOGUE_KINDS)[number];
export const REFERRAL_CATALOGUE_KIND_LABELS: Record<ReferralCatalogueKind, string> = { service: 'Angebot/Dienst', partner: 'Partnerinstitution' };

/** The choice "Sonstiges": no catalogue entry, the free text names the target. Never a code of an entry. */
export const OTHER_CATALOGUE_CODE = 'sonstiges';

export interface ReferralCatalogueEntry {
  code: string;
  name: string;
  kind: ReferralCatalogueKind;
  organisationId?: string | null;
  active: boolean;
}

/** Codes: lowercase letters, digits and dashes, 2–40 characters, starting with a letter or digit. */
export const CATALOGUE_CODE_PATTERN = /^[a-z0-9][a-z0-9-]{1,39}$/;

export const CATALOGUE_CODE_MESSAGE = 'Katalogcode: Kleinbuchstaben, Ziffern und Bindestriche (2–40 Zeichen).';

/** A refer request a run on older rules takes with catalogue codes (the workflow gates it by a patch). */
export function usesCatalogue(action: string, payload: unknown): boolean {
  if (action !== 'refer' || typeof payload !== 'object' || payload === null) return false;
  const p = payload as Record<string, unknown>;
  return (typeof p.serviceCode === 'string' && p.serviceCode !== '') || (typeof p.partnerCode === 'string' && p.partnerCode !== '');
}

export function isCatalogueCode(value: string): boolean {
  return CATALOGUE_CODE_PATTERN.test(value) && value !== OTHER_CATALOGUE_CODE;
}

/** The form two spellings of one target share: Unicode NFC, trimmed, inner blanks collapsed, lowercase (German). */
export function normaliseTargetName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('de');
}

const UMLAUTS: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };

/** A code proposed for a new entry from its name ("Sozialpsychiatrischer Dienst" → "sozialpsychiatrischer-dienst"). */
export function codeFromName(name: string): string {
  const slug = normaliseTargetName(name)
    .replace(/[äöüß]/g, (ch) => UMLAUTS[ch]!)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug.length >= 2 ? slug : `eintrag-${slug || 'x'}`;
}

/**
 * Entries of Kreis Euskirchen: the services named in the concept (seed 3.1, 4: Jobcenter/Integration Point,
 * Ausländerbehörde, Jugendamt, Sozialpsychiatrischer Dienst, (muttersprachliche) Schuldnerberatung, Sprachkurse,
 * Anerkennung ausländischer Abschlüsse, MBE, JMD, Flüchtlingsberatung) and the institutions of the organisations' data.
 */
export const SEED_REFERRAL_CATALOGUE: readonly ReferralCatalogueEntry[] = [
  { code: 'jobcenter', name: 'Jobcenter', kind: 'service', organisationId: 'jobcenter', active: true },
  { code: 'integration-point', name: 'Integration Point', kind: 'service', organisationId: 'jobcenter', active: true },
  { code: 'agentur-fuer-arbeit', name: 'Agentur für Arbeit', kind: 'service', active: true },
  { code: 'mbe', name: 'Migrationsberatung für Erwachsene (MBE)', kind: 'service', active: true },
  { code: 'jmd', name: 'Jugendmigrationsdienst (JMD)', kind: 'service', active: true },
  { code: 'fluechtlingsberatung', name: 'Flüchtlingsberatung', kind: 'service', active: true },
  { code: 'sprachkurs', name: 'Sprachkurs', kind: 'service', active: true },
  { code: 'schuldnerberatung', name: 'Schuldnerberatung', kind: 'service', active: true },
  { code: 'spdi', name: 'Sozialpsychiatrischer Dienst', kind: 'service', active: true },
  { code: 'anerkennungsberatung', name: 'Anerkennungsberatung', kind: 'service', active: true },
  { code: 'jugendamt', name: 'Jugendamt', kind: 'service', active: true },
  { code: 'sozialamt', name: 'Sozialamt', kind: 'service', active: true },
  { code: 'auslaenderbehoerde', name: 'Ausländerbehörde', kind: 'service', organisationId: 'abh', active: true },
  { code: 'p-jobcenter', name: 'Integration Point / Jobcenter Euskirchen', kind: 'partner', organisationId: 'jobcenter', active: true },
  { code: 'p-abh', name: 'Ausländerbehörde Kreis Euskirchen (Abt. 32)', kind: 'partner', organisationId: 'abh', active: true },
  { code: 'p-caritas-eifel', name: 'Caritasverband für die Region Eifel', kind: 'partner', organisationId: 'caritas-eifel', active: true },
  { code: 'p-caritas-euskirchen', name: 'Caritasverband für das Kreisdekanat Euskirchen', kind: 'partner', organisationId: 'caritas-euskirchen', active: true },
  { code: 'p-drk', name: 'DRK Kreisverband Euskirchen', kind: 'partner', organisationId: 'drk', active: true },
  { code: 'p-kja', name: 'Katholische Jugendagentur (KJA) Bonn', kind: 'partner', organisationId: 'kja', active: true },
  { code: 'p-iq-netzwerk', name: 'IQ Netzwerk NRW', kind: 'partner', active: true },
];

export type CatalogueChoice =
  | { ok: true; code?: string; name?: string }
  | { ok: false; field: string; message: string };

/**
 * What a referral names for one kind: a catalogue code (an active entry of that kind), "Sonstiges" with free text,
 * or (no code) the free text alone, as before the catalogue. `required`: the service must be named; the partner not.
 */
export function resolveCatalogueChoice(
  catalogue: readonly ReferralCatalogueEntry[],
  kind: ReferralCatalogueKind,
  choice: { code?: string | undefined; text?: string | undefined },
  fields: { code: string; text: string },
  required: boolean,
): CatalogueChoice {
  const text = choice.text?.trim() || undefined;
  const code = choice.code?.trim() || undefined;
  if (!code || code === OTHER_CATALOGUE_CODE) {
    if (text) return { ok: true, name: text };
    if (!required && !code) return { ok: true };
    return { ok: false, field: fields.text, message: 'Bei „Sonstiges“ bitte die Stelle als Text angeben.' };
  }
  const entry = catalogue.find((e) => e.code === code);
  if (!entry || entry.kind !== kind) return { ok: false, field: fields.code, message: `Unbekannter Eintrag „${code}“ im Vermittlungskatalog.` };
  if (!entry.active) return { ok: false, field: fields.code, message: `„${entry.name}“ ist im Vermittlungskatalog deaktiviert; bitte einen aktiven Eintrag oder „Sonstiges“ wählen.` };
  return { ok: true, code: entry.code, name: entry.name };
}

/** A name index of the catalogue: code → entry, normalised name → code (every entry, active or not). */
export interface CatalogueIndex {
  byCode: ReadonlyMap<string, ReferralCatalogueEntry>;
  byName: ReadonlyMap<string, string>;
}

export function catalogueIndex(catalogue: readonly Pick<ReferralCatalogueEntry, 'code' | 'name'>[]): CatalogueIndex {
  const byCode = new Map<string, ReferralCatalogueEntry>();
  const byName = new Map<string, string>();
  for (const e of catalogue) {
    byCode.set(e.code, e as ReferralCatalogueEntry);
    const norm = normaliseTargetName(e.name);
    if (!byName.has(norm)) byName.set(norm, e.code);
  }
  return { byCode, byName };
}

/** Key of a catalogue target (a code can never collide with a normalised free text, which has no NUL). */
const CODE_KEY = '\u0000';

/**
 * The target a referral is counted under: its code; for one without (free text) the code of the entry whose name
 * matches once normalised, else the normalised text. `key` groups, `name` is shown (the entry's current name).
 */
export function referralTarget(index: CatalogueIndex, code: string | undefined, spelling: string): { key: string; name?: string } {
  const matched = code ?? index.byName.get(normaliseTargetName(spelling));
  if (matched !== undefined) {
    const entry = index.byCode.get(matched);
    // A code the catalogue does not know (data older than it): one target still, shown as its free text is.
    return entry ? { key: CODE_KEY + matched, name: entry.name } : { key: CODE_KEY + matched };
  }
  return { key: normaliseTargetName(spelling) };
}
