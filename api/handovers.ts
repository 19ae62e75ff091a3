// ABH handovers (api.md "ABH handovers"): propose (row + workflow), read, list, and the actions as workflow updates.
// The handover workflow owns the truth while it runs; once it has ended (handed over, refused, lapsed, cancelled) the
// Handover row and its HandoverEvent log are the record, so reads and refused actions answer from there.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import {
  allowedHandoverActions,
  consentDueAt,
  createHandover,
  HANDOVER_ACTIONS,
  HANDOVER_STATE_LABELS,
  HANDOVER_STATES,
  parseCreateHandover,
  proposeProvider,
  receiverView,
  resolveReceivingOrganisation,
  TERMINAL_HANDOVER_STATES,
  type Actor,
  type Deadline,
  type DeadlineKind,
  type DeadlineStatus,
  type HandoverAction,
  type HandoverData,
} from '../domain/index.js';
import { caseAccess, handoverAccess, handoverListFilter, isHandedOverBy, type HandoverAccess } from './access.js';
import { currentUser, type AuthenticatedUser } from './auth.js';
import { refusalToApiError } from './cases.js';
import { logAccess } from './access-log.js';
import { ApiError } from './errors.js';
import type { Database } from '../platform/database.js';
import { loadCaseSettings } from '../platform/settings.js';
import type { Handover as HandoverRow } from '../prisma/generated/client.js';
import { handoverActionUpdate, handoverViewQuery, handoverWorkflowId } from '../workflows/handover-definitions.js';
import type { HandoverWorkflowInput, OpenHandoverInput } from '../workflows/handover-state.js';

export interface HandoversDependencies {
  db: Database;
  temporal: Client;
  taskQueue: string;
}

/** Organisation kinds that run KIM case management and can therefore take a case over. */
const RECEIVING_KINDS = ['provider', 'county'];

const isTerminal = (state: string) => (TERMINAL_HANDOVER_STATES as readonly string[]).includes(state);
const isHandoverAction = (value: string): value is HandoverAction => (HANDOVER_ACTIONS as readonly string[]).includes(value);
const actorOf = (user: AuthenticatedUser): Actor => ({ id: user.id, role: user.role, organisationId: user.organisationId });

const notFound = () => new ApiError(404, 'not_found', 'Übergabe nicht gefunden.');

interface Proposal {
  residenceLaw: { permits: string[]; notes: string };
  reason: string;
}

function proposalOf(row: HandoverRow): Proposal {
  const p = (row.proposal ?? {}) as Partial<Proposal>;
  return { residenceLaw: p.residenceLaw ?? { permits: [], notes: '' }, reason: p.reason ?? '' };
}

const deadlineView = (d: Pick<Deadline, 'kind' | 'dueAt' | 'status'> & { id?: string }) => ({
  id: d.id ?? null,
  kind: d.kind,
  dueAt: d.dueAt,
  status: d.status,
});

/** The contract's handover, from the workflow's state. The receiving side before consent gets `receiverView` only. */
export function fromWorkflow(h: HandoverData, access: Exclude<HandoverAccess, 'none'>, user: AuthenticatedUser, closedAt: Date | null) {
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
interface RecordDetails {
  visibleToReceiver: boolean;
  consentWithdrawnAt: string | null;
  cancellation: { reason: string; at: string; by: string | null } | null;
  consent: { decision: 'given' | 'refused'; recordedAt: string; recordedBy: string | null } | null;
  meeting: { at: string; participants: string[]; heldAt?: string } | null;
  deadlines: Array<{ id: string; kind: DeadlineKind; dueAt: string; status: DeadlineStatus }>;
}

const RECORD_EVENT_TYPES = [
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

async function recordDetails(db: Database, handoverId: string): Promise<RecordDetails> {
  const events = await db.handoverEvent.findMany({
    where: { handoverId, type: { in: RECORD_EVENT_TYPES } },
    orderBy: { seq: 'asc' },
  });
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
export function fromRecord(row: HandoverRow, details: RecordDetails | null, access: Exclude<HandoverAccess, 'none'>) {
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

export function listItem(row: HandoverRow, access: Exclude<HandoverAccess, 'none'>) {
  const base = {
    id: row.id,
    state: row.state,
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

const listQuerySchema = z.object({
  state: z.enum(HANDOVER_STATES).optional(),
  caseId: z.string().min(1).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

const invalid = (message: string, fields: Record<string, string>) => new ApiError(422, 'validation_failed', message, { fields });

export function handoversRouter({ db, temporal, taskQueue }: HandoversDependencies): Router {
  const router = Router();

  /** The workflow's state, or null when the engine holds no workflow (any more) or does not answer in time. */
  async function queryHandover(workflowId: string): Promise<HandoverData | null> {
    try {
      return await temporal.connection.withDeadline(Date.now() + 5000, () => temporal.workflow.getHandle(workflowId).query(handoverViewQuery));
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) console.warn('[api] handover query failed; answering from the read model', error);
      return null;
    }
  }

  /** GET's answer for `row` as `user` sees it; null when the user may not see it at all. */
  async function viewFor(user: AuthenticatedUser, row: HandoverRow) {
    if (handoverAccess(user, row) === 'none') return null;
    // While the handover runs, the workflow knows best; an ended one is read from its record (no replay needed).
    const data = isTerminal(row.state) ? null : await queryHandover(row.workflowId);
    if (data) {
      const access = handoverAccess(user, { ...row, state: data.state }, { visibleToReceiver: data.visibleToReceiver });
      return access === 'none' ? null : fromWorkflow(data, access, user, row.closedAt);
    }
    const details = await recordDetails(db, row.id);
    const access = handoverAccess(user, row, { visibleToReceiver: details.visibleToReceiver });
    return access === 'none' ? null : fromRecord(row, details, access);
  }

  router.post('/', async (req, res) => {
    const user = currentUser(req);
    if (user.role !== 'abh_counsellor') {
      throw new ApiError(403, 'forbidden', 'Übergaben schlägt die Sozialberatung der Ausländerbehörde vor.');
    }
    const requestedAt = new Date().toISOString();
    const parsed = parseCreateHandover(req.body ?? {}, requestedAt);
    if (!parsed.ok) throw invalid('Die Angaben sind unvollständig oder ungültig.', parsed.fields);
    const body = parsed.payload;

    let receivingOrganisationId = resolveReceivingOrganisation(body, requestedAt);
    let caseOrganisationId: string | null = null;
    if (body.caseId) {
      const caseRow = await db.case.findUnique({ where: { id: body.caseId } });
      const access = caseRow ? caseAccess(user, caseRow, { handedOverBy: await isHandedOverBy(db, user, caseRow.id) }) : 'none';
      // Same answer as for an unknown id: a case the counsellor cannot see must not be confirmed to exist.
      if (access === 'none') throw new ApiError(404, 'not_found', 'Fall nicht gefunden.');
      if (access !== 'full') throw invalid('Der Fall liegt nicht bei der Ausländerbehörde und kann nicht übergeben werden.', { caseId: 'Fall liegt bei einer anderen Organisation' });
      if (caseRow!.closedAt || caseRow!.state === 'closed') throw invalid('Ein abgeschlossener Fall kann nicht übergeben werden.', { caseId: 'Fall ist abgeschlossen' });
      const open = await db.handover.findFirst({ where: { caseId: caseRow!.id, state: { notIn: [...TERMINAL_HANDOVER_STATES] } }, select: { id: true } });
      if (open) throw new ApiError(409, 'handover_in_progress', 'Für diesen Fall läuft bereits eine Übergabe.', { handoverId: open.id });
      caseOrganisationId = caseRow!.organisationId;
      receivingOrganisationId ??= caseRow!.proposedOrganisationId;
    } else if (!receivingOrganisationId) {
      // No provider for this person by the routing rules: say why, on the field that decides it.
      const proposal = proposeProvider({ municipality: body.person!.municipality, birthDate: body.person!.birthDate, on: requestedAt });
      const message = proposal.ok ? 'Keine aufnehmende Organisation ermittelbar.' : proposal.error.message;
      throw invalid(message, { proposedOrganisationId: message });
    }
    const receiving = receivingOrganisationId ? await db.organisation.findUnique({ where: { id: receivingOrganisationId } }) : null;
    if (!receiving || !RECEIVING_KINDS.includes(receiving.kind) || receiving.id === caseOrganisationId) {
      throw invalid('Die vorgeschlagene Organisation kann den Fall nicht übernehmen.', {
        proposedOrganisationId: 'Keine Organisation des KIM Case Managements (Träger oder KIM-Team des Kreises)',
      });
    }

    const settings = await loadCaseSettings(db);
    const handoverId = randomUUID();
    const workflowId = handoverWorkflowId(handoverId);
    const open: OpenHandoverInput = { handoverId, requestedAt, requestedBy: actorOf(user), body, receivingOrganisationId: receiving.id };
    // The domain decides the consent deadline; computed here the same way the workflow will, for the row and answer.
    const due = consentDueAt(createHandover(open, settings.deadlines).next);
    // Only residence-law facts and reason go into the row; a new person's data stays in the workflow until a case
    // is opened on acceptance (refused or lapsed handovers leave no personal data behind).
    const row = await db.handover.create({
      data: {
        id: handoverId,
        workflowId,
        caseId: body.caseId ?? null,
        state: 'awaiting_consent',
        counsellorId: user.id,
        receivingOrganisationId: receiving.id,
        proposal: { residenceLaw: body.residenceLaw, reason: body.reason },
        consentDueAt: due ? new Date(due) : null,
        createdAt: new Date(requestedAt),
      },
    });

    const input: HandoverWorkflowInput = { open, settings };
    try {
      // Bounded: a caller should hear within seconds that the engine is away, not after the client's long retry.
      await temporal.connection.withDeadline(Date.now() + 5000, () =>
        temporal.workflow.start('handoverWorkflow', { workflowId, taskQueue, args: [input] }),
      );
    } catch (error) {
      // The start may have reached the server before the deadline ran out: then the handover exists after all.
      const started = await temporal.connection
        .withDeadline(Date.now() + 2000, () => temporal.workflow.getHandle(workflowId).describe())
        .then(() => true, () => false);
      if (!started) {
        // No workflow, no handover: remove the row so nothing half-written remains.
        await db.handover.delete({ where: { id: handoverId } });
        console.error('[api] could not start handover workflow', error);
        throw new ApiError(503, 'temporal_unavailable', 'Die Übergabe konnte nicht angelegt werden: Die Prozess-Engine ist nicht erreichbar.');
      }
    }

    res.status(201).location(`/api/v1/handovers/${handoverId}`).json({
      ...fromRecord(row, null, 'full'),
      // The counsellor just entered these; the workflow holds them from now on.
      person: body.person ?? null,
      proposedOrganisationId: body.proposedOrganisationId ?? null,
      deadlines: due ? [deadlineView({ kind: 'handover_consent', dueAt: due, status: 'open' })] : [],
      allowedActions: ['record-consent', 'cancel'] satisfies HandoverAction[],
    });
  });

  router.get('/', async (req, res) => {
    const user = currentUser(req);
    const q = listQuerySchema.safeParse(req.query);
    if (!q.success) {
      throw invalid('Ungültige Filter.', Object.fromEntries(q.error.issues.map((i) => [i.path.join('.'), i.message])));
    }
    const f = q.data;
    const where = {
      AND: [handoverListFilter(user), f.state ? { state: f.state } : {}, f.caseId ? { caseId: f.caseId } : {}],
    };
    const [total, rows] = await Promise.all([
      db.handover.count({ where }),
      db.handover.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: (f.page - 1) * f.pageSize, take: f.pageSize }),
    ]);
    res.json({
      // From the read model only: a cancelled handover whose consent was given is listed state-only to the receiver
      // (the cautious reading of handoverAccess); its detail view knows better.
      items: rows.flatMap((row) => {
        const access = handoverAccess(user, row);
        return access === 'none' ? [] : [listItem(row, access)];
      }),
      total,
      page: f.page,
      pageSize: f.pageSize,
    });
  });

  router.get('/:id', async (req, res) => {
    const user = currentUser(req);
    const row = await db.handover.findUnique({ where: { id: req.params.id } });
    const view = row ? await viewFor(user, row) : null;
    if (!view) throw notFound();
    await logAccess(db, req, user, { action: 'read_handover', handoverId: row!.id, ...(row!.caseId ? { caseId: row!.caseId } : {}) });
    res.json(view);
  });

  router.post('/:id/actions/:action', async (req, res) => {
    const user = currentUser(req);
    const action = req.params.action;
    if (!isHandoverAction(action)) throw new ApiError(404, 'unknown_action', `Unbekannte Aktion „${action}“.`);
    const row = await db.handover.findUnique({ where: { id: req.params.id } });
    if (!row || handoverAccess(user, row) === 'none') throw notFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    // Idempotency key per action: the Temporal update id, and what the workflow remembers across continue-as-new.
    const requestId = typeof body.requestId === 'string' && body.requestId.trim() ? `${action}:${body.requestId.trim()}` : undefined;

    const ended = () => {
      const label = HANDOVER_STATE_LABELS[row.state as keyof typeof HANDOVER_STATE_LABELS] ?? row.state;
      return new ApiError(409, 'transition_not_allowed', `Die Übergabe ist bereits beendet (Status „${label}“).`, { allowed: [] });
    };
    // Nothing can change an ended handover; without a request id there is no earlier answer to repeat either.
    if (isTerminal(row.state) && !requestId) throw ended();
    if (action === 'accept') await checkAssignee(body, row.receivingOrganisationId);

    let data: HandoverData;
    try {
      data = await temporal.workflow.getHandle(row.workflowId).executeUpdate(handoverActionUpdate, {
        args: [{ action, payload: body, actor: actorOf(user), requestId }],
        // The request id is the Temporal update id: a repeated request gets the first answer.
        ...(requestId ? { updateId: requestId } : {}),
      });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        // The workflow has completed (or is gone): the record says what became of the handover.
        const now = await db.handover.findUnique({ where: { id: row.id } });
        if (now && isTerminal(now.state)) {
          row.state = now.state;
          throw ended();
        }
      }
      throw refusalToApiError(error);
    }
    const after = (await db.handover.findUnique({ where: { id: row.id } })) ?? row;
    const access = handoverAccess(user, { ...after, state: data.state }, { visibleToReceiver: data.visibleToReceiver });
    // The actor was allowed to act, so they see at least the state (the receiving side before consent: only that).
    res.json({ handover: fromWorkflow(data, access === 'none' ? 'state_only' : access, user, after.closedAt) });
  });

  /** `accept` may name who takes the case: an active case manager of the receiving organisation. */
  async function checkAssignee(body: Record<string, unknown>, receivingOrganisationId: string | null) {
    const assigneeId = body.assigneeId;
    if (typeof assigneeId !== 'string' || !assigneeId) return; // the workflow's validator reports a malformed field
    const assignee = await db.user.findUnique({ where: { id: assigneeId } });
    if (!assignee || !assignee.active || assignee.organisationId !== receivingOrganisationId || assignee.role !== 'case_manager') {
      throw invalid('Die Person kann den Fall nicht übernehmen.', { assigneeId: 'Keine aktive fallführende Person der aufnehmenden Organisation' });
    }
  }

  return router;
}
