// Mutation testing of the record and erasure activities (`npm run test:mutation:activities`, issue 18): the code
// that writes a case's durable record (events, read model, deadlines, consents, facts) and erases it at the end of
// retention, judged by their tests against real PostgreSQL (TEST_DATABASE_URL). Most of a record write is one SQL
// function (kim_record_case_batch, in a migration) that Stryker cannot mutate; what it mutates is the TypeScript
// around it. Slower per mutant than domain/ (every covering test file migrates a fresh database), so not in CI:
// a documented command (tests/MUTATION.md), like the domain run.
import domain from './stryker.config.mjs';

process.env.KIM_FACTS_PROPERTY_RUNS ??= '4';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...domain,
  // The generated Prisma client is needed here (the domain run leaves it out of the sandbox).
  ignorePatterns: domain.ignorePatterns.filter((p) => p !== 'prisma/generated'),
  vitest: { configFile: 'vitest.mutation-activities.config.ts', related: false },
  mutate: ['activities/case-records.ts', 'activities/case-batch-records.ts', 'activities/case-facts-records.ts', 'activities/event-records.ts', 'activities/erasure.ts'],
  tempDirName: '.stryker-tmp-activities',
  htmlReporter: { fileName: 'reports/mutation-activities/index.html' },
  jsonReporter: { fileName: 'reports/mutation-activities/mutation.json' },
  // Reported, not enforced: the 80 % the issue asks for is domain/'s.
  thresholds: { high: 90, low: 80, break: null },
};
