// Cases: open a case (rows + workflow) and read it (case state from the workflow, person from the database).
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { consentCategories, isCaseAction, parseCreateCase, proposeProvider, type CaseData, type Consent, type DecideError } from '../domain/index.js';
import {
  canActOnCase,
  canOpenCase,
  caseAccess,
  caseListFilter,
  handedOverCaseIds,
  isHandedOverBy,
  requireCaseAccess,
  stateOnlyCaseView,
} from './access.js';
import { logAccess } from './access-log.js';
import { listSharedCases, resolveCaseRead } from './shared-cases.js';
import { currentUser, type AuthenticatedUser } from './auth.js';
import { ApiError, isDatabaseUnavailable } from './errors.js';
import type { Database } from '../platform/database.js';
import { loadCaseSettings } from '../platform/settings.js';
import { caseActionUpdate, caseViewQuery, caseWorkflowId } from '../workflows/definitions.js';
import type { CaseWorkflowInput } from '../workflows/case-state.js';
import { caseMunicipalityKey, caseOrganisationKey, caseStateKey } from '../workflows/search-attributes.js';

export interface CasesDependencies {
  db: Database;
  temporal: Client;
  taskQueue: string;
}

type CaseRow = NonNullable<Awaited<ReturnType<typeof loadCaseRow>>>;

/** The read-model row of a case with its person (the pages share it with the routes). */
export function loadCaseRow(db: Database, id: string) {
  return db.case.findUnique({ where: { id }, include: { person: true } });
}

/** The contract's case shape. `view` is the workflow's state; null once the engine no longer holds the case. */
export function toCaseResponse(row: CaseRow, view: CaseData | null) {
  const p = row.person;
  const person = {
    id: p.id,
    givenName: p.givenName,
    familyName: p.familyName,
    birthDate: p.birthDate.toISOString().slice(0, 10),
    municipality: p.municipality,
    languages: p.languages,
  };
  if (!view) {
    return {
      id: row.id,
      state: row.state,
      onHold: row.onHold,
      organisationId: row.organisationId,
      assignee: row.assigneeId,
      proposedProvider: { organisationId: row.proposedOrganisationId, reason: row.proposalReason },
      person,
      source: row.source,
      deadlines: row.nextDeadlineAt ? [{ kind: row.nextDeadlineKind, dueAt: row.nextDeadlineAt.toISOString(), status: 'open' }] : [],
      openedAt: row.openedAt.toISOString(),
      closedAt: row.closedAt?.toISOString() ?? null,
      // Where the state came from: the read model, because the engine has no workflow for it (yet or any more), or
      // the case's personal data is erased (erasedAt).
      stateSource: 'read_model' as const,
      erasedAt: row.erasedAt?.toISOString() ?? null,
    };
  }
  return {
    id: row.id,
    state: view.state,
    onHold: view.onHold,
    hold: view.hold ?? null,
    organisationId: view.organisationId,
    assignee: view.assigneeId ?? null,
    proposedProvider: view.proposedProvider,
    providerConfirmed: view.providerConfirmed,
    person,
    source: row.source,
    consents: view.consents.map(withEffectiveCategories),
    assessment: view.assessment ?? null,
    goals: view.goals,
    referrals: view.referrals,
    contacts: { count: view.contacts.count, byKind: view.contacts.byKind, lastContactAt: view.contacts.lastContactAt ?? null },
    reviews: view.reviews,
    closureRequest: view.closureRequest ?? null,
    deadlines: view.deadlines
      .filter((d) => d.status !== 'cancelled')
      .map((d) => ({ id: d.id, kind: d.kind, dueAt: d.dueAt, escalateAt: d.escalateAt ?? null, status: d.status, refId: d.refId ?? null })),
    openedAt: view.openedAt,
    closedAt: view.closure?.closedAt ?? null,
    closure: view.closure ?? null,
    stateSource: 'workflow' as const,
  };
}

/** Sharing consents show the categories they cover in effect (the default set when none were named). */
function withEffectiveCategories(consent: Consent): Consent {
  return consent.scope === 'share_with_partner' ? { ...consent, dataCategories: consentCategories(consent) } : consent;
}

const listQuerySchema = z.object({
  state: z.enum(['intake', 'assessment', 'goal_planning', 'referral', 'review', 'closed']).optional(),
  organisationId: z.string().min(1).optional(),
  assignee: z.string().min(1).optional(),
  municipality: z.string().min(1).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

function listItem(row: CaseRow) {
  return {
    id: row.id,
    state: row.state,
    onHold: row.onHold,
    organisationId: row.organisationId,
    assignee: row.assigneeId,
    municipality: row.municipality,
    person: { givenName: row.person.givenName, familyName: row.person.familyName },
    nextDeadline: row.nextDeadlineAt ? { kind: row.nextDeadlineKind, dueAt: row.nextDeadlineAt.toISOString() } : null,
    overdue: Boolean(row.nextDeadlineAt && row.nextDeadlineAt < new Date() && !row.closedAt),
    openedAt: row.openedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
  };
}

/** assign/transfer name a user: it must be an active case manager of the organisation that will hold the case. */
async function checkAssignee(db: Database, action: string, body: Record<string, unknown>, caseOrganisationId: string) {
  if (action !== 'assign' && action !== 'transfer') return;
  const assigneeId = body.assigneeId;
  if (typeof assigneeId !== 'string' || !assigneeId) return; // the workflow's validator reports a missing field
  const organisationId = action === 'transfer' && typeof body.organisationId === 'string' ? body.organisationId : caseOrganisationId;
  const assignee = await db.user.findUnique({ where: { id: assigneeId } });
  if (!assignee || !assignee.active || assignee.organisationId !== organisationId || !['case_manager', 'abh_counsellor'].includes(assignee.role)) {
    throw new ApiError(422, 'validation_failed', 'Die Person kann den Fall nicht übernehmen.', {
      fields: { assigneeId: 'Keine aktive fallführende Person dieser Organisation' },
    });
  }
}

/** `asOf` as a day (`YYYY-MM-DD`: the end of that day, UTC) or a timestamp; 422 otherwise. */
export function parseAsOf(value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : '';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T23:59:59.999Z`) : new Date(text);
  if (!text || Number.isNaN(date.getTime())) {
    throw new ApiError(422, 'validation_failed', 'Ungültiger Stichtag.', { fields: { asOf: 'Datum (JJJJ-MM-TT) oder Zeitpunkt im ISO-8601-Format erwartet' } });
  }
  return date;
}

/** A refusal from the workflow's validator, in the contract's shape: 409 / 422 / 403. */
export function refusalToApiError(error: unknown): unknown {
  if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof ApplicationFailure)) return error;
  const detail = error.cause.details?.[0] as DecideError | undefined;
  switch (error.cause.type) {
    case 'transition_not_allowed':
      return new ApiError(409, 'transition_not_allowed', error.cause.message, { allowed: detail && 'allowed' in detail ? detail.allowed : [] });
    case 'validation_failed':
      return new ApiError(422, 'validation_failed', error.cause.message, { fields: detail && 'fields' in detail ? detail.fields : {} });
    case 'forbidden':
      return new ApiError(403, 'forbidden', error.cause.message);
    default:
      return error;
  }
}

// The operations behind the routes, exported so the German pages (api/pages.ts) run exactly the same logic.

/** POST /api/v1/cases: person + case rows, then the case workflow. Returns the 201 body; throws ApiError. */
export async function openCase({ db, temporal, taskQueue }: CasesDependencies, user: AuthenticatedUser, input: unknown) {
  if (!canOpenCase(user)) throw new ApiError(403, 'forbidden', 'Ihre Rolle darf keine Fälle anlegen.');
  const openedAt = new Date().toISOString();
  const parsed = parseCreateCase(input ?? {}, openedAt);
  if (!parsed.ok) {
    throw new ApiError(422, 'validation_failed', 'Die Angaben sind unvollständig oder ungültig.', { fields: parsed.fields });
  }
  const body = parsed.payload;
  const proposal = proposeProvider({ municipality: body.person.municipality, birthDate: body.person.birthDate, on: openedAt });
  if (!proposal.ok) {
    const field = proposal.error.code === 'unknown_municipality' ? 'person.municipality' : 'person.birthDate';
    throw new ApiError(422, 'validation_failed', proposal.error.message, { fields: { [field]: proposal.error.message } });
  }
  const settings = await loadCaseSettings(db);
  const caseId = randomUUID();
  const workflowId = caseWorkflowId(caseId);

  const person = await db.$transaction(async (tx) => {
    const created = await tx.person.create({
      data: {
        givenName: body.person.givenName,
        familyName: body.person.familyName,
        birthDate: new Date(`${body.person.birthDate}T00:00:00Z`),
        municipality: proposal.municipality,
        languages: body.person.languages ?? [],
      },
    });
    await tx.case.create({
      data: {
        id: caseId,
        workflowId,
        personId: created.id,
        state: 'intake',
        organisationId: proposal.organisationId,
        proposedOrganisationId: proposal.organisationId,
        proposalReason: proposal.reason,
        municipality: proposal.municipality,
        source: body.source,
        note: body.note ?? null,
        openedAt: new Date(openedAt),
      },
    });
    return created;
  });

  const workflowInput: CaseWorkflowInput = {
    settings,
    open: {
      caseId,
      openedAt,
      openedBy: user.id,
      organisationId: proposal.organisationId,
      proposedProvider: { organisationId: proposal.organisationId, reason: proposal.reason },
      municipality: proposal.municipality,
      source: body.source,
    },
  };
  try {
    // Bounded: a caller should hear within seconds that the engine is away, not after the client's long retry.
    await temporal.connection.withDeadline(Date.now() + 5000, () => temporal.workflow.start('caseWorkflow', {
      workflowId,
      taskQueue,
      args: [workflowInput],
      typedSearchAttributes: [
        { key: caseStateKey, value: 'intake' },
        { key: caseOrganisationKey, value: proposal.organisationId },
        { key: caseMunicipalityKey, value: proposal.municipality },
      ],
    }));
  } catch (error) {
    // The start may have reached the server before the deadline ran out: then the case exists after all.
    const started = await temporal.connection
      .withDeadline(Date.now() + 2000, () => temporal.workflow.getHandle(workflowId).describe())
      .then(() => true, () => false);
    if (started) {
      const row = await loadCaseRow(db, caseId);
      if (row) return toCaseResponse(row, null);
    }
    // No workflow, no case: remove the rows so nothing half-written remains.
    await db.$transaction([db.case.delete({ where: { id: caseId } }), db.person.delete({ where: { id: person.id } })]);
    // The codec needs the database too (the new case's data key): a database outage is answered as one.
    if (isDatabaseUnavailable(error)) throw error;
    console.error('[api] could not start case workflow', error);
    throw new ApiError(503, 'temporal_unavailable', 'Der Fall konnte nicht angelegt werden: Die Prozess-Engine ist nicht erreichbar.');
  }

  const row = await loadCaseRow(db, caseId);
  if (!row) throw new ApiError(500, 'internal_error', 'Fall nach dem Anlegen nicht gefunden.');
  return {
    ...toCaseResponse(row, null),
    proposedProvider: { organisationId: proposal.organisationId, reason: proposal.reason, alternatives: proposal.alternatives },
  };
}

/** GET /api/v1/cases: the caller's cases from the read model. `query` is the raw query string object. */
export async function listCases(db: Database, user: AuthenticatedUser, query: unknown) {
  const q = listQuerySchema.safeParse(query);
  if (!q.success) {
    throw new ApiError(422, 'validation_failed', 'Ungültige Filter.', { fields: Object.fromEntries(q.error.issues.map((i) => [i.path.join('.'), i.message])) });
  }
  const f = q.data;
  const handedOver = await handedOverCaseIds(db, user);
  const where = {
    AND: [
      caseListFilter(user, handedOver),
      f.state ? { state: f.state } : {},
      f.organisationId ? { organisationId: f.organisationId } : {},
      f.assignee ? { assigneeId: f.assignee === 'me' ? user.id : f.assignee } : {},
      f.municipality ? { municipality: f.municipality } : {},
      f.overdue === 'true' ? { nextDeadlineAt: { lt: new Date() }, closedAt: null } : {},
      f.q
        ? {
            OR: [
              { person: { familyName: { contains: f.q, mode: 'insensitive' as const } } },
              { person: { givenName: { contains: f.q, mode: 'insensitive' as const } } },
              { id: f.q },
            ],
          }
        : {},
    ],
  };
  const [total, rows] = await Promise.all([
    db.case.count({ where }),
    db.case.findMany({
      where,
      include: { person: true },
      orderBy: [{ nextDeadlineAt: { sort: 'asc', nulls: 'last' } }, { openedAt: 'desc' }],
      skip: (f.page - 1) * f.pageSize,
      take: f.pageSize,
    }),
  ]);
  return {
    items: rows.map((row) =>
      caseAccess(user, row, { handedOverBy: handedOver.includes(row.id) }) === 'full'
        ? listItem(row)
        : stateOnlyCaseView(row),
    ),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** POST /api/v1/cases/:id/actions/:action as a workflow update. Returns `{ case }`; throws ApiError (404/403/409/422). */
export async function runCaseAction(
  { db, temporal }: CasesDependencies,
  user: AuthenticatedUser,
  caseId: string,
  action: string,
  input: unknown,
) {
  if (!isCaseAction(action)) throw new ApiError(404, 'unknown_action', `Unbekannte Aktion „${action}“.`);
  const row = await loadCaseRow(db, caseId);
  requireCaseAccess(user, row, 'full', { handedOverBy: row ? await isHandedOverBy(db, user, row.id) : false });
  if (!canActOnCase(user, row!, action)) throw new ApiError(403, 'forbidden', 'Diese Aktion ist Ihrer Rolle nicht erlaubt.');
  if (row!.erasedAt) {
    throw new ApiError(409, 'transition_not_allowed', 'Die Aufbewahrungsfrist ist abgelaufen: die personenbezogenen Daten des Falls sind gelöscht.', {
      allowed: [],
    });
  }
  const body = (input ?? {}) as Record<string, unknown>;
  await checkAssignee(db, action, body, row!.organisationId);
  // Idempotency key per action: the Temporal update id, and what the workflow remembers across continue-as-new.
  const requestId = typeof body.requestId === 'string' && body.requestId.trim() ? `${action}:${body.requestId.trim()}` : undefined;
  let data: CaseData;
  try {
    data = await temporal.workflow.getHandle(row!.workflowId).executeUpdate(caseActionUpdate, {
      args: [{ action, payload: body, actor: { id: user.id, role: user.role, organisationId: user.organisationId }, requestId }],
      // The request id is the Temporal update id: a repeated request gets the first answer.
      ...(requestId ? { updateId: requestId } : {}),
    });
  } catch (error) {
    throw refusalToApiError(error);
  }
  const after = await loadCaseRow(db, row!.id);
  return { case: toCaseResponse(after!, data) };
}

/**
 * The case as its workflow holds it now; null when the engine has no workflow for it (yet or any more) and once the
 * case's personal data is erased (its last run answers no queries; the read model is all there is).
 */
export async function queryCaseView(temporal: Client, row: { workflowId: string; erasedAt: Date | null }): Promise<CaseData | null> {
  if (row.erasedAt) return null;
  try {
    return await temporal.workflow.getHandle(row.workflowId).query(caseViewQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

/** The case's full history from the event store (oldest first, with actor names) and, for `asOf`, the case as
 *  it stood then: the snapshot written with the last event batch up to that time. Shared by API and the page. */
export async function caseHistory(db: Database, caseId: string, asOf?: Date) {
  const events = await db.caseEvent.findMany({
    where: { caseId, ...(asOf ? { at: { lte: asOf } } : {}) },
    orderBy: { seq: 'asc' },
  });
  // Who did it, by name: the Fallrekonstruktion is read by people.
  const actorIds = [...new Set(events.flatMap((e) => (e.actorId ? [e.actorId] : [])))];
  const users = await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } });
  const byId = new Map(users.map((u) => [u.id, u]));
  let asOfCase: Record<string, unknown> | null = null;
  if (asOf) {
    const snapshot = await db.caseSnapshot.findFirst({ where: { caseId, at: { lte: asOf } }, orderBy: { seq: 'desc' } });
    const c = snapshot?.data as CaseData | undefined;
    asOfCase = c
      ? {
          asOf: asOf.toISOString(),
          afterEvent: snapshot!.seq,
          state: c.state,
          onHold: c.onHold,
          organisationId: c.organisationId,
          assignee: c.assigneeId ?? null,
          openDeadlines: c.deadlines.filter((d) => ['open', 'reminded', 'escalated', 'missed', 'suspended'].includes(d.status)),
          goals: c.goals,
          consents: c.consents,
          referrals: c.referrals,
          contacts: { count: c.contacts.count, byKind: c.contacts.byKind },
          closure: c.closure ?? null,
        }
      : null;
  }
  return {
    caseId,
    ...(asOf ? { asOf: asOf.toISOString(), case: asOfCase } : {}),
    events: events.map((e) => ({
      seq: e.seq,
      at: e.at.toISOString(),
      type: e.type,
      actor: e.actorId,
      actorName: e.actorId ? (byId.get(e.actorId)?.name ?? null) : null,
      summary: e.summary,
      data: e.data,
    })),
  };
}

export function casesRouter({ db, temporal, taskQueue }: CasesDependencies): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const created = await openCase({ db, temporal, taskQueue }, currentUser(req), req.body ?? {});
    res.status(201).location(`/api/v1/cases/${created.id}`).json(created);
  });

  router.get('/', async (req, res) => {
    res.json(await listCases(db, currentUser(req), req.query));
  });

  // Before '/:id': case ids are UUIDs, never "shared".
  router.get('/shared', async (req, res) => {
    res.json(await listSharedCases(db, req, currentUser(req), req.query, 'api'));
  });

  router.get('/:id', async (req, res) => {
    const user = currentUser(req);
    const found = await resolveCaseRead({ db, temporal }, req, user, req.params.id, 'api');
    if (!found) throw new ApiError(404, 'not_found', 'Fall nicht gefunden.');
    if (found.access === 'partner') {
      // Consent-bound sharing: only the projection (logged as read_shared_case by resolveCaseRead).
      res.json(found.view);
      return;
    }
    if (found.access === 'state_only') {
      res.json(stateOnlyCaseView(found.row));
      return;
    }
    await logAccess(db, req, user, { action: 'read_case', caseId: found.row.id });
    res.json(toCaseResponse(found.row, await queryCaseView(temporal, found.row)));
  });

  router.post('/:id/actions/:action', async (req, res) => {
    res.json(await runCaseAction({ db, temporal, taskQueue }, currentUser(req), req.params.id, req.params.action, req.body ?? {}));
  });

  router.get('/:id/history', async (req, res) => {
    const user = currentUser(req);
    const row = await loadCaseRow(db, req.params.id);
    requireCaseAccess(user, row, 'full', { handedOverBy: row ? await isHandedOverBy(db, user, row.id) : false });
    const asOf = parseAsOf(req.query.asOf);
    await logAccess(db, req, user, { action: 'read_history', caseId: row!.id });
    res.json(await caseHistory(db, row!.id, asOf));
  });

  return router;
}
