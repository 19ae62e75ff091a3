// `npm start`: everything KIM Casework needs, in one process tree, stopped cleanly by Ctrl-C.
// Starts (unless given by environment) the embedded PostgreSQL and the Temporal dev server, applies
// migrations, seeds reference data and demo accounts, runs the worker and the HTTP server.
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../api/app.js';
import type { OperationDeps } from '../api/operations/caller.js';
import { createDemoData, demoWanted, DEMO_MARKER_KEY } from './lib/demo-data.js';
import { loadConfig } from '../platform/config.js';
import { createDatabase, type Database } from '../platform/database.js';
import { startEmbeddedPostgres } from '../platform/embedded-postgres.js';
import { createMailer, type Mailer } from '../platform/mailer.js';
import { deployMigrations } from '../platform/migrations.js';
import { loadPayloadKeys, payloadEncryption, type PayloadEncryption } from '../platform/payload-codec.js';
import { seedDatabase } from '../platform/seed.js';
import { acquireLock } from '../platform/single-instance.js';
import { startSmtpSink, type MailSink } from '../platform/smtp-sink.js';
import { describeBinary, resolveBinary } from '../platform/temporal-binaries.js';
import { connectionOptions, ensureSearchAttributes, startDevServer } from '../platform/temporal.js';
import { caseSearchAttributes } from '../workflows/search-attributes.js';
import { createCaseWorker, ensureCaseReconcilerSchedule, ensureOutboxSchedule } from '../worker.js';
import { errorFields, logger as processLog, temporalRuntimeOptions } from '../platform/logger.js';

// Start-up and shutdown lines are what the operator reads: always at least `info`, whatever LOG_LEVEL says for the rest.
const logger = processLog.child({ component: 'start' }, { level: 'info' });
const config = loadConfig();
// The SDK's logs (workflow and activity logs with their workflow id) into the process log; its metrics exporter on
// TEMPORAL_METRICS_ADDRESS when set (platform/logger.ts).
// The SDK's own handling of SIGINT/SIGTERM is off: it would shut the worker down at once, while shutdown() below stops
// in order — the demo data first, whose running case still needs the worker (Ctrl-C during the demo data hung).
Runtime.install({ ...temporalRuntimeOptions(), shutdownSignals: [] });
const stops: Array<{ name: string; stop: () => Promise<unknown> | unknown }> = [];
let shuttingDown = false;

async function shutdown(exitCode: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    logger.info('KIM Casework wird beendet …');
    // Reverse order of start: HTTP, worker, connections, database, servers.
    for (const { name, stop } of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.error(`  ${name}: ${(error as Error).message}`);
      }
    }
  }
  process.exit(exitCode);
}

let firstSignalAt = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The same Ctrl-C can arrive twice (terminal and a wrapper); only a later one means "stop now".
    if (shuttingDown && Date.now() - firstSignalAt < 2000) return;
    firstSignalAt ||= Date.now();
    if (shuttingDown) {
      logger.error('Zweites Signal: sofortiges Beenden.');
      process.exit(130);
    }
    void shutdown(0);
  });
}

// main() is split into one helper per start-up step. The steps run in exactly the order they always did
// (lock, payload keys, database + migrations + seed, Temporal, mail, worker, HTTP), and each pushes its
// stop onto `stops` at the same moment as before: shutdown() stops them in reverse, so that order *is*
// the Ctrl-C shutdown order and must not change.

/** Workflow data encryption first: without a key (production) nothing else should start. */
function loadAndAnnouncePayloadKeys() {
  const payloadKeys = loadPayloadKeys(config, { generate: true });
  if (payloadKeys.generatedFile) {
    logger.info(`Workflow-Daten: neuer Schlüssel erzeugt in ${payloadKeys.generatedFile} (nur für die Entwicklung – ohne ihn sind die Fallverläufe in Temporal unlesbar)`);
  }
  logger.info(
    `Workflow-Daten: verschlüsselt (AES-256-GCM, ein eigener Schlüssel je Fall), Installationsschlüssel „${payloadKeys.keys[0]!.id}“ aus ${payloadKeys.source}`,
  );
  return payloadKeys;
}

/** DATABASE_URL if given, otherwise the embedded PostgreSQL (started here); then the migrations. */
async function startDatabaseAndMigrate(): Promise<string> {
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres({
      dataDir: join(config.dataDir, 'pgdata'),
      port: config.embeddedDatabasePort,
    });
    stops.push({ name: 'embedded PostgreSQL', stop: () => embedded.stop() });
    databaseUrl = embedded.url;
    logger.info(`Datenbank: eingebettetes PostgreSQL (PGlite) in ${join(config.dataDir, 'pgdata')}, ${embedded.url}`);
  } else {
    logger.info('Datenbank: DATABASE_URL');
  }
  const { applied } = await deployMigrations({
    databaseUrl,
    migrationsDir: config.migrationsDir,
    log: (line: string) => logger.info(`  ${line}`),
  });
  logger.info(applied.length ? `Migrationen angewandt: ${applied.join(', ')}` : 'Datenbankschema ist aktuell.');
  return databaseUrl;
}

/** TEMPORAL_ADDRESS if given, otherwise a dev server: the `temporal` CLI if installed, else the SDK's test server. */
async function startTemporalIfNeeded(): Promise<{ address: string; uiUrl?: string }> {
  const t = config.temporal;
  if (t.address) return { address: t.address };
  const cli = resolveBinary('cli');
  logger.info(describeBinary('cli', cli));
  const dbFilename = join(config.dataDir, 'temporal.db');
  if (cli.path) {
    const server = await startDevServer({
      executable: cli.path,
      dbFilename,
      port: t.devServerPort,
      uiPort: t.devUiPort,
      namespace: t.namespace,
      searchAttributes: caseSearchAttributes,
      uiCodecEndpoint: `${config.mail.appUrl}/api/v1/codec`,
    });
    stops.push({ name: 'Temporal dev server', stop: () => server.stop() });
    return { address: server.address, uiUrl: server.uiUrl };
  }
  const env = await TestWorkflowEnvironment.createLocal({
    server: { dbFilename, port: t.devServerPort, ui: true, uiPort: t.devUiPort, namespace: t.namespace, searchAttributes: caseSearchAttributes },
  });
  stops.push({ name: 'Temporal dev server', stop: () => env.teardown() });
  return { address: env.address, uiUrl: `http://localhost:${t.devUiPort}` };
}

async function connectTemporalClient(address: string, dataConverter: DataConverter): Promise<Client> {
  const t = config.temporal;
  const connection = await Connection.connect(connectionOptions(t, address));
  stops.push({ name: 'Temporal client', stop: () => connection.close() });
  if (t.address) await ensureSearchAttributes(connection, t.namespace, caseSearchAttributes);
  return new Client({ connection, namespace: t.namespace, dataConverter });
}

/**
 * E-mail: the one mailer of this process, to the installation's relay or (no SMTP_HOST) to a local sink whose
 * mails GET /mail shows, so reminders are visible without any mail setup.
 */
async function startMail(): Promise<{ mailer: Mailer; mailSink?: MailSink }> {
  const m = config.mail;
  let mailSink: MailSink | undefined;
  let mailer: Mailer;
  if (m.smtp) {
    mailer = createMailer({ ...m.smtp, from: m.from, appUrl: m.appUrl });
  } else {
    mailSink = await startSmtpSink({ port: m.sinkPort, fallbackToFreePort: !m.sinkPortExplicit });
    const sink = mailSink;
    stops.push({ name: 'SMTP-Senke', stop: () => sink.stop() });
    mailer = createMailer({ host: sink.host, port: sink.port, secure: false, ignoreTLS: true, from: m.from, appUrl: m.appUrl });
  }
  stops.push({ name: 'Mailer', stop: () => mailer.close() });
  return { mailer, mailSink };
}

/** The worker runs in the background; if it dies outside a shutdown, the whole process goes down with exit code 1. */
async function startWorker(
  address: string,
  db: Database,
  mailer: Mailer,
  encryption: PayloadEncryption,
): Promise<void> {
  const t = config.temporal;
  const workerConnection = await NativeConnection.connect({ ...connectionOptions(t, address), apiKey: t.apiKey });
  stops.push({ name: 'worker connection', stop: () => workerConnection.close() });
  const worker: Worker = await createCaseWorker({
    connection: workerConnection,
    namespace: t.namespace,
    taskQueue: t.taskQueue,
    db,
    mailer,
    coordinationEmail: config.mail.coordinationEmail,
    dataConverter: encryption.dataConverter,
    dataKeys: encryption.dataKeys,
  });
  const workerRun = worker.run();
  stops.push({
    name: 'worker',
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
    },
  });
  workerRun.catch((error) => {
    if (shuttingDown) return;
    logger.error(errorFields(error), 'Worker ist ausgefallen');
    void shutdown(1);
  });
}

/** Rejects with a German message naming the port and the variable that moves it (main() reports it). */
async function listenHttp(app: ReturnType<typeof createApp>): Promise<Server> {
  const server: Server = await new Promise((resolve, reject) => {
    // Express 5 hands a listen error to this callback (it does not emit it): a taken port must stop the start.
    // Loopback unless HOST names another interface: a reverse proxy in front is the way in (README "Production").
    const s = app.listen(config.port, config.host, (error?: Error) => {
      if (!error) return resolve(s);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        reject(new Error(`Port ${config.port} ist bereits belegt (HTTP-Server der Anwendung). Einen freien Port mit der Umgebungsvariablen PORT wählen, z. B. PORT=3001 npm start.`));
      } else reject(error);
    });
  });
  stops.push({ name: 'HTTP server', stop: () => new Promise((resolve) => server.close(() => resolve(undefined))) });
  return server;
}

function printReady(summary: {
  started: number;
  server: Server;
  address: string;
  uiUrl?: string;
  mailer: Mailer;
  mailSink?: MailSink;
  demoAccounts: ReadonlyArray<{ email: string; role: string }>;
}) {
  const { started, server, address, uiUrl, mailer, mailSink, demoAccounts } = summary;
  logger.info(`KIM Casework ist bereit (${((Date.now() - started) / 1000).toFixed(1)} s):`);
  const port = (server.address() as AddressInfo).port;
  logger.info(`  Anwendung:      http://localhost:${port}/`);
  logger.info(`  API:            http://localhost:${port}/api/v1/`);
  logger.info(`  Systemstatus:   http://localhost:${port}/healthz`);
  logger.info(`  Lauscht auf:    ${config.host}:${port} (HOST)`);
  logger.info(`  Temporal:       ${address} (Namespace ${config.temporal.namespace})`);
  if (uiUrl) logger.info(`  Temporal-UI:    ${uiUrl}`);
  if (mailSink) logger.info(`  E-Mails:        http://localhost:${port}/mail (lokale SMTP-Senke ${mailer.server}, kein SMTP_HOST gesetzt)`);
  else logger.info(`  E-Mails:        SMTP ${mailer.server}`);
  if (demoAccounts.length > 0) {
    logger.info(`  Demo-Zugänge (Passwort: ${config.demoPassword}):`);
    for (const account of demoAccounts) logger.info(`    ${account.email.padEnd(38)} ${account.role}`);
  }
  logger.info('Beenden mit Strg+C.');
}

async function main() {
  const started = Date.now();
  const releaseLock = acquireLock(join(config.dataDir, 'kim.lock'));
  stops.push({ name: 'lock', stop: releaseLock });

  const payloadKeys = loadAndAnnouncePayloadKeys();

  // Database
  const databaseUrl = await startDatabaseAndMigrate();
  const db: Database = createDatabase(databaseUrl);
  stops.push({ name: 'Prisma', stop: () => db.$disconnect() });
  // One codec and one data key store for client and worker of this process.
  const encryption = payloadEncryption(payloadKeys, db);
  const seeded = await seedDatabase(db, { demoPassword: config.demoPassword, production: config.nodeEnv === 'production' });

  // Temporal
  const { address, uiUrl } = await startTemporalIfNeeded();
  const client = await connectTemporalClient(address, encryption.dataConverter);

  const { mailer, mailSink } = await startMail();
  await startWorker(address, db, mailer, encryption);
  // The reconciler's Schedule: starts the workflows of cases whose intake died between the row and the start.
  // A refusal (e.g. no permission for schedules) is reported; cases are worked either way.
  await ensureCaseReconcilerSchedule(client, config.temporal.taskQueue).catch((error: unknown) =>
    logger.error(`Abgleich offener Fallstarts: Schedule nicht angelegt (${(error as Error).message}).`),
  );
  // The outbox dispatcher's Schedule: act-on mails (handover proposed, consent, meeting) and the daily digests.
  await ensureOutboxSchedule(client, config.temporal.taskQueue).catch((error: unknown) =>
    logger.error(`Benachrichtigungen: Schedule nicht angelegt (${(error as Error).message}).`),
  );

  // HTTP
  const app = createApp({
    db,
    temporal: client,
    taskQueue: config.temporal.taskQueue,
    temporalUiUrl: uiUrl,
    mailSink,
    mailer,
    ...(config.trustProxy !== undefined ? { trustProxy: config.trustProxy } : {}),
  });
  const server = await listenHttp(app);

  printReady({ started, server, address, uiUrl, mailer, mailSink, demoAccounts: seeded.demoAccounts });
  startDemoData(app, { db, temporal: client, taskQueue: config.temporal.taskQueue }, config.nodeEnv === 'production');
}

/**
 * The living demo (scripts/lib/demo-data.ts): on an empty database outside production, made in the background through
 * the real operations while the app already answers; an installation that holds it shows the demo banner.
 */
function startDemoData(app: ReturnType<typeof createApp>, deps: OperationDeps, production: boolean): void {
  // Ctrl-C during the demo: the case being made is finished, then the demo stops before the rest shuts down.
  const abort = new AbortController();
  const running = (async () => {
    if (await deps.db.setting.findUnique({ where: { key: DEMO_MARKER_KEY } })) app.locals.demoData = true;
    const reason = await demoWanted(deps.db, production);
    if (reason) return;
    app.locals.demoData = true;
    logger.info('Demo-Daten: werden über die echten Abläufe angelegt (ein Tag der Fristen = eine Minute) …');
    const outcome = await createDemoData(deps, { production, log: (line) => logger.info(line), signal: abort.signal });
    if (outcome.created) logger.info(`Demo-Daten: ${outcome.cases} Fälle und ${outcome.handovers} Übergaben angelegt.`);
  })().catch((error: unknown) => {
    logger.error(abort.signal.aborted ? 'Demo-Daten: beim Beenden unterbrochen.' : `Demo-Daten: abgebrochen (${(error as Error).message}).`);
  });
  stops.push({
    name: 'Demo-Daten',
    stop: async () => {
      abort.abort();
      await running;
    },
  });
}

main().catch(async (error) => {
  logger.error(`Start fehlgeschlagen: ${(error as Error).message}`);
  await shutdown(1);
});
