// Per-case data keys (platform/data-keys.ts) against real PostgreSQL and the real dev server: one wrapped key per
// case, rotation of the installation key by re-wrapping, and crypto-erasure — destroying one case's key makes that
// case's engine history unreadable for anyone holding every installation key, while other cases stay readable.
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseAction } from '../domain/index.js';
import { DATA_KEY_CACHE_MS, DATA_KEY_MAX_STALE_MS, RETIRED_KEY_WAIT_MS } from '../domain/index.js';
import { loadConfig } from '../platform/config.js';
import { createDatabase, type Database } from '../platform/database.js';
import { DataKeyDestroyedError, DataKeyStore, rewrapDataKeys, unwrapDataKey } from '../platform/data-keys.js';
import { KEY_ID_METADATA, loadPayloadKeys, newPayloadKeyEntry, parsePayloadKeys, PayloadEncryptionCodec } from '../platform/payload-codec.js';
import { caseActionUpdate, caseViewQuery, caseWorkflowId } from '../workflows/case-messages.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { startHarness, type Harness } from './support/harness.js';
import { decodedText, encodedPayloads } from './support/payloads.js';
import { sweepOverdueErasures } from '../scripts/lib/retention-sweep.js';
import { handoverRetentionWorkflowId } from '../workflows/retention-ids.js';

const key = (id: string) => parsePayloadKeys(newPayloadKeyEntry(id), 'test')[0]!;
const json = (value: unknown): Payload => ({ metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });
const meta = (p: Payload, name: string) => Buffer.from(p.metadata?.[name] ?? []).toString();
const subject = () => `case-${randomBytes(8).toString('hex')}`;
const context = (workflowId: string) => ({ type: 'workflow' as const, namespace: 'default', workflowId });

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ withApp: false });
});
afterAll(async () => {
  await h?.close();
});

describe('data key store', () => {
  it('creates one key per subject, stored only wrapped with the current installation key', async () => {
    const k1 = key('k1');
    const s = subject();
    // Two processes encrypting the first payloads of a case at the same moment end up with the same key.
    const [a, b] = await Promise.all([new DataKeyStore(h.db, [k1]).keyForEncryption(s), new DataKeyStore(h.db, [k1]).keyForEncryption(s)]);
    expect(a!.id).toBe(b!.id);
    expect(a!.key.equals(b!.key)).toBe(true);
    const row = await h.db.dataKey.findUniqueOrThrow({ where: { subject: s } });
    expect(row).toMatchObject({ id: a!.id, wrappingKeyId: 'k1', retiredAt: null, destroyedAt: null });
    expect(Buffer.from(row.wrappedKey!).includes(a!.key)).toBe(false);
    expect(unwrapDataKey(row.wrappedKey!, row.id, s, k1).equals(a!.key)).toBe(true);
    // The wrapped key is bound to its row: moved to another subject it does not open.
    expect(() => unwrapDataKey(row.wrappedKey!, row.id, subject(), k1)).toThrow(/failed authentication/);
    // Another installation key does not open it either.
    expect(() => unwrapDataKey(row.wrappedKey!, row.id, s, key('k1'))).toThrow(/failed authentication/);
  });

  it('rotation: re-wrapping with a new installation key lets the old one go', async () => {
    const old = key('2025-01');
    const next = key('2026-01');
    const s = subject();
    const codecOld = new PayloadEncryptionCodec([old], new DataKeyStore(h.db, [old]));
    const [encrypted] = await codecOld.encode([json({ note: 'Rotationstest' })], context(s));
    // Step 2 of the README: the new key first, the old one still listed; then re-wrap.
    const result = await rewrapDataKeys(h.db, [next, old]);
    expect(result.rewrapped).toBeGreaterThanOrEqual(1);
    expect(result.current).toBe('2026-01');
    expect((await h.db.dataKey.findUniqueOrThrow({ where: { subject: s } })).wrappingKeyId).toBe('2026-01');
    expect(await h.db.dataKey.count({ where: { wrappingKeyId: '2025-01' } })).toBe(0);
    // Keys under an installation key this call was not given (other tests' keys here) are reported, not touched.
    const others = await h.db.dataKey.count({ where: { wrappedKey: { not: null }, wrappingKeyId: { notIn: ['2026-01'] } } });
    expect(Object.values(result.notConfigured).reduce((a, b) => a + b, 0)).toBe(others);
    // A process that only has the new key reads the payload written under the old one.
    const [decoded] = await new PayloadEncryptionCodec([next], new DataKeyStore(h.db, [next])).decode([encrypted!]);
    expect(JSON.parse(Buffer.from(decoded!.data!).toString())).toEqual({ note: 'Rotationstest' });
    // Control: without the re-wrap a process with the new key alone could not.
    const s2 = subject();
    const [other] = await codecOld.encode([json(1)], context(s2));
    await expect(new PayloadEncryptionCodec([next], new DataKeyStore(h.db, [next])).decode([other!])).rejects.toThrow(/"2025-01", which is not configured/);
  });

  it('retired keys decrypt but encrypt nothing new; destroyed keys decrypt nothing', async () => {
    const k = key('k');
    const s = subject();
    const store = new DataKeyStore(h.db, [k]);
    const codec = new PayloadEncryptionCodec([k], store);
    const [before] = await codec.encode([json('vorher')], context(s));
    expect(meta(before!, KEY_ID_METADATA)).toMatch(/^dk_/);
    await store.retire([s]);
    const [after] = await codec.encode([json('nachher')], context(s));
    expect(meta(after!, KEY_ID_METADATA)).toBe('k');
    await expect(new PayloadEncryptionCodec([k], new DataKeyStore(h.db, [k])).decode([before!])).resolves.toHaveLength(1);
    await store.destroy([s], 'test');
    const row = await h.db.dataKey.findUniqueOrThrow({ where: { subject: s } });
    expect(row).toMatchObject({ wrappedKey: null, wrappingKeyId: null, destroyedReason: 'test' });
    for (const reader of [codec, new PayloadEncryptionCodec([k], new DataKeyStore(h.db, [k]))]) {
      await expect(reader.decode([before!])).rejects.toBeInstanceOf(DataKeyDestroyedError);
      // What was written after retirement stays readable: it never used the destroyed key.
      await expect(reader.decode([after!])).resolves.toHaveLength(1);
    }
  });

  it('while the database is away: a key read less than 60 s ago still encrypts, an older one does not', async () => {
    const k = key('outage');
    const s = subject();
    // The store's database switches to a real client on a closed port (connection refused) for the outage.
    const dead = createDatabase('postgresql://kim@127.0.0.1:1/kim');
    let db: Database = h.db;
    const switching = new Proxy({} as Database, { get: (_t, prop) => (db as unknown as Record<string | symbol, unknown>)[prop] });
    let clock = 1_000_000;
    const store = new DataKeyStore(switching, [k], () => clock);
    const first = await store.keyForEncryption(s);
    expect(first).not.toBeNull();
    db = dead;
    clock += DATA_KEY_CACHE_MS + 5_000; // past the cache, within the outage allowance
    expect((await store.keyForEncryption(s))?.id).toBe(first!.id);
    await expect(store.keyForDecryption(first!.id)).resolves.toEqual(first!.key);
    clock = 1_000_000 + DATA_KEY_MAX_STALE_MS + 1; // longer than the erasure's wait allows
    await expect(store.keyForEncryption(s)).rejects.toThrow();
    db = h.db;
    expect((await store.keyForEncryption(s))?.id).toBe(first!.id);
    expect(RETIRED_KEY_WAIT_MS).toBeGreaterThan(DATA_KEY_MAX_STALE_MS);
    await dead.$disconnect();
  });

  it('uses the installation key for workflows that are not cases or handovers', async () => {
    const k = key('inst');
    const codec = new PayloadEncryptionCodec([k], new DataKeyStore(h.db, [k]));
    const [p] = await codec.encode([json(1)], context('bench-something'));
    expect(meta(p!, KEY_ID_METADATA)).toBe('inst');
    const [q] = await codec.encode([json(1)]);
    expect(meta(q!, KEY_ID_METADATA)).toBe('inst');
  });
});

describe('crypto-erasure on the dev server', () => {
  it("destroying one case's key makes its engine history unreadable with all installation keys; other cases stay readable", async () => {
    const cm = await demoActor(h.db, 'cm.drk@kim.example');
    const situation = `Geheimnis-${randomBytes(4).toString('hex')}`;
    const run = async () => {
      const open = await openCaseRows(h.db, { assigneeId: cm.id });
      const handle = await startCase(h.client, h.taskQueue, open);
      const act = (action: CaseAction, payload: unknown = {}) => handle.executeUpdate(caseActionUpdate, { args: [{ action, payload, actor: cm }] });
      await act('record-consent', { scope: 'data_processing', decision: 'given' });
      await act('start-assessment');
      await act('complete-assessment', { lifeAreas: [{ area: 'health', situation, need: 'high' }] });
      return { open, handle };
    };
    const erased = await run();
    const kept = await run();

    // Every payload of the case's history is under its own data key, whose row names the case.
    const raw = new Client({ connection: h.client.connection });
    const payloadsOf = async (workflowId: string) => encodedPayloads(await raw.workflow.getHandle(workflowId).fetchHistory());
    const erasedPayloads = await payloadsOf(erased.handle.workflowId);
    const keyIds = new Set(erasedPayloads.map((p) => meta(p, KEY_ID_METADATA)));
    expect(keyIds.size).toBe(1);
    const [keyId] = [...keyIds];
    expect(keyId).toMatch(/^dk_/);
    expect((await h.db.dataKey.findUniqueOrThrow({ where: { id: keyId! } })).subject).toBe(caseWorkflowId(erased.open.caseId));
    // The other case has a key of its own.
    const keptPayloads = await payloadsOf(kept.handle.workflowId);
    expect(new Set(keptPayloads.map((p) => meta(p, KEY_ID_METADATA)))).not.toContain(keyId);

    // Someone with every installation key (a restored backup, say) and a fresh process reads both — until the key is gone.
    const installation = loadPayloadKeys(loadConfig()).keys;
    const fresh = () => new PayloadEncryptionCodec(installation, new DataKeyStore(h.db, installation));
    expect(await decodedText(fresh(), erasedPayloads)).toContain(situation);

    await erased.handle.terminate('test: crypto-erasure');
    await h.dataKeys.destroy([caseWorkflowId(erased.open.caseId)], 'test');

    await expect(fresh().decode(erasedPayloads)).rejects.toBeInstanceOf(DataKeyDestroyedError);
    await expect(fresh().decode(erasedPayloads.slice(0, 1))).rejects.toThrow(/vernichtet/);
    expect(await decodedText(fresh(), keptPayloads)).toContain(situation);
    expect((await kept.handle.query(caseViewQuery)).assessment?.lifeAreas[0]?.situation).toBe(situation);
  });
});

describe('retention sweep after a database restore', () => {
  it('erases closed cases past their retention whose workflow is gone, and leaves running ones to their workflow', async () => {
    const coordinator = await demoActor(h.db, 'koordination@kim.example');
    const closedCase = async () => {
      const open = await openCaseRows(h.db);
      const handle = await startCase(h.client, h.taskQueue, open);
      await handle.executeUpdate(caseActionUpdate, { args: [{ action: 'close', payload: { reason: 'moved_away', goalAttainment: 'partly' }, actor: coordinator }] });
      // As a restored backup from before the erasure looks: retention deadline open and past due.
      await h.db.caseDeadline.updateMany({ where: { caseId: open.caseId, kind: 'retention' }, data: { dueAt: new Date(Date.now() - 86_400_000) } });
      return { open, handle };
    };
    const gone = await closedCase();
    const running = await closedCase();
    await gone.handle.terminate('test: the engine no longer runs this workflow');

    const result = await sweepOverdueErasures(h.db, h.client, { dataKeys: h.dataKeys });
    expect(result.erased).toContain(gone.open.caseId);
    expect(result.erased).not.toContain(running.open.caseId);
    expect(result.leftToWorkflow).toContain(running.open.caseId);

    const erased = await h.db.case.findUniqueOrThrow({ where: { id: gone.open.caseId }, include: { person: true } });
    expect(erased.erasedAt).not.toBeNull();
    expect(erased.person.familyName).toBe('(anonymisiert)');
    expect(await h.db.dataKey.findUniqueOrThrow({ where: { subject: caseWorkflowId(gone.open.caseId) } })).toMatchObject({ wrappedKey: null, destroyedReason: 'retention' });
    const untouched = await h.db.case.findUniqueOrThrow({ where: { id: running.open.caseId }, include: { person: true } });
    expect(untouched.erasedAt).toBeNull();
    expect(untouched.person.familyName).toBe('Person');
    expect((await h.db.dataKey.findUniqueOrThrow({ where: { subject: caseWorkflowId(running.open.caseId) } })).destroyedAt).toBeNull();

    // A second sweep finds nothing more to do for the erased case.
    expect((await sweepOverdueErasures(h.db, h.client)).erased).not.toContain(gone.open.caseId);
  });

  it('catches up after an upgrade: cases erased by the name-only version, handovers that ended without a case', async () => {
    const coordinator = await demoActor(h.db, 'koordination@kim.example');
    // A case the previous version "erased": retention met, name gone, texts and snapshots still there, erasedAt unset.
    const open = await openCaseRows(h.db);
    const handle = await startCase(h.client, h.taskQueue, open);
    await handle.executeUpdate(caseActionUpdate, { args: [{ action: 'close', payload: { reason: 'other', goalAttainment: 'partly', note: 'Altnotiz Rotkehlchen' }, actor: coordinator }] });
    await handle.terminate('test: ended by the previous version');
    await h.db.caseDeadline.updateMany({ where: { caseId: open.caseId, kind: 'retention' }, data: { status: 'met', dueAt: new Date(Date.now() - 86_400_000) } });
    expect(await h.db.caseSnapshot.count({ where: { caseId: open.caseId } })).toBeGreaterThan(0);

    // Two handovers that ended without a case, before retention workflows existed: one four years ago, one last month.
    const counsellor = await h.db.user.findUniqueOrThrow({ where: { email: 'abh@kim.example' } });
    const handover = async (closedAt: Date) => {
      const id = randomBytes(8).toString('hex');
      await h.db.handover.create({
        data: { id, workflowId: `handover-${id}`, state: 'refused', counsellorId: counsellor.id, receivingOrganisationId: 'drk', closedAt, proposal: { person: { familyName: 'Zaunkönig' }, residenceLaw: { permits: ['§25b'] } } },
      });
      return id;
    };
    const old = await handover(new Date(Date.now() - 4 * 365 * 86_400_000));
    const recent = await handover(new Date(Date.now() - 30 * 86_400_000));

    const result = await sweepOverdueErasures(h.db, h.client, { dataKeys: h.dataKeys, taskQueue: h.taskQueue });
    expect(result.erased).toContain(open.caseId);
    expect(await h.db.caseSnapshot.count({ where: { caseId: open.caseId } })).toBe(0);
    expect(JSON.stringify(await h.db.caseEvent.findMany({ where: { caseId: open.caseId } }))).not.toContain('Rotkehlchen');
    expect(result.erasedHandovers).toEqual([old]);
    expect((await h.db.handover.findUniqueOrThrow({ where: { id: old } })).proposal).toEqual({});
    expect(await h.db.dataKey.findUniqueOrThrow({ where: { subject: `handover-${old}` } })).toMatchObject({ wrappedKey: null });
    expect(result.scheduledHandovers).toEqual([recent]);
    expect((await h.db.handover.findUniqueOrThrow({ where: { id: recent } })).proposal).toMatchObject({ residenceLaw: { permits: ['§25b'] } });
    const retention = await h.client.workflow.getHandle(handoverRetentionWorkflowId(recent)).describe();
    expect(retention.status.name).toBe('RUNNING');
    // Idempotent: a second sweep starts nothing twice and erases nothing again.
    const again = await sweepOverdueErasures(h.db, h.client, { dataKeys: h.dataKeys, taskQueue: h.taskQueue });
    expect(again).toMatchObject({ erasedHandovers: [], scheduledHandovers: [] });
    expect(again.erased).not.toContain(open.caseId);
  });
});
