// Encryption of workflow data (platform/payload-codec.ts): the codec on its own (round trip, key rotation, tampering,
// unknown keys, old plaintext payloads), key configuration, and on the real dev server: what the engine stores —
// read raw, without the codec — contains no name, birth date or note of the person, while the app's client reads it.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import type proto from '@temporalio/proto';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Actor, CaseAction, HandoverAction } from '../domain/index.js';
import {
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  loadPayloadEncryption,
  newPayloadKeyEntry,
  parsePayloadKeys,
  PayloadEncryptionCodec,
} from '../platform/payload-codec.js';
import { caseActionUpdate, caseViewQuery, caseWorkflowId } from '../workflows/case-messages.js';
import { handoverActionUpdate, handoverViewQuery } from '../workflows/handover-messages.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { proposeHandoverRows, startHandover } from '../harness/handovers.js';
import { startHarness, type Harness } from './support/harness.js';
import { startApp } from '../harness/processes.js';

type History = proto.temporal.api.history.v1.IHistory;

const keys = (...ids: string[]) => parsePayloadKeys(ids.map(newPayloadKeyEntry).join(','), 'test');
const plain = (value: unknown) => defaultPayloadConverter.toPayload(value)!;
const valueOf = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const metadata = (payload: Payload, key: string) => Buffer.from(payload.metadata?.[key] ?? []).toString();

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'kim-keys-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('payload encryption codec', () => {
  const person = { givenName: 'Oksana', familyName: 'Hrytsenko', birthDate: '1979-03-08' };

  it('encrypts with the current key, a fresh IV each time, and decodes to the original payload', async () => {
    const codec = new PayloadEncryptionCodec(keys('k1'));
    const original = plain(person);
    const [a] = await codec.encode([original]);
    const [b] = await codec.encode([original]);
    expect(metadata(a!, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(metadata(a!, KEY_ID_METADATA)).toBe('k1');
    expect(Buffer.from(a!.data!).toString('latin1')).not.toContain('Hrytsenko');
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    const [decoded] = await codec.decode([a!]);
    expect(valueOf(decoded!)).toEqual(person);
    expect(metadata(decoded!, 'encoding')).toBe('json/plain');
  });

  it('rotates: a new first key encrypts new payloads, the old key still decrypts old ones', async () => {
    const [k1, k2] = [keys('2024-01')[0]!, keys('2025-01')[0]!];
    const [old] = await new PayloadEncryptionCodec([k1]).encode([plain(person)]);
    const rotated = new PayloadEncryptionCodec([k2, k1]);
    expect(valueOf((await rotated.decode([old!]))[0]!)).toEqual(person);
    const [fresh] = await rotated.encode([plain(person)]);
    expect(metadata(fresh!, KEY_ID_METADATA)).toBe('2025-01');
    // Removing the old key too early: the error names the key that is missing.
    await expect(new PayloadEncryptionCodec([k2]).decode([old!])).rejects.toThrow(/key "2024-01", which is not configured/);
  });

  it('refuses altered data and a payload claiming another key', async () => {
    const codec = new PayloadEncryptionCodec(keys('k1', 'k2'));
    const [encrypted] = await codec.encode([plain(person)]);
    const tampered = Buffer.from(encrypted!.data!);
    tampered[20]! ^= 0x01;
    await expect(codec.decode([{ ...encrypted!, data: tampered }])).rejects.toThrow(/failed authentication/);
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/key "k2"/);
    const unknown = { ...encrypted!, metadata: { ...encrypted!.metadata, [KEY_ID_METADATA]: Buffer.from('lost-key') } };
    await expect(codec.decode([unknown])).rejects.toThrow(/"lost-key"/);
  });

  it('passes payloads written before encryption unchanged (existing histories)', async () => {
    const codec = new PayloadEncryptionCodec(keys('k1'));
    const old = [plain(person), plain(null), plain(new Uint8Array([1, 2, 3]))];
    expect(await codec.decode(old)).toEqual(old);
  });
});

describe('payload key configuration', () => {
  const secret = newPayloadKeyEntry('x').slice(2);

  it('parses id:base64key lists and rejects bad entries without echoing key material', () => {
    expect(parsePayloadKeys(`a:${secret}, b:${secret}\n`, 'S').map((k) => k.id)).toEqual(['a', 'b']);
    const short = Buffer.alloc(16).toString('base64');
    expect(() => parsePayloadKeys(`a:${short}`, 'S')).toThrow(/key "a" must be 32 bytes/);
    expect(() => parsePayloadKeys(`a:${secret},a:${secret}`, 'S')).toThrow(/"a" appears twice/);
    expect(() => parsePayloadKeys(secret, 'S')).toThrow(/entry 1/);
    expect(() => parsePayloadKeys(' , ', 'S')).toThrow(/no key/);
    try {
      parsePayloadKeys(`a:${secret.slice(1)}`, 'S');
    } catch (error) {
      expect((error as Error).message).not.toContain(secret.slice(1, 20));
    }
  });

  it('reads KIM_PAYLOAD_KEYS or KIM_PAYLOAD_KEYS_FILE, not both', () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'mounted-keys');
    writeFileSync(file, `new:${secret}\nold:${secret}\n`);
    const fromFile = loadPayloadEncryption({ nodeEnv: 'production', dataDir, payloadKeys: { file } });
    expect(fromFile.codec.currentKeyId).toBe('new');
    expect(loadPayloadEncryption({ nodeEnv: 'production', dataDir, payloadKeys: { inline: `env:${secret}` } }).codec.currentKeyId).toBe('env');
    expect(() => loadPayloadEncryption({ nodeEnv: 'production', dataDir, payloadKeys: { inline: `env:${secret}`, file } })).toThrow(/only one/);
  });

  it('in production without keys: refuses instead of generating one', () => {
    expect(() => loadPayloadEncryption({ nodeEnv: 'production', dataDir: tempDir(), payloadKeys: {} }, { generate: true })).toThrow(
      /NODE_ENV=production set KIM_PAYLOAD_KEYS or KIM_PAYLOAD_KEYS_FILE/,
    );
  });

  it('in development without keys: generates a key file once (0600) and reuses it', () => {
    const dataDir = join(tempDir(), 'var');
    const config = { nodeEnv: 'development', dataDir, payloadKeys: {} };
    expect(() => loadPayloadEncryption(config)).toThrow(/No workflow data key/);
    const first = loadPayloadEncryption(config, { generate: true });
    expect(first.generatedFile).toBe(join(dataDir, 'payload-keys'));
    expect(statSync(first.generatedFile!).mode & 0o777).toBe(0o600);
    const second = loadPayloadEncryption(config, { generate: true });
    expect(second.generatedFile).toBeUndefined();
    expect(second.codec.currentKeyId).toBe(first.codec.currentKeyId);
  });

  it('npm start with NODE_ENV=production and no keys stops with a clear message', async () => {
    const app = startApp({ NODE_ENV: 'production', KIM_DATA_DIR: tempDir(), KIM_PAYLOAD_KEYS: undefined, KIM_PAYLOAD_KEYS_FILE: undefined });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/Start fehlgeschlagen: No key to encrypt workflow data/);
    expect(app.output()).not.toContain('ist bereit');
  });
});

/** Every payload in a (raw) history with its path; search attributes are plaintext by design and listed apart. */
function payloadsIn(value: unknown, path = ''): Array<{ path: string; payload: Payload }> {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return [];
  const record = value as Record<string, unknown>;
  if (record.data instanceof Uint8Array && (record.metadata === undefined || typeof record.metadata === 'object')) {
    return [{ path, payload: record as Payload }];
  }
  return Object.entries(record).flatMap(([key, child]) => payloadsIn(child, `${path}.${key}`));
}

/** All text in a raw history: its JSON and every byte field decoded (so text inside payloads is searched too). */
function textOf(history: History): string {
  const parts: string[] = [JSON.stringify(history)];
  const walk = (value: unknown) => {
    if (value instanceof Uint8Array) parts.push(Buffer.from(value).toString('utf8'), Buffer.from(value).toString('latin1'));
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(history);
  return parts.join('\n');
}

describe('workflow data on the dev server', () => {
  let h: Harness;
  let raw: Client;
  let codec: PayloadCodec;
  let counsellor: Actor;
  let cm: Actor;

  beforeAll(async () => {
    h = await startHarness({ withApp: false });
    // A client as someone with access to the engine but not to the key: same connection, no codec.
    raw = new Client({ connection: h.client.connection });
    codec = h.dataConverter.payloadCodecs![0]!;
    counsellor = await demoActor(h.db, 'abh@kim.example');
    cm = await demoActor(h.db, 'cm.drk@kim.example');
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Raw history of a workflow: no plaintext secret anywhere, every payload encrypted — and the key would reveal them. */
  async function expectEncryptedHistory(workflowId: string, secrets: string[]) {
    const history = await raw.workflow.getHandle(workflowId).fetchHistory();
    const text = textOf(history);
    for (const secret of secrets) expect(text, `raw history of ${workflowId} contains "${secret}"`).not.toContain(secret);
    const payloads = payloadsIn(history);
    // The SDK's own marker data (a patch's id; a local activity's number, attempt, type and times) is written by the
    // SDK core in plain JSON, not through the codec: it holds no case data, which the keys below pin down.
    const sdkMarker = (p: { path: string }) => /markerRecordedEventAttributes\.details\.(patch-data|data)\./.test(p.path);
    const MARKER_KEYS = ['activity_id', 'activity_type', 'attempt', 'backoff', 'complete_time', 'deprecated', 'id', 'original_schedule_time', 'seq'];
    for (const p of payloads.filter(sdkMarker)) {
      expect(Object.keys(JSON.parse(Buffer.from(p.payload.data!).toString('utf8'))).filter((k) => !MARKER_KEYS.includes(k)), p.path).toEqual([]);
    }
    const notEncrypted = payloads.filter((p) => !p.path.includes('searchAttributes') && !sdkMarker(p) && metadata(p.payload, 'encoding') !== ENCRYPTED_ENCODING);
    expect(notEncrypted.map((p) => p.path)).toEqual([]);
    // Control: the search above would have found them — decrypted, the same payloads do contain the secrets.
    const decrypted = await codec.decode(payloads.map((p) => p.payload));
    const decryptedText = decrypted.map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');
    return { history, found: secrets.filter((s) => decryptedText.includes(s)) };
  }

  it('keeps a new person of a handover (name, birth date, note) out of the engine in plaintext', async () => {
    const person = { givenName: 'Wolodymyr', familyName: 'Quellenfrost-Achterberg', birthDate: '1977-11-23', municipality: 'Kall', languages: ['uk'] };
    const residenceNote = 'Aufenthaltsnotiz Zebrafink-4711';
    const meetingNote = 'Gesprächsnotiz Nachtigall-0815';
    const open = await proposeHandoverRows(h.db, counsellor, {
      body: { person, residenceLaw: { permits: ['§24'], notes: residenceNote }, reason: 'Unterstützung bei Wohnungssuche' },
    });
    const handle = await startHandover(h.client, h.taskQueue, open);
    const by = (who: Actor) => (action: HandoverAction, payload: unknown = {}) =>
      handle.executeUpdate(handoverActionUpdate, { args: [{ action, payload, actor: who }] });
    await by(counsellor)('record-consent', { decision: 'given' });
    await by(cm)('schedule-meeting', { at: new Date(Date.now() + 3 * 86_400_000).toISOString(), participants: ['Klient', 'ABH', 'DRK'] });
    await by(counsellor)('complete-meeting', { notes: meetingNote });
    const accepted = await by(cm)('accept');

    // The app's client (with the codec) reads everything.
    const view = await h.client.workflow.getHandle(handle.workflowId).query(handoverViewQuery);
    expect(view.person).toMatchObject({ givenName: person.givenName, familyName: person.familyName, birthDate: person.birthDate });
    await handle.result();

    const secrets = [person.givenName, person.familyName, person.birthDate, residenceNote, meetingNote];
    const { found } = await expectEncryptedHistory(handle.workflowId, secrets);
    expect(found).toEqual(secrets);
    // The case the handover opened: its start input and activities carry the person's data too.
    await expectEncryptedHistory(caseWorkflowId(accepted.caseId!), secrets);

    // A client without the key cannot read the workflow's answers either.
    await expect(raw.workflow.getHandle(caseWorkflowId(accepted.caseId!)).query(caseViewQuery)).rejects.toThrow();
  });

  it('keeps the assessment text of a case update out of the engine in plaintext, and the history replays with the key', async () => {
    const situation = 'Lebt mit drei Kindern in der Notunterkunft am Kranichweg, Asylverfahren offen';
    const open = await openCaseRows(h.db, { assigneeId: cm.id });
    const handle: WorkflowHandle = await startCase(h.client, h.taskQueue, open);
    const act = (action: CaseAction, payload: unknown = {}) => handle.executeUpdate(caseActionUpdate, { args: [{ action, payload, actor: cm }] });
    await act('confirm-provider', { organisationId: 'drk' });
    await act('record-consent', { scope: 'data_processing', decision: 'given' });
    await act('start-assessment');
    await act('complete-assessment', { lifeAreas: [{ area: 'housing', situation, need: 'high' }] });
    expect((await handle.query(caseViewQuery)).assessment?.lifeAreas[0]?.situation).toBe(situation);

    const { history, found } = await expectEncryptedHistory(handle.workflowId, [situation, 'Kranichweg']);
    expect(found).toEqual([situation, 'Kranichweg']);

    // Replay (as tests/replay.test.ts does for recorded histories) needs the same data converter.
    const workflowBundle = { codePath: inject('workflowBundlePath') };
    await Worker.runReplayHistory({ workflowBundle, dataConverter: h.dataConverter }, history, handle.workflowId);
    await expect(Worker.runReplayHistory({ workflowBundle }, history, handle.workflowId)).rejects.toThrow();
  });

  it('keeps failure messages and stack traces out of the engine in plaintext (workflow and activity side)', async () => {
    // A workflow that fails in workflow code (the bundle's failure converter): input with neither open nor continued.
    const workflowId = `case-failure-${Date.now()}`;
    const handle = await h.client.workflow.start('caseWorkflow', { workflowId, taskQueue: h.taskQueue, args: [{ settings: {} }] });
    const failed = await handle.result().then(
      () => undefined,
      (error: unknown) => error as { cause?: { message?: string } },
    );
    // The app's client decodes the message…
    expect(failed?.cause?.message).toBe('caseWorkflow needs either open or continued input');
    // …the engine holds only "Encoded failure" and ciphertext.
    const history = await raw.workflow.getHandle(workflowId).fetchHistory();
    const event = history.events!.find((e) => e.workflowExecutionFailedEventAttributes)!;
    const failure = event.workflowExecutionFailedEventAttributes!.failure!;
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace ?? '').toBe('');
    expect(metadata(failure.encodedAttributes!, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(textOf(history)).not.toContain('needs either open or continued');

    // Activity failures are converted by the worker's own converter: the same setting.
    const loaded = loadDataConverter(h.dataConverter);
    const converted = loaded.failureConverter.errorToFailure(new Error('Eintrag für Frau Quellenfrost fehlgeschlagen'), loaded.payloadConverter);
    expect(converted.message).toBe('Encoded failure');
    const [encrypted] = await codec.encode([converted.encodedAttributes!]);
    expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain('Quellenfrost');
  });
});
