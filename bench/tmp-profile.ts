import { performance } from 'node:perf_hooks';
import { createServerDatabase } from '../harness/database.js';
import { rebuildCaseFacts } from '../activities/case-records.js';
import { buildControllingReport } from '../api/operations/reports.js';
import { createDatabase } from '../platform/database.js';
import { deployMigrations } from '../platform/migrations.js';
import { seedDatabase } from '../platform/seed.js';
import { generateHistory } from './lib/report.js';

const url = process.env.PROFILE_DB_URL;
let dbUrl = url;
if (!dbUrl) {
  const fresh = await createServerDatabase(process.env.TEST_DATABASE_URL!, 'kim_prof', 3);
  await deployMigrations({ databaseUrl: fresh.url });
  const db0 = createDatabase(fresh.url);
  await seedDatabase(db0, { demoPassword: 'x', production: false });
  await generateHistory(db0, 10_000, 100);
  await rebuildCaseFacts(db0, { chunk: 500 });
  await db0.$executeRawUnsafe('ANALYZE');
  await db0.$disconnect();
  dbUrl = fresh.url;
  console.log('DB', fresh.url);
}
const db = createDatabase(dbUrl);
const year = new Date().getFullYear();
const times: number[] = [];
for (let i = 0; i < Number(process.env.N ?? 20); i++) {
  const t = performance.now();
  await buildControllingReport(db, { from: `${year}-01-01`, to: `${year}-12-31`, groupBy: (process.env.GROUP ?? 'organisation') as 'organisation' });
  times.push(performance.now() - t);
}
console.log(times.map((t) => t.toFixed(0)).join(' '));
await db.$disconnect();
