// The case reconciler's run: one short workflow per tick of the Temporal Schedule `kim-case-reconciler-<task queue>`
// (worker.ts ensureCaseReconcilerSchedule). It only calls the activity, which finds cases recorded in PostgreSQL
// whose workflow never started and starts them (activities/case-reconciler.ts). Its input and result hold case ids
// and numbers only; its id is no data key subject, so its history uses the installation key.
import { proxyActivities } from '@temporalio/workflow';
import type { ReconcileOptions, ReconcileResult, ReconcilerActivities } from '../activities/case-reconciler.js';

const { reconcileCases } = proxyActivities<ReconcilerActivities>({
  startToCloseTimeout: '5 minutes',
  // Heartbeats before every start: a start hanging on an unreachable engine gives the run back to a retry.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
});

export async function caseReconcilerWorkflow(options: ReconcileOptions = {}): Promise<ReconcileResult> {
  return reconcileCases(options);
}
