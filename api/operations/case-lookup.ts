// Finding a case: its read-model row (with the person) and, while the engine holds it, the workflow's view.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CaseData } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { caseViewQuery } from '../../workflows/case-messages.js';

/** How long a read of the engine may take before the caller hears 503 (the same as starting a case). */
export const ENGINE_READ_MS = 5000;

/**
 * Before an update: is the engine reachable at all? An update itself must not be cut short (the workflow may take a
 * while to answer), but against an engine that is down the client would retry for ~20 s before failing.
 */
export async function ensureEngineReachable(temporal: Client): Promise<void> {
  await temporal.connection.withDeadline(Date.now() + 3000, () => temporal.connection.workflowService.getSystemInfo({}));
}

/** The read-model row of a case with its person. */
export function loadCaseRow(db: Database, id: string) {
  return db.case.findUnique({ where: { id }, include: { person: true } });
}

export type CaseRow = NonNullable<Awaited<ReturnType<typeof loadCaseRow>>>;

/**
 * The case as its workflow holds it now; null when the engine has no workflow for it (yet or any more) and once the
 * case's personal data is erased (its last run answers no queries; the read model is all there is).
 */
export async function queryCaseView(temporal: Client, row: { workflowId: string; erasedAt: Date | null }): Promise<CaseData | null> {
  if (row.erasedAt) return null;
  try {
    // Bounded: an unreachable engine is a 503 within seconds (DEADLINE_EXCEEDED), not after the client's ~20 s of retries.
    return await temporal.connection.withDeadline(Date.now() + ENGINE_READ_MS, () => temporal.workflow.getHandle(row.workflowId).query(caseViewQuery));
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}
