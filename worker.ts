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

/**
 * How many workflows the worker keeps in memory between their tasks (the SDK's sticky cache, least recently used out).
 * Set for 10,000 open cases on one worker process within 1 GiB RSS, from the bench (`npm run bench`, scale phase: the
 * cases on a worker process of their own): a cached case workflow costs ≈0.35 MiB of RSS with the heap's headroom
 * (the SDK's per-workflow state, the domain modules it evaluates for itself, its case), on a base of ≈0.5 GiB; with
 * 2,000 cached the worker stood at 1,175 MB, with 1,000 at 835 MB (peak 1,252 MB while they all arrived at once). The cache
 * holds the cases being worked on; an idle case that fell out replays its current run on its next task (a timer or an
 * action), which continue-as-new keeps short. Fixed rather than the SDK default, which follows Node's heap limit
 * (≈2,300 at the usual 4 GiB), not what a workflow costs. A larger worker raises it with KIM_MAX_CACHED_WORKFLOWS.
 */
export const MAX_CACHED_WORKFLOWS = 1_000;

/** The cache size of this process: KIM_MAX_CACHED_WORKFLOWS, else MAX_CACHED_WORKFLOWS; a wrong value stops the start. */
export function maxCachedWorkflows(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.KIM_MAX_CACHED_WORKFLOWS?.trim();
  if (!raw) return MAX_CACHED_WORKFLOWS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`KIM_MAX_CACHED_WORKFLOWS muss eine ganze Zahl ab 1 sein (gesetzt: „${raw}“).`);
  return n;
}

/**
 * The V8 heap limit of a worker process (`npm run worker`), in MiB, given on its command line (`WORKER_PROCESS_ARGS`).
 * It holds each of the process's isolates: the main thread (activities, connections; ≈ 85 MiB live) and the workflow
 * thread (the cached workflows; ≈ 180 MiB live with 1,000 cached, measured after full collections in the bench's scale
 * phase). Without it V8 let the workflow thread's heap grow to ≈ 700 MiB of mostly garbage while 10,000 cases
 * arrived (worker RSS 1,169 MiB settled, 1,402 MiB peak); with it the same phase ended at 817 MiB, peak 817 MiB, at the
 * same rate. Too low a limit crashes the worker (heap out of memory): a larger cache needs a larger limit (heapAdvice).
 */
export const WORKER_HEAP_LIMIT_MB = 384;

/** How a worker process is started (package.json `worker`; the tests, drills and bench spawn it the same way). */
export const WORKER_PROCESS_ARGS = [`--max-old-space-size=${WORKER_HEAP_LIMIT_MB}`, '--import', 'tsx', 'scripts/worker.ts'];

/** Heap the workflow thread needs for `cachedWorkflows` with room to collect: twice its live set (≈ 20 MiB + 0.16 MiB each). */
export function heapNeededMb(cachedWorkflows: number): number {
  return Math.ceil(2 * (20 + 0.16 * cachedWorkflows));
}

/** A German warning for the operator when the process's heap limit is too small for its workflow cache, else undefined. */
export function heapAdvice(cachedWorkflows: number, heapLimitBytes: number): string | undefined {
  const limitMb = Math.floor(heapLimitBytes / 1024 ** 2);
  const neededMb = heapNeededMb(cachedWorkflows);
  if (limitMb >= neededMb) return undefined;
  return (
    `Heap-Grenze ${limitMb} MB ist zu klein für ${cachedWorkflows} zwischengespeicherte Fälle (nötig ≈ ${neededMb} MB): ` +
    `den Worker mit node --max-old-space-size=${neededMb} starten oder KIM_MAX_CACHED_WORKFLOWS senken.`
  );
}

export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    maxCachedWorkflows: maxCachedWorkflows(),
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


export const OUTBOX_DISPATCH_EVERY = '1 minute';

export function outboxScheduleId(taskQueue: string): string {
  return `kim-outbox-${taskQueue}`;
}

/**
 * Makes sure the Schedule of the outbox dispatcher exists (activities/outbox-dispatch.ts): every minute one run of
 * workflows/outbox-workflow.ts — the act-on mails no workflow sends and the daily digests at 07:00 Europe/Berlin.
 * Called next to ensureCaseReconcilerSchedule; returns whether this call created it.
 */
export async function ensureOutboxSchedule(client: Client, taskQueue: string): Promise<boolean> {
  const scheduleId = outboxScheduleId(taskQueue);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: OUTBOX_DISPATCH_EVERY }] },
      action: { type: 'startWorkflow', workflowType: 'outboxDispatcherWorkflow', workflowId: scheduleId, taskQueue, args: [], workflowExecutionTimeout: '10 minutes' },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: OUTBOX_DISPATCH_EVERY },
    });
    return true;
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return false;
    throw error;
  }
}
