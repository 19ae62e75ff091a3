// The pieces a drill runs KIM Casework on, all its own: a fresh migrated and seeded database (embedded PGlite, whose
// socket can be paused, or a new database on TEST_DATABASE_URL), a Temporal client and worker on a task queue of its
// own, the HTTP app on a free port, and an SMTP server on loopback that receives the worker's mail.
import { workerReady } from '../../harness/processes.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createApp } from '../../api/app.js';
import { loadConfig } from '../../platform/config.js';
import { createDatabase, type Database } from '../../platform/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../platform/embedded-postgres.js';
import { deployMigrations } from '../../platform/migrations.js';
import { serialiseExtendedProtocol } from '../../platform/pglite-queue.js';
import { loadPayloadEncryption, newPayloadKeyEntry } from '../../platform/payload-codec.js';
import { repoRoot } from '../../platform/paths.js';
import { seedDatabase } from '../../platform/seed.js';
import { createCaseWorker, WORKER_PROCESS_ARGS } from '../../worker.js';
import { serveApp } from '../../harness/app-server.js';
import { createServerDatabase } from '../../harness/database.js';
import { startTestSmtpServer, type TestSmtpServer } from '../../harness/smtp.js';

export const DEMO_PASSWORD = 'drill-password';

/** Client and workers encrypt workflow data as an installation does (platform/payload-codec.ts, per-case data keys
 *  in the drill's database): one installation key for the run, in KIM_PAYLOAD_KEYS so that spawned worker processes
 *  use it too. */
export function drillEncryption(db: Database) {
  if (!process.env.KIM_PAYLOAD_KEYS && !process.env.KIM_PAYLOAD_KEYS_FILE) process.env.KIM_PAYLOAD_KEYS = newPayloadKeyEntry('drill');
  return loadPayloadEncryption(loadConfig(), { db });
}

export interface DrillDatabase {
  url: string;
  /** Set for the embedded database only: the outage switch. */
  embedded?: EmbeddedPostgres;
  kind: 'embedded' | 'postgres';
  drop(): Promise<void>;
}

let template: Promise<Blob> | undefined;

/** One migrated and seeded embedded database, dumped once per run: each drill's database starts from a copy (about a
 *  second) instead of initdb, migrations and seed (about ten seconds on a small machine). */
function embeddedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const pglite = new PGlite();
    await pglite.waitReady;
    const server = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1', maxConnections: 16 });
    serialiseExtendedProtocol(server);
    await server.start();
    const url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
    try {
      await migrateAndSeed(url);
      return await pglite.dumpDataDir('none');
    } finally {
      await server.stop();
      await pglite.close();
    }
  })();
  return template;
}

async function migrateAndSeed(url: string): Promise<void> {
  await deployMigrations({ databaseUrl: url });
  const db = createDatabase(url);
  try {
    await seedDatabase(db, { demoPassword: DEMO_PASSWORD, production: false });
  } finally {
    await db.$disconnect();
  }
}

/** A fresh, migrated and seeded database: embedded unless TEST_DATABASE_URL is set and the drill does not need the
 *  embedded one. */
export async function createDrillDatabase(options: { embedded?: boolean } = {}): Promise<DrillDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (options.embedded || !serverUrl) {
    const embedded = await startEmbeddedPostgres({ loadDataDir: await embeddedTemplate() });
    return { url: embedded.url, embedded, kind: 'embedded', drop: () => embedded.stop() };
  }
  const created = await createServerDatabase(serverUrl, 'kim_drill');
  await migrateAndSeed(created.url);
  return { url: created.url, kind: 'postgres', drop: () => created.drop() };
}

export interface StackOptions {
  temporalAddress: string;
  workflowBundlePath: string;
  /** Use the embedded database even when TEST_DATABASE_URL is set (the outage drill). */
  embeddedDatabase?: boolean;
  /** In-process worker (default) or none (the drill spawns worker processes itself). */
  worker?: 'in-process' | 'none';
}

export interface Stack {
  database: DrillDatabase;
  db: Database;
  client: Client;
  taskQueue: string;
  baseUrl: string;
  smtp: TestSmtpServer;
  temporalAddress: string;
  /** The in-process worker, when running. */
  worker(): Worker | undefined;
  /** (Re)starts the in-process worker; a no-op while one runs. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  /** Whether the in-process worker has stopped on its own (e.g. fatal error), and why. */
  workerFailure(): unknown;
  /** A worker as its own process (scripts/worker.ts), on this stack's task queue; resolves once it polls. */
  spawnWorker(): Promise<ChildProcess>;
  close(): Promise<void>;
}

// startStack is split into the in-process worker's controller and the spawner of worker processes; both keep their
// state in closures exactly as before, and startStack creates the pieces in the same order (database, client, SMTP,
// worker, app) and closes them in the same order.

interface InProcessWorker {
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  worker(): Worker | undefined;
  failure(): unknown;
  /** Closes the worker's connection, if one was ever opened. */
  closeConnection(): Promise<void>;
}

/** The in-process case worker: (re)startable after a stop or a fatal error; its connection is opened on first start. */
function inProcessWorker(
  options: StackOptions,
  pieces: { taskQueue: string; db: Database; mailer: ReturnType<TestSmtpServer['mailer']>; encryption: ReturnType<typeof drillEncryption> },
): InProcessWorker {
  const { taskQueue, db, mailer, encryption } = pieces;
  let nativeConnection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> = Promise.resolve();
  let failure: unknown;
  const startWorker = async () => {
    if (worker && worker.getState() !== 'STOPPED' && worker.getState() !== 'FAILED') return;
    nativeConnection ??= await NativeConnection.connect({ address: options.temporalAddress });
    const w = await createCaseWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      db,
      mailer,
      workflowBundle: { codePath: options.workflowBundlePath },
      dataConverter: encryption.dataConverter,
      dataKeys: encryption.dataKeys,
    });
    worker = w;
    failure = undefined;
    running = w.run().catch((error: unknown) => {
      failure = error;
    });
  };
  const stopWorker = async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
  return {
    startWorker,
    stopWorker,
    worker: () => worker,
    failure: () => failure,
    closeConnection: async () => {
      await nativeConnection?.close().catch(() => undefined);
    },
  };
}

/** Worker processes (scripts/worker.ts) on the stack's task queue; `children` lets close() kill the ones still alive. */
function workerSpawner(options: StackOptions, pieces: { databaseUrl: string; taskQueue: string; smtp: TestSmtpServer }) {
  const { databaseUrl, taskQueue, smtp } = pieces;
  const children: ChildProcess[] = [];
  const spawnWorker = (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, WORKER_PROCESS_ARGS, {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: options.temporalAddress,
        TEMPORAL_TASK_QUEUE: taskQueue,
        KIM_WORKFLOW_BUNDLE: options.workflowBundlePath,
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return workerReady(child, 'worker');
  };
  return { spawnWorker, children };
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const database = await createDrillDatabase({ embedded: options.embeddedDatabase });
  const db = createDatabase(database.url);

  const encryption = drillEncryption(db);
  const { dataConverter } = encryption;
  const connection = await Connection.connect({ address: options.temporalAddress });
  const client = new Client({ connection, dataConverter });
  const taskQueue = `kim-drill-${randomBytes(4).toString('hex')}`;
  const smtp = await startTestSmtpServer();
  const mailer = smtp.mailer();

  const inProcess = inProcessWorker(options, { taskQueue, db, mailer, encryption });
  const { startWorker, stopWorker } = inProcess;
  if (options.worker !== 'none') await startWorker();

  const { spawnWorker, children } = workerSpawner(options, { databaseUrl: database.url, taskQueue, smtp });

  const app = createApp({ db, temporal: client, taskQueue });
  const { baseUrl, close: closeServer } = await serveApp(app);

  return {
    database,
    db,
    client,
    taskQueue,
    baseUrl,
    smtp,
    temporalAddress: options.temporalAddress,
    worker: inProcess.worker,
    startWorker,
    stopWorker,
    workerFailure: inProcess.failure,
    spawnWorker,
    async close() {
      await closeServer();
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.race([stopWorker(), new Promise((r) => setTimeout(r, 15_000))]);
      await smtp.close();
      await inProcess.closeConnection();
      await connection.close().catch(() => undefined);
      await db.$disconnect().catch(() => undefined);
      await database.drop();
    },
  };
}
