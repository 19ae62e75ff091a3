// Benchmark 3: many open cases. Tops the installation up to `target` open cases the fast way — person and case rows
// written with createMany, workflows started directly through the Temporal client (as the API would, with the same
// input and search attributes) — waits until every workflow has written its record and armed its deadlines, then
// measures memory, the coordinator's list, deadline and controlling views, and a case manager's deadline list.
// The cases run on a worker process of their own (`npm run worker`, the production topology of the README): its RSS
// is the worker's memory with that many open cases, and the API's lists are measured without a worker's heap beside
// them.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { defaultCaseSettings } from '../../domain/index.js';
import { maxCachedWorkflows } from '../../worker.js';
import { ORGANISATIONS } from '../../domain/organisations.js';
import { caseWorkflowId } from '../../workflows/case-messages.js';
import { caseWorkflowStart } from '../../workflows/case-start.js';
import { bearerFor } from '../../harness/auth.js';
import { call, HttpError, type Headers } from './api-client.js';
import type { BenchEnvironment, WorkerFleet } from './environment.js';
import { waitForRecords } from './intake.js';
import { pool, summarize, timed, type LatencySummary } from './stats.js';

export interface MemoryFacts {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  heapLimitBytes: number;
  /** The worker process the cases run on: RSS now and its peak (VmHWM), from /proc. */
  workerProcess: { rssBytes: number; peakRssBytes: number; cacheLimit: number };
  /** After: the worker's RSS right after the last record, and how long it took to settle to rssBytes. */
  workerSettling?: { rssJustAfterBytes: number; seconds: number };
  /** RSS of child processes of the bench (the Temporal dev server), when readable from /proc. */
  childrenRssBytes: Record<string, number>;
}

export interface ScaleResult {
  openCases: number;
  createdDirectly: number;
  /** Of those, on the measured worker process (all created directly). */
  casesOnWorkerProcess: number;
  createSeconds: number;
  armedDeadlines: number;
  memoryBefore: MemoryFacts;
  memoryAfter: MemoryFacts;
  caseList: LatencySummary & { total: number; pageSize: number };
  /** Due within 30 days (every open case's first-assessment deadline): the whole join, counted and paged. */
  deadlinesDueSoon: LatencySummary & { total: number };
  /** The same for a case manager: the visibility rule (their organisation's cases) in the join. */
  deadlinesCaseManager: LatencySummary & { total: number };
  controlling: (LatencySummary & { bytes: number }) | { skipped: string };
}

/** RSS of the bench's direct child processes by command name (Linux /proc; empty elsewhere). */
function childrenRss(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let status: string;
      try {
        status = readFileSync(`/proc/${pid}/status`, 'utf8');
      } catch {
        continue;
      }
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      if (ppid !== process.pid) continue;
      const name = /^Name:\s+(.+)$/m.exec(status)?.[1] ?? pid;
      const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      out[name] = (out[name] ?? 0) + rssKb * 1024;
    }
  } catch {
    // not Linux
  }
  return out;
}

/** VmRSS and VmHWM of a process (Linux /proc; zeros elsewhere). */
function processRss(pid: number | undefined): { rssBytes: number; peakRssBytes: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return { rssBytes: 0, peakRssBytes: 0 };
  }
}

export function memoryFacts(workerPid: number | undefined): MemoryFacts {
  const m = process.memoryUsage();
  return {
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    externalBytes: m.external,
    heapLimitBytes: getHeapStatistics().heap_size_limit,
    workerProcess: { ...processRss(workerPid), cacheLimit: maxCachedWorkflows() },
    childrenRssBytes: childrenRss(),
  };
}

const PROVIDERS = ORGANISATIONS.flatMap((o) => o.municipalities.map((m): { organisationId: string; municipality: string } => ({ organisationId: o.id, municipality: m })));

async function createOpenCases(env: BenchEnvironment, taskQueue: string, count: number, log: (line: string) => void): Promise<void> {
  const chunk = 1000;
  const startConcurrency = 32;
  for (let offset = 0; offset < count; offset += chunk) {
    const n = Math.min(chunk, count - offset);
    const now = new Date();
    const rows = Array.from({ length: n }, (_, i) => {
      const p = PROVIDERS[(offset + i) % PROVIDERS.length]!;
      return { caseId: randomUUID(), personId: randomUUID(), ...p, openedAt: now.toISOString() };
    });
    await env.db.person.createMany({
      data: rows.map((r, i) => ({
        id: r.personId,
        givenName: 'Bench',
        familyName: `Person ${offset + i}`,
        birthDate: new Date('1985-01-01'),
        municipality: r.municipality,
        languages: [],
      })),
    });
    await env.db.case.createMany({
      data: rows.map((r) => ({
        id: r.caseId,
        workflowId: caseWorkflowId(r.caseId),
        personId: r.personId,
        state: 'intake',
        organisationId: r.organisationId,
        proposedOrganisationId: r.organisationId,
        proposalReason: `Wohnort ${r.municipality}`,
        municipality: r.municipality,
        source: 'self',
        openedAt: now,
      })),
    });
    await pool(rows.length, startConcurrency, async (i) => {
      const r = rows[i]!;
      // The API's own builder (workflows/case-start.ts): the same input, code version and search attributes.
      const start = caseWorkflowStart(
        { id: r.caseId, openedAt: r.openedAt, openedById: null, organisationId: r.organisationId, proposedOrganisationId: r.organisationId, proposalReason: `Wohnort ${r.municipality}`, municipality: r.municipality, source: 'self' },
        defaultCaseSettings,
      );
      await env.client.workflow.start('caseWorkflow', { ...start, taskQueue });
    });
    log(`  scale: ${offset + n}/${count} case workflows started`);
  }
}

/**
 * The worker's RSS once the flood of first tasks is over: V8 gives memory back only some seconds after the allocation
 * stops (its memory reducer), so right after the last record the RSS still holds the garbage of the flood. Polled every
 * 5 s until it changes by less than 1 % between two polls (at most two minutes) — the memory of 10,000 open cases, not
 * of their arrival (that is the peak, reported beside it).
 */
async function settleWorkerRss(pid: number | undefined): Promise<{ rssJustAfterBytes: number; seconds: number }> {
  const started = Date.now();
  const rssJustAfterBytes = processRss(pid).rssBytes;
  let previous = rssJustAfterBytes;
  while (pid && Date.now() - started < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const now = processRss(pid).rssBytes;
    if (Math.abs(now - previous) < previous / 100) break;
    previous = now;
  }
  return { rssJustAfterBytes, seconds: (Date.now() - started) / 1000 };
}

async function sample(n: number, op: (i: number) => Promise<unknown>): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await timed(() => op(i)));
  return summarize(samples);
}

export async function benchScale(
  env: BenchEnvironment,
  coordinator: Headers,
  options: { target: number; minCreate: number; samples: number; controllingSamples: number },
  log: (line: string) => void,
): Promise<ScaleResult> {
  const existing = await env.db.case.count({ where: { closedAt: null } });
  const toCreate = Math.max(options.minCreate, options.target - existing);
  const fleet = await env.startWorkerFleet(1);
  try {
    return await measureScale(env, fleet, coordinator, { ...options, toCreate }, log);
  } finally {
    await fleet.close();
  }
}

async function measureScale(
  env: BenchEnvironment,
  fleet: WorkerFleet,
  coordinator: Headers,
  options: { toCreate: number; samples: number; controllingSamples: number },
  log: (line: string) => void,
): Promise<ScaleResult> {
  const { toCreate } = options;
  const memoryBefore = memoryFacts(fleet.pids[0]);
  const started = Date.now();
  await createOpenCases(env, fleet.taskQueue, toCreate, log);
  await waitForRecords(env, 1_800_000);
  const createSeconds = (Date.now() - started) / 1000;
  const openCases = await env.db.case.count({ where: { closedAt: null } });
  const armedDeadlines = await env.db.caseDeadline.count({ where: { status: 'open' } });
  const memoryAfter = { ...memoryFacts(fleet.pids[0]), workerSettling: await settleWorkerRss(fleet.pids[0]) };
  memoryAfter.workerProcess.rssBytes = processRss(fleet.pids[0]).rssBytes;
  // The planner's statistics as autovacuum keeps them in a running installation: just after thousands of inserts
  // they may still describe the empty tables (nested loops over every deadline instead of a hash join).
  await env.db.$executeRawUnsafe('ANALYZE');

  const pageSize = 50;
  const pages = Math.max(1, Math.ceil(openCases / pageSize));
  let total = 0;
  const caseList = await sample(options.samples, async (i) => {
    // Spread over the pages (first, last and in between): a deep OFFSET costs more than the first page.
    const page = 1 + ((i * 7919) % pages);
    total = (await call<{ total: number }>(env.baseUrl, coordinator, 'GET', `/api/v1/cases?page=${page}&pageSize=${pageSize}`)).body.total;
  });
  let dueSoon = 0;
  const deadlinesDueSoon = await sample(options.samples, async () => {
    dueSoon = (await call<{ total: number }>(env.baseUrl, coordinator, 'GET', '/api/v1/deadlines?status=due_soon&days=30')).body.total;
  });
  const caseManager = (await bearerFor(env.db, 'cm.caritas-eifel@kim.example', 'bench-scale')).headers();
  let caseManagerDueSoon = 0;
  const deadlinesCaseManager = await sample(options.samples, async () => {
    caseManagerDueSoon = (await call<{ total: number }>(env.baseUrl, caseManager, 'GET', '/api/v1/deadlines?status=due_soon&days=30')).body.total;
  });

  let controlling: ScaleResult['controlling'];
  try {
    let bytes = 0;
    await call(env.baseUrl, coordinator, 'GET', '/api/v1/reports/controlling');
    const latency = await sample(options.controllingSamples, async () => {
      bytes = (await call(env.baseUrl, coordinator, 'GET', '/api/v1/reports/controlling')).bytes;
    });
    controlling = { ...latency, bytes };
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) controlling = { skipped: 'GET /api/v1/reports/controlling answers 404 (route not built yet)' };
    else controlling = { skipped: `GET /api/v1/reports/controlling failed: ${(error as Error).message}` };
  }

  return {
    openCases,
    createdDirectly: toCreate,
    casesOnWorkerProcess: toCreate,
    createSeconds,
    armedDeadlines,
    memoryBefore,
    memoryAfter,
    caseList: { ...caseList, total, pageSize },
    deadlinesDueSoon: { ...deadlinesDueSoon, total: dueSoon },
    deadlinesCaseManager: { ...deadlinesCaseManager, total: caseManagerDueSoon },
    controlling,
  };
}
