// Applying migrations (`prisma migrate deploy`) and reading the migration history (`prisma migrate status`), with a
// failed migration reported by name and, when its transaction was rolled back, marked rolled back so it blocks
// nothing.
import type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { isPgError, type ScriptFailure } from './adapter.js';
import { MIGRATION_FILE, MigrationError, NO_FILTERS, type MigrationOptions } from './common.js';
import { readMigrationsDirectory, resolvePaths, schemaFiles } from './directory.js';
import { engineCode, engineMessage, toMigrationError, withEngine, type Session } from './session.js';

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
export async function applyMigrations(session: Session, list: MigrationList): Promise<string[]> {
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

export interface MigrationHistory {
  applied: string[];
  pending: string[];
  failed: string[];
  problems: string[];
}

export async function readHistory(session: Session, list: MigrationList): Promise<MigrationHistory> {
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
