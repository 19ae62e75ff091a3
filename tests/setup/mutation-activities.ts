// Setup of the activities' mutation run (vitest.mutation-activities.config.ts): the tests need a real PostgreSQL
// server (a mutant judged against the embedded PGlite would say nothing about production) and the payload key the
// erasure activities unwrap data keys with — `npm test` gets it from its global setup, which this run does not use.
import { newPayloadKeyEntry } from '../../platform/payload-codec.js';

if (!process.env.TEST_DATABASE_URL) throw new Error('Mutation testing of the activities needs TEST_DATABASE_URL (a PostgreSQL server).');
process.env.KIM_PAYLOAD_KEYS ??= newPayloadKeyEntry('mutation');
