// Formatting for the pages. The labels of coded values live in domain/labels.ts (one place for pages, summaries and
// reports); re-exported here for the pages.
export {
  CONSENT_DECISION_LABELS,
  CONSENT_SCOPE_LABELS,
  DEADLINE_STATUS_LABELS,
  GOAL_ATTAINMENT_LABELS,
  GOAL_STATUS_LABELS,
  NEED_LABELS,
  REFERRAL_OUTCOME_LABELS,
  REFERRAL_STATUS_LABELS,
  REVIEW_OUTCOME_LABELS,
  SOURCE_LABELS,
} from '../../domain/labels.js';
import { formatDateDe, isIsoDate, isIsoTimestamp } from '../../domain/dates.js';

/** Options for a <select> from a label map, in the map's order. */
export function optionsOf(labels: Record<string, string>): { value: string; label: string }[] {
  return Object.entries(labels).map(([value, label]) => ({ value, label }));
}

const TIME_ZONE = 'Europe/Berlin';
const dateFormat = new Intl.DateTimeFormat('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: TIME_ZONE });
const dateTimeFormat = new Intl.DateTimeFormat('de-DE', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: TIME_ZONE,
});

/**
 * `YYYY-MM-DD` stays the calendar day it names; a timestamp is shown as the day in Germany — a due time stored by
 * rules before 7 (`…T23:59:59.999Z`) as the date it was entered for (domain/dates.ts calendarDateOf).
 */
export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '–';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (typeof value === 'string' && !isIsoDate(value) && !isIsoTimestamp(value)) return Number.isNaN(date.getTime()) ? value : dateFormat.format(date);
  if (Number.isNaN(date.getTime())) return String(value);
  return formatDateDe(typeof value === 'string' ? value : value.toISOString());
}

export function formatDateTime(value: string | Date | null | undefined): string {
  if (!value) return '–';
  const date = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(date.getTime()) ? String(value) : dateTimeFormat.format(date);
}

/** Today's calendar date in Germany (`YYYY-MM-DD`), the default of date fields. */
export function todayInGermany(now = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(now);
}

/** "seit 3 Tagen" style count of whole days a due time lies in the past (0 when not overdue). */
export function daysOverdue(dueAt: string | Date, now = new Date()): number {
  const due = typeof dueAt === 'string' ? new Date(dueAt) : dueAt;
  return Math.max(0, Math.floor((now.getTime() - due.getTime()) / 86_400_000));
}
