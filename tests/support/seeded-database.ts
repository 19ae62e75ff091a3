// A fresh database for one test file: created on TEST_DATABASE_URL's server (else the embedded PGlite), migrated and
// seeded with the demo organisations and accounts before the file's tests, dropped after them. `use` receives the
// client, so a file keeps its own `db` variable.
import { afterAll, beforeAll } from 'vitest';
import { createDatabase, type Database } from '../../platform/database.js';
import { deployMigrations } from '../../platform/migrations.js';
import { seedDatabase } from '../../platform/seed.js';
import { createTestDatabase, type TestDatabase } from '../../harness/database.js';

export function useSeededTestDatabase(use: (db: Database) => void, demoPassword = 'x'): void {
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    await deployMigrations({ databaseUrl: database.url });
    db = createDatabase(database.url);
    await seedDatabase(db, { demoPassword, production: false });
    use(db);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });
}
