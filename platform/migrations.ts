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
//
// This module is the public entry; the parts live in platform/migrations/:
//   common.ts     options, MigrationError, constants
//   engine.ts     loading the wasm engine; its timers and panics
//   adapter.ts    adapter-pg with the fixes ("char" as text, transactional scripts)
//   shadow.ts     shadow databases
//   session.ts    an engine session (withEngine) and the engine's errors
//   directory.ts  the migrations directory and the schema file
//   apply.ts      deploy and status
//   create.ts     diff and createMigration
export { deployMigrations, migrationStatus } from './migrations/apply.js';
export { defaultMigrationsDir, defaultSchemaPath, MigrationError, type MigrationOptions } from './migrations/common.js';
export { createMigration, diffDatabaseToSchema } from './migrations/create.js';
export { readMigrationsDirectory } from './migrations/directory.js';
export { migrationEngineResources } from './migrations/engine.js';
