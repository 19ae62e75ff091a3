// The database of a migration command: DATABASE_URL, or else the embedded one in <data dir>/pgdata (the same one
// `npm start` uses, under the same lock, since PGlite allows one process per data folder). Errors end as exit code 1
// with a readable message; the embedded database is always stopped, so the process ends by itself.
import { join } from 'node:path';
import { loadConfig } from '../../platform/config.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../platform/embedded-postgres.js';
import { MigrationError } from '../../platform/migrations.js';
import { acquireLock } from '../../platform/single-instance.js';

export async function withCommandDatabase(run: (databaseUrl: string) => Promise<number>): Promise<number> {
  let embedded: EmbeddedPostgres | undefined;
  let releaseLock: (() => void) | undefined;
  let databaseUrl = process.env.DATABASE_URL || undefined;
  try {
    if (!databaseUrl) {
      const { dataDir } = loadConfig();
      releaseLock = acquireLock(join(dataDir, 'kim.lock'));
      embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pgdata') });
      databaseUrl = embedded.url;
      console.log(`Database: embedded PostgreSQL in ${join(dataDir, 'pgdata')}`);
    } else {
      console.log('Database: DATABASE_URL');
    }
    return await run(databaseUrl);
  } catch (error) {
    console.error(error instanceof MigrationError ? `Migration error (${error.code}): ${error.message}` : error);
    return 1;
  } finally {
    await embedded?.stop();
    releaseLock?.();
  }
}
