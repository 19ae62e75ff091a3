// `npm run retention:sweep` — erases cases whose retention period is over but whose workflow can no longer do it
// (after restoring a PostgreSQL backup, or when the engine no longer holds the workflow); see
// scripts/lib/retention-sweep.ts. Run it after every restore of the database. Needs DATABASE_URL and TEMPORAL_ADDRESS.
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
  const { erased, leftToWorkflow } = await sweepOverdueErasures(db, client);
  console.log(`Gelöscht (Aufbewahrungsfrist abgelaufen, Schlüssel vernichtet): ${erased.length} Fall/Fälle${erased.length ? `: ${erased.join(', ')}` : ''}`);
  if (leftToWorkflow.length) console.log(`Läuft noch und löscht selbst: ${leftToWorkflow.join(', ')}`);
} finally {
  await connection.close();
  await db.$disconnect();
}
