// Everything the benchmarks run against, started by the bench itself and torn down at the end — the same pieces
// as the tests' harness (tests/support/harness.ts) without vitest: a Temporal dev server (the installed CLI via
// TestWorkflowEnvironment.createLocal, or TEMPORAL_ADDRESS), a fresh migrated and seeded database (a new database on
// the PostgreSQL server of BENCH_DATABASE_URL / TEST_DATABASE_URL, else in-memory PGlite), the case worker, a worker
// for the bare baseline workflow, and the Express app on a free port. The server database, the app's port and the SMTP
// server come from the shared harness (../../harness/), as in the tests and the drills. For intake with several worker
// processes, startWorkerFleet() spawns `npm run worker` processes (scripts/worker.ts) on a task queue of their own.
import { workerReady } from '../../harness/processes.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { createApp } from '../../api/app.js';
import { createDatabase, type Database } from '../../platform/database.js';
import { startEmbeddedPostgres } from '../../platform/embedded-postgres.js';
import type { Mailer } from '../../platform/mailer.js';
import { deployMigrations } from '../../platform/migrations.js';
import { repoRoot } from '../../platform/paths.js';
import { newPayloadKeyEntry } from '../../platform/payload-codec.js';
import { seedDatabase } from '../../platform/seed.js';
import { describeBinary, resolveBinary } from '../../platform/temporal-binaries.js';
import { ensureSearchAttributes } from '../../platform/temporal.js';
import { caseSearchAttributes } from '../../workflows/search-attributes.js';
import { createCaseWorker, WORKER_PROCESS_ARGS, workflowsPath } from '../../worker.js';
import { serveApp } from '../../harness/app-server.js';
import { createServerDatabase } from '../../harness/database.js';
import { startTestSmtpServer, type TestSmtpServer } from '../../harness/smtp.js';

export const minimalWorkflowPath = new URL('../minimal-workflow.ts', import.meta.url).pathname;
export const DEMO_PASSWORD = 'bench-password';

export interface BenchDatabaseInfo {
  kind: 'postgresql' | 'pglite';
  /** What the table prints: server version and database name, or PGlite in memory. */
  description: string;
}

export interface BenchEnvironment {
  db: Database;
  database: BenchDatabaseInfo;
  temporalAddress: string;
  temporalSource: string;
  client: Client;
  caseTaskQueue: string;
  minimalTaskQueue: string;
  caseBundlePath: string;
  minimalBundlePath: string;
  caseWorker: Worker;
  baseUrl: string;
  /** Seconds each bring-up step took. */
  setup: Record<string, number>;
  /** `count` worker processes (scripts/worker.ts, as `npm run worker`) on a new task queue, and an app that opens
   *  cases on that queue; the in-process case worker does not poll it. */
  startWorkerFleet(count: number): Promise<WorkerFleet>;
  /** Shuts the in-process case worker down and starts a fresh one on the same task queue: its sticky cache (the
   *  cases of the earlier phases) leaves this process's heap, as it would with the worker in a process of its own. */
  restartCaseWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface WorkerFleet {
  taskQueue: string;
  /** The app (same database, same client) whose intake starts case workflows on the fleet's task queue. */
  baseUrl: string;
  processes: number;
  /** Process ids of the worker processes (their RSS is read from /proc). */
  pids: number[];
  /** Stops the app and the worker processes (SIGTERM: each finishes its tasks). */
  close(): Promise<void>;
}

interface Fresh {
  url: string;
  info: BenchDatabaseInfo;
  drop(): Promise<void>;
}

async function freshDatabase(): Promise<Fresh> {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres();
    return {
      url: embedded.url,
      info: { kind: 'pglite', description: 'embedded PGlite (in memory, PostgreSQL 17 in wasm, in this process)' },
      drop: () => embedded.stop(),
    };
  }
  const created = await createServerDatabase(serverUrl, 'kim_bench', 3);
  return {
    url: created.url,
    info: { kind: 'postgresql', description: `PostgreSQL ${created.serverVersion} at ${new URL(created.url).host} (fresh database ${created.name})` },
    drop: () => created.drop(),
  };
}

async function step<T>(setup: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await fn();
  } finally {
    setup[name] = (Date.now() - start) / 1000;
  }
}

// startBenchEnvironment is split into one helper per bring-up step. The order of `stops` is kept exactly as it was
// (temp dir, Temporal, database, connections, SMTP, workers, HTTP), because close() tears down in reverse.
type Stops = Array<() => Promise<unknown> | unknown>;

interface TemporalUp {
  address: string;
  source: string;
  teardown: () => Promise<void>;
}

/** TEMPORAL_ADDRESS (with the case search attributes ensured) or an in-memory dev server from the installed CLI. */
async function startTemporal(): Promise<TemporalUp> {
  const external = process.env.TEMPORAL_ADDRESS;
  if (external) {
    const connection = await Connection.connect({ address: external });
    try {
      await ensureSearchAttributes(connection, 'default', caseSearchAttributes);
    } finally {
      await connection.close();
    }
    return { address: external, source: `TEMPORAL_ADDRESS=${external}`, teardown: async () => {} };
  }
  const cli = resolveBinary('cli');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli.path ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
      searchAttributes: caseSearchAttributes,
      extraArgs: ['--log-level', 'error'],
    },
  });
  return { address: env.address, source: `dev server in memory, ${describeBinary('cli', cli)}`, teardown: () => env.teardown() };
}

/** Bundled once into files, so the workers and the replay read the same code. */
async function bundleWorkflows(dir: string): Promise<{ casePath: string; minimalPath: string }> {
  const logger = new DefaultLogger('WARN');
  const [cases, minimal] = await Promise.all([
    bundleWorkflowCode({ workflowsPath, logger }),
    bundleWorkflowCode({ workflowsPath: minimalWorkflowPath, logger }),
  ]);
  const casePath = join(dir, 'case-workflows.js');
  const minimalPath = join(dir, 'minimal-workflow.js');
  writeFileSync(casePath, cases.code);
  writeFileSync(minimalPath, minimal.code);
  return { casePath, minimalPath };
}

/** A fresh database, migrated and seeded; dropped again if migrating or seeding fails. */
async function prepareDatabase(): Promise<{ fresh: Fresh; db: Database }> {
  const fresh = await freshDatabase();
  try {
    await deployMigrations({ databaseUrl: fresh.url });
    const db = createDatabase(fresh.url);
    await seedDatabase(db, { demoPassword: DEMO_PASSWORD, production: false });
    return { fresh, db };
  } catch (error) {
    await fresh.drop();
    throw error;
  }
}

/** Three independent slow steps at once: the dev server, the two workflow bundles, the database. */
async function bringUpInParallel(setup: Record<string, number>, stops: Stops, dir: string) {
  const temporalStep = step(setup, 'temporal dev server', startTemporal);
  const bundleStep = step(setup, 'workflow bundles', () => bundleWorkflows(dir));
  const databaseStep = step(setup, 'database + migrations + seed', prepareDatabase);
  const settled = await Promise.allSettled([temporalStep, bundleStep, databaseStep]);
  // Whatever came up is torn down, even when another step failed.
  if (settled[0].status === 'fulfilled') stops.push(settled[0].value.teardown);
  if (settled[2].status === 'fulfilled') {
    const { fresh, db } = settled[2].value;
    stops.push(() => fresh.drop());
    stops.push(() => db.$disconnect());
  }
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const temporal = (settled[0] as PromiseFulfilledResult<Awaited<typeof temporalStep>>).value;
  const bundles = (settled[1] as PromiseFulfilledResult<Awaited<typeof bundleStep>>).value;
  const { fresh, db } = (settled[2] as PromiseFulfilledResult<Awaited<typeof databaseStep>>).value;
  return { temporal, bundles, fresh, db };
}

/** The case worker and the bare baseline worker, each on its own fresh task queue, running until close(). */
async function startWorkers(
  stops: Stops,
  nativeConnection: NativeConnection,
  db: Database,
  mailer: Mailer,
  bundles: { casePath: string; minimalPath: string },
) {
  const suffix = randomBytes(3).toString('hex');
  const caseTaskQueue = `kim-bench-${suffix}`;
  const minimalTaskQueue = `kim-bench-minimal-${suffix}`;
  const newCaseWorker = () =>
    createCaseWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue: caseTaskQueue,
      db,
      mailer,
      workflowBundle: { codePath: bundles.casePath },
    });
  const minimalWorker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue: minimalTaskQueue,
    workflowBundle: { codePath: bundles.minimalPath },
  });
  const current = { worker: await newCaseWorker(), run: Promise.resolve() };
  current.run = current.worker.run();
  const minimalRun = minimalWorker.run();
  stops.push(async () => {
    for (const w of [current.worker, minimalWorker]) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled([current.run, minimalRun]);
  });
  const restartCaseWorker = async () => {
    current.worker.shutdown();
    await current.run;
    current.worker = await newCaseWorker();
    current.run = current.worker.run();
  };
  return { current, caseTaskQueue, minimalTaskQueue, restartCaseWorker };
}

interface FleetContext {
  db: Database;
  client: Client;
  databaseUrl: string;
  temporalAddress: string;
  casePath: string;
  smtp: TestSmtpServer;
  /** One installation key for every worker process of the run (they all encrypt payloads, and must read each other's). */
  payloadKeys: string;
}

/** One `npm run worker` process; resolves once it polls (its "Worker läuft" line). */
function spawnWorkerProcess(ctx: FleetContext, taskQueue: string, children: ChildProcess[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, WORKER_PROCESS_ARGS, {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: ctx.databaseUrl,
      TEMPORAL_ADDRESS: ctx.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      KIM_WORKFLOW_BUNDLE: ctx.casePath,
      KIM_PAYLOAD_KEYS: ctx.payloadKeys,
      KIM_PAYLOAD_KEYS_FILE: '',
      SMTP_HOST: ctx.smtp.host,
      SMTP_PORT: String(ctx.smtp.port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return workerReady(child, 'bench worker process');
}

async function stopWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function launchWorkerFleet(ctx: FleetContext, count: number): Promise<WorkerFleet> {
  const taskQueue = `kim-bench-fleet-${randomBytes(3).toString('hex')}`;
  const children: ChildProcess[] = [];
  let served: Awaited<ReturnType<typeof serveApp>> | undefined;
  const close = async () => {
    await served?.close();
    await Promise.all(children.map(stopWorkerProcess));
  };
  try {
    await Promise.all(Array.from({ length: count }, () => spawnWorkerProcess(ctx, taskQueue, children)));
    served = await serveApp(createApp({ db: ctx.db, temporal: ctx.client, taskQueue }));
    return { taskQueue, baseUrl: served.baseUrl, processes: count, pids: children.map((c) => c.pid!).filter(Boolean), close };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function startBenchEnvironment(log: (line: string) => void): Promise<BenchEnvironment> {
  const setup: Record<string, number> = {};
  const stops: Stops = [];
  const close = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error(`bench teardown: ${(error as Error).message}`);
      }
    }
  };

  try {
    const dir = mkdtempSync(join(tmpdir(), 'kim-bench-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));

    const { temporal, bundles, fresh, db } = await bringUpInParallel(setup, stops, dir);
    log(`Temporal: ${temporal.source}`);
    log(`Database: ${fresh.info.description}`);

    // Histories of long cases exceed gRPC's default 4 MB per message; the bench reads them whole.
    const connection = await Connection.connect({ address: temporal.address, channelArgs: { 'grpc.max_receive_message_length': 512 * 1024 * 1024 } });
    stops.push(() => connection.close());
    const client = new Client({ connection });
    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => nativeConnection.close());
    const smtp = await startTestSmtpServer();
    stops.push(() => smtp.close());

    const { current, caseTaskQueue, minimalTaskQueue, restartCaseWorker } = await startWorkers(stops, nativeConnection, db, smtp.mailer(), bundles);
    const fleetContext: FleetContext = {
      db,
      client,
      databaseUrl: fresh.url,
      temporalAddress: temporal.address,
      casePath: bundles.casePath,
      smtp,
      payloadKeys: newPayloadKeyEntry('bench'),
    };

    const app = createApp({ db, temporal: client, taskQueue: caseTaskQueue });
    // Keep-alive connections (as a browser or an API client would) and no lingering sockets at teardown.
    const { baseUrl, close: closeServer } = await serveApp(app);
    stops.push(closeServer);

    return {
      db,
      database: fresh.info,
      temporalAddress: temporal.address,
      temporalSource: temporal.source,
      client,
      caseTaskQueue,
      minimalTaskQueue,
      caseBundlePath: bundles.casePath,
      minimalBundlePath: bundles.minimalPath,
      get caseWorker() {
        return current.worker;
      },
      baseUrl,
      setup,
      startWorkerFleet: (count) => launchWorkerFleet(fleetContext, count),
      restartCaseWorker,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
