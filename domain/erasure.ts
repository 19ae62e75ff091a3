// What stays of a case after its retention period (domain.md: "personal data is erased or anonymised; aggregate
// figures stay"): the event skeleton — types, times, who of the staff acted, states, codes, deadlines, counts — so
// that the controlling figures of past years do not change; every free text and every personal detail goes.
//
// Free texts are removed by key, wherever they appear in an event's data (nested objects and arrays included); the
// summary line is kept only for event types whose summaries are built from codes and dates alone.
import { CLOSURE_REASONS } from './case-model.js';
import type { DomainEventType } from './events.js';

/** Keys whose values are free text or personal details in event data (case and handover events). A referral's
 *  `serviceCode` and `partnerCode` (referral catalogue, issue 14) are codes of the catalogue, not of the person: they
 *  stay for the figures, like `service`; `partnerName` (which may name a person) goes. */
const FREE_TEXT_KEYS = new Set([
  'note',
  'notes',
  'situation',
  'title',
  'measure',
  'owner',
  'partnerName',
  'purpose',
  'overrideReason',
  'participants',
  'residenceLaw',
  'permits',
  'person',
  'givenName',
  'familyName',
  'birthDate',
  'languages',
  'hold',
  // free text of a success criterion (domain/progress.ts); its code and every rating stay for the figures
  'text',
  // residence-law track (domain/residence-track.ts): the texts and the expiry date go; title codes, achievements,
  // outcome and its date stay for the figures
  'currentTitleText',
  'targetTitleText',
  'outcomeNote',
  'expiresOn',
]);

/** `reason` is a code where it is one of these (closure reasons, read by the controlling); else free text. */
const REASON_CODES = new Set<string>(CLOSURE_REASONS);

/**
 * How long a process trusts what it knows of a per-case data key before asking the database again
 * (platform/data-keys.ts).
 */
export const DATA_KEY_CACHE_MS = 15_000;

/** While the database is away, a key read less than this long ago (counted from the read) still encrypts. */
export const DATA_KEY_MAX_STALE_MS = 60_000;

/**
 * How long the erasure waits between retiring the keys and writing the last payloads under them (the hand-over to
 * the key-destroying last run): longer than any process may still encrypt with a key it read before the retirement.
 */
export const RETIRED_KEY_WAIT_MS = DATA_KEY_MAX_STALE_MS + DATA_KEY_CACHE_MS;

/** Event types whose summary holds no free text (codes, labels, dates and counts only). */
const SUMMARIES_WITHOUT_FREE_TEXT = new Set<DomainEventType>([
  'case_opened',
  'provider_confirmed',
  'case_assigned',
  'consent_withdrawn',
  'assessment_started',
  'assessment_draft_saved',
  'assessment_completed',
  'goals_agreed',
  'review_started',
  'review_completed',
  'success_criteria_agreed',
  'progress_rated',
  'contact_recorded',
  'case_resumed',
  'closure_requested',
  'closure_approved',
  'closure_withdrawn',
  'case_closed',
  'retention_period_elapsed',
  'deadline_set',
  'deadline_met',
  'deadline_moved',
  'deadline_suspended',
  'deadline_rearmed',
  'deadline_missed',
  'reminder_sent',
  'escalation_sent',
  'handover_consent_given',
  'handover_consent_refused',
  'handover_consent_withdrawn',
  'handover_lapsed',
  'handover_meeting_scheduled',
  'handover_meeting_held',
  'handover_accepted',
]);

/** German line shown instead of a summary that held free text. */
const ERASED_SUMMARIES: Partial<Record<DomainEventType, string>> = {
  consent_recorded: 'Einwilligung erfasst (Inhalt gelöscht)',
  provider_overridden: 'Träger abweichend vom Vorschlag festgelegt (Begründung gelöscht)',
  goal_updated: 'Ziel aktualisiert (Inhalt gelöscht)',
  referral_sent: 'Vermittlung (Inhalt gelöscht)',
  referral_outcome_recorded: 'Ergebnis einer Vermittlung erfasst (Inhalt gelöscht)',
  referral_stopped: 'Vermittlung gestoppt (Inhalt gelöscht)',
  case_put_on_hold: 'Fall pausiert (Begründung gelöscht)',
  case_transferred: 'Fall übertragen (Begründung gelöscht)',
  case_reopened: 'Fall wiedereröffnet (Begründung gelöscht)',
  closure_returned: 'Abschlussantrag zurückgegeben (Begründung gelöscht)',
  residence_law_recorded: 'Aufenthaltsrechtliche Angaben aus der Übergabe (Inhalt gelöscht)',
  residence_track_set: 'Aufenthaltsrechtliche Situation erfasst (Inhalt gelöscht)',
  deadline_cancelled: 'Frist aufgehoben',
  handover_requested: 'Übergabe ins KIM Case Management vorgeschlagen (Inhalt gelöscht)',
  handover_cancelled: 'Übergabe abgebrochen (Begründung gelöscht)',
};

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (FREE_TEXT_KEYS.has(key)) continue;
    if (key === 'reason' && !(typeof inner === 'string' && REASON_CODES.has(inner))) continue;
    out[key] = scrub(inner);
  }
  return out;
}

export interface ErasableEvent {
  type: string;
  summary: string;
  data: unknown;
}

/** The event as it stays after erasure: same type and time (kept by the caller), codes only. */
export function anonymiseEvent(event: ErasableEvent): { summary: string; data: Record<string, unknown> } {
  const type = event.type as DomainEventType;
  const summary = SUMMARIES_WITHOUT_FREE_TEXT.has(type) ? event.summary : (ERASED_SUMMARIES[type] ?? `Eintrag (Inhalt gelöscht)`);
  const data = scrub(event.data ?? {});
  return { summary, data: data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {} };
}

/**
 * The birth date as it stays: the first of January of the birth year, so age-group figures keep working while the
 * date no longer identifies anyone.
 */
export function anonymisedBirthDate(birthDate: Date): Date {
  return new Date(Date.UTC(birthDate.getUTCFullYear(), 0, 1));
}

/**
 * The duplicate check's data of a case (issue 16, domain/person-match.ts) at the end of retention: its keyed hashes
 * (PersonMatchKey) and every possible match or link it is part of (PersonMatch) are deleted — none is needed for the
 * figures of an erased case, and a link would tie the erased case to a person still on record. A linked person's
 * other case keeps working: it only stops counting as the same person as the erased one.
 */
export const PERSON_MATCH_ERASURE = { matchKeys: 'delete', matches: 'delete' } as const;
