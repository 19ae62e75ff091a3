// Deadlines (Wiedervorlagen) — kinds, configurable defaults (domain.md "Deadlines") and the generic bookkeeping shared
// by the case and the handover workflow. A deadline is data: the workflow sets a timer for each pending phase
// (`pendingTimers`) and reports back with `onDeadlineFired`; stale timers are harmless because firing re-checks status
// and due time.
//
// Status life cycle:
//   open ──reminder at dueAt──▶ reminded ──escalation at escalateAt──▶ escalated
//   open ──reminder at dueAt, no escalation step──▶ missed
//   open|reminded|escalated|missed ──fulfilled──▶ met      (late fulfilment still counts as met; remindedAt shows it was late)
//   any active ──closure/withdrawal/…──▶ cancelled
//   open|reminded ──on hold──▶ suspended ──resume──▶ previous status, due times shifted by the pause
import { addDays, addMs, diffMs, formatDateDe, toMs } from './dates.js';
import type { EmitFn } from './events.js';

export const DEADLINE_KINDS = [
  'first_assessment',
  'assessment_completion',
  'goal_agreement',
  'goal_due',
  'referral_follow_up',
  'periodic_review',
  'no_contact',
  'retention',
  'handover_consent',
  'handover_meeting',
  'closure_decision',
  'residence_expiry',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export const DEADLINE_LABELS: Record<DeadlineKind, string> = {
  first_assessment: 'Erster Assessment-Schritt',
  assessment_completion: 'Abschluss des Assessments',
  goal_agreement: 'Zielvereinbarung',
  goal_due: 'Zieltermin',
  referral_follow_up: 'Nachfrage zur Vermittlung',
  periodic_review: 'Regelmäßige Überprüfung',
  no_contact: 'Kontakt (kein Kontakt dokumentiert)',
  retention: 'Aufbewahrungsfrist',
  handover_consent: 'Einwilligung zur Übergabe',
  handover_meeting: 'Übergabegespräch',
  closure_decision: 'Entscheidung über den Abschlussantrag',
  residence_expiry: 'Ablauf des Aufenthaltstitels',
};

export const DEADLINE_STATUSES = ['open', 'reminded', 'escalated', 'met', 'missed', 'suspended', 'cancelled'] as const;
export type DeadlineStatus = (typeof DEADLINE_STATUSES)[number];
/** Not yet fulfilled and not paused: counts for "overdue"/"next deadline". */
export const ACTIVE_DEADLINE_STATUSES: readonly DeadlineStatus[] = ['open', 'reminded', 'escalated', 'missed'];

export interface Deadline {
  id: string;
  kind: DeadlineKind;
  /** Reminder time (the deadline itself). */
  dueAt: string;
  /** Escalation time (to coordination), when this kind escalates. */
  escalateAt?: string;
  status: DeadlineStatus;
  /** Goal or referral id for per-item deadlines. */
  refId?: string;
  setAt: string;
  remindedAt?: string;
  escalatedAt?: string;
  /** When it became met/cancelled. */
  resolvedAt?: string;
  /** While suspended: when, and the status to restore on resume. */
  suspendedAt?: string;
  statusBeforeSuspension?: 'open' | 'reminded';
}

// ---------------------------------------------------------------------------------------------------------------
// Settings (coordinators configure them; defaults = domain.md table; their zod schemas: settings-schemas.ts)

export interface DeadlineSettings {
  /** First assessment step after intake. */
  firstAssessmentDays: number;
  /** Grace between reminder and escalation to coordination (domain.md: 7 days for the first assessment; we use the
   *  same grace for every deadline that "reminds, then escalates" because the table gives no other figure). */
  escalationGraceDays: number;
  assessmentCompletionDays: number;
  goalAgreementDays: number;
  referralFollowUpDays: number;
  reviewIntervalDays: number;
  noContactReminderDays: number;
  noContactEscalationDays: number;
  handoverConsentDays: number;
  handoverMeetingDays: number;
  retentionYears: number;
  /** Coordination decides on a closure request within this many days (reminder), escalation after the grace.
   *  Optional: settings stored before it know nothing of it (default 7). */
  closureDecisionDays?: number;
  /** The expiry reminder of a residence title comes this many days before it (rules 9, domain/residence-track.ts).
   *  Optional: settings stored before it know nothing of it (default 56). */
  residenceExpiryLeadDays?: number;
}

export const defaultDeadlineSettings: DeadlineSettings = {
  firstAssessmentDays: 14,
  escalationGraceDays: 7,
  assessmentCompletionDays: 28,
  goalAgreementDays: 14,
  referralFollowUpDays: 14,
  reviewIntervalDays: 90,
  noContactReminderDays: 56,
  noContactEscalationDays: 84,
  handoverConsentDays: 14,
  handoverMeetingDays: 21,
  retentionYears: 3,
  closureDecisionDays: 7,
  residenceExpiryLeadDays: 56,
};

export const closureDecisionDays = (s: DeadlineSettings): number => s.closureDecisionDays ?? 7;
export const residenceExpiryLeadDays = (s: DeadlineSettings): number => s.residenceExpiryLeadDays ?? 56;

/** Case-level settings: deadlines plus the closure rules (see case-lifecycle.ts). */
export interface CaseSettings {
  deadlines: DeadlineSettings;
  /** Closure requested by a case manager must be approved by a coordinator. */
  closureNeedsApproval: boolean;
  /** A closed case can be reopened within this many days after closure. */
  reopenWithinDays: number;
}

export const defaultCaseSettings: CaseSettings = {
  deadlines: defaultDeadlineSettings,
  closureNeedsApproval: true,
  reopenWithinDays: 90,
};

// ---------------------------------------------------------------------------------------------------------------
// Generic bookkeeping. Operates on a mutable draft list (callers clone state first) and emits events.

export interface DeadlineOpsContext {
  now: string;
  newId: (prefix: string) => string;
  emit: EmitFn;
  /** The owner is paused: new deadlines are created suspended (they start running on resume). */
  paused?: boolean;
}

export interface DeadlineSpec {
  kind: DeadlineKind;
  dueAt: string;
  escalateAt?: string;
  refId?: string;
}

function describe(d: Deadline): string {
  return `${DEADLINE_LABELS[d.kind]} (fällig ${formatDateDe(d.dueAt)})`;
}

function eventData(d: Deadline, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    deadlineId: d.id,
    kind: d.kind,
    dueAt: d.dueAt,
    ...(d.escalateAt ? { escalateAt: d.escalateAt } : {}),
    ...(d.refId ? { refId: d.refId } : {}),
    ...extra,
  };
}

export function isActive(d: Deadline): boolean {
  return ACTIVE_DEADLINE_STATUSES.includes(d.status);
}

/** Active or suspended: not yet resolved. */
export function isPending(d: Deadline): boolean {
  return isActive(d) || d.status === 'suspended';
}

export function armDeadline(list: Deadline[], spec: DeadlineSpec, c: DeadlineOpsContext): Deadline {
  const d: Deadline = {
    id: c.newId('dl'),
    kind: spec.kind,
    dueAt: spec.dueAt,
    status: 'open',
    setAt: c.now,
    ...(spec.escalateAt ? { escalateAt: spec.escalateAt } : {}),
    ...(spec.refId ? { refId: spec.refId } : {}),
  };
  if (c.paused) {
    d.status = 'suspended';
    d.suspendedAt = c.now;
    d.statusBeforeSuspension = 'open';
  }
  list.push(d);
  c.emit('deadline_set', `Frist gesetzt: ${describe(d)}${c.paused ? ' – ruht, solange der Fall pausiert' : ''}`, eventData(d));
  return d;
}

export type DeadlineFilter = (d: Deadline) => boolean;

/** Marks matching pending deadlines as met. Returns how many. */
export function meetDeadlines(list: Deadline[], filter: DeadlineFilter, c: DeadlineOpsContext): number {
  let n = 0;
  for (const d of list) {
    if (!isPending(d) || !filter(d)) continue;
    const late = d.remindedAt !== undefined;
    d.status = 'met';
    d.resolvedAt = c.now;
    delete d.suspendedAt;
    delete d.statusBeforeSuspension;
    c.emit('deadline_met', `Frist erfüllt${late ? ' (verspätet)' : ''}: ${describe(d)}`, eventData(d, { late }));
    n += 1;
  }
  return n;
}

export function cancelDeadlines(list: Deadline[], filter: DeadlineFilter, reason: string, c: DeadlineOpsContext): number {
  let n = 0;
  for (const d of list) {
    if (!isPending(d) || !filter(d)) continue;
    d.status = 'cancelled';
    d.resolvedAt = c.now;
    delete d.suspendedAt;
    delete d.statusBeforeSuspension;
    c.emit('deadline_cancelled', `Frist aufgehoben (${reason}): ${describe(d)}`, eventData(d, { reason }));
    n += 1;
  }
  return n;
}

/** Moves a pending deadline to a new due time (e.g. goal due date changed); a reminded/missed one becomes open again. */
export function moveDeadline(d: Deadline, dueAt: string, escalateAt: string | undefined, c: DeadlineOpsContext): void {
  const from = d.dueAt;
  d.dueAt = dueAt;
  if (escalateAt) d.escalateAt = escalateAt;
  else delete d.escalateAt;
  if (d.status === 'suspended') d.statusBeforeSuspension = 'open';
  else d.status = 'open';
  delete d.remindedAt;
  delete d.escalatedAt;
  c.emit('deadline_moved', `Frist verschoben vom ${formatDateDe(from)}: ${describe(d)}`, eventData(d, { previousDueAt: from }));
}

/**
 * On hold: deadlines waiting for a timer (open, reminded) are suspended. Already escalated/missed ones stay as they
 * are — nothing is pending for them, and they must keep showing as overdue.
 */
export function suspendDeadlines(list: Deadline[], c: DeadlineOpsContext, why = 'Fall pausiert', except?: DeadlineFilter): number {
  let n = 0;
  for (const d of list) {
    if (d.status !== 'open' && d.status !== 'reminded') continue;
    if (except?.(d)) continue;
    d.statusBeforeSuspension = d.status;
    d.status = 'suspended';
    d.suspendedAt = c.now;
    c.emit('deadline_suspended', `Frist ruht (${why}): ${describe(d)}`, eventData(d));
    n += 1;
  }
  return n;
}

/**
 * Resume: every suspended deadline gets back the time it had left when it was suspended, i.e. its due and escalation
 * times move by the length of the pause. A reminded deadline stays reminded and only its escalation moves.
 * `keepDate`: deadlines on a date a person entered keep it (the pause does not move an agreed date).
 */
export function rearmDeadlines(list: Deadline[], c: DeadlineOpsContext, keepDate?: DeadlineFilter): number {
  let n = 0;
  for (const d of list) {
    if (d.status !== 'suspended' || !d.suspendedAt) continue;
    const pause = keepDate?.(d) ? 0 : Math.max(0, diffMs(c.now, d.suspendedAt));
    const previousDueAt = d.dueAt;
    d.dueAt = addMs(d.dueAt, pause);
    if (d.escalateAt) d.escalateAt = addMs(d.escalateAt, pause);
    d.status = d.statusBeforeSuspension ?? 'open';
    delete d.suspendedAt;
    delete d.statusBeforeSuspension;
    c.emit(
      'deadline_rearmed',
      `Frist läuft wieder (${keepDate?.(d) ? 'Termin bleibt' : 'Restlaufzeit unverändert'}): ${describe(d)}`,
      eventData(d, { previousDueAt, pausedMs: pause }),
    );
    n += 1;
  }
  return n;
}

export type FirePhase = 'reminder' | 'escalation';

/**
 * Applies a fired timer to one deadline. Returns the resulting transition, or null when the timer is stale:
 * the deadline is resolved/suspended, the phase already happened, or the deadline was moved to a later time.
 */
export function applyFire(d: Deadline, phase: FirePhase, now: string): 'reminded' | 'missed' | 'escalated' | null {
  if (phase === 'reminder') {
    if (d.status !== 'open' || toMs(now) < toMs(d.dueAt)) return null;
    d.remindedAt = now;
    d.status = d.escalateAt ? 'reminded' : 'missed';
    return d.status;
  }
  if ((d.status !== 'open' && d.status !== 'reminded') || !d.escalateAt || toMs(now) < toMs(d.escalateAt)) return null;
  if (d.status === 'open') d.remindedAt = now; // reminder timer was lost; the escalation implies it
  d.escalatedAt = now;
  d.status = 'escalated';
  return 'escalated';
}

export interface PendingTimer {
  deadlineId: string;
  kind: DeadlineKind;
  phase: FirePhase;
  at: string;
}

/** Timers the workflow should have running, earliest first. */
export function pendingTimers(list: readonly Deadline[]): PendingTimer[] {
  const timers: PendingTimer[] = [];
  for (const d of list) {
    if (d.status === 'open') timers.push({ deadlineId: d.id, kind: d.kind, phase: 'reminder', at: d.dueAt });
    if ((d.status === 'open' || d.status === 'reminded') && d.escalateAt) {
      timers.push({ deadlineId: d.id, kind: d.kind, phase: 'escalation', at: d.escalateAt });
    }
  }
  return timers.sort((a, b) => toMs(a.at) - toMs(b.at));
}

/** Earliest active (open or overdue) deadline; null when none. Suspended deadlines do not count while paused. */
export function earliestActive(list: readonly Deadline[]): Deadline | null {
  let best: Deadline | null = null;
  for (const d of list) {
    if (!isActive(d)) continue;
    if (!best || toMs(d.dueAt) < toMs(best.dueAt)) best = d;
  }
  return best;
}

export function isOverdue(d: Deadline): boolean {
  return d.status === 'reminded' || d.status === 'escalated' || d.status === 'missed';
}

/** `at + days`, with an escalation `grace` days later when given. */
export function dueIn(at: string, daysUntilDue: number, graceDays?: number): { dueAt: string; escalateAt?: string } {
  const dueAt = addDays(at, daysUntilDue);
  return graceDays === undefined ? { dueAt } : { dueAt, escalateAt: addDays(dueAt, graceDays) };
}
