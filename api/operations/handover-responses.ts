// The contract's handover answers (api.md "ABH handovers"): from the workflow's state while it runs, from the Handover
// row and its HandoverEvent log once it has ended, and the list item. Pure: the operations read, these shape.
import {
  allowedHandoverActions,
  consentDueAt,
  receiverView,
  type Deadline,
  type DeadlineKind,
  type DeadlineStatus,
  type HandoverAction,
  type HandoverData,
} from '../../domain/index.js';
import type { Handover as HandoverRow, HandoverEvent } from '../../prisma/generated/client.js';
import type { HandoverAccess } from './access-policy.js';
import { actorOf, type AuthenticatedUser } from './caller.js';
import { dueOf } from './case-responses.js';

/** Who may see the handover's content: the answers are only ever built for a caller who sees something. */
export type VisibleAccess = Exclude<HandoverAccess, 'none'>;

interface Proposal {
  residenceLaw: { permits: string[]; notes: string };
  reason: string;
}

function proposalOf(row: HandoverRow): Proposal {
  const p = (row.proposal ?? {}) as Partial<Proposal>;
  return { residenceLaw: p.residenceLaw ?? { permits: [], notes: '' }, reason: p.reason ?? '' };
}

export const deadlineView = (d: Pick<Deadline, 'kind' | 'dueAt' | 'status'> & { id?: string }) => ({
  id: d.id ?? null,
  kind: d.kind,
  ...dueOf(d.dueAt),
  status: d.status,
});

/** The contract's handover, from the workflow's state. The receiving side before consent gets `receiverView` only. */
export function fromWorkflow(h: HandoverData, access: VisibleAccess, user: AuthenticatedUser, closedAt: Date | null) {
  if (access === 'state_only') return { ...receiverView(h), access, stateSource: 'workflow' as const };
  return {
    id: h.id,
    state: h.state,
    caseId: h.caseId ?? null,
    person: h.person ?? null,
    residenceLaw: h.residenceLaw,
    reason: h.reason,
    counsellorId: h.requestedBy,
    counsellorOrganisationId: h.counsellorOrganisationId,
    proposedOrganisationId: h.proposedOrganisationId ?? null,
    receivingOrganisationId: h.receivingOrganisationId,
    visibleToReceiver: h.visibleToReceiver,
    requestedAt: h.requestedAt,
    consent: h.consent ?? null,
    consentDueAt: consentDueAt(h) ?? null,
    meeting: h.meeting ?? null,
    acceptance: h.acceptance ?? null,
    cancellation: h.cancellation ?? null,
    consentWithdrawal: h.consentWithdrawal ?? null,
    lapsedAt: h.lapsedAt ?? null,
    deadlines: h.deadlines.filter((d) => d.status !== 'cancelled').map(deadlineView),
    allowedActions: allowedHandoverActions(h, actorOf(user)),
    closedAt: closedAt?.toISOString() ?? null,
    access,
    stateSource: 'workflow' as const,
  };
}

/** What the event log adds to the row once the workflow is gone: consent, meeting and deadlines as they ended. */
export interface RecordDetails {
  visibleToReceiver: boolean;
  consentWithdrawnAt: string | null;
  cancellation: { reason: string; at: string; by: string | null } | null;
  consent: { decision: 'given' | 'refused'; recordedAt: string; recordedBy: string | null } | null;
  meeting: { at: string; participants: string[]; heldAt?: string } | null;
  deadlines: Array<{ id: string; kind: DeadlineKind; dueAt: string; status: DeadlineStatus }>;
}

/** The event types recordDetails() folds (the operation reads only these). */
export const RECORD_EVENT_TYPES = [
  'handover_consent_given',
  'handover_consent_refused',
  'handover_consent_withdrawn',
  'handover_cancelled',
  'handover_meeting_scheduled',
  'handover_meeting_held',
  'deadline_set',
  'deadline_met',
  'deadline_cancelled',
  'deadline_missed',
];
const DEADLINE_OUTCOMES: Record<string, DeadlineStatus> = { deadline_met: 'met', deadline_cancelled: 'cancelled', deadline_missed: 'missed' };

/** Folds the handover's events (of RECORD_EVENT_TYPES, in `seq` order) into what the record answer shows. */
export function recordDetails(events: readonly Pick<HandoverEvent, 'type' | 'at' | 'actorId' | 'data'>[]): RecordDetails {
  const details: RecordDetails = { visibleToReceiver: false, consentWithdrawnAt: null, cancellation: null, consent: null, meeting: null, deadlines: [] };
  for (const e of events) {
    const data = (e.data ?? {}) as Record<string, unknown>;
    const at = e.at.toISOString();
    switch (e.type) {
      case 'handover_consent_given':
      case 'handover_consent_refused': {
        const given = e.type === 'handover_consent_given';
        details.visibleToReceiver ||= given;
        details.consent = { decision: given ? 'given' : 'refused', recordedAt: at, recordedBy: e.actorId };
        break;
      }
      case 'handover_consent_withdrawn':
        // Withdrawal cuts what the consent opened: the receiver is back to "a handover existed".
        details.visibleToReceiver = false;
        details.consentWithdrawnAt = at;
        details.cancellation = { reason: 'Einwilligung widerrufen', at, by: e.actorId };
        break;
      case 'handover_cancelled':
        details.cancellation = { reason: typeof data.reason === 'string' ? data.reason : '', at, by: e.actorId };
        break;
      case 'handover_meeting_scheduled':
        details.meeting = { at: String(data.at), participants: (data.participants as string[] | undefined) ?? [] };
        break;
      case 'handover_meeting_held':
        if (details.meeting) details.meeting.heldAt = typeof data.heldAt === 'string' ? data.heldAt : at;
        break;
      case 'deadline_set':
        details.deadlines.push({ id: String(data.deadlineId), kind: data.kind as DeadlineKind, dueAt: String(data.dueAt), status: 'open' });
        break;
      default: {
        const d = details.deadlines.find((x) => x.id === data.deadlineId);
        if (d) d.status = DEADLINE_OUTCOMES[e.type] ?? d.status;
      }
    }
  }
  return details;
}

/** The contract's handover from the row and its event log (the workflow has ended or cannot be asked). */
export function fromRecord(row: HandoverRow, details: RecordDetails | null, access: VisibleAccess) {
  if (access === 'state_only') {
    return { id: row.id, state: row.state, receivingOrganisationId: row.receivingOrganisationId, visibleToReceiver: false, access, stateSource: 'read_model' as const };
  }
  const { residenceLaw, reason } = proposalOf(row);
  return {
    id: row.id,
    state: row.state,
    caseId: row.caseId,
    // The person's data lives in the workflow until a case is opened; after that the case holds it.
    person: null,
    residenceLaw,
    reason,
    counsellorId: row.counsellorId,
    receivingOrganisationId: row.receivingOrganisationId,
    visibleToReceiver: details?.visibleToReceiver ?? false,
    requestedAt: row.createdAt.toISOString(),
    consent: details?.consent ?? null,
    consentWithdrawnAt: details?.consentWithdrawnAt ?? null,
    cancellation: details?.cancellation ?? null,
    consentDueAt: row.consentDueAt?.toISOString() ?? null,
    meeting: details?.meeting ?? (row.meetingAt ? { at: row.meetingAt.toISOString(), participants: [] } : null),
    deadlines: (details?.deadlines ?? []).filter((d) => d.status !== 'cancelled').map(deadlineView),
    allowedActions: [] as HandoverAction[],
    closedAt: row.closedAt?.toISOString() ?? null,
    access,
    // Where the state came from: the read model, because the workflow has ended (or did not answer).
    stateSource: 'read_model' as const,
  };
}

/** GET /api/v1/handovers/:id's answer (and the `handover` of an action's answer). */
export type HandoverView = ReturnType<typeof fromWorkflow> | ReturnType<typeof fromRecord>;

export function listItem(row: HandoverRow, access: VisibleAccess, meetingHeld = false) {
  const base = {
    id: row.id,
    state: row.state,
    // The meeting took place (the state stays meeting_scheduled until the takeover): no longer "geplant".
    meetingHeld,
    receivingOrganisationId: row.receivingOrganisationId,
    requestedAt: row.createdAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    access,
  };
  if (access === 'state_only') return base;
  return {
    ...base,
    caseId: row.caseId,
    counsellorId: row.counsellorId,
    consentDueAt: row.consentDueAt?.toISOString() ?? null,
    meetingAt: row.meetingAt?.toISOString() ?? null,
    permits: proposalOf(row).residenceLaw.permits,
  };
}

export type HandoverListItem = ReturnType<typeof listItem>;
