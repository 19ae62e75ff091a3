// Erasure for cases whose retention period is over but whose own workflow can no longer do it — above all after a
// PostgreSQL backup from before their erasure was restored (it brings back their personal data and wrapped data
// keys), or when the engine no longer holds a workflow. Cases whose workflow still runs are left to it: it erases
// and destroys its keys itself when its timer fires, and erasing under it would leave it unable to replay.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createErasureActivities } from '../../activities/erasure.js';
import type { DataKeyStore } from '../../platform/data-keys.js';
import type { Database } from '../../platform/database.js';

export interface SweepResult {
  erased: string[];
  /** Their workflow still runs and will erase them itself. */
  leftToWorkflow: string[];
}

export async function sweepOverdueErasures(db: Database, temporal: Client, options: { dataKeys?: DataKeyStore; now?: Date } = {}): Promise<SweepResult> {
  const now = options.now ?? new Date();
  const overdue = await db.caseDeadline.findMany({
    where: { kind: 'retention', status: 'open', dueAt: { lt: now } },
    select: { caseId: true },
    distinct: ['caseId'],
  });
  // Also erased cases whose keys are back (a restored backup that already had erasedAt but older key rows).
  const erasedWithKeys = await db.$queryRaw<Array<{ caseId: string }>>`
    SELECT c."id" AS "caseId" FROM "Case" c JOIN "DataKey" k ON k."subject" = c."workflowId"
    WHERE c."erasedAt" IS NOT NULL AND k."destroyedAt" IS NULL`;
  const ids = [...new Set([...overdue.map((d) => d.caseId), ...erasedWithKeys.map((r) => r.caseId)])].sort();
  const records = createErasureActivities(db, options.dataKeys);
  const result: SweepResult = { erased: [], leftToWorkflow: [] };
  for (const caseId of ids) {
    const row = await db.case.findUnique({ where: { id: caseId }, select: { workflowId: true, closedAt: true } });
    if (!row?.closedAt) continue; // reopened in the meantime: the retention deadline no longer applies
    let running = false;
    try {
      running = (await temporal.workflow.getHandle(row.workflowId).describe()).status.name === 'RUNNING';
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    if (running) {
      result.leftToWorkflow.push(caseId);
      continue;
    }
    await records.erasePersonalData({ caseId });
    await records.destroyCaseDataKeys({ caseId });
    // What the workflow would have recorded: the retention period is over and dealt with.
    await db.caseDeadline.updateMany({ where: { caseId, kind: 'retention', status: 'open' }, data: { status: 'met' } });
    result.erased.push(caseId);
  }
  return result;
}
