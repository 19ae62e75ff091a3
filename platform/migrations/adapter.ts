// The connection of the schema engine to PostgreSQL: @prisma/adapter-pg with the fixes this module needs (see
// platform/migrations.ts for the list): `"char"` columns read as text, and each migration script run as one
// transaction that is rolled back when it fails.
import { PrismaPg } from '@prisma/adapter-pg';
import { DriverAdapterError, type SqlQuery } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { APPLICATION_NAME } from './common.js';

export type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

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
    throw new Error('@prisma/adapter-pg has no performIO any more: update the "char" fix in platform/migrations/adapter.ts');
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

export interface ScriptFailure {
  script: string;
  error: unknown;
  /** The script's transaction was rolled back by us, so nothing of it is left in the database. */
  rolledBack: boolean;
}

export interface SessionState {
  failure?: ScriptFailure;
  /** Migration names by script text, to report progress and failures by name. */
  scriptNames: Map<string, string>;
  applied: string[];
  log: (line: string) => void;
}

export function isPgError(error: unknown): error is pg.DatabaseError {
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
export async function connectAdapter(url: string, state: SessionState | undefined, afterDispose?: () => Promise<void>): Promise<PgAdapter> {
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
