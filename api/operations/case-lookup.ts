// Finding a case: its read-model row (with the person) and, while the engine holds it, the workflow's view.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CaseData } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { caseViewQuery } from '../../workflows/case-messages.js';

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
    return await temporal.workflow.getHandle(row.workflowId).query(caseViewQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}
