// `npm run db:migrate [deploy|status]` — applies pending migrations (deploy, the default) or reports
// the migration status of the database. DATABASE_URL, or else the embedded database in <data dir>/pgdata
// (the same one `npm start` uses; not while `npm start` is running). Exit code 1 on failure, and for
// `status` also when migrations are pending or failed.
import { deployMigrations, migrationStatus } from '../platform/migrations.js';
import { withCommandDatabase } from './lib/command-database.js';

const command = process.argv[2] ?? 'deploy';
if (command !== 'deploy' && command !== 'status') {
  console.error(`Unknown command "${command}". Usage: npm run db:migrate [-- deploy|status]`);
  process.exit(2);
}

async function main(): Promise<number> {
  const started = Date.now();
  return withCommandDatabase(async (databaseUrl) => {
    const log = (line: string) => console.log(`  ${line}`);

    if (command === 'deploy') {
      const { applied } = await deployMigrations({ databaseUrl, log });
      console.log(
        applied.length
          ? `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'} in ${Date.now() - started} ms: ${applied.join(', ')}`
          : 'Database schema is up to date.',
      );
      return 0;
    }

    const status = await migrationStatus({ databaseUrl, log });
    console.log(`Applied (${status.applied.length}): ${status.applied.join(', ') || '—'}`);
    console.log(`Pending (${status.pending.length}): ${status.pending.join(', ') || '—'}`);
    if (status.failed.length) console.log(`Failed (${status.failed.length}): ${status.failed.join(', ')}`);
    for (const problem of status.problems) console.log(`Problem: ${problem}`);
    const ok = !status.pending.length && !status.failed.length;
    console.log(ok ? 'Database schema is up to date.' : status.failed.length ? 'Failed migrations block deploys.' : 'Run `npm run db:migrate` to apply the pending migrations.');
    return ok ? 0 : 1;
  });
}

// No process.exit(): the process ends by itself once every connection, pool and timer is closed.
process.exitCode = await main();
