// German wording and formatting for the pages. The domain owns the labels it needs itself (states, actions, life
// areas, …); the ones here exist only for display, so they live next to the pages.
import type {
  CaseSource,
  ConsentDecision,
  ConsentScope,
  DeadlineStatus,
  GoalAttainment,
  GoalStatus,
  NeedLevel,
  ReferralOutcome,
  ReferralStatus,
  ReviewOutcome,
} from '../../domain/index.js';

export const SOURCE_LABELS: Record<CaseSource, string> = {
  self: 'Selbstmelder*in',
  outreach: 'Aufsuchende Arbeit',
  jobcenter: 'Jobcenter / Integration Point',
  abh: 'Ausländerbehörde',
  youth_office: 'Jugendamt',
  volunteers: 'Ehrenamt',
  other: 'Sonstiges',
};

export const CONSENT_SCOPE_LABELS: Record<ConsentScope, string> = {
  data_processing: 'Datenverarbeitung',
  share_with_partner: 'Weitergabe an Partner',
  handover: 'Übergabe aus der ABH',
};

export const CONSENT_DECISION_LABELS: Record<ConsentDecision, string> = { given: 'erteilt', refused: 'verweigert' };

export const NEED_LABELS: Record<NeedLevel, string> = { none: 'kein Bedarf', low: 'geringer Bedarf', high: 'hoher Bedarf' };

export const GOAL_STATUS_LABELS: Record<GoalStatus, string> = {
  open: 'offen',
  achieved: 'erreicht',
  partly: 'teilweise erreicht',
  not_achieved: 'nicht erreicht',
  dropped: 'verworfen',
};

export const REFERRAL_STATUS_LABELS: Record<ReferralStatus, string> = {
  sent: 'vermittelt',
  accepted: 'angenommen',
  declined: 'abgelehnt',
  completed: 'abgeschlossen',
  not_reached: 'nicht angekommen',
  stopped: 'gestoppt',
};

export const REFERRAL_OUTCOME_LABELS: Record<ReferralOutcome, string> = {
  accepted: 'angenommen',
  declined: 'abgelehnt',
  completed: 'abgeschlossen',
  not_reached: 'nicht angekommen',
};

export const REVIEW_OUTCOME_LABELS: Record<ReviewOutcome, string> = {
  continue: 'Weiter wie bisher',
  replan: 'Neu planen (Zielvereinbarung)',
  refer: 'Weiter vermitteln',
  close: 'Abschließen',
};

export const GOAL_ATTAINMENT_LABELS: Record<GoalAttainment, string> = {
  achieved: 'erreicht',
  partly: 'teilweise erreicht',
  not_achieved: 'nicht erreicht',
};

export const DEADLINE_STATUS_LABELS: Record<DeadlineStatus, string> = {
  open: 'offen',
  reminded: 'erinnert',
  escalated: 'eskaliert',
  met: 'erledigt',
  missed: 'versäumt',
  suspended: 'ausgesetzt (pausiert)',
  cancelled: 'entfallen',
};

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

/** `YYYY-MM-DD` stays the calendar day it names; a timestamp is shown as the day in Germany. */
export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '–';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-');
    return `${d}.${m}.${y}`;
  }
  const date = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(date.getTime()) ? String(value) : dateFormat.format(date);
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
