import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global-setup.ts'],
    setupFiles: ['tests/setup/quiet-temporal.ts'],
    pool: 'forks',
    // Temporal servers, bundling and database creation take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
