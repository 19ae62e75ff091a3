// Benchmark 1: advancing a case through the API (HTTP POST record-contact → workflow update → activity writing the
// record → response) against a bare Temporal client update round trip on the minimal workflow. Both are driven one
// request at a time, in alternating batches, so background noise hits both alike.
import { randomUUID } from 'node:crypto';
import proto from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import type { Actor } from '../../domain/index.js';
import { caseActionUpdate } from '../../workflows/case-messages.js';
import { incrementUpdate, type minimalWorkflow } from '../minimal-workflow.js';
import { call, contactNow, intakeBody, type Headers } from './api-client.js';
import type { BenchEnvironment } from './environment.js';
import { summarize, timed, type LatencySummary } from './stats.js';

const EventType = proto.temporal.api.enums.v1.EventType;

export interface AdvanceResult {
  samplesPerSeries: number;
  cases: number;
  api: LatencySummary;
  bare: LatencySummary;
  /** The same case update through the Temporal client without HTTP (where the API's time goes). */
  directCaseUpdate: LatencySummary;
  /** GET /healthz-free baseline of the HTTP + bearer-auth path: GET /api/v1/organisations. */
  httpAuthOnly: LatencySummary;
  ratios: { p50: number; p95: number; p99: number };
  /** Median server-side spans of one record-contact update, from the case's history (ms). */
  historyBreakdown: Record<string, number>;
  responseBytes: number;
}

function median(values: number[]): number {
  return summarize(values).p50;
}

/** Server-side spans of every update in a case history: accepted → activity scheduled → started → completed → update completed. */
async function breakdown(handle: WorkflowHandle): Promise<Record<string, number>> {
  const history = await handle.fetchHistory();
  const t = (e: proto.temporal.api.history.v1.IHistoryEvent) => {
    const ts = e.eventTime!;
    return Number(ts.seconds ?? 0) * 1000 + (ts.nanos ?? 0) / 1e6;
  };
  const spans: Record<string, number[]> = {
    'update accepted → record written (local activity marker)': [],
    'record written → update completed': [],
    'update accepted → activity scheduled': [],
    'activity queued (scheduled → started)': [],
    'activity run (started → completed)': [],
    'activity completed → update completed': [],
  };
  const events = history.events ?? [];
  for (let i = 0; i < events.length; i++) {
    if (events[i]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) continue;
    const accepted = events[i]!;
    const find = (type: number, from: number) => {
      for (let j = Math.max(0, from); from >= 0 && j < events.length; j++) if (events[j]!.eventType === type) return j;
      return -1;
    };
    // Version 5: the record is a local activity, its marker written with the task that completes the update.
    const m = find(EventType.EVENT_TYPE_MARKER_RECORDED, i);
    const mu = find(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, m);
    if (m >= 0 && mu >= 0 && find(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, i) < 0) {
      spans['update accepted → record written (local activity marker)']!.push(t(events[m]!) - t(accepted));
      spans['record written → update completed']!.push(t(events[mu]!) - t(events[m]!));
      continue;
    }
    const s = find(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, i);
    const st = find(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, s);
    const c = find(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, st);
    const u = find(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, c);
    if (s < 0 || st < 0 || c < 0 || u < 0) continue;
    spans['update accepted → activity scheduled']!.push(t(events[s]!) - t(accepted));
    spans['activity queued (scheduled → started)']!.push(t(events[st]!) - t(events[s]!));
    spans['activity run (started → completed)']!.push(t(events[c]!) - t(events[st]!));
    spans['activity completed → update completed']!.push(t(events[u]!) - t(events[c]!));
  }
  return Object.fromEntries(Object.entries(spans).filter(([, v]) => v.length > 0).map(([k, v]) => [k, median(v)]));
}

export async function benchAdvance(
  env: BenchEnvironment,
  who: { caseManager: Headers; actor: Actor },
  options: { samples: number; cases: number; batch: number; warmup: number },
): Promise<AdvanceResult> {
  // Cases opened the way staff open them, all in intake (record-contact is allowed there).
  const caseIds: string[] = [];
  for (let i = 0; i < options.cases; i++) {
    caseIds.push((await call<{ id: string }>(env.baseUrl, who.caseManager, 'POST', '/api/v1/cases', intakeBody(i))).body.id);
  }
  const minimal: WorkflowHandle<typeof minimalWorkflow>[] = [];
  for (let i = 0; i < options.cases; i++) {
    minimal.push(await env.client.workflow.start('minimalWorkflow', { workflowId: `bench-minimal-${randomUUID()}`, taskQueue: env.minimalTaskQueue }));
  }
  const caseHandles = caseIds.map((id) => env.client.workflow.getHandle(`case-${id}`));

  let responseBytes = 0;
  let n = 0;
  const series = {
    api: async () => {
      const id = caseIds[n++ % caseIds.length]!;
      const { bytes } = await call(env.baseUrl, who.caseManager, 'POST', `/api/v1/cases/${id}/actions/record-contact`, contactNow());
      responseBytes = bytes;
    },
    bare: async () => {
      await minimal[n++ % minimal.length]!.executeUpdate(incrementUpdate, { args: [1] });
    },
    direct: async () => {
      await caseHandles[n++ % caseHandles.length]!.executeUpdate(caseActionUpdate, {
        args: [{ action: 'record-contact', payload: contactNow(), actor: who.actor }],
      });
    },
    http: async () => {
      await call(env.baseUrl, who.caseManager, 'GET', '/api/v1/organisations');
    },
  };
  const samples: Record<keyof typeof series, number[]> = { api: [], bare: [], direct: [], http: [] };
  for (const op of Object.values(series)) for (let i = 0; i < options.warmup; i++) await op();
  while (samples.api.length < options.samples) {
    for (const [name, op] of Object.entries(series) as Array<[keyof typeof series, () => Promise<void>]>) {
      for (let i = 0; i < options.batch; i++) samples[name].push(await timed(op));
    }
  }
  const api = summarize(samples.api);
  const bare = summarize(samples.bare);
  const result: AdvanceResult = {
    samplesPerSeries: samples.api.length,
    cases: caseIds.length,
    api,
    bare,
    directCaseUpdate: summarize(samples.direct),
    httpAuthOnly: summarize(samples.http),
    ratios: { p50: api.p50 / bare.p50, p95: api.p95 / bare.p95, p99: api.p99 / bare.p99 },
    historyBreakdown: await breakdown(caseHandles[0]!),
    responseBytes,
  };
  await Promise.allSettled(minimal.map((h) => h.terminate('benchmark done')));
  return result;
}
