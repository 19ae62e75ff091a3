// Domain events: the complete, ordered history used for the Fallrekonstruktion (domain.md). Every accepted command
// emits at least one event; deadline bookkeeping (set/met/moved/cancelled/suspended/re-armed/missed, reminders and
// escalations) is emitted as separate events so the history shows *why* a deadline changed.

export const DOMAIN_EVENT_TYPES = [
  // case
  'case_opened',
  'provider_confirmed',
  'provider_overridden',
  'case_assigned',
  'consent_recorded',
  'consent_withdrawn',
  'assessment_started',
  'assessment_draft_saved',
  'assessment_completed',
  'goals_agreed',
  'goal_updated',
  'referral_sent',
  'referral_outcome_recorded',
  'referral_stopped',
  'review_started',
  'review_completed',
  // measured progress (process rules 7, domain/progress.ts)
  'success_criteria_agreed',
  'progress_rated',
  'contact_recorded',
  'case_put_on_hold',
  'case_resumed',
  'case_transferred',
  'closure_requested',
  'closure_approved',
  'closure_returned',
  'residence_law_recorded',
  // residence-law track (process rules 9, domain/residence-track.ts)
  'residence_track_set',
  'closure_withdrawn',
  'case_closed',
  'case_reopened',
  'retention_period_elapsed',
  // deadlines
  'deadline_set',
  'deadline_met',
  'deadline_moved',
  'deadline_cancelled',
  'deadline_suspended',
  'deadline_rearmed',
  'deadline_missed',
  'reminder_sent',
  'escalation_sent',
  // handover
  'handover_requested',
  'handover_consent_given',
  'handover_consent_refused',
  'handover_lapsed',
  'handover_meeting_scheduled',
  'handover_meeting_held',
  'handover_accepted',
  'handover_cancelled',
  'handover_consent_withdrawn',
] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export interface DomainEvent {
  type: DomainEventType;
  /** ISO timestamp (the command's `now`). */
  at: string;
  /** Who caused it; absent for timer-driven events. */
  actorId?: string;
  /** One German line for people reading the history. */
  summary: string;
  /** Machine-readable details (ids, from/to states, deadline kind/due date, …). JSON only. */
  data: Record<string, unknown>;
}

export type EmitFn = (type: DomainEventType, summary: string, data?: Record<string, unknown>) => void;

/** Collects events of one decision, all stamped with the same time and actor. */
export function eventCollector(at: string, actorId?: string): { events: DomainEvent[]; emit: EmitFn } {
  const events: DomainEvent[] = [];
  const emit: EmitFn = (type, summary, data = {}) => {
    events.push(actorId === undefined ? { type, at, summary, data } : { type, at, actorId, summary, data });
  };
  return { events, emit };
}
