import { defineConfig } from 'vitest/config';

// The record and erasure activities' own tests against real PostgreSQL (TEST_DATABASE_URL), for mutation testing
// (stryker.activities.config.mjs): no Temporal server — each of these tests calls the activity functions directly,
// as the workflow's local activity or the retention step calls them.
export default defineConfig({
  test: {
    include: ['tests/case-records.test.ts', 'tests/case-batch-records.test.ts', 'tests/case-facts.test.ts', 'tests/erasure-activities.test.ts', 'tests/record-refusal.test.ts'],
    setupFiles: ['tests/setup/mutation-activities.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'threads',
    isolate: false,
    fileParallelism: false,
  },
});
