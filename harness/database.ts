// Shared harness (harness/): helpers that tests, benchmarks, drills and the history-recording scripts share. No vitest here.
// A fresh, empty PostgreSQL database (e.g. for one test file): a new database on the server named by
// TEST_DATABASE_URL (CI, real PostgreSQL), otherwise an in-memory embedded PGlite.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres } from '../platform/embedded-postgres.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres();
    return { url: embedded.url, drop: () => embedded.stop() };
  }
  return createServerDatabase(serverUrl, 'kim_test');
}

export interface ServerDatabase extends TestDatabase {
  /** `<prefix>_<time>_<random>` */
  name: string;
  /** SHOW server_version of the server. */
  serverVersion: string;
}

/** A new, empty database on the PostgreSQL server of `serverUrl` (the tests, the benchmarks and the drills each name
 *  theirs with their own prefix); drop() removes it again, even with connections still open. */
export async function createServerDatabase(serverUrl: string, prefix: string, randomByteCount = 4): Promise<ServerDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(randomByteCount).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  let serverVersion = '';
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    serverVersion = String((await admin.query('SHOW server_version')).rows[0]?.server_version ?? '?');
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    serverVersion,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
