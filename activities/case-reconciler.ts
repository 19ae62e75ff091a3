// The case reconciler: finds cases recorded in PostgreSQL whose workflow never started — the API process died (or lost
// the engine) between writing the Person and Case rows and starting `case-<id>` (api/operations/cases.ts openCase) —
// and starts them with the input intake would have given them (activities/case-start.ts).
//
// Which cases: no record written by a workflow yet (lastEventSeq 0), not closed, not erased, not yet confirmed by an
// earlier run, and opened more than the grace period ago (an intake still in flight — its start is bounded to a few
// seconds — is never raced). Each start uses WorkflowIdReusePolicy REJECT_DUPLICATE: a workflow that exists, running
// or closed, is never started again (WorkflowExecutionAlreadyStartedError → "already started"). So two reconcilers at
// once — a retry, or two worker processes — start each case once at most; the workflow id is the lock.
// Every case whose workflow exists afterwards gets `workflowConfirmedAt`, so it is asked about once, not every run.
//
// Runs as the activity `reconcileCases` of the small scheduled workflow workflows/reconciler-workflow.ts: one Temporal
// Schedule per task queue (worker.ts ensureCaseReconcilerSchedule), so N worker processes make one scan per interval.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Database } from '../platform/database.js';
import { loadCaseSettings } from '../platform/settings.js';
import { caseWorkflowStart } from '../workflows/case-start.js';
import { logger } from '../platform/logger.js';

/** Cases younger than this are left alone: their intake may still be starting the workflow. */
export const RECONCILE_GRACE_MS = 2 * 60 * 1000;
/** At most this many cases per run; the next run takes the rest. */
export const RECONCILE_BATCH = 200;

export interface ReconcileOptions {
  graceMs?: number;
  limit?: number;
}

export interface ReconcileResult {
  /** Case ids whose workflow this run started. */
  started: string[];
  /** Case ids whose workflow existed already (started by intake or by another reconciler). */
  alreadyStarted: string[];
  /** Case ids that could not be started now (engine away, …); the next run tries again. */
  failed: Array<{ caseId: string; error: string }>;
}

export interface ReconcilerDependencies {
  db: Database;
  /** A client with the installation's data converter (payload encryption), as the API's. */
  client: Client;
  /** The case workflows' task queue. */
  taskQueue: string;
  /** Called before each start (the activity heartbeats). */
  progress?: () => void;
}

const OPENING = {
  id: true,
  openedAt: true,
  openedById: true,
  organisationId: true,
  proposedOrganisationId: true,
  proposalReason: true,
  municipality: true,
  source: true,
} as const;

/** One pass: starts the workflow of every case that needs it; idempotent. */
export async function reconcileUnstartedCases(deps: ReconcilerDependencies, options: ReconcileOptions = {}): Promise<ReconcileResult> {
  const { db, client, taskQueue } = deps;
  const cutoff = new Date(Date.now() - (options.graceMs ?? RECONCILE_GRACE_MS));
  const rows = await db.case.findMany({
    where: { lastEventSeq: 0, workflowConfirmedAt: null, closedAt: null, erasedAt: null, openedAt: { lt: cutoff } },
    select: OPENING,
    orderBy: { openedAt: 'asc' },
    take: options.limit ?? RECONCILE_BATCH,
  });
  const result: ReconcileResult = { started: [], alreadyStarted: [], failed: [] };
  if (rows.length === 0) return result;
  // As openCase does: the installation's case settings now (for a case opened minutes ago, the same in practice).
  const settings = await loadCaseSettings(db);
  for (const row of rows) {
    deps.progress?.();
    try {
      await client.workflow.start('caseWorkflow', {
        ...caseWorkflowStart(row, settings),
        taskQueue,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      result.started.push(row.id);
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) result.alreadyStarted.push(row.id);
      else result.failed.push({ caseId: row.id, error: (error as Error).message });
    }
  }
  const confirmed = [...result.started, ...result.alreadyStarted];
  if (confirmed.length > 0) {
    await db.case.updateMany({ where: { id: { in: confirmed }, workflowConfirmedAt: null }, data: { workflowConfirmedAt: new Date() } });
  }
  if (result.started.length > 0) logger.warn({ caseIds: result.started }, `reconciler started the workflows of ${result.started.length} case(s) that had none`);
  return result;
}

export function createReconcilerActivities(db: Database) {
  return {
    /** The scheduled pass (workflows/reconciler-workflow.ts); starts with the worker's client on the worker's task queue. */
    async reconcileCases(options: ReconcileOptions = {}): Promise<ReconcileResult> {
      const context = Context.current();
      const result = await reconcileUnstartedCases(
        { db, client: context.client, taskQueue: context.info.taskQueue, progress: () => context.heartbeat() },
        options,
      );
      // Failures are reported, not thrown: a retry would only repeat the same pass, and the next run comes soon.
      if (result.failed.length > 0) logger.error({ failed: result.failed }, 'reconciler could not start case workflows');
      return result;
    },
  };
}

export type ReconcilerActivities = ReturnType<typeof createReconcilerActivities>;
