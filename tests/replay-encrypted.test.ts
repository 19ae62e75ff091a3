// Determinism against histories as production holds them: payloads encrypted with per-case and per-handover data
// keys wrapped by an installation key (recorded by scripts/record-encrypted-histories.ts into
// tests/histories/encrypted/, with the key fixture keys.json). The wrapped data keys go into a real database and the
// real codec (DataKeyStore + PayloadEncryptionCodec) decrypts during replay, as a worker of that installation would.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDatabase, type Database } from '../platform/database.js';
import { deployMigrations } from '../platform/migrations.js';
import { repoRoot } from '../platform/paths.js';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA, newPayloadKeyEntry, parsePayloadKeys, payloadEncryption, type PayloadEncryption } from '../platform/payload-codec.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import type { KeyFixture } from '../scripts/record-encrypted-histories.js';
import { encodedPayloads } from './support/payloads.js';

const dir = join(repoRoot, 'tests', 'histories', 'encrypted');
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'keys.json');
const fixture = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as KeyFixture;
const WORKFLOW_TYPES = ['caseWorkflow', 'handoverWorkflow', 'handoverRetentionWorkflow', 'caseReconcilerWorkflow'];

let database: TestDatabase;
let db: Database;
let encryption: PayloadEncryption;

/**
 * Every payload of a raw history but those the SDK never passes through the codec, by design: search attributes
 * (the server indexes them), the patch markers of `patched()` (ids of code changes) and the bookkeeping of a local
 * activity's marker (`data`: activity id, type, attempt, times — written by the SDK core; its `result` is encrypted).
 */
function allPayloads(value: unknown): Array<{ metadata?: Record<string, Uint8Array> }> {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return [];
  const r = value as Record<string, unknown>;
  if (r.markerName === 'core_patch') return [];
  if (r.markerName === 'core_local_activity') {
    const { data: _bookkeeping, ...rest } = (r.details ?? {}) as Record<string, unknown>;
    return allPayloads({ ...r, markerName: 'local activity', details: rest });
  }
  if (r.data instanceof Uint8Array && r.metadata && typeof r.metadata === 'object') return [r as { metadata: Record<string, Uint8Array> }];
  return Object.entries(r).flatMap(([key, v]) => (key === 'searchAttributes' ? [] : allPayloads(v)));
}

function load(file: string) {
  return historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
}
const workflowTypeOf = (file: string) => load(file).events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
const replayOptions = (dataConverter = encryption.dataConverter) => ({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter });

beforeAll(async () => {
  database = await createTestDatabase();
  await deployMigrations({ databaseUrl: database.url });
  db = createDatabase(database.url);
  await db.dataKey.createMany({
    data: fixture.dataKeys.map((k) => ({ id: k.id, subject: k.subject, wrappedKey: Buffer.from(k.wrappedKey, 'base64'), wrappingKeyId: k.wrappingKeyId })),
  });
  encryption = payloadEncryption({ keys: parsePayloadKeys(fixture.installationKeys, 'keys.json'), source: 'keys.json' }, db);
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

describe('replay of encrypted histories (tests/histories/encrypted/)', () => {
  it('has one for every workflow type, a continue-as-new, and the payloads are encrypted with data keys', () => {
    expect(new Set(files.map(workflowTypeOf))).toEqual(new Set(WORKFLOW_TYPES));
    expect(files.some((f) => load(f).events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes)).toBe(true);
    for (const file of files) {
      expect(encodedPayloads(load(file)).length, file).toBeGreaterThan(0);
      for (const p of allPayloads(load(file))) expect(Buffer.from(p.metadata!.encoding!).toString(), file).toBe(ENCRYPTED_ENCODING);
    }
    // Case and handover workflows: under their own data keys (crypto-erasure), not the installation key.
    const keyIds = files
      .filter((f) => ['caseWorkflow', 'handoverWorkflow'].includes(workflowTypeOf(f)))
      .flatMap((f) => encodedPayloads(load(f)).map((p) => Buffer.from(p.metadata![KEY_ID_METADATA]!).toString()));
    expect(keyIds.filter((id) => id.startsWith('dk_')).length).toBeGreaterThan(keyIds.length / 2);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    await Worker.runReplayHistory(replayOptions(), load(file), file);
  });

  it('cannot be replayed without the key fixture (control: the payloads really need it)', async () => {
    const file = files.find((f) => workflowTypeOf(f) === 'handoverWorkflow')!;
    const stranger = payloadEncryption({ keys: parsePayloadKeys(newPayloadKeyEntry('stranger'), 'test'), source: 'test' }, db);
    await expect(Worker.runReplayHistory(replayOptions(stranger.dataConverter), load(file), file)).rejects.toThrow();
  });

  it('detects a history the code would not produce (control)', async () => {
    // A case history with a (normal) activity to tamper with: version 4 and earlier record through one.
    const file = files.find((f) => workflowTypeOf(f) === 'caseWorkflow' && load(f).events?.some((e) => e.activityTaskScheduledEventAttributes))!;
    const history = load(file);
    const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled).toBeDefined();
    scheduled!.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
    await expect(Worker.runReplayHistory(replayOptions(), history, file)).rejects.toThrow();
  });
});
