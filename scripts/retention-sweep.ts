// `npm run retention:sweep` — erases cases and handovers whose retention period is over but whose workflow can no
// longer do it, and plans the erasure of handovers that ended without a case before this existed; see
// scripts/lib/retention-sweep.ts. Run it once after upgrading and after every restore of the database.
// Needs DATABASE_URL and TEMPORAL_ADDRESS.
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../platform/config.js';
import { createDatabase } from '../platform/database.js';
import { loadPayloadEncryption } from '../platform/payload-codec.js';
import { connectionOptions } from '../platform/temporal.js';
import { sweepOverdueErasures } from './lib/retention-sweep.js';

const config = loadConfig();
if (!config.databaseUrl || !config.temporal.address) {
  console.error('npm run retention:sweep braucht DATABASE_URL und TEMPORAL_ADDRESS.');
  process.exit(2);
}
const db = createDatabase(config.databaseUrl);
const connection = await Connection.connect(connectionOptions(config.temporal, config.temporal.address));
try {
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: loadPayloadEncryption(config, { db }).dataConverter });
  const result = await sweepOverdueErasures(db, client, { taskQueue: config.temporal.taskQueue });
  const list = (ids: string[]) => `${ids.length}${ids.length ? `: ${ids.join(', ')}` : ''}`;
  console.log(`Fälle gelöscht (Aufbewahrungsfrist abgelaufen, Schlüssel vernichtet): ${list(result.erased)}`);
  if (result.leftToWorkflow.length) console.log(`Fälle, deren Workflow noch läuft und selbst löscht: ${list(result.leftToWorkflow)}`);
  console.log(`Übergaben ohne Fall gelöscht: ${list(result.erasedHandovers)}`);
  console.log(`Übergaben ohne Fall, deren Löschung jetzt geplant ist: ${list(result.scheduledHandovers)}`);
} finally {
  await connection.close();
  await db.$disconnect();
}
