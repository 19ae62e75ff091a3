// Record writes the database refused for good (issue 15): a batch of case events that violated a constraint or held
// data PostgreSQL cannot store (SQLSTATE class 22/23). The record activity notes each one (CaseRecordRejection) and
// the case workflow holds the case — no new actions, no deadlines — until IT repaired the cause and asked it to write
// the held batches again. Listed for IT and coordination; the retry is IT's. Event numbers and database messages only,
// no case content.
import { z } from 'zod';
import type { Database } from '../../platform/database.js';
import { caseRecordRetrySignal } from '../../workflows/case-messages.js';
import { canReadRecordRejections, canRetryRecordWrites } from './access-policy.js';
import { recordAudit } from './admin-audit.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';

export const RecordRejectionsQuery = z.object({
  /** `open` (default): not yet written again; `all`: resolved ones too (newest first, at most 200). */
  status: z.enum(['open', 'all']).default('open'),
});

export interface RecordRejectionView {
  caseId: string;
  fromSeq: number;
  toSeq: number;
  sqlState: string;
  message: string;
  firstAt: string;
  lastAt: string;
  attempts: number;
  resolvedAt: string | null;
}

export async function listRecordRejections(db: Database, caller: Caller, query: unknown): Promise<{ items: RecordRejectionView[] }> {
  if (!canReadRecordRejections(caller.user)) throw new ApiError(403, 'forbidden', 'Schreibfehler sehen die Verwaltung/IT und die KIM-Koordination.');
  const parsed = RecordRejectionsQuery.safeParse(query ?? {});
  if (!parsed.success) throw new ApiError(422, 'validation_failed', 'Ungültige Abfrage.', { fields: { status: 'erlaubt: open, all' } });
  const rows = await db.caseRecordRejection.findMany({
    where: parsed.data.status === 'open' ? { resolvedAt: null } : {},
    orderBy: { lastAt: 'desc' },
    take: 200,
  });
  return {
    items: rows.map((r) => ({
      caseId: r.caseId,
      fromSeq: r.fromSeq,
      toSeq: r.toSeq,
      sqlState: r.sqlState,
      message: r.message,
      firstAt: r.firstAt.toISOString(),
      lastAt: r.lastAt.toISOString(),
      attempts: r.attempts,
      resolvedAt: r.resolvedAt?.toISOString() ?? null,
    })),
  };
}

/**
 * IT repaired the cause (a constraint, a missing row) and asks the case's workflow to write its held batches again.
 * Answers at once; the outcome shows in the list (resolved, or a new attempt with the database's message).
 */
export async function retryRecordWrite({ db, temporal }: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, caseId: string) {
  if (!canRetryRecordWrites(caller.user)) throw new ApiError(403, 'forbidden', 'Einen abgewiesenen Eintrag schreibt nur die Verwaltung/IT erneut.');
  const open = await db.caseRecordRejection.findFirst({ where: { caseId, resolvedAt: null }, orderBy: { fromSeq: 'asc' } });
  if (!open) throw new ApiError(404, 'not_found', 'Für diesen Fall liegt kein offener Schreibfehler vor.');
  const row = await db.case.findUnique({ where: { id: caseId }, select: { workflowId: true } });
  if (!row) throw new ApiError(404, 'not_found', 'Fall nicht gefunden.');
  await temporal.workflow.getHandle(row.workflowId).signal(caseRecordRetrySignal);
  await recordAudit(db, {
    actor: { id: caller.user.id, role: caller.user.role },
    entity: 'case_record',
    entityId: caseId,
    action: 'record_retry_requested',
    after: { fromSeq: open.fromSeq, toSeq: open.toSeq, sqlState: open.sqlState },
  });
  return { caseId, fromSeq: open.fromSeq, retryRequested: true };
}
