// The case worker: runs the workflows of this project and their activities on one task queue; and the Temporal
// Schedule of the case reconciler that the worker processes of a task queue share.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ReconcileOptions } from './activities/case-reconciler.js';
import { createActivities } from './activities/index.js';
import type { DataKeyStore } from './platform/data-keys.js';
import type { Database } from './platform/database.js';
import type { Mailer } from './platform/mailer.js';

export const workflowsPath = new URL('./workflows/index.ts', import.meta.url).pathname;

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Database;
  /** The process's one mailer (SMTP relay or the local sink): the worker mails the notification outbox. */
  mailer: Mailer;
  coordinationEmail?: string;
  /** A pre-built bundle (tests build it once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** The process's data converter with the payload encryption codec (platform/payload-codec.ts), the same object its
   *  Client uses. Only tools whose client also has none (bench) leave it out; their payloads stay plaintext. */
  dataConverter?: WorkerOptions['dataConverter'];
  /** The per-case data keys behind that codec (PayloadEncryption.dataKeys): the retention activities retire and
   *  destroy keys through it. */
  dataKeys?: DataKeyStore;
}

export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({
      db: options.db,
      mailer: options.mailer,
      coordinationEmail: options.coordinationEmail,
      ...(options.dataKeys ? { dataKeys: options.dataKeys } : {}),
    }),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
}

export const CASE_RECONCILER_EVERY = '1 minute';

export function caseReconcilerScheduleId(taskQueue: string): string {
  return `kim-case-reconciler-${taskQueue}`;
}

/**
 * Makes sure the Schedule of the case reconciler exists (activities/case-reconciler.ts): every minute one run of
 * workflows/reconciler-workflow.ts on this task queue, never two at once (overlap SKIP), whichever worker takes it.
 * Every worker process (and `npm start`) calls this at start; the first creates it, the others find it. Returns whether
 * this call created it.
 */
export async function ensureCaseReconcilerSchedule(client: Client, taskQueue: string, options: ReconcileOptions = {}): Promise<boolean> {
  const scheduleId = caseReconcilerScheduleId(taskQueue);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: CASE_RECONCILER_EVERY }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'caseReconcilerWorkflow',
        workflowId: scheduleId,
        taskQueue,
        args: [options],
        // A run nobody picks up (no worker polls this queue any more) does not linger.
        workflowExecutionTimeout: '10 minutes',
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CASE_RECONCILER_EVERY },
    });
    return true;
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return false;
    throw error;
  }
}

