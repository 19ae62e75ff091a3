// A deadline timer of a case fired: reminders, escalations and the end of the retention period. Part of the case
// decision functions, see domain/case-decide.ts.
import type { CaseData } from './case-model.js';
import { formatDateDe } from './dates.js';
import {
  DEADLINE_LABELS,
  applyFire,
  earliestActive,
  pendingTimers,
  type DeadlineKind,
  type DeadlineStatus,
  type FirePhase,
  type PendingTimer,
} from './deadlines.js';
import { eventCollector, type DomainEvent } from './events.js';
import { clone } from './case-decide-context.js';

export interface DeadlineNotification {
  /** Deadline reminders and escalations; rules 6 also mail closure requests (coordination) and returns (requester). */
  kind: 'reminder' | 'escalation' | 'closure_requested' | 'closure_returned';
  deadlineKind: DeadlineKind;
  to: 'assignee' | 'coordination';
  caseId: string;
  dueAt: string;
  /** Set when `to` is the assignee. */
  assigneeId?: string;
  organisationId: string;
}

export interface DeadlineFiredResult {
  next: CaseData;
  events: DomainEvent[];
  notifications: DeadlineNotification[];
  /** The retention period after closure is over: the caller erases/anonymises personal data. */
  retentionElapsed: boolean;
}

/**
 * A timer fired. Harmless when stale: deadlines that are met/cancelled/suspended, already in that phase, or moved to a
 * later time are ignored (result has no events and `next` equals the input).
 * Reminders go to the assignee (to coordination when nobody is assigned); escalations go to coordination.
 */
export function onDeadlineFired(caseData: CaseData, deadlineId: string, phase: FirePhase, now: string): DeadlineFiredResult {
  const none: DeadlineFiredResult = { next: caseData, events: [], notifications: [], retentionElapsed: false };
  const c = clone(caseData);
  const d = c.deadlines.find((x) => x.id === deadlineId);
  if (!d) return none;
  const outcome = applyFire(d, phase, now);
  if (!outcome) return none;
  const { events, emit } = eventCollector(now);
  const label = `${DEADLINE_LABELS[d.kind]} (fällig ${formatDateDe(d.dueAt)})`;
  const data = { deadlineId: d.id, kind: d.kind, dueAt: d.dueAt, refId: d.refId };
  const base = { deadlineKind: d.kind, caseId: c.id, dueAt: d.dueAt, organisationId: c.organisationId };

  if (d.kind === 'retention') {
    d.status = 'met';
    d.resolvedAt = now;
    delete d.remindedAt;
    emit('retention_period_elapsed', 'Aufbewahrungsfrist abgelaufen: personenbezogene Daten werden gelöscht bzw. anonymisiert', data);
    return {
      next: c,
      events,
      notifications: [{ kind: 'reminder', to: 'coordination', ...base }],
      retentionElapsed: true,
    };
  }
  if (outcome === 'escalated') {
    emit('escalation_sent', `Eskalation an die KIM-Koordination: ${label}`, { ...data, to: 'coordination' });
    return { next: c, events, notifications: [{ kind: 'escalation', to: 'coordination', ...base }], retentionElapsed: false };
  }
  // Coordination's own deadline reminds coordination; the others the person who holds the case.
  const to = d.kind !== 'closure_decision' && c.assigneeId ? 'assignee' : 'coordination';
  emit('deadline_missed', `Frist überschritten: ${label}`, { ...data, status: outcome });
  emit('reminder_sent', `Erinnerung an ${to === 'assignee' ? 'die fallführende Person' : 'die KIM-Koordination (niemand zugewiesen)'}: ${label}`, {
    ...data,
    to,
  });
  return {
    next: c,
    events,
    notifications: [{ kind: 'reminder', to, ...base, ...(to === 'assignee' && c.assigneeId ? { assigneeId: c.assigneeId } : {}) }],
    retentionElapsed: false,
  };
}

/** Earliest active deadline (open or overdue), for the search attribute / read model. */
export function nextDeadline(caseData: CaseData): { id: string; kind: DeadlineKind; dueAt: string; status: DeadlineStatus } | null {
  const d = earliestActive(caseData.deadlines);
  return d ? { id: d.id, kind: d.kind, dueAt: d.dueAt, status: d.status } : null;
}

/** Timers the case workflow should have running (reminder at dueAt, escalation at escalateAt), earliest first. */
export function caseTimers(caseData: CaseData): PendingTimer[] {
  return pendingTimers(caseData.deadlines);
}
