// Everything a test needs to drive KIM Casework for real: a fresh migrated database, a Temporal client
// and a worker on the shared dev server (own task queue per test file), and the HTTP app on a free port. The worker
// mails to a real SMTP server on loopback (`smtp`), so what the app sends can be checked. Client and worker share
// the payload encryption of a real installation, with the key the global setup put into KIM_PAYLOAD_KEYS.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createApp } from '../../api/app.js';
import { loadConfig } from '../../platform/config.js';
import { createDatabase, type Database } from '../../platform/database.js';
import { deployMigrations } from '../../platform/migrations.js';
import type { DataKeyStore } from '../../platform/data-keys.js';
import { loadPayloadEncryption } from '../../platform/payload-codec.js';
import { seedDatabase } from '../../platform/seed.js';
import { createCaseWorker } from '../../worker.js';
import { serveApp, type ServedApp } from '../../harness/app-server.js';
import { createTestDatabase } from '../../harness/database.js';
import { startTestSmtpServer, type TestSmtpServer } from '../../harness/smtp.js';

export interface Harness {
  db: Database;
  databaseUrl: string;
  client: Client;
  /** Encrypts payloads (platform/payload-codec.ts); the data converter of `client` and the worker. */
  dataConverter: DataConverter;
  /** The per-case data keys behind it (platform/data-keys.ts). */
  dataKeys: DataKeyStore;
  taskQueue: string;
  baseUrl: string;
  worker: Worker;
  /** The SMTP server the worker's mailer sends to. */
  smtp: TestSmtpServer;
  /** Stops the worker (e.g. to simulate an outage); startWorker() brings a new one up. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: { withApp?: boolean } = {}): Promise<Harness> {
  const database = await createTestDatabase();
  await deployMigrations({ databaseUrl: database.url });
  const db = createDatabase(database.url);
  await seedDatabase(db, { demoPassword: 'test-password', production: false });

  const address = inject('temporalAddress');
  const encryption = loadPayloadEncryption(loadConfig(), { db });
  const { dataConverter } = encryption;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter });
  const nativeConnection = await NativeConnection.connect({ address });
  const taskQueue = `kim-test-${randomBytes(4).toString('hex')}`;
  const smtp = await startTestSmtpServer();
  const mailer = smtp.mailer();

  let worker!: Worker;
  let running: Promise<void> = Promise.resolve();
  const startWorker = async () => {
    worker = await createCaseWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      db,
      mailer,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter,
      dataKeys: encryption.dataKeys,
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
  await startWorker();

  let served: ServedApp | undefined;
  if (options.withApp !== false) {
    const app = createApp({ db, temporal: client, taskQueue, mailer });
    served = await serveApp(app);
  }

  return {
    db,
    databaseUrl: database.url,
    client,
    dataConverter,
    dataKeys: encryption.dataKeys!,
    taskQueue,
    baseUrl: served?.baseUrl ?? '',
    smtp,
    get worker() {
      return worker;
    },
    stopWorker,
    startWorker,
    async close() {
      await served?.close();
      await stopWorker();
      await smtp.close();
      await nativeConnection.close();
      await connection.close();
      await db.$disconnect();
      await database.drop();
    },
  };
}
