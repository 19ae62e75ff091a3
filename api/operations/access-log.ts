// The access log: every read of case content (API and pages) and every export, with who, when, which case and
// why — ids only. Written before the content is sent, so a failed log write means no content leaves.
import type { Database } from '../../platform/database.js';
import { canReadAccessLog, requireCaseAccess } from './access-policy.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';

export type AccessAction =
  | 'read_case'
  | 'read_history'
  | 'read_handover'
  | 'export_report'
  | 'export_case'
  // A partner organisation read a case shared with it (consent-bound sharing), or saw its name in the shared list.
  | 'read_shared_case'
  | 'list_shared_case'
  // A coordinator read a case's decrypted engine history in the Temporal UI (api/operations/engine-history.ts).
  | 'read_engine_history';

export async function logAccess(
  db: Database,
  caller: Caller,
  /** `purpose` overrides the stated one: a partner read's purpose is what the client consented to, not what is claimed. */
  entry: { action: AccessAction; caseId?: string; handoverId?: string; purpose?: string },
): Promise<void> {
  const { user } = caller;
  await db.accessLog.create({
    data: {
      userId: user.id,
      role: user.role,
      organisationId: user.organisationId,
      caseId: entry.caseId ?? null,
      handoverId: entry.handoverId ?? null,
      action: entry.action,
      channel: caller.channel,
      purpose: entry.purpose?.trim().slice(0, 200) || caller.purpose,
    },
  });
}

/** The access log of a case, newest first, with the readers' names (the API and the coordinators' page share it). */
export async function caseAccessLog(db: Database, caseId: string) {
  const entries = await db.accessLog.findMany({ where: { caseId }, orderBy: { at: 'desc' }, take: 1000 });
  const users = await db.user.findMany({ where: { id: { in: [...new Set(entries.map((e) => e.userId))] } }, select: { id: true, name: true } });
  const names = new Map(users.map((u) => [u.id, u.name]));
  return entries.map((e) => ({
    at: e.at.toISOString(),
    userId: e.userId,
    userName: names.get(e.userId) ?? null,
    role: e.role,
    organisationId: e.organisationId,
    action: e.action,
    channel: e.channel,
    purpose: e.purpose,
  }));
}

/** GET /api/v1/cases/:id/access-log — KIM coordination only: who read this case's content, newest first. */
export async function readAccessLog({ db }: Pick<OperationDeps, 'db'>, caller: Caller, caseId: string) {
  const row = await db.case.findUnique({ where: { id: caseId } });
  requireCaseAccess(caller.user, row, 'full');
  if (!canReadAccessLog(caller.user)) throw new ApiError(403, 'forbidden', 'Das Zugriffsprotokoll sehen nur die KIM-Koordination.');
  return { caseId: row!.id, items: await caseAccessLog(db, row!.id) };
}

// TEMPORARY, until api/app.ts mounts caseRecordsRouter (api/v1/case-records.ts) once at /api/v1/cases: the old
// router name, so the app keeps running. Drop this re-export then (operations import no door).
