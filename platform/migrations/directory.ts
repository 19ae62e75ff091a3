// The migrations directory and the schema file, read like the Prisma CLI reads them.
import { readdir, readFile } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { defaultMigrationsDir, defaultSchemaPath, LOCKFILE, MIGRATION_FILE, MigrationError, type MigrationOptions } from './common.js';

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

export function resolvePaths(options: MigrationOptions) {
  return {
    migrationsDir: resolve(options.migrationsDir ?? defaultMigrationsDir),
    schemaPath: resolve(options.schemaPath ?? defaultSchemaPath),
  };
}

export async function schemaFiles(schemaPath: string, required: boolean): Promise<Array<[string, string]> | undefined> {
  try {
    return [[schemaPath, await readFile(schemaPath, 'utf8')]];
  } catch (error) {
    if (required) throw new MigrationError(`Cannot read the Prisma schema ${schemaPath}: ${(error as Error).message}`, { code: 'SCHEMA_NOT_FOUND' });
    return undefined;
  }
}
