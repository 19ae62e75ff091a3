// Prisma migrations without the native schema engine (it cannot be downloaded everywhere): Prisma's own
// schema engine compiled to wasm (@prisma/schema-engine-wasm), talking to PostgreSQL through
// @prisma/adapter-pg. Deploys produce exactly what `prisma migrate deploy` produces (same
// `_prisma_migrations` rows and checksums); new migrations are authored like `prisma migrate dev
// --create-only`, in Prisma's folder format (prisma/migrations/<timestamp>_<name>/migration.sql and
// migration_lock.toml).
//
// Differences from the plain wasm engine + adapter-pg, each a fix for a problem found in
// @prisma/adapter-pg 7.10.1 / schema-engine-wasm 8.1 (see the comments at the fixes):
//  - columns of PostgreSQL's `"char"` type (OID 18, read from pg_catalog) are handed to the engine as text;
//  - each migration script runs in one transaction, and a failed (rolled back) migration is marked
//    rolled back, so it neither leaves half a migration behind nor blocks later deploys (P3009);
//  - shadow databases are provided by this module (never the main database) and removed afterwards;
//  - the engine's timers and connection pools are closed, so scripts exit by themselves.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import * as engineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { repoRoot } from './paths.js';

export interface MigrationOptions {
  databaseUrl: string;
  /** Default: <repo>/prisma/migrations */
  migrationsDir?: string;
  /** Default: <repo>/prisma/schema.prisma */
  schemaPath?: string;
  log?: (line: string) => void;
}

/**
 * A migration command failed. `code` is Prisma's error code where there is one (P3009: a failed
 * migration blocks deploys, P3018: a migration failed to apply, P3006: a migration does not apply
 * cleanly to the shadow database, …) or one of this module's: INVALID_NAME, MIGRATION_EXISTS, DRIFT,
 * SHADOW_DATABASE, SCHEMA_NOT_FOUND, ENGINE_ERROR (incl. connection failures), ENGINE_PANIC.
 */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly migration?: string;
  readonly code: string;

  constructor(message: string, options: { code: string; migration?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.migration = options.migration;
  }
}

export const defaultMigrationsDir = join(repoRoot, 'prisma', 'migrations');
export const defaultSchemaPath = join(repoRoot, 'prisma', 'schema.prisma');

const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };
const LOCKFILE = 'migration_lock.toml';
const MIGRATION_FILE = 'migration.sql';
const APPLICATION_NAME = 'kim-migrations';

// ---------------------------------------------------------------------------------------------
// The wasm engine
// ---------------------------------------------------------------------------------------------

type Glue = typeof engineGlue;

// The WebAssembly global, typed here because the project's lib settings (ES2023, no DOM) leave it out.
interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<{ exports: Record<string, unknown> }>;
  Module: {
    imports(module: WasmModule): Array<{ module: string; name: string; kind: string }>;
    exports(module: WasmModule): Array<{ name: string; kind: string }>;
  };
  RuntimeError: new (message?: string) => Error;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

// The engine sets timers through this import (e.g. the 10 s timeout racing `pg_advisory_lock` in
// applyMigrations) but has no way to clear them, and `free()` does not either: one pending timer keeps
// a script alive for 10 s after it is done. Every timer goes through here and is cleared when the last
// open engine is closed (the engine that set it is gone by then, so its callback must not run anyway).
const pendingTimers = new Set<NodeJS.Timeout>();
let openEngines = 0;

function trackedSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    pendingTimers.delete(timer);
    callback();
  }, ms >>> 0);
  pendingTimers.add(timer);
  return timer;
}

function releaseEngineSlot(): void {
  openEngines -= 1;
  if (openEngines > 0) return;
  for (const timer of pendingTimers) clearTimeout(timer);
  pendingTimers.clear();
}

/** Counts for tests and diagnostics: open engines and engine timers still pending. */
export function migrationEngineResources(): { engines: number; timers: number } {
  return { engines: openEngines, timers: pendingTimers.size };
}

interface PanicRegistry {
  set_message(message: string): void;
}
let lastPanic: string | undefined;
let enginePanicked = false;

function wasmCandidates(): string[] {
  const require = createRequire(import.meta.url);
  const own = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
  const candidates: string[] = [];
  try {
    // The engine shipped with the Prisma CLI matches the CLI's version; the package's own build is
    // the fallback (its JS glue is what we run either way).
    candidates.push(join(dirname(require.resolve('prisma/package.json')), 'build', 'schema_engine_bg.wasm'));
  } catch {
    // prisma CLI not installed: use the package's wasm
  }
  candidates.push(own);
  return candidates.filter((path, index) => existsSync(path) && candidates.indexOf(path) === index);
}

function importExportNames(module: WasmModule): string {
  const imports = wasm.Module.imports(module).map((i) => `${i.module}:${i.name}:${i.kind}`).sort();
  const exports = wasm.Module.exports(module).map((e) => `${e.name}:${e.kind}`).sort();
  return JSON.stringify([imports, exports]);
}

let enginePromise: Promise<{ glue: Glue; wasmPath: string }> | undefined;

// `schema_engine.js` of the package does `import * as wasm from "./schema_engine_bg.wasm"`, which Node
// cannot import. So the module is instantiated by hand with the JS glue as its import object, as
// wasm-bindgen's bundler target expects, then started.
function loadEngine(): Promise<{ glue: Glue; wasmPath: string }> {
  enginePromise ??= (async () => {
    const registry = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
    registry.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (message) => (lastPanic = message) };
    const candidates = wasmCandidates();
    const modules = await Promise.all(candidates.map(async (path) => ({ path, module: await wasm.compile(await readFile(path)) })));
    // The package's own wasm (last) defines what the glue expects; another build is used only if it
    // has exactly the same imports and exports.
    const reference = importExportNames(modules[modules.length - 1]!.module);
    const chosen = modules.find((m) => importExportNames(m.module) === reference)!;
    const imports: Record<string, unknown> = { ...engineGlue };
    for (const name of Object.keys(engineGlue)) {
      if (name.startsWith('__wbg_setTimeout_')) imports[name] = trackedSetTimeout;
    }
    const instance = await wasm.instantiate(chosen.module, { './schema_engine_bg.js': imports });
    engineGlue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return { glue: engineGlue, wasmPath: chosen.path };
  })();
  enginePromise.catch(() => (enginePromise = undefined));
  return enginePromise;
}

// ---------------------------------------------------------------------------------------------
// Adapters
// ---------------------------------------------------------------------------------------------

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

const CHAR_OID = 18;
const TEXT_OID = 25;

interface PerformsIO {
  performIO(query: SqlQuery): Promise<pg.QueryResult | undefined>;
}

// @prisma/adapter-pg 7.10.1 maps column types by OID and throws "Unsupported column type char" for
// PostgreSQL's one-byte `"char"` (OID 18), which the engine reads from pg_catalog (relkind, contype,
// …) when it describes a schema: every diff, drift check and createMigration fails. pg already
// returns such values as one-character strings, so relabelling the column as text before the adapter
// converts the result is all it takes. performIO is the adapter's single query path (queryRaw and
// executeRaw, on the pool and in transactions).
function readCharAsText<T extends object>(queryable: T): T {
  const target = queryable as unknown as PerformsIO;
  const performIO = target.performIO;
  if (typeof performIO !== 'function') {
    throw new Error('@prisma/adapter-pg has no performIO any more: update the "char" fix in platform/migrations.ts');
  }
  target.performIO = async function (this: unknown, query: SqlQuery) {
    const result = await performIO.call(this, query);
    for (const field of result?.fields ?? []) {
      if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
    return result;
  };
  return queryable;
}

interface ScriptFailure {
  script: string;
  error: unknown;
  /** The script's transaction was rolled back by us, so nothing of it is left in the database. */
  rolledBack: boolean;
}

interface SessionState {
  failure?: ScriptFailure;
  /** Migration names by script text, to report progress and failures by name. */
  scriptNames: Map<string, string>;
  applied: string[];
  log: (line: string) => void;
}

function isPgError(error: unknown): error is pg.DatabaseError {
  const e = error as Partial<pg.DatabaseError> | null;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.severity === 'string' && typeof e.message === 'string';
}

function toAdapterError(error: unknown): unknown {
  if (!isPgError(error)) return error;
  // The raw PostgreSQL error, instead of adapter-pg's mapping (e.g. "No such table: x"), so that the
  // engine's message and `_prisma_migrations.logs` show what the database said.
  return new DriverAdapterError({
    kind: 'postgres',
    code: error.code ?? 'N/A',
    severity: error.severity ?? 'ERROR',
    message: error.message,
    detail: error.detail,
    column: error.column,
    hint: error.hint,
  });
}

/**
 * adapter-pg's executeScript splits the script at every `;` (breaking strings and function bodies)
 * and runs the pieces one by one outside a transaction, so a failing statement leaves the previous
 * ones applied. Here the whole script goes to PostgreSQL as one simple query (the server parses it)
 * inside BEGIN/COMMIT: PostgreSQL's DDL is transactional, so a failing migration changes nothing.
 */
function transactionalExecuteScript(adapter: PgAdapter, state: SessionState | undefined) {
  return async (script: string): Promise<void> => {
    const client = await adapter.underlyingDriver().connect();
    let broken: Error | undefined;
    const started = Date.now();
    try {
      await client.query('BEGIN');
      let committing = false;
      try {
        await client.query(script);
        committing = true;
        await client.query('COMMIT');
      } catch (error) {
        let rolledBack: boolean;
        if (committing) {
          // COMMIT refused by the server (e.g. a deferred constraint): PostgreSQL rolled it all back.
          rolledBack = isPgError(error);
        } else {
          // Still inside our (now aborted) transaction? Otherwise the script ended it itself
          // (COMMIT/ROLLBACK in the file) and parts of it may be committed. pg reports the error
          // before it has read the server's transaction status, so getTransactionStatus() is not
          // reliable here; a probe is: it fails with 25P02 only inside an aborted transaction.
          const insideOurTransaction = await client.query('SELECT 1').then(
            () => false,
            (probeError: unknown) => isPgError(probeError) && probeError.code === '25P02',
          );
          rolledBack = false;
          try {
            await client.query('ROLLBACK');
            rolledBack = insideOurTransaction;
          } catch (rollbackError) {
            broken = rollbackError as Error;
          }
        }
        if (state) state.failure = { script, error, rolledBack };
        throw toAdapterError(error);
      }
      const name = state?.scriptNames.get(script);
      if (state && name) {
        state.applied.push(name);
        state.log(`Applied migration ${name} (${Date.now() - started} ms)`);
      }
    } catch (error) {
      if (!broken && !isPgError(error) && !(error instanceof DriverAdapterError)) broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  };
}

/** An adapter with the fixes above; dispose() is idempotent and runs `afterDispose` once. */
async function connectAdapter(url: string, state: SessionState | undefined, afterDispose?: () => Promise<void>): Promise<PgAdapter> {
  const adapter = await new PrismaPg({ connectionString: url, application_name: APPLICATION_NAME }).connect();
  readCharAsText(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => readCharAsText(await startTransaction(isolationLevel));
  adapter.executeScript = transactionalExecuteScript(adapter, state);
  const dispose = adapter.dispose.bind(adapter);
  let disposed: Promise<void> | undefined;
  adapter.dispose = () =>
    (disposed ??= (async () => {
      try {
        await dispose();
      } finally {
        await afterDispose?.();
      }
    })());
  return adapter;
}

// ---------------------------------------------------------------------------------------------
// Shadow databases
// ---------------------------------------------------------------------------------------------

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid database URL>';
  }
}

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
interface ShadowProvider {
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

async function createShadowProvider(databaseUrl: string, shadowDatabaseUrl: string | undefined, log: (line: string) => void): Promise<ShadowProvider> {
  const embedded = await isEmbeddedPostgres(databaseUrl);

  if (shadowDatabaseUrl) {
    if (sameDatabase(databaseUrl, shadowDatabaseUrl, embedded)) {
      throw new MigrationError('The shadow database must not be the main database: the engine empties it and replays all migrations there.', {
        code: 'SHADOW_DATABASE',
      });
    }
    return {
      async connect() {
        log(`Shadow database: ${redact(shadowDatabaseUrl)} (emptied before use)`);
        await withClient(shadowDatabaseUrl, (c) => c.query(RESET_SHADOW_SQL));
        return connectAdapter(shadowDatabaseUrl, undefined);
      },
      async close() {},
    };
  }

  if (embedded) {
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

  // A real PostgreSQL server: a fresh database next to the main one for each request, dropped after.
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

// ---------------------------------------------------------------------------------------------
// Engine sessions
// ---------------------------------------------------------------------------------------------

interface Session {
  engine: SchemaEngine;
  state: SessionState;
  /** Pool of the main database connection the engine uses. */
  mainPool(): pg.Pool;
}

interface EngineLogLine {
  level?: string;
  fields?: { message?: string };
}

function engineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // The engine appends a span trace ("   0: schema_engine_wasm::…\n  at engine.rs:167"): not for operators.
  const lines = text.split('\n');
  const cut = lines.findIndex((line) => /^\s+\d+: \S/.test(line));
  return (cut === -1 ? lines : lines.slice(0, cut))
    .filter((line) => line.trim() !== 'external connector error')
    .join('\n')
    .trim();
}

function engineCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function toMigrationError(error: unknown, context: string): MigrationError {
  if (error instanceof MigrationError) return error;
  if (error instanceof wasm.RuntimeError) {
    // After a panic no engine method is safe to call again in this process.
    enginePanicked = true;
    return new MigrationError(`${context}: the schema engine crashed (${lastPanic ?? error.message}). Restart the process.`, {
      code: 'ENGINE_PANIC',
      cause: error,
    });
  }
  return new MigrationError(`${context}: ${engineMessage(error)}`, { code: engineCode(error) ?? 'ENGINE_ERROR', cause: error });
}

async function withEngine<T>(
  options: MigrationOptions,
  config: { schemaFiles?: Array<[string, string]>; shadow?: ShadowProvider },
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  if (enginePanicked) {
    throw new MigrationError('The schema engine crashed earlier in this process; restart it.', { code: 'ENGINE_PANIC' });
  }
  const log = options.log ?? (() => {});
  const { glue } = await loadEngine();
  const state: SessionState = { scriptNames: new Map(), applied: [], log };
  const adapters: PgAdapter[] = [];
  const shadows: PgAdapter[] = [];
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    async connect() {
      const adapter = await connectAdapter(options.databaseUrl, state);
      adapters.push(adapter);
      return adapter;
    },
    async connectToShadowDb() {
      if (!config.shadow) throw new Error('This command has no shadow database.');
      const adapter = await config.shadow.connect();
      shadows.push(adapter);
      return adapter;
    },
  };
  const onLog = (line: string) => {
    try {
      const entry = JSON.parse(line) as EngineLogLine;
      if ((entry.level === 'WARN' || entry.level === 'ERROR') && entry.fields?.message) log(`schema engine: ${entry.fields.message}`);
    } catch {
      // not JSON: ignore
    }
  };

  openEngines += 1;
  let engine: SchemaEngine | undefined;
  try {
    try {
      engine = await glue.SchemaEngine.new({ datamodels: config.schemaFiles }, onLog, bindMigrationAwareSqlAdapterFactory(factory));
    } catch (error) {
      throw toMigrationError(error, `Could not connect to ${redact(options.databaseUrl)}`);
    }
    const session: Session = {
      engine,
      state,
      mainPool: () => {
        const adapter = adapters[0];
        if (!adapter) throw new Error('The schema engine has no database connection.');
        return adapter.underlyingDriver();
      },
    };
    return await fn(session);
  } finally {
    // The engine never disposes its main adapter (its pool would keep the process alive and, with the
    // session-level advisory lock taken by applyMigrations, block other deploys) and may leave shadow
    // adapters open on errors: close everything it got from us, then the shadow servers.
    engine?.free();
    const results = await Promise.allSettled([...adapters, ...shadows].map((adapter) => adapter.dispose()));
    await config.shadow?.close().catch((error: Error) => log(`Could not clean up the shadow database: ${error.message}`));
    releaseEngineSlot();
    for (const result of results) {
      if (result.status === 'rejected') log(`Could not close a database connection: ${(result.reason as Error).message}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Migrations directory
// ---------------------------------------------------------------------------------------------

/** Reads the migrations directory exactly like the Prisma CLI does (folders sorted by name, utf-8). */
export async function readMigrationsDirectory(migrationsDir: string): Promise<MigrationList> {
  const baseDir = resolve(migrationsDir);
  const lockContent = await readFile(join(baseDir, LOCKFILE), 'utf8').catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map(async (entry) => ({
        path: entry.name,
        migrationFile: {
          path: MIGRATION_FILE,
          content: await readFile(join(baseDir, entry.name, MIGRATION_FILE), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
  );
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return { baseDir, lockfile: { path: LOCKFILE, content: lockContent }, shadowDbInitScript: '', migrationDirectories };
}

function resolvePaths(options: MigrationOptions) {
  return {
    migrationsDir: resolve(options.migrationsDir ?? defaultMigrationsDir),
    schemaPath: resolve(options.schemaPath ?? defaultSchemaPath),
  };
}

async function schemaFiles(schemaPath: string, required: boolean): Promise<Array<[string, string]> | undefined> {
  try {
    return [[schemaPath, await readFile(schemaPath, 'utf8')]];
  } catch (error) {
    if (required) throw new MigrationError(`Cannot read the Prisma schema ${schemaPath}: ${(error as Error).message}`, { code: 'SCHEMA_NOT_FOUND' });
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

function describeDatabaseError(error: unknown, script: string): string {
  if (!isPgError(error)) return error instanceof Error ? error.message : String(error);
  let text = `${error.message} (SQLSTATE ${error.code})`;
  const position = Number(error.position);
  if (Number.isInteger(position) && position > 0) {
    const before = script.slice(0, position - 1);
    const lineNumber = before.split('\n').length;
    const line = script.split('\n')[lineNumber - 1]?.trim();
    text += `\n  at line ${lineNumber} of migration.sql: ${line}`;
  }
  if (error.detail) text += `\n  detail: ${error.detail}`;
  if (error.hint) text += `\n  hint: ${error.hint}`;
  return text;
}

async function failedMigrationNames(session: Session, list: MigrationList): Promise<string[]> {
  try {
    const diagnosis = await session.engine.diagnoseMigrationHistory({ migrationsList: list, optInToShadowDatabase: false, filters: NO_FILTERS });
    return diagnosis.failedMigrationNames;
  } catch {
    return [];
  }
}

/** applyMigrations (what `prisma migrate deploy` runs), with a failed migration reported and un-stuck. */
async function applyMigrations(session: Session, list: MigrationList): Promise<string[]> {
  const { state, engine } = session;
  state.failure = undefined;
  state.applied = [];
  state.scriptNames = new Map(
    list.migrationDirectories.flatMap((d) => (d.migrationFile.content.tag === 'ok' ? [[d.migrationFile.content.value, d.path] as const] : [])),
  );
  try {
    return (await engine.applyMigrations({ migrationsList: list, filters: NO_FILTERS })).appliedMigrationNames;
  } catch (error) {
    const appliedBefore = state.applied.length
      ? `\nApplied before the failure (these stay applied): ${state.applied.join(', ')}.`
      : '';
    const failure = state.failure as ScriptFailure | undefined; // set by executeScript meanwhile
    if (!failure) {
      const code = engineCode(error);
      if (code === 'P3009') {
        const failed = await failedMigrationNames(session, list);
        throw new MigrationError(
            `The database has a failed migration (${failed.join(', ') || 'see _prisma_migrations'}); Prisma applies no further migrations until it is resolved. ` +
              'Check what the failed migration left in the database, repair it, then mark the migration rolled back ' +
              '(UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = … AND finished_at IS NULL) and deploy again.',
            { code, migration: failed[0], cause: error },
        );
      }
      throw toMigrationError(error, 'Applying migrations failed');
    }
    const fromEngine = /migration_name="([^"]+)"/.exec(error instanceof Error ? error.message : '')?.[1];
    const migration = fromEngine ?? state.scriptNames.get(failure.script) ?? 'unknown migration';
    const databaseError = describeDatabaseError(failure.error, failure.script);
    let message = `Migration ${migration} failed: ${databaseError}\n`;
    if (failure.rolledBack) {
      // Decision: mark the failed migration rolled back (what `prisma migrate resolve --rolled-back`
      // records) rather than leave it failed or delete its row. Its transaction was rolled back, so
      // the database holds nothing of it — "rolled back" is the truth. Left as failed, every further
      // deploy would stop with P3009 although there is nothing to repair; deleted, the failed attempt
      // and the engine's log of it would be gone. Prisma ignores rolled-back rows, so the next deploy
      // applies the (fixed) migration again, and `_prisma_migrations` stays a valid Prisma history.
      try {
        await engine.markMigrationRolledBack({ migrationName: migration });
        message += 'Its transaction was rolled back: the database is unchanged by it, and it is recorded as rolled back, so a deploy after fixing the migration applies it.';
      } catch (markError) {
        message +=
          'Its transaction was rolled back (the database is unchanged by it), but it could not be marked as rolled back ' +
          `(${engineMessage(markError)}); the next deploy will stop with P3009 until _prisma_migrations.rolled_back_at is set for it.`;
      }
    } else {
      message +=
        'The script ended the migration transaction itself (COMMIT/ROLLBACK in the file) or the connection failed, so parts of it may be applied. ' +
        'It stays recorded as failed (P3009): check the database, repair it, then mark the migration rolled back and deploy again.';
    }
    throw new MigrationError(message + appliedBefore, { code: 'P3018', migration, cause: failure.error });
  }
}

/** Applies all pending migrations, like `prisma migrate deploy`. */
export async function deployMigrations(o: MigrationOptions): Promise<{ applied: string[] }> {
  const { migrationsDir, schemaPath } = resolvePaths(o);
  const list = await readMigrationsDirectory(migrationsDir);
  const log = o.log ?? (() => {});
  const count = list.migrationDirectories.length;
  log(count ? `${count} migration${count === 1 ? '' : 's'} found in ${migrationsDir}` : `No migration found in ${migrationsDir}`);
  return withEngine(o, { schemaFiles: await schemaFiles(schemaPath, false) }, async (session) => {
    const applied = await applyMigrations(session, list);
    if (!applied.length) log('No pending migrations to apply.');
    return { applied };
  });
}

interface MigrationRow {
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

interface MigrationHistory {
  applied: string[];
  pending: string[];
  failed: string[];
  problems: string[];
}

async function readHistory(session: Session, list: MigrationList): Promise<MigrationHistory> {
  let diagnosis;
  try {
    diagnosis = await session.engine.diagnoseMigrationHistory({ migrationsList: list, optInToShadowDatabase: false, filters: NO_FILTERS });
  } catch (error) {
    throw toMigrationError(error, 'Reading the migration history failed');
  }
  const rows = diagnosis.hasMigrationsTable
    ? (
        await session
          .mainPool()
          .query<MigrationRow>('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at, migration_name')
      ).rows
    : [];
  const applied = rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name);
  const failed = diagnosis.failedMigrationNames;
  // Rolled-back rows do not count: a deploy applies those migrations again (Prisma's rule).
  const recorded = new Set([...applied, ...failed]);
  const local = list.migrationDirectories.map((d) => d.path);
  const pending = local.filter((name) => !recorded.has(name));
  const problems = [
    ...diagnosis.editedMigrationNames.map((name) => `Migration ${name} was modified after it was applied (checksum differs).`),
    ...applied
      .filter((name) => !local.includes(name))
      .map((name) => `Migration ${name} is applied to the database but missing from ${list.baseDir}.`),
    ...list.migrationDirectories
      .filter((d) => d.migrationFile.content.tag === 'error')
      .map((d) => `Migration ${d.path} has no readable ${MIGRATION_FILE}.`),
  ];
  return { applied, pending, failed, problems };
}

/**
 * Like `prisma migrate status`. applied: finished and not rolled back, in order of application;
 * pending: what a deploy would apply; failed: failed and not rolled back (they block deploys, P3009);
 * problems: edited or missing migrations, in words.
 */
export async function migrationStatus(o: MigrationOptions): Promise<MigrationHistory> {
  const { migrationsDir, schemaPath } = resolvePaths(o);
  const list = await readMigrationsDirectory(migrationsDir);
  return withEngine(o, { schemaFiles: await schemaFiles(schemaPath, false) }, (session) => readHistory(session, list));
}

/** An SQL script with nothing but comments and whitespace is no change. */
function isEmptyScript(script: string): boolean {
  return script
    .split('\n')
    .map((line) => line.trim())
    .every((line) => line === '' || line.startsWith('--'));
}

/** The SQL that would bring the database to schema.prisma; '' when they are equal. */
export async function diffDatabaseToSchema(o: MigrationOptions): Promise<string> {
  const { schemaPath } = resolvePaths(o);
  const files = await schemaFiles(schemaPath, true);
  const containers = files!.map(([path, content]) => ({ path, content }));
  return withEngine(o, { schemaFiles: files }, async (session) => {
    try {
      const result = await session.engine.diff({
        from: { tag: 'schemaDatasource', files: containers, configDir: dirname(schemaPath) },
        to: { tag: 'schemaDatamodel', files: containers },
        script: true,
        exitCode: null,
        filters: NO_FILTERS,
      });
      const script = result.stdout ?? '';
      return isEmptyScript(script) ? '' : script;
    } catch (error) {
      throw toMigrationError(error, 'Comparing the database with the schema failed');
    }
  });
}

const LOCKFILE_CONTENT = (provider: string) =>
  `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`;

/**
 * Writes a new migration from the changes in schema.prisma, like `prisma migrate dev --create-only`:
 * the database must be in sync with the migration history; pending migrations are applied to it
 * first (as Prisma does). The migration is not applied. null = schema unchanged, nothing written.
 */
export async function createMigration(
  o: MigrationOptions & { name: string; shadowDatabaseUrl?: string },
): Promise<{ directory: string | null }> {
  if (!/^[a-z0-9_]{1,200}$/.test(o.name)) {
    throw new MigrationError(`Invalid migration name "${o.name}": use 1–200 lowercase letters, digits and underscores (e.g. add_case_priority).`, {
      code: 'INVALID_NAME',
    });
  }
  const { migrationsDir, schemaPath } = resolvePaths(o);
  const files = await schemaFiles(schemaPath, true);
  const log = o.log ?? (() => {});
  let shadow: ShadowProvider;
  try {
    shadow = await createShadowProvider(o.databaseUrl, o.shadowDatabaseUrl, log);
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(`Could not connect to ${redact(o.databaseUrl)}: ${(error as Error).message}`, { code: 'ENGINE_ERROR', cause: error });
  }
  return withEngine(o, { schemaFiles: files, shadow }, async (session) => {
    const { engine } = session;
    const diagnose = async (list: MigrationList) => {
      try {
        const { action } = await engine.devDiagnostic({ migrationsList: list, filters: NO_FILTERS });
        if (action.tag === 'reset') {
          throw new MigrationError(
            `The database ${redact(o.databaseUrl)} is out of sync with the migrations in ${migrationsDir}:\n${action.reason.trim()}\n` +
              'Author migrations against a database that matches the migration history (e.g. a fresh one).',
            { code: 'DRIFT' },
          );
        }
      } catch (error) {
        throw toMigrationError(error, 'Checking the migration history failed');
      }
    };
    const list = await readMigrationsDirectory(migrationsDir);
    await diagnose(list);
    // The wasm engine's createMigration replays no migrations itself: it takes the schema of the
    // migration history from a cache that devDiagnostic fills for the migrations *applied to the
    // database* (on a miss it fails with "shadow DB must be provided through an external factory").
    // So the database must have all of them applied, which `prisma migrate dev` ensures as well.
    const { pending } = await readHistory(session, list);
    if (pending.length) {
      const applied = await applyMigrations(session, list);
      log(`Applied the pending migrations to the database first: ${applied.join(', ')}`);
      await diagnose(list);
    }
    let result;
    try {
      result = await engine.createMigration({
        draft: false,
        migrationName: o.name,
        migrationsList: list,
        schema: { files: files!.map(([path, content]) => ({ path, content })) },
        filters: NO_FILTERS,
      });
    } catch (error) {
      throw toMigrationError(error, 'Creating the migration failed');
    }
    if (result.migrationScript === null) {
      log('Schema unchanged: no migration created.');
      return { directory: null };
    }
    const directory = join(migrationsDir, result.generatedMigrationName);
    if (existsSync(directory)) {
      throw new MigrationError(`The migration directory already exists: ${directory}`, { code: 'MIGRATION_EXISTS', migration: result.generatedMigrationName });
    }
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, `migration.${result.extension}`), result.migrationScript, 'utf8');
    await writeFile(join(migrationsDir, LOCKFILE), LOCKFILE_CONTENT(result.connectorType), 'utf8');
    log(`Created ${directory}`);
    return { directory };
  });
}
