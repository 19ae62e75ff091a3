// Acting on a case: the case a caller may act on, the checks the API makes before the workflow's own (organisations,
// assignees, transfers out of the ABH, contact dates), the update itself, and the answer read back from the read model
// at the action's seq (split from cases.ts).
import type { Database } from '../../platform/database.js';
import { CASE_HOLDING_KINDS, isCaseAction, type CaseAction, type CaseData } from '../../domain/index.js';
import { caseActionUpdate, type CaseActionResult } from '../../workflows/case-messages.js';
import { canActOnCase, canBeCaseAssignee, isHandedOverBy, requireCaseAccess } from './access-policy.js';
import { logAccess } from './access-log.js';
import { checkTransfer } from './case-opening.js';
import { ensureEngineReachable, loadCaseRow, readCaseView, type CaseRow } from './case-lookup.js';
import { actorOf, type Caller, type OperationDeps } from './caller.js';
import { ApiError, refusalToApiError } from './errors.js';
import { checkContactDate } from './plausibility.js';
import { resolveReferralBody } from './referral-catalogue.js';

/** assign/transfer name a user: it must be an active case manager of the organisation that will hold the case. */
async function checkAssignee(db: Database, action: string, body: Record<string, unknown>, caseOrganisationId: string) {
  if (action !== 'assign' && action !== 'transfer') return;
  const assigneeId = body.assigneeId;
  if (typeof assigneeId !== 'string' || !assigneeId) return; // the workflow's validator reports a missing field
  const organisationId = action === 'transfer' && typeof body.organisationId === 'string' ? body.organisationId : caseOrganisationId;
  const assignee = await db.user.findUnique({ where: { id: assigneeId } });
  if (!assignee || !canBeCaseAssignee(assignee, organisationId)) {
    throw new ApiError(422, 'validation_failed', 'Die Person kann den Fall nicht übernehmen.', {
      fields: { assigneeId: 'Keine aktive fallführende Person dieser Organisation' },
    });
  }
}

/** transfer/confirm-provider name an organisation: it must exist and hold cases, or the case's record could never be
 *  written (its organisation is a foreign key) and the case would be stuck. */
async function checkOrganisation(db: Database, action: string, body: Record<string, unknown>) {
  if (action !== 'transfer' && action !== 'confirm-provider') return;
  const organisationId = body.organisationId;
  if (typeof organisationId !== 'string' || !organisationId) return; // the workflow's validator reports a missing field
  const organisation = await db.organisation.findUnique({ where: { id: organisationId }, select: { kind: true } });
  if (!organisation || !CASE_HOLDING_KINDS.includes(organisation.kind)) {
    throw new ApiError(422, 'validation_failed', 'Diese Organisation kann keine Fälle führen.', {
      fields: { organisationId: 'Unbekannte Organisation oder keine fallführende Stelle' },
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Act

/** The case row the caller may act on: full access (404 when invisible, 403 when only its state is visible). */
export async function findCaseToAct({ db }: Pick<OperationDeps, 'db'>, caller: Caller, caseId: string): Promise<CaseRow> {
  const { user } = caller;
  const row = await loadCaseRow(db, caseId);
  requireCaseAccess(user, row, 'full', { handedOverBy: row ? await isHandedOverBy(db, user, row.id) : false });
  return row!;
}

/**
 * Runs `action` on a case found by findCaseToAct as a workflow update (403 when the role may not, 409 once the
 * case's data is erased, the workflow's refusals as 409/422/403); answers with the row and the workflow's new case.
 */
export async function actOnCase(
  deps: Pick<OperationDeps, 'db' | 'temporal'>,
  caller: Caller,
  row: CaseRow,
  action: CaseAction,
  input: unknown,
  /** The engine check, when the caller started it already (alongside its own lookups). */
  engineReachable?: Promise<void>,
) {
  if (!canActOnCase(caller.user, row, action)) throw new ApiError(403, 'forbidden', 'Diese Aktion ist Ihrer Rolle nicht erlaubt.');
  if (row.erasedAt) {
    throw new ApiError(409, 'transition_not_allowed', 'Die Aufbewahrungsfrist ist abgelaufen: die personenbezogenen Daten des Falls sind gelöscht.', {
      allowed: [],
    });
  }
  const body = (input ?? {}) as Record<string, unknown>;
  if (action === 'transfer' && body.continueFromHandover !== undefined) {
    // Only the takeover of a handover continues a case this way (activities/handover-records.ts), never staff.
    throw new ApiError(422, 'validation_failed', 'Die Angaben sind ungültig.', {
      fields: { continueFromHandover: 'Wird nur bei der Fallübernahme einer Übergabe gesetzt' },
    });
  }
  await checkOrganisation(deps.db, action, body);
  await checkTransfer(deps.db, action, body, row.organisationId);
  checkContactDate(action, body, row.openedAt);
  await checkAssignee(deps.db, action, body, row.organisationId);
  // Issue 14: the catalogue codes of a referral, checked before the Update; the workflow gets names and codes.
  const payload = action === 'refer' ? await resolveReferralBody(deps.db, body) : body;
  // Idempotency key per action: the Temporal update id, and what the workflow remembers across continue-as-new.
  const requestId = typeof body.requestId === 'string' && body.requestId.trim() ? `${action}:${body.requestId.trim()}` : undefined;
  try {
    await (engineReachable ?? ensureEngineReachable(deps.temporal));
    const result = await deps.temporal.workflow.getHandle(row.workflowId).executeUpdate(caseActionUpdate, {
      args: [{ action, payload, actor: actorOf(caller.user), requestId }],
      // The request id is the Temporal update id: a repeated request gets the first answer.
      ...(requestId ? { updateId: requestId } : {}),
    });
    return { row, result };
  } catch (error) {
    throw refusalToApiError(error);
  }
}

/** A page shows the case after a refused action (the form with its errors over the case): logged as a read first. */
export async function showCaseAfterRefusal(deps: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, row: CaseRow) {
  await logAccess(deps.db, caller, { action: 'read_case', caseId: row.id });
  return readCaseView(deps.db, deps.temporal, row);
}

/**
 * Find + act in one (the JSON door): unknown actions are 404 before anything is read. Answers with the case as the
 * action left it, from the read model (the record is written before the workflow answers); a repeated request id
 * gets the case as its first answer left it. Logged as a read of the case.
 */
export async function runCaseAction(deps: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, caseId: string, action: string, input: unknown) {
  if (!isCaseAction(action)) throw new ApiError(404, 'unknown_action', `Unbekannte Aktion „${action}“.`);
  // The engine check runs alongside the case lookup (issue 11: no round trip in sequence that need not be).
  const engineReachable = ensureEngineReachable(deps.temporal);
  engineReachable.catch(() => undefined); // awaited in actOnCase; a refusal before it must not leave it unhandled
  const row = await findCaseToAct(deps, caller, caseId);
  const { result } = await actOnCase(deps, caller, row, action, input, engineReachable);
  const answer = await answerOfAction(deps, caller, row, result);
  return { row: answer.row, data: answer.data };
}

/**
 * The case after an action: the access-log row (the answer carries case content — also a replayed requestId's first
 * answer), the row and the view at the action's seq, read together in one round of statements. The log row is
 * written before anything leaves; if it fails, nothing is answered.
 */
export async function answerOfAction(deps: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, row: CaseRow, result: CaseActionResult | CaseData) {
  const [, after, view] = await Promise.all([
    logAccess(deps.db, caller, { action: 'read_case', caseId: row.id }),
    loadCaseRow(deps.db, row.id),
    // Answers of version 4 and earlier (a repeated request id of then) are the whole case.
    isWholeCase(result) ? result : readCaseView(deps.db, deps.temporal, row, result.seq),
  ]);
  return { row: after ?? row, data: view };
}

const isWholeCase = (result: object): result is CaseData => 'schemaVersion' in result;

