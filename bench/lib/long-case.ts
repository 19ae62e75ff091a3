// Benchmark 4: one long case. Drives record-contact updates (each "now", so every contact restarts the no-contact
// deadline, as in real work) on one case through the Temporal client, then walks the chain of runs
// (continue-as-new) to count events per run and replays the longest run with Worker.runReplayHistory.
import { Worker } from '@temporalio/worker';
import type { Actor } from '../../domain/index.js';
import { caseActionUpdate, caseViewQuery, type CaseActionResult } from '../../workflows/case-messages.js';
import { openCaseRows, startCase } from '../../harness/cases.js';
import { walkRuns } from '../../harness/runs.js';
import { contactNow } from './api-client.js';
import type { BenchEnvironment } from './environment.js';
import { summarize, type LatencySummary } from './stats.js';


export interface LongCaseResult {
  variant: string;
  continueAsNewAfterEvents: number | null;
  targetContacts: number;
  contacts: number;
  /** Why driving stopped before the target, if it did. */
  stoppedBecause: string | null;
  seconds: number;
  contactsPerSecond: number;
  latencyFirstTenth: LatencySummary;
  latencyLastTenth: LatencySummary;
  runs: number;
  eventsPerRun: number[];
  maxEventsPerRun: number;
  longestRunBytes: number;
  /** Replay of the longest run on a replay worker already started (median of the repeats), and the first replay
   *  including the worker's start (creating the V8 context and loading the bundle). */
  replayLongestRunMs: number;
  replayWithWorkerStartMs: number;
  /** Size of the last update's answer (JSON), and what the workflow's state holds at the end. */
  lastResultBytes: number;
  contactItems: number;
  deadlinesInState: number;
  readModelDeadlineRows: number;
}


interface LongCaseOptions {
  variant: string;
  contacts: number;
  continueAsNewAfterEvents?: number;
  concurrency: number;
  budgetSeconds: number;
}

interface DriveOutcome {
  latencies: number[];
  /** The answer to the last update (by event number). */
  last: CaseActionResult | undefined;
  stoppedBecause: string | null;
  seconds: number;
}

// benchLongCase is split into its three phases (drive, walk the runs, replay); each helper keeps the exact
// statements it had inline, so the measured work and the result are unchanged.

/** `concurrency` drivers share one counter; the first failure or the time budget stops all of them. */
async function driveContacts(
  handle: ReturnType<BenchEnvironment['client']['workflow']['getHandle']>,
  actor: Actor,
  options: LongCaseOptions,
  log: (line: string) => void,
): Promise<DriveOutcome> {
  const latencies: number[] = [];
  let last: CaseActionResult | undefined;
  let stoppedBecause: string | null = null;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.budgetSeconds * 1000;
  let lastLog = started;
  const driver = async () => {
    while (next < options.contacts && !stoppedBecause) {
      if (performance.now() > deadline) {
        stoppedBecause ??= `time budget of ${options.budgetSeconds} s used up`;
        return;
      }
      next++;
      const t0 = performance.now();
      try {
        const data = await handle.executeUpdate(caseActionUpdate, { args: [{ action: 'record-contact', payload: contactNow(5), actor }] });
        latencies.push(performance.now() - t0);
        if (!last || data.seq > last.seq) last = data;
      } catch (error) {
        stoppedBecause ??= `update failed after ${latencies.length} contacts: ${(error as Error).message}`;
        return;
      }
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(`  long case (${options.variant}): ${latencies.length} contacts, ${((lastLog - started) / 1000).toFixed(0)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, driver));
  const seconds = (performance.now() - started) / 1000;
  return { latencies, last, stoppedBecause, seconds };
}

/** The run replayed REPLAYS times on one replay worker: the first replay carries the worker's start (its V8 context,
 *  the bundle), the others the replay alone — what a worker pays when it takes the case over from another. */
const REPLAYS = 5;
async function timeReplay(codePath: string, history: unknown, workflowId: string): Promise<{ withWorkerStartMs: number; replayMs: number }> {
  const times: number[] = [];
  let mark = performance.now();
  const histories = Array.from({ length: REPLAYS }, () => ({ history, workflowId }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath } }, histories)) {
    if (result.error) throw result.error;
    const now = performance.now();
    times.push(now - mark);
    mark = now;
  }
  const repeats = times.slice(1).sort((a, b) => a - b);
  return { withWorkerStartMs: times[0]!, replayMs: repeats[Math.floor(repeats.length / 2)]! };
}

/** The chain of runs, from the first: each run that continued-as-new names the next. */
export async function benchLongCase(env: BenchEnvironment, actor: Actor, options: LongCaseOptions, log: (line: string) => void): Promise<LongCaseResult> {
  const open = await openCaseRows(env.db, { organisationId: 'drk', municipality: 'Kall', assigneeId: actor.id, proposedProvider: { organisationId: 'drk', reason: 'Wohnort Kall' } });
  const first = await startCase(env.client, env.caseTaskQueue, open, options.continueAsNewAfterEvents ? { continueAsNewAfterEvents: options.continueAsNewAfterEvents } : {});
  const handle = env.client.workflow.getHandle(first.workflowId);

  const { latencies, last, stoppedBecause, seconds } = await driveContacts(handle, actor, options, log);

  const { eventsPerRun, longest } = await walkRuns(env.client, first.workflowId, first.firstExecutionRunId);
  const { withWorkerStartMs: replayWithWorkerStartMs, replayMs: replayLongestRunMs } = await timeReplay(env.caseBundlePath, longest!.history, first.workflowId);

  const tenth = Math.max(1, Math.floor(latencies.length / 10));
  const state = await handle.query(caseViewQuery);
  await handle.terminate('benchmark done').catch(() => undefined);
  return {
    variant: options.variant,
    continueAsNewAfterEvents: options.continueAsNewAfterEvents ?? null,
    targetContacts: options.contacts,
    contacts: latencies.length,
    stoppedBecause,
    seconds,
    contactsPerSecond: latencies.length / seconds,
    latencyFirstTenth: summarize(latencies.slice(0, tenth)),
    latencyLastTenth: summarize(latencies.slice(-tenth)),
    runs: eventsPerRun.length,
    eventsPerRun,
    maxEventsPerRun: Math.max(...eventsPerRun),
    longestRunBytes: longest!.bytes,
    replayLongestRunMs,
    replayWithWorkerStartMs,
    lastResultBytes: last ? Buffer.byteLength(JSON.stringify(last)) : 0,
    contactItems: state.contacts.items.length,
    deadlinesInState: state.deadlines.length,
    readModelDeadlineRows: await env.db.caseDeadline.count({ where: { caseId: open.caseId } }),
  };
}
