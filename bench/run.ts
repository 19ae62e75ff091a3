// `npm run bench` (full) and `npm run bench -- --quick` (smoke, well under a minute): the benchmarks of issue 7.
// Self-contained: starts its own Temporal dev server, database, workers and HTTP app (bench/lib/environment.ts),
// measures, prints a table, writes bench/results/<timestamp>.json and tears everything down. Timings are reported,
// never asserted: the exit code is non-zero only when the harness itself fails.
//
// Options: --quick, --only=advance,intake,scale,long,report (a subset), --out=<file>.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { bearerFor } from '../harness/auth.js';
import { demoActor } from '../harness/cases.js';
import { benchAdvance, type AdvanceResult } from './lib/advance.js';
import { startBenchEnvironment, type BenchEnvironment } from './lib/environment.js';
import { benchIntake, benchIntakeWithWorkers, type IntakeResult, type IntakeWorkersResult } from './lib/intake.js';
import { benchLongCase, type LongCaseResult } from './lib/long-case.js';
import { benchReport, type ReportResult } from './lib/report.js';
import { benchScale, type ScaleResult } from './lib/scale.js';
import { mb, ms, ratio } from './lib/stats.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const outArg = args.find((a) => a.startsWith('--out='))?.slice('--out='.length);
const enabled = (phase: string) => !only || only.includes(phase);

const config = quick
  ? {
      advance: { samples: 30, cases: 5, batch: 10, warmup: 5 },
      intake: { seconds: 2, concurrencies: [8, 32], workerProcesses: [1, 2], workersConcurrency: 32 },
      scale: { target: 150, minCreate: 30, samples: 15, controllingSamples: 3 },
      // A smoke test of the long-case path: few contacts, and a low threshold so continue-as-new does happen.
      long: { contacts: 40, concurrency: 1, budgetSeconds: 8, threshold: 150 },
      report: { cases: 200, eventsPerCase: 50, samples: 5 },
    }
  : {
      advance: { samples: 1000, cases: 50, batch: 50, warmup: 50 },
      intake: { seconds: 60, concurrencies: [8, 32], workerProcesses: [1, 2], workersConcurrency: 32 },
      // All 10,000 on the measured worker process (created directly), beside the earlier phases' cases.
      scale: { target: 10_000, minCreate: 10_000, samples: 200, controllingSamples: 10 },
      // One case manager records one contact after the other (concurrency 1); stops after the time budget (10,000
      // contacts at ≈ 27/s take ≈ 370 s).
      long: { contacts: 10_000, concurrency: 1, budgetSeconds: 600, threshold: 100 },
      // The controlling report over 10,000 cases and 1,000,000 events, written directly (issue 11).
      report: { cases: 10_000, eventsPerCase: 100, samples: 40 },
    };

// Issue 11: advance p50 ≤ 1.5× and p99 ≤ 1.75× the bare update; intake ≥ 0.7× bare starts; lists p95 ≤ 50 ms; …
const GOALS = { advanceP50: 1.5, advanceP99: 1.75, intake: 0.7, listP95Ms: 50, controllingMs: 300, eventsPerRun: 2000, replayMs: 200, lastTenthRatio: 1.2, workerRssBytes: 1024 ** 3 };

const log = (line: string) => console.log(line);
const startedAt = new Date();

interface Row {
  measurement: string;
  kim: string;
  limit: string;
  ratio: string;
  goal: string;
  met: string;
}

const yes = (ok: boolean) => (ok ? 'yes' : 'NO');

function printTable(rows: Row[]) {
  const headers: Row = { measurement: 'Measurement', kim: 'KIM', limit: 'Limit (same run)', ratio: 'Ratio', goal: 'Goal', met: 'Met' };
  const keys = Object.keys(headers) as Array<keyof Row>;
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...[headers, ...rows].map((r) => r[k].length))])) as Record<keyof Row, number>;
  const line = (r: Row) => `| ${keys.map((k) => r[k].padEnd(width[k])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${keys.map((k) => '-'.repeat(width[k] + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

// main() is split into: describe the machine, run the phases, build the table rows (one helper per benchmark),
// print and write the results. Each helper holds the statements main() had inline, in the same order, so the
// console output, the table and the JSON file are unchanged.

type Machine = ReturnType<typeof describeMachine>;

interface Results {
  advance?: AdvanceResult;
  intake?: IntakeResult[];
  /** Intake against 1 and 2 separate worker processes on one task queue (issue 11, "Beyond one machine"). */
  intakeWorkers?: IntakeWorkersResult[];
  scale?: ScaleResult;
  long?: LongCaseResult[];
  report?: ReportResult;
}

function describeMachine() {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg(),
  };
}

/** Starts the environment, runs the enabled benchmarks, always tears down; `env` stays readable for the report. */
async function runPhases(results: Results, phaseSeconds: Record<string, number>): Promise<BenchEnvironment | undefined> {
  let env: BenchEnvironment | undefined;
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    log(`▶ ${name} …`);
    const t = Date.now();
    try {
      return await fn();
    } finally {
      phaseSeconds[name] = (Date.now() - t) / 1000;
      log(`  ${name}: ${phaseSeconds[name]!.toFixed(1)} s`);
    }
  };

  try {
    env = await phase('setup', () => startBenchEnvironment(log));
    const e = env;
    const caseManager = (await bearerFor(e.db, 'cm.caritas-eifel@kim.example', 'bench')).headers();
    const coordinator = (await bearerFor(e.db, 'koordination@kim.example', 'bench')).headers();
    const actor = await demoActor(e.db, 'cm.caritas-eifel@kim.example');
    const drkActor = await demoActor(e.db, 'cm.drk@kim.example');

    if (enabled('advance')) results.advance = await phase('1 advance a case', () => benchAdvance(e, { caseManager, actor }, config.advance));
    if (enabled('scale')) {
      // The earlier phases' cases leave this process's heap (the API is measured as in production, without a
      // worker's cache beside it); the scale phase's cases run on a worker process of their own.
      await e.restartCaseWorker();
      results.scale = await phase('3 scale', () => benchScale(e, coordinator, config.scale, log));
    }
    if (enabled('long')) {
      results.long = [];
      for (const variant of [
        { variant: 'default (server suggests continue-as-new)' },
        { variant: `continueAsNewAfterEvents: ${config.long.threshold}`, continueAsNewAfterEvents: config.long.threshold },
      ]) {
        results.long.push(await phase(`4 long case, ${variant.variant}`, () => benchLongCase(e, drkActor, { ...config.long, ...variant }, log)));
      }
    }
    // Intake runs after the scale phase: its cases (≈ 13,000 in a full run) stay open and would otherwise be counted into
    // the lists the scale phase measures over its 10,000.
    if (enabled('intake')) {
      results.intake = [];
      for (const c of config.intake.concurrencies) {
        results.intake.push(await phase(`2 intake at concurrency ${c}`, () => benchIntake(e, caseManager, c, config.intake.seconds)));
      }
      results.intakeWorkers = [];
      for (const n of config.intake.workerProcesses) {
        const c = config.intake.workersConcurrency;
        results.intakeWorkers.push(await phase(`2 intake at concurrency ${c}, ${n} worker process(es)`, () => benchIntakeWithWorkers(e, caseManager, c, config.intake.seconds, n)));
      }
    }
    if (enabled('report')) results.report = await phase('5 controlling report over a generated history', () => benchReport(e, config.report, log));
  } finally {
    if (env) await phase('teardown', () => env!.close());
  }
  return env;
}

function advanceRows(a: AdvanceResult): Row[] {
  const rows: Row[] = [];
  for (const p of ['p50', 'p95', 'p99'] as const) {
    const goal = p === 'p50' ? GOALS.advanceP50 : p === 'p99' ? GOALS.advanceP99 : undefined;
    rows.push({
      measurement: `1 advance case via API, ${p} (n=${a.samplesPerSeries})`,
      kim: ms(a.api[p]),
      limit: `${ms(a.bare[p])} bare update`,
      ratio: ratio(a.ratios[p]),
      goal: goal ? `≤ ${goal}×` : '–',
      met: goal ? yes(a.ratios[p] <= goal) : '–',
    });
  }
  rows.push({ measurement: '  same update via client, no HTTP, p50', kim: ms(a.directCaseUpdate.p50), limit: ms(a.bare.p50), ratio: ratio(a.directCaseUpdate.p50 / a.bare.p50), goal: '(profile)', met: '–' });
  rows.push({ measurement: '  HTTP + bearer auth only (GET organisations), p50', kim: ms(a.httpAuthOnly.p50), limit: '–', ratio: '–', goal: '(profile)', met: '–' });
  for (const [span, value] of Object.entries(a.historyBreakdown)) {
    rows.push({ measurement: `  server-side: ${span}, median`, kim: ms(value), limit: '–', ratio: '–', goal: '(profile)', met: '–' });
  }
  return rows;
}

function intakeRow(i: IntakeResult): Row {
  return {
    measurement: `2 intake, concurrency ${i.concurrency}, ${i.seconds} s window`,
    kim: `${i.api.perSecond.toFixed(1)} cases/s${i.api.errors ? ` (${i.api.errors} errors)` : ''}; first records ${i.drainSeconds.toFixed(1)} s after`,
    limit: `${i.bare.perSecond.toFixed(1)} starts/s; first tasks ${i.bareDrainSeconds.toFixed(1)} s after`,
    ratio: ratio(i.ratio),
    goal: `≥ ${GOALS.intake}×`,
    met: yes(i.ratio >= GOALS.intake),
  };
}

/**
 * Throughput through to the engine's work: cases whose first record was written (bare: workflows that ran their first
 * task) per second of window + drain. The start rate alone counts what the server accepted, not what it ran.
 */
function sustainedIntakeRow(i: IntakeResult, label: string): Row {
  const kim = i.api.completed / (i.api.seconds + i.drainSeconds);
  const bare = i.bare.completed / (i.bare.seconds + i.bareDrainSeconds);
  return {
    measurement: `  ${label}: through the first task, per second of window + drain`,
    kim: `${kim.toFixed(1)} cases/s`,
    limit: `${bare.toFixed(1)} workflows/s`,
    ratio: ratio(kim / bare),
    goal: `(≥ ${GOALS.intake}×)`,
    met: yes(kim / bare >= GOALS.intake),
  };
}

function intakeWorkersRow(i: IntakeWorkersResult): Row {
  return {
    ...intakeRow(i),
    measurement: `2 intake, concurrency ${i.concurrency}, ${i.workerProcesses} worker process${i.workerProcesses === 1 ? '' : 'es'} (npm run worker)`,
    kim: `${i.api.perSecond.toFixed(1)} cases/s${i.api.errors ? ` (${i.api.errors} errors)` : ''}; recorded ${i.recordedPerSecond.toFixed(1)}/s (drain ${i.drainSeconds.toFixed(1)} s)`,
  };
}

function scaleRows(s: ScaleResult): Row[] {
  const rows: Row[] = [];
  rows.push({ measurement: `3 scale: open cases (${s.createdDirectly} created directly)`, kim: `${s.openCases} cases, ${s.armedDeadlines} open deadlines`, limit: '–', ratio: '–', goal: '–', met: '–' });
  const w = s.memoryAfter.workerProcess;
  rows.push({
    measurement: `  worker process RSS with ${s.casesOnWorkerProcess} open cases on it (cache ${w.cacheLimit}), settled`,
    kim: mb(w.rssBytes),
    limit: s.memoryAfter.workerSettling
      ? `${mb(s.memoryAfter.workerSettling.rssJustAfterBytes)} right after, ${s.memoryAfter.workerSettling.seconds.toFixed(0)} s to settle; ${mb(s.memoryBefore.workerProcess.rssBytes)} at start`
      : `${mb(s.memoryBefore.workerProcess.rssBytes)} at start`,
    ratio: '–',
    goal: `≤ ${mb(GOALS.workerRssBytes)}`,
    met: w.rssBytes ? yes(w.rssBytes <= GOALS.workerRssBytes) : '–',
  });
  // The peak falls while all of them arrive at once (thousands of first tasks queued): a flood no county makes.
  rows.push({ measurement: '  worker process peak RSS (VmHWM) while they were started', kim: mb(w.peakRssBytes), limit: '–', ratio: '–', goal: '(report)', met: '–' });
  rows.push({
    measurement: '  API + bench process RSS / heap used',
    kim: `${mb(s.memoryAfter.rssBytes)} / ${mb(s.memoryAfter.heapUsedBytes)}`,
    limit: `${mb(s.memoryBefore.rssBytes)} / ${mb(s.memoryBefore.heapUsedBytes)} before`,
    ratio: '–',
    goal: '(report)',
    met: '–',
  });
  const temporalRss = s.memoryAfter.childrenRssBytes.temporal;
  if (temporalRss) {
    rows.push({ measurement: '  Temporal dev server RSS', kim: mb(temporalRss), limit: `${mb(s.memoryBefore.childrenRssBytes.temporal ?? 0)} before`, ratio: '–', goal: '(report)', met: '–' });
  }
  rows.push({ measurement: `  creating the open cases directly`, kim: `${s.createSeconds.toFixed(1)} s`, limit: `${(s.createdDirectly / s.createSeconds).toFixed(1)} cases/s incl. first record`, ratio: '–', goal: '(report)', met: '–' });
  rows.push({ measurement: `  GET /api/v1/cases p95 (coordinator, ${s.caseList.pageSize}/page)`, kim: ms(s.caseList.p95), limit: '–', ratio: '–', goal: `≤ ${GOALS.listP95Ms} ms`, met: yes(s.caseList.p95 <= GOALS.listP95Ms) });
  rows.push({ measurement: `  GET /api/v1/deadlines?status=due_soon&days=30 p95 (coordinator, ${s.deadlinesDueSoon.total} due)`, kim: ms(s.deadlinesDueSoon.p95), limit: '–', ratio: '–', goal: `≤ ${GOALS.listP95Ms} ms`, met: yes(s.deadlinesDueSoon.p95 <= GOALS.listP95Ms) });
  rows.push({ measurement: `  the same as a case manager p95 (own organisation, ${s.deadlinesCaseManager.total} due)`, kim: ms(s.deadlinesCaseManager.p95), limit: '–', ratio: '–', goal: `≤ ${GOALS.listP95Ms} ms`, met: yes(s.deadlinesCaseManager.p95 <= GOALS.listP95Ms) });
  if ('skipped' in s.controlling) rows.push({ measurement: '  GET /api/v1/reports/controlling', kim: 'skipped', limit: s.controlling.skipped, ratio: '–', goal: `≤ ${GOALS.controllingMs} ms`, met: '–' });
  else rows.push({ measurement: `  GET /api/v1/reports/controlling p95 (n=${s.controlling.n})`, kim: ms(s.controlling.p95), limit: '–', ratio: '–', goal: `≤ ${GOALS.controllingMs} ms`, met: yes(s.controlling.p95 <= GOALS.controllingMs) });
  return rows;
}

function longCaseRows(l: LongCaseResult): Row[] {
  const rows: Row[] = [];
  rows.push({
    measurement: `4 long case, ${l.variant}`,
    kim: `${l.runs} runs, max ${l.maxEventsPerRun} events/run (runs: ${l.eventsPerRun.slice(0, 3).join(', ')}${l.runs > 3 ? ` … ${l.eventsPerRun.slice(-2).join(', ')}` : ''})`,
    limit: '–',
    ratio: '–',
    goal: `≤ ${GOALS.eventsPerRun} events/run`,
    met: yes(l.maxEventsPerRun <= GOALS.eventsPerRun),
  });
  rows.push({
    measurement: '  contacts recorded',
    kim: `${l.contacts} of ${l.targetContacts} in ${l.seconds.toFixed(0)} s`,
    limit: '–',
    ratio: '–',
    goal: `all ${l.targetContacts}`,
    met: yes(l.contacts === l.targetContacts),
  });
  rows.push({
    measurement: '  replay of the longest run (replay worker started; median of 4)',
    kim: `${ms(l.replayLongestRunMs)} (${(l.longestRunBytes / 1024).toFixed(0)} KiB history)`,
    limit: `${ms(l.replayWithWorkerStartMs)} with the worker's start`,
    ratio: '–',
    goal: `≤ ${GOALS.replayMs} ms`,
    met: yes(l.replayLongestRunMs <= GOALS.replayMs),
  });
  rows.push({
    measurement: `  update latency p50, first → last tenth (${l.lastResultBytes > 0 ? `last answer ${(l.lastResultBytes / 1024).toFixed(0)} KiB` : 'no answer'})`,
    kim: `${ms(l.latencyFirstTenth.p50)} → ${ms(l.latencyLastTenth.p50)}`,
    limit: `${l.contactsPerSecond.toFixed(1)} contacts/s`,
    ratio: `${(l.latencyLastTenth.p50 / l.latencyFirstTenth.p50).toFixed(2)}×`,
    goal: `≤ ${GOALS.lastTenthRatio}×`,
    met: yes(l.latencyLastTenth.p50 <= GOALS.lastTenthRatio * l.latencyFirstTenth.p50),
  });
  if (l.stoppedBecause) rows.push({ measurement: '  stopped early', kim: l.stoppedBecause.slice(0, 120), limit: '–', ratio: '–', goal: '–', met: '–' });
  return rows;
}

function reportRows(r: ReportResult): Row[] {
  const perCase = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  return [
    {
      measurement: `5 controlling report: ${r.cases} cases, ${r.events} events (written directly)`,
      kim: `facts ${perCase(r.factsBytesPerCase)}/case`,
      limit: `events ${perCase(r.eventBytesPerCase)}/case`,
      ratio: ratio(r.eventBytesPerCase / r.factsBytesPerCase),
      goal: '(report)',
      met: '–',
    },
    { measurement: '  facts rebuilt from the events (npm run facts:rebuild)', kim: `${r.rebuildSeconds.toFixed(1)} s`, limit: `events written in ${r.generateSeconds.toFixed(1)} s`, ratio: '–', goal: '(report)', met: '–' },
    ...(
      [
        ['this year, per organisation', r.byOrganisation],
        ['this year, per month', r.byMonth],
      ] as const
    ).map(([what, l]) => ({
      measurement: `  GET /api/v1/reports/controlling (${what}), p50 / p95 (n=${l.n})`,
      kim: `${ms(l.p50)} / ${ms(l.p95)}`,
      limit: '–',
      ratio: '–',
      goal: `p95 ≤ ${GOALS.controllingMs} ms`,
      met: yes(l.p95 <= GOALS.controllingMs),
    })),
  ];
}

/** The table's rows in benchmark order: advance, intake, scale, long case, report. */
function tableRows(results: Results): Row[] {
  const rows: Row[] = [];
  if (results.advance) rows.push(...advanceRows(results.advance));
  for (const i of results.intake ?? []) rows.push(intakeRow(i), sustainedIntakeRow(i, `concurrency ${i.concurrency}`));
  for (const i of results.intakeWorkers ?? []) rows.push(intakeWorkersRow(i), sustainedIntakeRow(i, `${i.workerProcesses} worker process${i.workerProcesses === 1 ? '' : 'es'}`));
  if (results.scale) rows.push(...scaleRows(results.scale));
  for (const l of results.long ?? []) rows.push(...longCaseRows(l));
  if (results.report) rows.push(...reportRows(results.report));
  return rows;
}

function writeResultsFile(report: {
  machine: Machine;
  loadAverageAtEnd: number[];
  env: BenchEnvironment | undefined;
  phaseSeconds: Record<string, number>;
  results: Results;
  rows: Row[];
}) {
  const { machine, loadAverageAtEnd, env, phaseSeconds, results, rows } = report;
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const out = outArg ?? join(new URL('.', import.meta.url).pathname, 'results', `${stamp}${quick ? '-quick' : ''}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        mode: quick ? 'quick' : 'full',
        startedAt: startedAt.toISOString(),
        machine: { ...machine, loadAverageAtEnd, database: env?.database, temporal: env?.temporalSource },
        config,
        goals: GOALS,
        setupSeconds: env?.setup,
        phaseSeconds,
        results,
        table: rows,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nWritten: ${out}`);
}

async function main(): Promise<number> {
  const machine = describeMachine();
  log(`KIM Casework benchmarks (${quick ? 'quick smoke mode' : 'full mode'}) on ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}`);
  log(`Load average at start: ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')} (other processes on this machine make the figures noisy)`);

  const results: Results = {};
  const phaseSeconds: Record<string, number> = {};
  const env = await runPhases(results, phaseSeconds);

  // ---- table ----
  const rows = tableRows(results);

  const loadAverageAtEnd = loadavg();
  console.log('');
  console.log(`Results (${quick ? 'quick' : 'full'}; ${machine.cores} cores, ${machine.cpuModel}; Node ${machine.node}; database: ${env?.database.description ?? '?'}; load average start ${machine.loadAverageAtStart.map((x) => x.toFixed(2)).join('/')} → end ${loadAverageAtEnd.map((x) => x.toFixed(2)).join('/')})`);
  printTable(rows);

  writeResultsFile({ machine, loadAverageAtEnd, env, phaseSeconds, results, rows });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('\nBenchmark harness failed:', error);
    process.exit(1);
  },
);
