// Configuration for the Prisma CLI (generate). Migrations are applied by platform/migrations.ts
// with Prisma's wasm schema engine, because the native engine cannot be downloaded everywhere.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/kim' },
});
