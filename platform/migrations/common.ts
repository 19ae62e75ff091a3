// Options, errors and constants shared by the migration modules (platform/migrations.ts is the public entry).
import { join } from 'node:path';
import type { SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { repoRoot } from '../paths.js';

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

export const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };
export const LOCKFILE = 'migration_lock.toml';
export const MIGRATION_FILE = 'migration.sql';
export const APPLICATION_NAME = 'kim-migrations';

/** A database URL fit for messages and logs: the password replaced. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid database URL>';
  }
}
