// Erasure for what the workflows can no longer erase themselves, and the catch-up after an upgrade:
// - cases whose retention period is over but whose workflow is gone — above all after a PostgreSQL backup from before
//   their erasure was restored (it brings back their personal data and wrapped data keys), and cases erased by a
//   version before per-case keys (name only): both get the full erasure and their keys destroyed;
// - handovers that ended without a case: past their retention period they are erased; before it, their retention
//   workflow is started if none exists (handovers that ended before that workflow existed).
// Cases and handovers whose workflow still runs are left to it: it erases when its timer fires, and erasing under it
// would leave it unable to replay.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createErasureActivities } from '../../activities/erasure.js';
import { addYears, TERMINAL_HANDOVER_STATES } from '../../domain/index.js';
import type { DataKeyStore } from '../../platform/data-keys.js';
import type { Database } from '../../platform/database.js';
import { loadCaseSettings } from '../../platform/settings.js';
import { handoverRetentionWorkflowId } from '../../workflows/retention-ids.js';

export interface SweepResult {
  erased: string[];
  /** Their workflow still runs and will erase them itself. */
  leftToWorkflow: string[];
  erasedHandovers: string[];
  /** Handovers without a case whose retention workflow this sweep started. */
  scheduledHandovers: string[];
}

async function isRunning(temporal: Client, workflowId: string): Promise<boolean> {
  try {
    return (await temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

export async function sweepOverdueErasures(
  db: Database,
  temporal: Client,
  options: { dataKeys?: DataKeyStore; now?: Date; taskQueue?: string } = {},
): Promise<SweepResult> {
  const now = options.now ?? new Date();
  const erasure = createErasureActivities(db, options.dataKeys);
  const result: SweepResult = { erased: [], leftToWorkflow: [], erasedHandovers: [], scheduledHandovers: [] };

  // Cases: retention over (deadline open after a restore, or met by a version that erased only the name), not yet
  // erased by this version — or erased, but with a live data key again (a restore).
  const overdue = await db.caseDeadline.findMany({
    where: { kind: 'retention', status: { in: ['open', 'met'] }, dueAt: { lt: now } },
    select: { caseId: true },
    distinct: ['caseId'],
  });
  const notErased = new Set(
    (await db.case.findMany({ where: { id: { in: overdue.map((d) => d.caseId) }, erasedAt: null, closedAt: { not: null } }, select: { id: true } })).map((c) => c.id),
  );
  const erasedWithKeys = await db.$queryRaw<Array<{ caseId: string }>>`
    SELECT c."id" AS "caseId" FROM "Case" c JOIN "DataKey" k ON k."subject" = c."workflowId"
    WHERE c."erasedAt" IS NOT NULL AND k."destroyedAt" IS NULL`;
  for (const caseId of [...new Set([...notErased, ...erasedWithKeys.map((r) => r.caseId)])].sort()) {
    const row = await db.case.findUnique({ where: { id: caseId }, select: { workflowId: true, closedAt: true } });
    if (!row?.closedAt) continue; // reopened in the meantime: the retention deadline no longer applies
    if (await isRunning(temporal, row.workflowId)) {
      result.leftToWorkflow.push(caseId);
      continue;
    }
    await erasure.erasePersonalData({ caseId });
    await erasure.destroyCaseDataKeys({ caseId });
    // What the workflow would have recorded: the retention period is over and dealt with.
    await db.caseDeadline.updateMany({ where: { caseId, kind: 'retention', status: 'open' }, data: { status: 'met' } });
    result.erased.push(caseId);
  }

  // Handovers that ended without a case.
  const { retentionYears } = (await loadCaseSettings(db)).deadlines;
  const ended = await db.handover.findMany({
    where: { caseId: null, closedAt: { not: null }, state: { in: [...TERMINAL_HANDOVER_STATES] } },
    select: { id: true, workflowId: true, closedAt: true, proposal: true },
  });
  const keys = new Map(
    (await db.dataKey.findMany({ where: { subject: { in: ended.map((h) => h.workflowId) } }, select: { subject: true, destroyedAt: true } })).map((k) => [k.subject, k]),
  );
  for (const h of ended) {
    const key = keys.get(h.workflowId);
    const proposalEmpty = h.proposal !== null && typeof h.proposal === 'object' && Object.keys(h.proposal).length === 0;
    if (proposalEmpty && (!key || key.destroyedAt)) continue; // erased already
    const eraseAt = addYears(h.closedAt!.toISOString(), retentionYears);
    const retentionId = handoverRetentionWorkflowId(h.id);
    if (await isRunning(temporal, retentionId)) continue;
    if (Date.parse(eraseAt) <= now.getTime()) {
      await erasure.eraseHandoverData({ handoverId: h.id });
      await erasure.destroyHandoverDataKeys({ handoverId: h.id });
      result.erasedHandovers.push(h.id);
    } else if (options.taskQueue) {
      try {
        await temporal.workflow.start('handoverRetentionWorkflow', { workflowId: retentionId, taskQueue: options.taskQueue, args: [{ handoverId: h.id, eraseAt }] });
        result.scheduledHandovers.push(h.id);
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    }
  }
  return result;
}
