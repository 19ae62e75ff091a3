// A worker on its own (`npm run worker`): for installations that run more workers than web servers,
// and for the fault drills that kill a worker mid-transition. Needs DATABASE_URL and TEMPORAL_ADDRESS.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../platform/config.js';
import { createDatabase } from '../platform/database.js';
import { createMailer } from '../platform/mailer.js';
import { loadPayloadEncryption } from '../platform/payload-codec.js';
import { connectionOptions } from '../platform/temporal.js';
import { getHeapStatistics } from 'node:v8';
import { createCaseWorker, ensureCaseReconcilerSchedule, ensureOutboxSchedule, heapAdvice, maxCachedWorkflows } from '../worker.js';
import { logger as processLog, temporalRuntimeOptions } from '../platform/logger.js';

Runtime.install(temporalRuntimeOptions());
// Start-up and shutdown lines are what the operator reads: always at least `info`, whatever LOG_LEVEL says for the rest.
const logger = processLog.child({ component: 'worker' }, { level: 'info' });
const config = loadConfig();
if (!config.databaseUrl || !config.temporal.address) {
  logger.error('npm run worker braucht DATABASE_URL und TEMPORAL_ADDRESS (npm start startet alles zusammen).');
  process.exit(2);
}
// The same keys as `npm start` (and its Client): a worker with other keys could not read the cases' histories. So it
// never makes a key of its own: on another host that would be a second installation key nobody else has (every case
// it touched would stop at the other processes). KIM_PAYLOAD_KEYS(_FILE), or the development key `npm start` wrote.
const db = createDatabase(config.databaseUrl);
const encryption = loadPayloadEncryption(config, { generate: false, db });
const connection = await NativeConnection.connect({
  ...connectionOptions(config.temporal, config.temporal.address),
  apiKey: config.temporal.apiKey,
});
// Without SMTP_HOST the worker mails to the local SMTP sink that `npm start` runs (SMTP_SINK_PORT); while none
// listens, the send activity retries, so the outbox waits rather than losing mail.
const m = config.mail;
const mailer = m.smtp
  ? createMailer({ ...m.smtp, from: m.from, appUrl: m.appUrl })
  : createMailer({ host: '127.0.0.1', port: m.sinkPort, secure: false, ignoreTLS: true, from: m.from, appUrl: m.appUrl });
const worker = await createCaseWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  db,
  mailer,
  coordinationEmail: m.coordinationEmail,
  workflowBundle: process.env.KIM_WORKFLOW_BUNDLE ? { codePath: process.env.KIM_WORKFLOW_BUNDLE } : undefined,
  dataConverter: encryption.dataConverter,
  dataKeys: encryption.dataKeys,
});
// The reconciler's Schedule (starts the workflows of cases whose intake died before the start): the first worker
// process of the task queue creates it, the others find it; one run per minute, whichever worker takes it.
// A worker without it still works cases, so a refusal (e.g. no permission for schedules) is reported, not fatal.
async function reconcilerSchedule(address: string): Promise<string> {
  const clientConnection = await Connection.connect(connectionOptions(config.temporal, address));
  try {
    const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace, dataConverter: encryption.dataConverter });
    const created = await ensureCaseReconcilerSchedule(client, config.temporal.taskQueue);
    // The outbox dispatcher's Schedule (act-on mails, daily digests) goes with it.
    await ensureOutboxSchedule(client, config.temporal.taskQueue);
    return created ? 'angelegt' : 'vorhanden';
  } catch (error) {
    logger.error(`Abgleich offener Fallstarts: Schedule nicht angelegt (${(error as Error).message}).`);
    return 'FEHLT';
  } finally {
    await clientConnection.close();
  }
}
const schedule = await reconcilerSchedule(config.temporal.address);
// Worker.run() shuts down on SIGINT/SIGTERM by itself (Runtime's default shutdown signals).
// The heap limit comes with the command line (package.json `worker`: WORKER_HEAP_LIMIT_MB); one too small for the
// cache would end in "heap out of memory" under load, so the operator reads it at the start.
const heapLimitBytes = getHeapStatistics().heap_size_limit;
const advice = heapAdvice(maxCachedWorkflows(), heapLimitBytes);
if (advice) logger.warn(advice);
logger.info(
  `Worker läuft auf Task Queue ${config.temporal.taskQueue} (Abgleich offener Fallstarts: Schedule ${schedule}; ` +
    `Cache ${maxCachedWorkflows()} Fälle, Heap-Grenze ${Math.floor(heapLimitBytes / 1024 ** 2)} MB).`,
);
await worker.run();
mailer.close();
await connection.close();
await db.$disconnect();
