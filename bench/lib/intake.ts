// Benchmark 2: intake throughput. Closed-loop POST /api/v1/cases (person + case rows in one transaction, then the
// case workflow start with search attributes, then the row read back) at a given concurrency, against closed-loop
// bare `client.workflow.start` of the minimal workflow at the same concurrency. benchIntakeWithWorkers runs the same
// against N separate worker processes (`npm run worker`) on one task queue: the API's rate, and how fast the workers
// write every new case's first record (drain after the window; recorded/s over window + drain).
import { randomUUID } from 'node:crypto';
import { call, intakeBody, type Headers } from './api-client.js';
import type { BenchEnvironment } from './environment.js';
import { closedLoop, pool, type LoadResult } from './stats.js';

export interface IntakeResult {
  concurrency: number;
  seconds: number;
  api: LoadResult;
  bare: LoadResult;
  ratio: number;
  /** Seconds after the window until every case started in it had written its first record (worker backlog). */
  drainSeconds: number;
  /** Seconds after the bare window until the last workflows started in it had run their first workflow task: the
   *  engine accepts starts faster than it runs them. Waited for, so the API window does not pay for that backlog. */
  bareDrainSeconds: number;
}

/**
 * Waits until the last workflow each caller of a bare window started has completed its first workflow task. The
 * worker takes tasks in about the order they were started, so then the window's backlog is through.
 */
async function waitForBareDrain(env: BenchEnvironment, lastIds: string[], timeoutMs: number): Promise<number> {
  const start = Date.now();
  const pending = new Set(lastIds);
  while (pending.size > 0) {
    for (const id of [...pending]) {
      const history = await env.client.workflow.getHandle(id).fetchHistory();
      if (history.events?.some((e) => e.workflowTaskCompletedEventAttributes)) pending.delete(id);
    }
    if (pending.size === 0) break;
    if (Date.now() - start > timeoutMs) throw new Error(`${pending.size} bare workflows have not run their first task after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return (Date.now() - start) / 1000;
}

/** Waits until every case row has been written by its workflow (lastEventSeq > 0): the worker has caught up. */
export async function waitForRecords(env: BenchEnvironment, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    const pending = await env.db.case.count({ where: { lastEventSeq: 0 } });
    if (pending === 0) return (Date.now() - start) / 1000;
    if (Date.now() - start > timeoutMs) throw new Error(`${pending} case workflows have not written their first record after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface IntakeWorkersResult extends IntakeResult {
  workerProcesses: number;
  /** Cases whose first record was written, per second of window + drain: what the workers kept up with. */
  recordedPerSecond: number;
}

export async function benchIntake(env: BenchEnvironment, caseManager: Headers, concurrency: number, seconds: number, baseUrl = env.baseUrl): Promise<IntakeResult> {
  const lastIds: string[] = [];
  const bare = await closedLoop(
    async (c) => {
      const workflowId = `bench-intake-${randomUUID()}`;
      await env.client.workflow.start('minimalWorkflow', { workflowId, taskQueue: env.minimalTaskQueue });
      lastIds[c] = workflowId;
    },
    concurrency,
    seconds,
  );
  const bareDrainSeconds = await waitForBareDrain(env, lastIds.filter(Boolean), 300_000);
  const api = await closedLoop((_c, i) => call(baseUrl, caseManager, 'POST', '/api/v1/cases', intakeBody(i)), concurrency, seconds);
  const drainSeconds = await waitForRecords(env, 300_000);
  return { concurrency, seconds, api, bare, ratio: api.perSecond / bare.perSecond, drainSeconds, bareDrainSeconds };
}

/** Intake while `workerProcesses` worker processes share the case task queue (the in-process worker is not on it). */
export async function benchIntakeWithWorkers(
  env: BenchEnvironment,
  caseManager: Headers,
  concurrency: number,
  seconds: number,
  workerProcesses: number,
): Promise<IntakeWorkersResult> {
  const fleet = await env.startWorkerFleet(workerProcesses);
  try {
    // Warm-up: fresh processes compile and connect on their first cases; measure them warm, as the in-process worker is.
    await pool(concurrency, concurrency, (i) => call(fleet.baseUrl, caseManager, 'POST', '/api/v1/cases', intakeBody(i)));
    await waitForRecords(env, 120_000);
    const result = await benchIntake(env, caseManager, concurrency, seconds, fleet.baseUrl);
    return { ...result, workerProcesses, recordedPerSecond: result.api.completed / (result.api.seconds + result.drainSeconds) };
  } finally {
    await fleet.close();
  }
}
