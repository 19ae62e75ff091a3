// One person across providers (issue 16 item 3, concept section 3.4 "Doppelbetreuung vermeiden"): what the intake's
// duplicate check compares, and which cases count as one person once coordination linked them.
//
// The check compares keyed hashes (platform/person-match-key.ts) of the strings made here, never names: so these
// strings must come out the same for the usual spelling variants of one person and are never stored themselves.
// Choices (documented in the README too):
// - case is ignored; German letters are spelt out the German way (ä→ae, ö→oe, ü→ue, ß/ẞ→ss), so "Müller" and
//   "Mueller" meet — "Muller" does not (the loss of the umlaut is a different name as often as a typo);
// - other diacritics are dropped (é→e, ç→c, ş→s, Ł→l, ø→o, æ→ae, œ→oe, ı→i);
// - hyphens, dots, commas and any other separator split a name into words ("Al-Khatib" = "Al Khatib"); apostrophes
//   join ("O'Neill" = "ONeill"); whitespace counts once; letters of other scripts are kept as they are (lowercased);
// - the order of the words and which field they were typed into do not matter: registrations often swap given and
//   family name, so all words of both are sorted into one key;
// - a second key uses only the first given name with the family name, so a person entered once with and once without
//   a middle name still meets;
// - the birth date must be the same day (a date unknown to the day is usually entered as 1 January by every office).
// Not caught on purpose (a coordinator's work, not a rule's): transliteration variants (Mohammed/Muhammad), dropped
// particles (Al-Khatib/Khatib), typos. Related persons of the case file are not clients and are never compared.

/** Version of the matching strings: a change of the rules above needs new hashes (the version is hashed along). */
export const PERSON_MATCH_VERSION = 1;

const GERMAN: Readonly<Record<string, string>> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };
/** Letters that do not decompose into a base letter and a mark. */
const SPECIAL: Readonly<Record<string, string>> = { æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h', ŧ: 't' };
const APOSTROPHES = /['’ʼ‘`´]/gu;

/** The words of a name as compared: see the choices above. */
export function nameWords(name: string): string[] {
  const lower = name.normalize('NFC').toLowerCase();
  let spelt = '';
  for (const ch of lower) spelt += GERMAN[ch] ?? SPECIAL[ch] ?? ch;
  return spelt
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(APOSTROPHES, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

export interface MatchPerson {
  givenName: string;
  familyName: string;
  /** `YYYY-MM-DD`. */
  birthDate: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The strings whose keyed hashes are compared (one or two, distinct): all name words sorted, and the first given name
 * with the family name sorted, each with the birth date. None without a name word or a well-formed birth date.
 */
export function personMatchStrings(person: MatchPerson): string[] {
  if (!ISO_DATE.test(person.birthDate)) return [];
  const given = nameWords(person.givenName);
  const family = nameWords(person.familyName);
  const all = [...given, ...family];
  if (all.length === 0) return [];
  const key = (words: string[]) => `v${PERSON_MATCH_VERSION}|${[...words].sort().join(' ')}|${person.birthDate}`;
  const keys = [key(all)];
  if (given.length > 1 && family.length > 0) keys.push(key([given[0]!, ...family]));
  return keys;
}

/** What an intake may tell about where the other case is: the kind of organisation only, in German. */
export type MatchOrganisationKind = 'provider' | 'county';

/**
 * The kind shown for an organisation. Providers are "ein Träger der Wohlfahrtspflege" (four of them); every other
 * holder — the KIM team, the county posts, the ABH, the Integration Point — is "eine Stelle des Kreises": the ABH and
 * the Jobcenter are one office each, so naming them would name the holder and hint at residence-law contact.
 */
export function matchOrganisationKind(kind: string): MatchOrganisationKind {
  return kind === 'provider' ? 'provider' : 'county';
}

const KIND_PHRASES: Record<MatchOrganisationKind, string> = {
  provider: 'einem Träger der Wohlfahrtspflege',
  county: 'einer Stelle des Kreises',
};

/** The German warning for the case manager: the kinds of organisation (distinct, fixed order), no name, no case id. */
export function possibleMatchMessage(kinds: readonly MatchOrganisationKind[]): string {
  const phrases = (['provider', 'county'] as const).filter((k) => kinds.includes(k)).map((k) => KIND_PHRASES[k]);
  const where = phrases.length > 0 ? phrases.join(' oder ') : 'einer anderen Stelle';
  return `Möglicherweise besteht bereits ein offener Fall bei ${where}; bitte Koordination kontaktieren.`;
}

/** The distinct kinds, in the message's order. */
export function distinctKinds(kinds: readonly MatchOrganisationKind[]): MatchOrganisationKind[] {
  return (['provider', 'county'] as const).filter((k) => kinds.includes(k));
}

// ---------------------------------------------------------------------------------------------------------------
// Decisions of coordination on a possible match

export const PERSON_MATCH_STATUSES = ['open', 'linked', 'dismissed'] as const;
export type PersonMatchStatus = (typeof PERSON_MATCH_STATUSES)[number];
export type PersonMatchDecision = 'link' | 'dismiss';

export const PERSON_MATCH_STATUS_LABELS: Record<PersonMatchStatus, string> = {
  open: 'offen',
  linked: 'verknüpft (eine Person)',
  dismissed: 'verworfen (verschiedene Personen)',
};

/**
 * What a decision does to a match: `changed` to the new status, `unchanged` when it already is (a repeated request),
 * or refused when the other decision was taken (a coordinator changes a decision by nothing but a new match).
 */
export function decideMatch(
  status: PersonMatchStatus,
  decision: PersonMatchDecision,
): { ok: true; status: PersonMatchStatus; changed: boolean } | { ok: false; message: string } {
  const target: PersonMatchStatus = decision === 'link' ? 'linked' : 'dismissed';
  if (status === 'open') return { ok: true, status: target, changed: true };
  if (status === target) return { ok: true, status, changed: false };
  return { ok: false, message: `Über diesen möglichen Treffer wurde bereits entschieden (${PERSON_MATCH_STATUS_LABELS[status]}).` };
}

/**
 * The person each case counts as in the figures: cases linked by coordination (directly or through others) are one
 * person, named by the smallest person id among them; every other case keeps its own. Deterministic whatever the
 * order of the input.
 */
export function personOfLinkedCases(
  cases: readonly { id: string; personId: string }[],
  links: readonly { caseId: string; otherCaseId: string }[],
): Record<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps long chains of links cheap.
    for (let y = x; y !== root; ) {
      const next = parent.get(y)!;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  // Only cases named by a link take part (the report passes every case, and few are linked).
  const known = new Set(cases.map((c) => c.id));
  for (const { caseId, otherCaseId } of links) {
    if (!known.has(caseId) || !known.has(otherCaseId)) continue;
    if (!parent.has(caseId)) parent.set(caseId, caseId);
    if (!parent.has(otherCaseId)) parent.set(otherCaseId, otherCaseId);
    const a = find(caseId);
    const b = find(otherCaseId);
    if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
  }
  const smallest = new Map<string, string>();
  for (const c of cases) {
    if (!parent.has(c.id)) continue;
    const root = find(c.id);
    const seen = smallest.get(root);
    if (seen === undefined || c.personId < seen) smallest.set(root, c.personId);
  }
  return Object.fromEntries(cases.map((c) => [c.id, parent.has(c.id) ? smallest.get(find(c.id))! : c.personId]));
}
