// `npm run facts:rebuild` — recomputes every case's controlling facts (table CaseFacts, domain/controlling/facts.ts)
// from its events (CaseEvent). The record activity keeps them current with every write; run this after upgrading to
// a version that changes the facts (CASE_FACTS_VERSION) or introduces them, and after restoring a backup. Safe while
// the system runs. DATABASE_URL, or else the embedded database in <data dir>/pgdata (npm start must not be running).
import { rebuildCaseFacts } from '../activities/case-records.js';
import { createDatabase } from '../platform/database.js';
import { withCommandDatabase } from './lib/command-database.js';

process.exitCode = await withCommandDatabase(async (databaseUrl) => {
  const db = createDatabase(databaseUrl);
  try {
    const started = Date.now();
    const { cases, events } = await rebuildCaseFacts(db, { log: (line) => console.log(`  ${line}`) });
    console.log(`Controlling-Fakten neu berechnet: ${cases} Fälle, ${events} Ereignisse, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    await db.$disconnect();
  }
});
