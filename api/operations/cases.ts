// Case use cases: open a case (rows + workflow), list, read, and read its history (acting on a case: case-acts.ts). Called by the JSON door
// (api/v1/cases.ts) and the pages alike; access through the policy, reads of content into the access log.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CASE_STATES, endOfDayBerlin, isIsoDate, isIsoTimestamp, parseCreateCase, proposeProvider, type CaseData, type PartnerCaseView, type RoutingRules } from '../../domain/index.js';
import { berlinDay, routingRulesOn } from '../../platform/routing-rules.js';
import type { Database } from '../../platform/database.js';
import { loadCaseSettings } from '../../platform/settings.js';
import { caseWorkflowId } from '../../workflows/case-messages.js';
import { caseWorkflowStart } from '../../workflows/case-start.js';
import {
  canOpenCase,
  caseAccess,
  caseListFilter,
  handedOverCaseIds,
  isHandedOverBy,
  requireCaseAccess,
  stateOnlyCaseView,
} from './access-policy.js';
import { logAccess } from './access-log.js';
import { searchCondition } from './case-search.js';
import { caseHolder } from './case-opening.js';
import { caseHistory } from './case-history.js';
import { loadCaseRow, readCaseView, type CaseRow } from './case-lookup.js';
import { listItem, toCaseResponse } from './case-responses.js';
import { type Caller, type OperationDeps } from './caller.js';
import { ApiError, isDatabaseUnavailable, isUniqueViolation } from './errors.js';
import { withCleanPersonNames } from './plausibility.js';
import { confirmedWarning, intakeMatch, recordIntakeMatch, requireConfirmation, type IntakeMatch } from './person-matches.js';
import { resolveCaseRead } from './partner-access.js';
import { errorFields, logger } from '../../platform/logger.js';

export const listCasesQuery = z.object({
  state: z.enum(CASE_STATES).optional(),
  organisationId: z.string().min(1).optional(),
  assignee: z.string().min(1).optional(),
  municipality: z.string().min(1).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  /** Names in any order and/or a birth date (`TT.MM.JJJJ` or `JJJJ-MM-TT`), or a case id. */
  q: z.string().trim().min(1).max(200).optional(),
  /** `true`: only cases not closed (the dashboard's figures link here). */
  open: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export function invalidQuery(error: z.ZodError): ApiError {
  return new ApiError(422, 'validation_failed', 'Ungültige Filter.', { fields: Object.fromEntries(error.issues.map((i) => [i.path.join('.'), i.message])) });
}

/** `asOf` as a day (`YYYY-MM-DD`: the end of that day in Germany) or a timestamp; 422 otherwise. */
export function parseAsOf(value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : '';
  // Strict formats only: Date's lenient parser reads "-0001-05-05" as 5 January 2005.
  const date = isIsoDate(text) ? new Date(endOfDayBerlin(text)) : isIsoTimestamp(text) ? new Date(text) : new Date(Number.NaN);
  // Year 0 or 10000 is no day of a case's history (and not a date the database takes).
  if (!text || Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1900 || date.getUTCFullYear() > 2999) {
    throw new ApiError(422, 'validation_failed', 'Ungültiger Stichtag.', { fields: { asOf: 'Datum (JJJJ-MM-TT) oder Zeitpunkt im ISO-8601-Format erwartet' } });
  }
  return date;
}


// ---------------------------------------------------------------------------------------------------------------
// Open

type Proposal = Extract<ReturnType<typeof proposeProvider>, { ok: true }>;

function parseOpenCase(input: unknown, openedAt: string, rules: RoutingRules) {
  const parsed = parseCreateCase(withCleanPersonNames(input ?? {}), openedAt);
  if (!parsed.ok) {
    throw new ApiError(422, 'validation_failed', 'Die Angaben sind unvollständig oder ungültig.', { fields: parsed.fields });
  }
  const body = parsed.payload;
  const proposal = proposeProvider({ municipality: body.person.municipality, birthDate: body.person.birthDate, on: openedAt }, rules);
  if (!proposal.ok) {
    const field = proposal.error.code === 'unknown_municipality' ? 'person.municipality' : 'person.birthDate';
    throw new ApiError(422, 'validation_failed', proposal.error.message, { fields: { [field]: proposal.error.message } });
  }
  return { body, proposal };
}

type OpenCaseBody = ReturnType<typeof parseOpenCase>['body'];

/** Person and case rows in one transaction; returns the person's id. */
async function createCaseRows(db: Database, caseId: string, body: OpenCaseBody, proposal: Proposal, opened: { at: string; by: string; organisationId: string }, match: IntakeMatch): Promise<string> {
  // requestId: unique per opener, so a double-submitted form or a repeated call cannot insert a second case.
  return db.$transaction(async (tx) => {
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
        workflowId: caseWorkflowId(caseId),
        personId: created.id,
        state: 'intake',
        organisationId: opened.organisationId,
        proposedOrganisationId: proposal.organisationId,
        proposalReason: proposal.reason,
        municipality: proposal.municipality,
        source: body.source,
        note: body.note ?? null,
        openedAt: new Date(opened.at),
        // Who opened it: a case the reconciler has to start later (workflow start lost) names them too.
        openedById: opened.by,
        requestId: body.requestId ?? null,
      },
    });
    // The duplicate check's hashes and any possible match the opener confirmed (issue 16): with the case or not at all.
    await recordIntakeMatch(tx, caseId, match, opened.by);
    return created.id;
  });
}

/** Starts the case workflow; on failure removes the rows (nothing half-written) unless the start did land. */
async function startCaseWorkflow(deps: OperationDeps, caseId: string, personId: string, start: ReturnType<typeof caseWorkflowStart>): Promise<boolean> {
  const { db, temporal, taskQueue } = deps;
  const { workflowId } = start;
  try {
    // Bounded: a caller should hear within seconds that the engine is away, not after the client's long retry.
    await temporal.connection.withDeadline(Date.now() + 5000, () => temporal.workflow.start('caseWorkflow', { ...start, taskQueue }));
    return true;
  } catch (error) {
    // The start may have reached the server before the deadline ran out: then the case exists after all.
    const started = await temporal.connection
      .withDeadline(Date.now() + 2000, () => temporal.workflow.getHandle(workflowId).describe())
      .then(() => true, () => false);
    if (started) return false;
    await db.$transaction([
      db.personMatchKey.deleteMany({ where: { caseId } }),
      db.personMatch.deleteMany({ where: { caseId } }),
      db.case.delete({ where: { id: caseId } }),
      db.person.delete({ where: { id: personId } }),
    ]);
    // The codec needs the database too (the new case's data key): a database outage is answered as one.
    if (isDatabaseUnavailable(error)) throw error;
    logger.error({ caseId, ...errorFields(error) }, 'could not start case workflow');
    throw new ApiError(503, 'temporal_unavailable', 'Der Fall konnte nicht angelegt werden: Die Prozess-Engine ist nicht erreichbar.');
  }
}

/**
 * The case an earlier request with the same (opener, requestId) opened, answered like the first time and logged as a
 * read (it carries case content); null when there is none. 409 when the opener no longer sees the case in full.
 */
async function openedBefore(deps: OperationDeps, caller: Caller, requestId: string | undefined) {
  if (!requestId) return null;
  const found = await deps.db.case.findUnique({ where: { openedById_requestId: { openedById: caller.user.id, requestId } }, select: { id: true } });
  const row = found ? await loadCaseRow(deps.db, found.id) : null;
  if (!row) return null;
  if (caseAccess(caller.user, row, { handedOverBy: await isHandedOverBy(deps.db, caller.user, row.id) }) !== 'full') {
    throw new ApiError(409, 'request_already_used', 'Mit dieser Anfrage wurde bereits ein Fall angelegt.', { id: row.id });
  }
  await logAccess(deps.db, caller, { action: 'read_case', caseId: row.id });
  return {
    ...toCaseResponse(row, null),
    proposedProvider: { organisationId: row.proposedOrganisationId ?? row.organisationId, reason: row.proposalReason ?? '' },
  };
}

/**
 * Intake: person + case rows, then the case workflow. Returns the 201 body; throws ApiError. Idempotent by
 * (user, requestId): a repeated request gets the case the first one opened.
 */
export async function openCase(deps: OperationDeps, caller: Caller, input: unknown) {
  const { user } = caller;
  if (!canOpenCase(user)) throw new ApiError(403, 'forbidden', 'Ihre Rolle darf keine Fälle anlegen.');
  const openedAt = new Date().toISOString();
  // Reads that do not depend on each other go out together (issue 11: intake near the engine's start rate).
  const settingsLoad = loadCaseSettings(deps.db);
  settingsLoad.catch(() => undefined); // awaited below; a refusal before that must not leave it unhandled
  // The rules valid on the intake's day; the proposal is stored with the case, so later rule changes never reach it.
  const { rules } = await routingRulesOn(deps.db, berlinDay(openedAt));
  const { body, proposal } = parseOpenCase(input, openedAt, rules);
  // Who holds it (domain/case-opening.ts; the proposal stays on record either way), alongside the look for an earlier
  // request — whose answer wins over any refusal of the holder, as when they ran one after the other.
  const [earlier, holder] = await Promise.allSettled([
    openedBefore(deps, caller, body.requestId),
    caseHolder(deps.db, user, proposal.organisationId, body.organisationId),
  ]);
  if (earlier.status === 'rejected') throw earlier.reason;
  if (earlier.value) return earlier.value;
  if (holder.status === 'rejected') throw holder.reason;
  const { organisationId } = holder.value;
  // One person across providers (issue 16): an open case elsewhere stops the intake until the opener confirms.
  const match = await intakeMatch(deps, body.person, organisationId);
  requireConfirmation(match, body.confirmNewCase);
  const settings = await settingsLoad;
  const caseId = randomUUID();
  let personId: string;
  try {
    personId = await createCaseRows(deps.db, caseId, body, proposal, { at: openedAt, by: user.id, organisationId }, match);
  } catch (error) {
    // A parallel request with the same requestId inserted first: answer with its case.
    const raced = isUniqueViolation(error) ? await openedBefore(deps, caller, body.requestId) : null;
    if (raced) return raced;
    throw error;
  }
  // The same input the reconciler builds from the row, should this start be lost (workflows/case-start.ts).
  const start = caseWorkflowStart(
    {
      id: caseId,
      openedAt,
      openedById: user.id,
      organisationId,
      proposedOrganisationId: proposal.organisationId,
      proposalReason: proposal.reason,
      municipality: proposal.municipality,
      source: body.source,
    },
    settings,
  );
  const startedNow = await startCaseWorkflow(deps, caseId, personId, start);
  const row = await loadCaseRow(deps.db, caseId);
  if (!row) throw new ApiError(500, 'internal_error', 'Fall nach dem Anlegen nicht gefunden.');
  if (!startedNow) return { ...toCaseResponse(row, null), ...confirmedWarning(match) };
  return {
    ...toCaseResponse(row, null),
    proposedProvider: { organisationId: proposal.organisationId, reason: proposal.reason, alternatives: proposal.alternatives },
    ...confirmedWarning(match),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// List and read

/** The caller's cases from the read model. `query` is the raw query string object. */
export async function listCases({ db }: Pick<OperationDeps, 'db'>, caller: Caller, query: unknown) {
  const { user } = caller;
  const q = listCasesQuery.safeParse(query);
  if (!q.success) throw invalidQuery(q.error);
  const f = q.data;
  // Filters look only at cases the caller sees in full: a handed-over case shown by its state alone must not be
  // found (or missed) by its assignee, municipality, deadlines, name or state (finding 9 of issue 15).
  const filtersContent = Boolean(f.state || f.open === 'true' || f.assignee || f.municipality || f.overdue === 'true' || f.q);
  const handedOver = filtersContent ? [] : await handedOverCaseIds(db, user);
  const where = {
    AND: [
      caseListFilter(user, handedOver),
      f.state ? { state: f.state } : {},
      f.organisationId ? { organisationId: f.organisationId } : {},
      f.assignee ? { assigneeId: f.assignee === 'me' ? user.id : f.assignee } : {},
      f.municipality ? { municipality: f.municipality } : {},
      f.overdue === 'true' ? { nextDeadlineAt: { lt: new Date() }, closedAt: null } : {},
      f.open === 'true' ? { closedAt: null } : {},
      f.q ? searchCondition(f.q) : {},
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
    items: rows.map((row) => (caseAccess(user, row, { handedOverBy: handedOver.includes(row.id) }) === 'full' ? listItem(row) : stateOnlyCaseView(row))),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

export type CaseRead =
  | { access: 'full'; row: CaseRow; view: CaseData | null }
  | { access: 'state_only'; row: CaseRow; residenceTrack?: PartnerCaseView['residenceTrack'] }
  | { access: 'partner'; row: CaseRow; partnerView: PartnerCaseView };

/**
 * The face of the case the caller may read: full (logged as read_case; with the workflow's view), state only, or
 * the partner projection (logged as read_shared_case). 404 when none.
 */
export async function readCase(deps: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, id: string): Promise<CaseRead> {
  const found = await resolveCaseRead(deps, caller, id);
  if (!found) throw new ApiError(404, 'not_found', 'Fall nicht gefunden.');
  if (found.access === 'partner') return { access: 'partner', row: found.row, partnerView: found.view };
  if (found.access === 'state_only') return found;
  await logAccess(deps.db, caller, { action: 'read_case', caseId: found.row.id });
  return { access: 'full', row: found.row, view: await readCaseView(deps.db, deps.temporal, found.row) };
}

// ---------------------------------------------------------------------------------------------------------------
// History

/**
 * The full history of a case the caller may read in full (404/403 otherwise), logged as read_history. `asOf` is a
 * parsed day or the raw query value (422 when invalid, checked after access so an invisible case stays a 404).
 */
export async function readCaseHistory({ db }: Pick<OperationDeps, 'db'>, caller: Caller, caseId: string, asOfInput?: Date | unknown) {
  const { user } = caller;
  const row = await loadCaseRow(db, caseId);
  requireCaseAccess(user, row, 'full', { handedOverBy: row ? await isHandedOverBy(db, user, row.id) : false });
  const asOf = asOfInput instanceof Date ? asOfInput : parseAsOf(asOfInput);
  await logAccess(db, caller, { action: 'read_history', caseId: row!.id });
  return { row: row!, history: await caseHistory(db, row!.id, asOf) };
}

