// `npm run bench:codec` (`-- --quick` for a smoke run): what payload encryption costs per payload, against real
// PostgreSQL (TEST_DATABASE_URL, else an embedded one): no codec, the installation key, a per-case data key already
// in the process's cache, and a per-case data key the process has not seen (one database round trip to fetch and
// unwrap it — the first payload of a case after a restart or every 15 s). Prints a table; timings are never asserted.
import { performance } from 'node:perf_hooks';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { createCase, defaultCaseSettings } from '../domain/index.js';
import { DataKeyStore } from '../platform/data-keys.js';
import { createDatabase } from '../platform/database.js';
import { deployMigrations } from '../platform/migrations.js';
import { newPayloadKeyEntry, parsePayloadKeys, PayloadEncryptionCodec } from '../platform/payload-codec.js';
import { createTestDatabase } from '../harness/database.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 200 : 5000;

// A realistic payload: a case as its workflow holds it, with twenty documented contacts.
const opened = createCase(
  {
    caseId: 'bench-case',
    openedAt: '2026-01-05T09:00:00.000Z',
    openedBy: 'u1',
    organisationId: 'drk',
    municipality: 'Kall',
    proposedProvider: { organisationId: 'drk', reason: 'Wohnort Kall' },
    source: 'self',
    newId: (prefix) => `${prefix}-${Math.random().toString(36).slice(2)}`,
  },
  defaultCaseSettings,
).next;
for (let i = 0; i < 20; i++) {
  opened.contacts.items.push({ id: `c${i}`, kind: 'counselling', date: '2026-02-01', durationMinutes: 60, note: 'Gespräch über Wohnungssuche und Sprachkurs', recordedBy: 'u1', recordedAt: '2026-02-01T10:00:00.000Z' });
}
const payload: Payload = defaultPayloadConverter.toPayload(opened)!;

const database = await createTestDatabase();
await deployMigrations({ databaseUrl: database.url });
const db = createDatabase(database.url);
const keys = parsePayloadKeys(newPayloadKeyEntry('bench'), 'bench');

async function measure(label: string, run: (i: number) => Promise<void>) {
  for (let i = 0; i < Math.min(50, rounds); i++) await run(-1 - i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await run(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { label, p50: at(0.5), p99: at(0.99) };
}

const ctx = (i: number) => ({ type: 'workflow' as const, namespace: 'default', workflowId: `case-bench-${i}` });
const installation = new PayloadEncryptionCodec(keys);
const store = new DataKeyStore(db, keys);
const perCase = new PayloadEncryptionCodec(keys, store);
// Keys of the "cold" cases exist already (created by another process), this process just has not seen them.
for (let i = 0; i < rounds; i++) await store.keyForEncryption(`case-bench-${i}`);

const rows = [
  await measure('no codec (JSON only)', async () => {
    defaultPayloadConverter.fromPayload(defaultPayloadConverter.toPayload(opened)!);
  }),
  await measure('installation key: encode + decode', async () => {
    await installation.decode(await installation.encode([payload]));
  }),
  await measure('per-case key, cached: encode + decode', async () => {
    await perCase.decode(await perCase.encode([payload], ctx(0)));
  }),
  await measure('per-case key, not yet in this process: encode + decode', async (i) => {
    const cold = new PayloadEncryptionCodec(keys, new DataKeyStore(db, keys));
    await cold.decode(await cold.encode([payload], ctx(Math.max(0, i))));
  }),
];

console.log(`\nPayload encryption, ${rounds} rounds, payload ${payload.data!.length} bytes (a case with 20 contacts)\n`);
console.log('| measurement | p50 | p99 |');
console.log('| --- | --- | --- |');
for (const r of rows) console.log(`| ${r.label} | ${r.p50.toFixed(3)} ms | ${r.p99.toFixed(3)} ms |`);
await db.$disconnect();
await database.drop();
