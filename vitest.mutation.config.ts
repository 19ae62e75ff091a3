import { defineConfig } from 'vitest/config';

// The pure domain tests alone, for mutation testing (stryker.config.mjs): no Temporal server, no database, so no
// global setup; every mutant of domain/ is judged by tests/domain/.
export default defineConfig({
  test: {
    include: ['tests/domain/**/*.test.ts'],
    testTimeout: 60_000,
    // One process, modules kept between runs: Stryker re-runs the covering tests once per mutant, and a fresh module
    // graph each time costs more than the tests themselves. The domain is pure, so nothing leaks between files.
    pool: 'threads',
    isolate: false,
    fileParallelism: false,
  },
});
