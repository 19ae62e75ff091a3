// A worker on its own (`npm run worker`): for installations that run more workers than web servers,
// and for the fault drills that kill a worker mid-transition. Needs DATABASE_URL and TEMPORAL_ADDRESS.
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../platform/config.js';
import { createDatabase } from '../platform/database.js';
import { connectionOptions } from '../platform/temporal.js';
import { createCaseWorker } from '../worker.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
const config = loadConfig();
if (!config.databaseUrl || !config.temporal.address) {
  console.error('npm run worker braucht DATABASE_URL und TEMPORAL_ADDRESS (npm start startet alles zusammen).');
  process.exit(2);
}
const db = createDatabase(config.databaseUrl);
const connection = await NativeConnection.connect({
  ...connectionOptions(config.temporal, config.temporal.address),
  apiKey: config.temporal.apiKey,
});
const worker = await createCaseWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  db,
  workflowBundle: process.env.KIM_WORKFLOW_BUNDLE ? { codePath: process.env.KIM_WORKFLOW_BUNDLE } : undefined,
});
// Worker.run() shuts down on SIGINT/SIGTERM by itself (Runtime's default shutdown signals).
console.log(`Worker läuft auf Task Queue ${config.temporal.taskQueue}.`);
await worker.run();
await connection.close();
await db.$disconnect();
