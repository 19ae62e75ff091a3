// ABH handovers (api.md "ABH handovers"): propose (row + workflow), read, list, and the actions as workflow updates.
// The handover workflow owns the truth while it runs; once it has ended (handed over, refused, lapsed, cancelled) the
// Handover row and its HandoverEvent log are the record, so reads and refused actions answer from there.
// The JSON door (api/v1/handovers.ts) and the pages (api/pages/handovers.ts) both call these functions.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import {
  consentDueAt,
  createHandover,
  createHandoverSchema,
  handoverActionSchemas,
  HANDOVER_ACTIONS,
  HANDOVER_STATE_LABELS,
  HANDOVER_STATES,
  parseCreateHandover,
  proposeProvider,
  resolveReceivingOrganisation,
  TERMINAL_HANDOVER_STATES,
  type CreateHandoverBody,
  type HandoverAction,
  type HandoverData,
  type HandoverState,
} from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { berlinDay, routingRulesOn } from '../../platform/routing-rules.js';
import { loadCaseSettings } from '../../platform/settings.js';
import type { Handover as HandoverRow } from '../../prisma/generated/client.js';
import { handoverActionUpdate, handoverViewQuery, handoverWorkflowId, type HandoverWorkflowInput, type OpenHandoverInput } from '../../workflows/handover-messages.js';
import { canProposeHandover, canTakeOverHandover, caseAccess, handoverAccess, handoverListFilter, isHandedOverBy, type AccessUser } from './access-policy.js';
import { logAccess } from './access-log.js';
import { actorOf, type Caller, type OperationDeps } from './caller.js';
import { ApiError, isUniqueViolation, refusalToApiError } from './errors.js';
import { withCleanPersonNames } from './plausibility.js';
import { ensureEngineReachable } from './case-lookup.js';
import { deadlineView, fromRecord, fromWorkflow, listItem, RECORD_EVENT_TYPES, recordDetails, type HandoverView } from './handover-responses.js';
import { errorFields, logger } from '../../platform/logger.js';

// ---------------------------------------------------------------------------------------------------------------
// Input of the JSON door (v1/openapi.ts describes the same schemas)

/** POST /api/v1/handovers (checked by the domain's parseCreateHandover, which adds the birth-date rule). */
export const proposeHandoverBody = createHandoverSchema;

/** POST /api/v1/handovers/:id/actions/:action, per action (checked by the workflow's validator). */
export const handoverActionBody = handoverActionSchemas;

/** GET /api/v1/handovers */
export const listHandoversQuery = z.object({
  state: z.enum(HANDOVER_STATES).optional(),
  caseId: z.string().min(1).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListHandoversQuery = z.input<typeof listHandoversQuery>;

// ---------------------------------------------------------------------------------------------------------------
// Small rules

/** Organisation kinds that run KIM case management and can therefore take a case over. */
const RECEIVING_KINDS: readonly string[] = ['provider', 'county'];

export function canReceiveHandovers(organisation: { kind: string }): boolean {
  return RECEIVING_KINDS.includes(organisation.kind);
}

const isTerminal = (state: string) => (TERMINAL_HANDOVER_STATES as readonly string[]).includes(state);

export function isHandoverAction(value: string): value is HandoverAction {
  return (HANDOVER_ACTIONS as readonly string[]).includes(value);
}

/** The action named in a path; 404 unknown_action for any other word. */
export function parseHandoverAction(value: string): HandoverAction {
  if (!isHandoverAction(value)) throw new ApiError(404, 'unknown_action', `Unbekannte Aktion „${value}“.`);
  return value;
}

const notFound = () => new ApiError(404, 'not_found', 'Übergabe nicht gefunden.');
const invalid = (message: string, fields: Record<string, string>) => new ApiError(422, 'validation_failed', message, { fields });

function endedError(state: string): ApiError {
  const label = HANDOVER_STATE_LABELS[state as HandoverState] ?? state;
  return new ApiError(409, 'transition_not_allowed', `Die Übergabe ist bereits beendet (Status „${label}“).`, { allowed: [] });
}

// ---------------------------------------------------------------------------------------------------------------
// Propose

/**
 * The organisation that is to take the case over: the counsellor's choice, the routing proposal or (for an existing
 * case) the case's proposed organisation. Checks the case the handover is about. Throws 404/409/422.
 */
async function receivingOrganisationFor(db: Database, user: AccessUser, body: CreateHandoverBody, requestedAt: string): Promise<string> {
  const { rules } = await routingRulesOn(db, berlinDay(requestedAt));
  let receivingOrganisationId = resolveReceivingOrganisation(body, requestedAt, rules);
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
    const proposal = proposeProvider({ municipality: body.person!.municipality, birthDate: body.person!.birthDate, on: requestedAt }, rules);
    const message = proposal.ok ? 'Keine aufnehmende Organisation ermittelbar.' : proposal.error.message;
    throw invalid(message, { proposedOrganisationId: message });
  }
  const receiving = receivingOrganisationId ? await db.organisation.findUnique({ where: { id: receivingOrganisationId } }) : null;
  if (!receiving || !canReceiveHandovers(receiving) || receiving.id === caseOrganisationId) {
    throw invalid('Die vorgeschlagene Organisation kann den Fall nicht übernehmen.', {
      proposedOrganisationId: 'Keine Organisation des KIM Case Managements (Träger oder KIM-Team des Kreises)',
    });
  }
  return receiving.id;
}

/** Starts the handover's workflow; without it there is no handover, so the row goes again and the caller hears 503. */
async function startHandoverWorkflow({ db, temporal, taskQueue }: OperationDeps, row: HandoverRow, input: HandoverWorkflowInput): Promise<void> {
  const workflowId = row.workflowId;
  try {
    // Bounded: a caller should hear within seconds that the engine is away, not after the client's long retry.
    await temporal.connection.withDeadline(Date.now() + 5000, () => temporal.workflow.start('handoverWorkflow', { workflowId, taskQueue, args: [input] }));
  } catch (error) {
    // The start may have reached the server before the deadline ran out: then the handover exists after all.
    const started = await temporal.connection
      .withDeadline(Date.now() + 2000, () => temporal.workflow.getHandle(workflowId).describe())
      .then(
        () => true,
        () => false,
      );
    if (!started) {
      // No workflow, no handover: remove the row so nothing half-written remains.
      await db.handover.delete({ where: { id: row.id } });
      logger.error({ handoverId: row.id, ...errorFields(error) }, 'could not start handover workflow');
      throw new ApiError(503, 'temporal_unavailable', 'Die Übergabe konnte nicht angelegt werden: Die Prozess-Engine ist nicht erreichbar.');
    }
  }
}

/** The handover an earlier request with the same (counsellor, requestId) proposed, as the caller sees it now (logged). */
async function proposedBefore(deps: OperationDeps, caller: Caller, requestId: string | undefined): Promise<HandoverView | null> {
  if (!requestId) return null;
  const row = await deps.db.handover.findUnique({ where: { counsellorId_requestId: { counsellorId: caller.user.id, requestId } } });
  return row ? viewHandover(deps, caller, row) : null;
}

/** The insert lost against the partial unique index (one open handover per case) or an equal requestId. */
async function insertConflict(deps: OperationDeps, caller: Caller, body: CreateHandoverBody): Promise<HandoverView> {
  const raced = await proposedBefore(deps, caller, body.requestId);
  if (raced) return raced;
  const open = body.caseId
    ? await deps.db.handover.findFirst({ where: { caseId: body.caseId, state: { notIn: [...TERMINAL_HANDOVER_STATES] } }, select: { id: true } })
    : null;
  throw new ApiError(409, 'handover_in_progress', 'Für diesen Fall läuft bereits eine Übergabe.', { handoverId: open?.id ?? null });
}

/**
 * POST /api/v1/handovers: the row, then the workflow. Returns the 201 body; throws 403/404/409/422/503. Idempotent by
 * (counsellor, requestId); one open handover per case is kept by a partial unique index, not by the check alone.
 */
export async function proposeHandover(deps: OperationDeps, caller: Caller, input: unknown) {
  const { db } = deps;
  const { user } = caller;
  if (!canProposeHandover(user)) throw new ApiError(403, 'forbidden', 'Übergaben schlägt die Sozialberatung der Ausländerbehörde vor.');
  const requestedAt = new Date().toISOString();
  const parsed = parseCreateHandover(withCleanPersonNames(input ?? {}), requestedAt);
  if (!parsed.ok) throw invalid('Die Angaben sind unvollständig oder ungültig.', parsed.fields);
  const body = parsed.payload;
  const earlier = await proposedBefore(deps, caller, body.requestId);
  if (earlier) return earlier;
  const receivingOrganisationId = await receivingOrganisationFor(db, user, body, requestedAt);

  const settings = await loadCaseSettings(db);
  const handoverId = randomUUID();
  const open: OpenHandoverInput = { handoverId, requestedAt, requestedBy: actorOf(user), body, receivingOrganisationId };
  // The domain decides the consent deadline; computed here the same way the workflow will, for the row and answer.
  const due = consentDueAt(createHandover(open, settings.deadlines).next);
  // Only residence-law facts and reason go into the row; a new person's data stays in the workflow until a case
  // is opened on acceptance (refused or lapsed handovers leave no personal data behind).
  let row: HandoverRow;
  try {
    row = await db.handover.create({
      data: {
        id: handoverId,
        requestId: body.requestId ?? null,
        workflowId: handoverWorkflowId(handoverId),
        caseId: body.caseId ?? null,
        state: 'awaiting_consent',
        counsellorId: user.id,
        receivingOrganisationId,
        proposal: { residenceLaw: body.residenceLaw, reason: body.reason },
        consentDueAt: due ? new Date(due) : null,
        createdAt: new Date(requestedAt),
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) return insertConflict(deps, caller, body);
    throw error;
  }
  await startHandoverWorkflow(deps, row, { open, settings });

  return {
    ...fromRecord(row, null, 'full'),
    // The counsellor just entered these; the workflow holds them from now on.
    person: body.person ?? null,
    proposedOrganisationId: body.proposedOrganisationId ?? null,
    deadlines: due ? [deadlineView({ kind: 'handover_consent', dueAt: due, status: 'open' })] : [],
    allowedActions: ['record-consent', 'cancel'] satisfies HandoverAction[],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// List and read

/** GET /api/v1/handovers: the handovers the caller may see, newest first, projected per access. Throws 422. */
export async function listHandovers({ db }: OperationDeps, caller: Caller, input: unknown) {
  const { user } = caller;
  const q = listHandoversQuery.safeParse(input ?? {});
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
  // Which planned meetings were held (their event; the read model's state does not change with it).
  const scheduled = rows.filter((r) => r.state === 'meeting_scheduled').map((r) => r.id);
  const held = new Set(
    scheduled.length === 0
      ? []
      : (await db.handoverEvent.findMany({ where: { handoverId: { in: scheduled }, type: 'handover_meeting_held' }, select: { handoverId: true } })).map((e) => e.handoverId),
  );
  return {
    // From the read model only: a cancelled handover whose consent was given is listed state-only to the receiver
    // (the cautious reading of handoverAccess); its detail view knows better.
    items: rows.flatMap((row) => {
      const access = handoverAccess(user, row);
      return access === 'none' ? [] : [listItem(row, access, held.has(row.id))];
    }),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** The handover row if the caller may see anything of it; 404 exactly as for an unknown id otherwise. */
export async function findHandover(db: Database, caller: Caller, id: string): Promise<HandoverRow> {
  const row = await db.handover.findUnique({ where: { id } });
  if (!row || handoverAccess(caller.user, row) === 'none') throw notFound();
  return row;
}

/** The workflow's state, or null when the engine holds no workflow (any more) or does not answer in time. */
async function queryHandover({ temporal }: OperationDeps, workflowId: string): Promise<HandoverData | null> {
  try {
    return await temporal.connection.withDeadline(Date.now() + 5000, () => temporal.workflow.getHandle(workflowId).query(handoverViewQuery));
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) logger.warn({ workflowId, ...errorFields(error) }, 'handover query failed; answering from the read model');
    return null;
  }
}

/**
 * The answer for a row findHandover() returned, as the caller sees it, written to the access log before it is
 * returned. 404 when the workflow's state shows the caller may not see it after all.
 */
export async function viewHandover(deps: OperationDeps, caller: Caller, row: HandoverRow): Promise<HandoverView> {
  const { db } = deps;
  const { user } = caller;
  let view: HandoverView | null;
  // While the handover runs, the workflow knows best; an ended one is read from its record (no replay needed).
  const data = isTerminal(row.state) ? null : await queryHandover(deps, row.workflowId);
  if (data) {
    const access = handoverAccess(user, { ...row, state: data.state }, { visibleToReceiver: data.visibleToReceiver });
    view = access === 'none' ? null : fromWorkflow(data, access, user, row.closedAt);
  } else {
    const events = await db.handoverEvent.findMany({ where: { handoverId: row.id, type: { in: RECORD_EVENT_TYPES } }, orderBy: { seq: 'asc' } });
    const details = recordDetails(events);
    const access = handoverAccess(user, row, { visibleToReceiver: details.visibleToReceiver });
    view = access === 'none' ? null : fromRecord(row, details, access);
  }
  if (!view) throw notFound();
  await logAccess(db, caller, { action: 'read_handover', handoverId: row.id, ...(row.caseId ? { caseId: row.caseId } : {}) });
  return view;
}

/** GET /api/v1/handovers/:id. Throws 404. */
export async function readHandover(deps: OperationDeps, caller: Caller, id: string): Promise<HandoverView> {
  return viewHandover(deps, caller, await findHandover(deps.db, caller, id));
}

// ---------------------------------------------------------------------------------------------------------------
// Actions

/** `accept` may name who takes the case: an active case manager of the receiving organisation. */
async function checkAssignee(db: Database, body: Record<string, unknown>, receivingOrganisationId: string | null): Promise<void> {
  const assigneeId = body.assigneeId;
  if (typeof assigneeId !== 'string' || !assigneeId) return; // the workflow's validator reports a malformed field
  const assignee = await db.user.findUnique({ where: { id: assigneeId } });
  if (!assignee || !receivingOrganisationId || !canTakeOverHandover(assignee, receivingOrganisationId)) {
    throw invalid('Die Person kann den Fall nicht übernehmen.', { assigneeId: 'Keine aktive fallführende Person der aufnehmenden Organisation' });
  }
}

/**
 * Runs the action on a row findHandover() returned and answers with the handover as the actor now sees it.
 * Throws 409/422/403 (refusals) and ApiError 409 for an ended handover. When the workflow turns out to have ended,
 * `row` is brought up to date with the record, so a caller that shows it afterwards shows how it ended.
 */
export async function actOnHandover(deps: OperationDeps, caller: Caller, row: HandoverRow, action: HandoverAction, input: unknown): Promise<HandoverView> {
  const { db, temporal } = deps;
  const { user } = caller;
  const body = (input ?? {}) as Record<string, unknown>;
  // Idempotency key per action: the Temporal update id, and what the workflow remembers across continue-as-new.
  const requestId = typeof body.requestId === 'string' && body.requestId.trim() ? `${action}:${body.requestId.trim()}` : undefined;
  // Nothing can change an ended handover; without a request id there is no earlier answer to repeat either.
  if (isTerminal(row.state) && !requestId) throw endedError(row.state);
  if (action === 'accept') await checkAssignee(db, body, row.receivingOrganisationId);

  let data: HandoverData;
  try {
    await ensureEngineReachable(temporal);
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
        Object.assign(row, now);
        throw endedError(now.state);
      }
    }
    throw refusalToApiError(error);
  }
  // The answer carries the handover (also a replayed requestId's first answer): a read like any other.
  await logAccess(db, caller, { action: 'read_handover', handoverId: row.id, ...(row.caseId ? { caseId: row.caseId } : {}) });
  const after = (await db.handover.findUnique({ where: { id: row.id } })) ?? row;
  const access = handoverAccess(user, { ...after, state: data.state }, { visibleToReceiver: data.visibleToReceiver });
  // The actor was allowed to act, so they see at least the state (the receiving side before consent: only that).
  return fromWorkflow(data, access === 'none' ? 'state_only' : access, user, after.closedAt);
}

/** POST /api/v1/handovers/:id/actions/:action. Throws 404 and what actOnHandover() throws. */
export async function runHandoverAction(deps: OperationDeps, caller: Caller, id: string, action: HandoverAction, input: unknown): Promise<HandoverView> {
  return actOnHandover(deps, caller, await findHandover(deps.db, caller, id), action, input);
}
