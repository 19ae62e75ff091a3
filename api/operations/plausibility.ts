// Input that would mislead people (issue 15 finding 11): names with invisible or direction-changing characters
// (a right-to-left override shows "Ali" for another name; zero-width characters make two equal-looking names
// different), and dates that are valid but cannot be meant (a contact in 1900 on a case opened today, which would
// make its follow-up overdue at once). Checked at the API, before the domain's schemas and the workflow see them.
import { isIsoDate, isIsoTimestamp } from '../../domain/index.js';
import { ApiError } from './errors.js';

/** Bidi embeddings/overrides/isolates and marks, zero-width space, word joiner, BOM, soft hyphen: never in a name. */
const NEVER_IN_NAMES = /[\u00AD\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
/** Zero-width (non-)joiners belong inside some scripts' words (Persian, Indic), never at a name's ends. */
const JOINERS_AT_ENDS = /^[\u200C\u200D\s]+|[\u200C\u200D\s]+$/g;

/** NFC, without invisible direction and width characters; what is left may be empty (then the schema says "Pflichtfeld"). */
export function cleanName(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.normalize('NFC').replace(NEVER_IN_NAMES, '').replace(JOINERS_AT_ENDS, '');
}

/** The body with `person.givenName`/`person.familyName` cleaned (case creation, handover of a new person). */
export function withCleanPersonNames(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const body = input as Record<string, unknown>;
  const person = body.person;
  if (!person || typeof person !== 'object' || Array.isArray(person)) return input;
  const p = person as Record<string, unknown>;
  return { ...body, person: { ...p, givenName: cleanName(p.givenName), familyName: cleanName(p.familyName) } };
}

const DAY_MS = 86_400_000;
/** A contact may be recorded late, but not from before the year before the case was opened. */
const CONTACT_BEFORE_OPENING_DAYS = 365;

/** record-contact: `date` from a year before the case was opened up to today (a later check makes it overdue at once). */
export function checkContactDate(action: string, body: Record<string, unknown>, openedAt: Date, now = new Date()): void {
  const date = body.date;
  if (action !== 'record-contact' || typeof date !== 'string' || !(isIsoDate(date) || isIsoTimestamp(date))) return; // the schema reports it
  const day = Date.parse(isIsoDate(date) ? `${date}T00:00:00Z` : date);
  const earliest = openedAt.getTime() - CONTACT_BEFORE_OPENING_DAYS * DAY_MS;
  const latest = now.getTime() + DAY_MS; // today in Germany may be tomorrow in UTC
  if (day < Math.floor(earliest / DAY_MS) * DAY_MS || day > latest) {
    throw new ApiError(422, 'validation_failed', 'Das Kontaktdatum ist nicht plausibel.', {
      fields: { date: 'Frühestens ein Jahr vor Fallbeginn und nicht in der Zukunft' },
    });
  }
}
