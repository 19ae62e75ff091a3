// `npm run db:migration -- <name>` — writes a new migration prisma/migrations/<timestamp>_<name>/ from
// the changes in prisma/schema.prisma (it is not applied; `npm run db:migrate` does that). Pending
// migrations are applied to the database first, as `prisma migrate dev` does. DATABASE_URL, or else the
// embedded database in <data dir>/pgdata; the shadow database is SHADOW_DATABASE_URL, or else a
// temporary one (a database next to DATABASE_URL's, or a second in-memory embedded PostgreSQL).
import { createMigration } from '../platform/migrations.js';
import { withCommandDatabase } from './lib/command-database.js';

const name = process.argv[2];
if (!name || process.argv.length > 3) {
  console.error('Usage: npm run db:migration -- <name>   (lowercase letters, digits and underscores, e.g. add_case_priority)');
  process.exit(2);
}

async function main(migrationName: string): Promise<number> {
  return withCommandDatabase(async (databaseUrl) => {
    const { directory } = await createMigration({
      databaseUrl,
      name: migrationName,
      shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL || undefined,
      log: (line) => console.log(`  ${line}`),
    });
    console.log(directory ? `Created migration ${directory}` : 'Schema unchanged — no migration created');
    return 0;
  });
}

process.exitCode = await main(name);
