// An engine session: one schema engine connected to the main database (and, for commands that need one, to shadow
// databases), closed completely afterwards, with the engine's errors turned into MigrationErrors.
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import type pg from 'pg';
import { connectAdapter, type PgAdapter, type SessionState } from './adapter.js';
import { MigrationError, redact, type MigrationOptions } from './common.js';
import { acquireEngineSlot, engineCrash, hasEnginePanicked, loadEngine, releaseEngineSlot } from './engine.js';
import type { ShadowProvider } from './shadow.js';

export interface Session {
  engine: SchemaEngine;
  state: SessionState;
  /** Pool of the main database connection the engine uses. */
  mainPool(): pg.Pool;
}

interface EngineLogLine {
  level?: string;
  fields?: { message?: string };
}

export function engineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // The engine appends a span trace ("   0: schema_engine_wasm::…\n  at engine.rs:167"): not for operators.
  const lines = text.split('\n');
  const cut = lines.findIndex((line) => /^\s+\d+: \S/.test(line));
  return (cut === -1 ? lines : lines.slice(0, cut))
    .filter((line) => line.trim() !== 'external connector error')
    .join('\n')
    .trim();
}

export function engineCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function toMigrationError(error: unknown, context: string): MigrationError {
  if (error instanceof MigrationError) return error;
  // After a panic no engine method is safe to call again in this process (engineCrash records that).
  const crash = engineCrash(error);
  if (crash) {
    return new MigrationError(`${context}: the schema engine crashed (${crash.message}). Restart the process.`, {
      code: 'ENGINE_PANIC',
      cause: error,
    });
  }
  return new MigrationError(`${context}: ${engineMessage(error)}`, { code: engineCode(error) ?? 'ENGINE_ERROR', cause: error });
}

/** Database connections handed to the engine, kept in `adapters` / `shadows` so that they can all be closed. */
function adapterFactory(
  databaseUrl: string,
  state: SessionState,
  shadow: ShadowProvider | undefined,
  adapters: PgAdapter[],
  shadows: PgAdapter[],
): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    async connect() {
      const adapter = await connectAdapter(databaseUrl, state);
      adapters.push(adapter);
      return adapter;
    },
    async connectToShadowDb() {
      if (!shadow) throw new Error('This command has no shadow database.');
      const adapter = await shadow.connect();
      shadows.push(adapter);
      return adapter;
    },
  };
}

/** The engine's log lines (JSON): warnings and errors go to `log`. */
function engineLogger(log: (line: string) => void): (line: string) => void {
  return (line: string) => {
    try {
      const entry = JSON.parse(line) as EngineLogLine;
      if ((entry.level === 'WARN' || entry.level === 'ERROR') && entry.fields?.message) log(`schema engine: ${entry.fields.message}`);
    } catch {
      // not JSON: ignore
    }
  };
}

export async function withEngine<T>(
  options: MigrationOptions,
  config: { schemaFiles?: Array<[string, string]>; shadow?: ShadowProvider },
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  if (hasEnginePanicked()) {
    throw new MigrationError('The schema engine crashed earlier in this process; restart it.', { code: 'ENGINE_PANIC' });
  }
  const log = options.log ?? (() => {});
  const { glue } = await loadEngine();
  const state: SessionState = { scriptNames: new Map(), applied: [], log };
  const adapters: PgAdapter[] = [];
  const shadows: PgAdapter[] = [];
  const factory = adapterFactory(options.databaseUrl, state, config.shadow, adapters, shadows);

  acquireEngineSlot();
  let engine: SchemaEngine | undefined;
  try {
    try {
      engine = await glue.SchemaEngine.new({ datamodels: config.schemaFiles }, engineLogger(log), bindMigrationAwareSqlAdapterFactory(factory));
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
