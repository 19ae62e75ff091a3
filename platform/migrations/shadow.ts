// Shadow databases for the schema engine (never the main database), emptied before each use and removed afterwards:
// a given shadow database URL, a second embedded PostgreSQL when the main one is embedded, or a fresh database next to
// the main one on a real PostgreSQL server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded-postgres.js';
import { connectAdapter, isPgError, type PgAdapter } from './adapter.js';
import { APPLICATION_NAME, MigrationError, redact } from './common.js';

function databaseName(url: string): string {
  const parsed = new URL(url);
  return decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres';
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: APPLICATION_NAME });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** PGlite (embedded PostgreSQL compiled to wasm) ignores database names: it needs its own server as shadow. */
async function isEmbeddedPostgres(url: string): Promise<boolean> {
  const version = await withClient(url, async (c) => (await c.query<{ version: string }>('SELECT version()')).rows[0]?.version ?? '');
  return version.includes('wasm32');
}

// Empties a reused shadow database: all schemas the migrations may have created go, `public` comes back.
const RESET_SHADOW_SQL = `DO $$
DECLARE s name;
BEGIN
  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
  CREATE SCHEMA public;
END $$`;

/**
 * The engine asks for a shadow database (connectToShadowDb) whenever it replays the migrations —
 * twice per devDiagnostic — and expects an empty one each time. adapter-pg's own connectToShadowDb is
 * not usable: given a connection string it connects to the *main* database (pg lets connectionString
 * override `database`), so the engine would replay every migration on the main database; and it drops
 * its shadow database while its own pool still holds connections to it (so the DROP fails) and never
 * closes the pool it used for CREATE DATABASE.
 */
export interface ShadowProvider {
  connect(): Promise<PgAdapter>;
  close(): Promise<void>;
}

function sameDatabase(a: string, b: string, embedded: boolean): boolean {
  const x = new URL(a);
  const y = new URL(b);
  const port = (u: URL) => u.port || '5432';
  const host = (u: URL) => (u.hostname === 'localhost' ? '127.0.0.1' : u.hostname);
  return host(x) === host(y) && port(x) === port(y) && (embedded || databaseName(a) === databaseName(b));
}


export async function createShadowProvider(databaseUrl: string, shadowDatabaseUrl: string | undefined, log: (line: string) => void): Promise<ShadowProvider> {
  const embedded = await isEmbeddedPostgres(databaseUrl);
  if (shadowDatabaseUrl) {
    if (sameDatabase(databaseUrl, shadowDatabaseUrl, embedded)) {
      throw new MigrationError('The shadow database must not be the main database: the engine empties it and replays all migrations there.', {
        code: 'SHADOW_DATABASE',
      });
    }
    return givenShadow(shadowDatabaseUrl, log);
  }
  if (embedded) return embeddedShadow(log);
  return serverShadow(databaseUrl, log);
}

/** The shadow database the caller named, emptied before each use. */
function givenShadow(shadowDatabaseUrl: string, log: (line: string) => void): ShadowProvider {
  return {
    async connect() {
      log(`Shadow database: ${redact(shadowDatabaseUrl)} (emptied before use)`);
      await withClient(shadowDatabaseUrl, (c) => c.query(RESET_SHADOW_SQL));
      return connectAdapter(shadowDatabaseUrl, undefined);
    },
    async close() {},
  };
}

/** A second, in-memory embedded PostgreSQL server, started on first use and emptied before each further use. */
function embeddedShadow(log: (line: string) => void): ShadowProvider {
  let server: Promise<EmbeddedPostgres> | undefined;
  let used = false;
  return {
    async connect() {
      server ??= startEmbeddedPostgres();
      const { url, port } = await server;
      if (used) await withClient(url, (c) => c.query(RESET_SHADOW_SQL));
      used = true;
      log(`Shadow database: in-memory embedded PostgreSQL on port ${port}`);
      return connectAdapter(url, undefined);
    },
    async close() {
      const started = server;
      server = undefined;
      if (started) await (await started).stop();
    },
  };
}

/** A real PostgreSQL server: a fresh database next to the main one for each request, dropped after. */
function serverShadow(databaseUrl: string, log: (line: string) => void): ShadowProvider {
  const base = databaseName(databaseUrl).slice(0, 40);
  const live = new Set<string>();
  const drop = async (name: string) => {
    await withClient(databaseUrl, async (c) => {
      try {
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      } catch (error) {
        if (!isPgError(error) || error.code !== '42601') throw error;
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`); // PostgreSQL < 13: no FORCE
      }
    });
    live.delete(name);
  };
  return {
    async connect() {
      const name = `${base}_shadow_${randomBytes(4).toString('hex')}`;
      try {
        await withClient(databaseUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
      } catch (error) {
        throw new MigrationError(
          `Could not create the shadow database "${name}" next to the main database: ${(error as Error).message}. ` +
            'Grant CREATEDB to the database user or pass a shadowDatabaseUrl.',
          { code: 'SHADOW_DATABASE', cause: error },
        );
      }
      live.add(name);
      log(`Shadow database: ${name}`);
      // Its pool is ended before the database is dropped (the other way round, DROP would fail).
      return connectAdapter(withDatabase(databaseUrl, name), undefined, () => drop(name));
    },
    async close() {
      for (const name of [...live]) await drop(name);
    },
  };
}
