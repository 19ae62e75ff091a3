// The erasure activities (activities/erasure.ts) against a real PostgreSQL, called as the retention step of the case
// workflow calls them: the handovers that led to a case are erased with it (proposal, event texts, data keys), a
// handover of another case is not; a person another kept case still refers to keeps their name until that case goes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErasureActivities } from '../activities/erasure.js';
import type { Actor } from '../domain/index.js';
import { loadConfig } from '../platform/config.js';
import { createDatabase, type Database } from '../platform/database.js';
import { DataKeyStore } from '../platform/data-keys.js';
import { deployMigrations } from '../platform/migrations.js';
import { loadPayloadKeys } from '../platform/payload-codec.js';
import { seedDatabase } from '../platform/seed.js';
import { demoActor, openCaseRows } from '../harness/cases.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { proposeHandoverRows } from '../harness/handovers.js';
import { caseWorkflowId } from '../workflows/case-messages.js';

let database: TestDatabase;
let db: Database;
let keys: DataKeyStore;
let counsellor: Actor;
let erasure: ReturnType<typeof createErasureActivities>;

beforeAll(async () => {
  database = await createTestDatabase();
  await deployMigrations({ databaseUrl: database.url });
  db = createDatabase(database.url);
  await seedDatabase(db, { demoPassword: 'x', production: false });
  counsellor = await demoActor(db, 'abh@kim.example');
  keys = new DataKeyStore(db, loadPayloadKeys(loadConfig()).keys);
  erasure = createErasureActivities(db, keys);
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

/** A handover proposed for `caseId` (handed over: it led to the case), with a free-text event and a data key. */
async function handoverOf(caseId: string) {
  const open = await proposeHandoverRows(db, counsellor);
  const row = await db.handover.update({ where: { id: open.handoverId }, data: { caseId, state: 'handed_over' } });
  await db.handoverEvent.create({
    data: {
      handoverId: row.id,
      seq: 1,
      eventKey: `${row.id}:1`,
      type: 'handover_requested',
      at: new Date(),
      summary: 'Übergabe angefragt: Frau Haddad, Duldung seit 2019',
      data: { reason: 'Wohnung, Arbeit, Anerkennung' },
    },
  });
  await keys.keyForEncryption(row.workflowId);
  return row;
}

async function caseWithKey() {
  const open = await openCaseRows(db);
  await keys.keyForEncryption(caseWorkflowId(open.caseId));
  return open.caseId;
}

describe('erasure of a case (activities/erasure.ts)', () => {
  it('erases the handovers that led to the case with it, and no other handover', async () => {
    const caseId = await caseWithKey();
    const led = await handoverOf(caseId);
    const otherCaseId = await caseWithKey();
    const other = await handoverOf(otherCaseId);

    const { subjects } = await erasure.erasePersonalData({ caseId });
    expect(subjects.sort()).toEqual([caseWorkflowId(caseId), led.workflowId].sort());

    const erased = await db.handover.findUniqueOrThrow({ where: { id: led.id }, include: { events: true } });
    expect(erased.proposal).toEqual({});
    expect(JSON.stringify(erased.events)).not.toMatch(/Haddad|Duldung|Wohnung/);
    expect(erased.events.map((e) => e.type)).toEqual(['handover_requested']);
    // Erasure has begun for both workflows: their keys encrypt nothing new, but still decrypt.
    const retired = await db.dataKey.findMany({ where: { subject: { in: subjects } } });
    expect(retired.map((k) => [k.retiredAt !== null, k.wrappedKey !== null])).toEqual([
      [true, true],
      [true, true],
    ]);

    expect(await erasure.destroyCaseDataKeys({ caseId })).toEqual({ destroyed: 2 });
    const destroyed = await db.dataKey.findMany({ where: { subject: { in: subjects } } });
    expect(destroyed.map((k) => [k.wrappedKey, k.destroyedReason])).toEqual([
      [null, 'retention'],
      [null, 'retention'],
    ]);

    // The other case's handover keeps everything.
    const untouched = await db.handover.findUniqueOrThrow({ where: { id: other.id }, include: { events: true } });
    expect(untouched.proposal).toMatchObject({ residenceLaw: { permits: ['§25b'] } });
    expect(untouched.events[0]!.summary).toContain('Haddad');
    expect(await db.dataKey.findUniqueOrThrow({ where: { subject: other.workflowId } })).toMatchObject({ retiredAt: null, destroyedAt: null });
  });

  it('keeps a person another kept case refers to, and erases them with the last of their cases', async () => {
    const first = await caseWithKey();
    const second = await caseWithKey();
    const { personId } = await db.case.findUniqueOrThrow({ where: { id: first } });
    const orphan = (await db.case.findUniqueOrThrow({ where: { id: second } })).personId;
    await db.case.update({ where: { id: second }, data: { personId } });
    await db.person.delete({ where: { id: orphan } });
    await db.person.update({ where: { id: personId }, data: { givenName: 'Karim', familyName: `Beide-${randomUUID().slice(0, 8)}` } });
    const name = (await db.person.findUniqueOrThrow({ where: { id: personId } })).familyName;

    await erasure.erasePersonalData({ caseId: first });
    expect(await db.case.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ erasedAt: expect.any(Date) });
    // The second case is still kept and needs its person.
    expect(await db.person.findUniqueOrThrow({ where: { id: personId } })).toMatchObject({ givenName: 'Karim', familyName: name });

    await erasure.erasePersonalData({ caseId: second });
    const person = await db.person.findUniqueOrThrow({ where: { id: personId } });
    expect(person).toMatchObject({ givenName: '–', familyName: '(anonymisiert)', languages: [] });
    expect(person.birthDate.toISOString().slice(0, 10)).toBe('1985-01-01');
  });

  it('erases the whole case file once and leaves the first erasure time on a second call', async () => {
    const caseId = await caseWithKey();
    const other = await caseWithKey();
    const byId = counsellor.id;
    await db.case.update({ where: { id: caseId }, data: { note: 'Frau Haddad wünscht Termine vormittags' } });
    await db.caseEvent.create({
      data: { caseId, seq: 1, eventKey: `${caseId}:1`, type: 'consent_recorded', at: new Date(), summary: 'Einwilligung von Frau Haddad', data: { note: 'Wohnung in Kall' } },
    });
    await db.caseSnapshot.create({ data: { caseId, seq: 1, at: new Date(), data: { person: 'Haddad' } } });
    await db.caseRecordRejection.create({ data: { caseId, fromSeq: 2, toSeq: 2, sqlState: '23514', message: 'Wert "Haddad" abgelehnt' } });
    await db.consent.create({
      data: { id: `c-${caseId}`, caseId, scope: 'share_with_partner', decision: 'given', partnerName: 'Schuldnerberatung Haddad', purpose: 'Vermittlung', recordedAt: new Date() },
    });
    const bytes = new Uint8Array([1, 2, 3]);
    await db.caseDocument.create({ data: { caseId, kind: 'other', contentType: 'application/pdf', size: 3, keyId: 'k', content: bytes, label: bytes, createdById: byId } });
    await db.caseContact.create({ data: { caseId, keyId: 'k', sealed: bytes, updatedById: byId } });
    await db.caseLink.create({ data: { caseId, linkedCaseId: other, relation: 'child', createdById: byId } });
    await db.caseLink.create({ data: { caseId: other, linkedCaseId: caseId, relation: 'parent', createdById: byId } });
    await db.personMatchKey.create({ data: { caseId, hash: `h-${caseId}` } });
    await db.personMatchKey.create({ data: { caseId: other, hash: `h-${other}` } });
    await db.personMatch.create({ data: { caseId, otherCaseId: other, confirmedById: byId } });
    await db.personMatch.create({ data: { caseId: other, otherCaseId: caseId, status: 'linked', confirmedById: byId } });

    await erasure.erasePersonalData({ caseId });
    const erased = await db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(erased.note).toBeNull();
    expect(erased.erasedAt).toBeInstanceOf(Date);
    const [event] = await db.caseEvent.findMany({ where: { caseId } });
    expect([event!.type, event!.summary]).toEqual(['consent_recorded', 'Einwilligung erfasst (Inhalt gelöscht)']);
    expect(JSON.stringify([event!.summary, event!.data])).not.toMatch(/Haddad|Kall/);
    expect(await db.caseSnapshot.count({ where: { caseId } })).toBe(0);
    expect(await db.caseRecordRejection.count({ where: { caseId } })).toBe(0);
    expect(await db.consent.findUniqueOrThrow({ where: { id: `c-${caseId}` } })).toMatchObject({ partnerName: null, purpose: null, decision: 'given', scope: 'share_with_partner' });
    expect(await db.caseDocument.count({ where: { caseId } })).toBe(0);
    expect(await db.caseContact.count({ where: { caseId } })).toBe(0);
    expect(await db.caseLink.count({ where: { OR: [{ caseId }, { linkedCaseId: caseId }] } })).toBe(0);
    expect(await db.personMatchKey.findMany({ where: { caseId: { in: [caseId, other] } }, select: { caseId: true } })).toEqual([{ caseId: other }]);
    expect(await db.personMatch.count({ where: { OR: [{ caseId }, { otherCaseId: caseId }] } })).toBe(0);
    // The other case keeps its own.
    expect(await db.case.findUniqueOrThrow({ where: { id: other } })).toMatchObject({ erasedAt: null });

    // A retried step 1 (the activity ran again) keeps the time the erasure happened.
    await erasure.erasePersonalData({ caseId });
    expect((await db.case.findUniqueOrThrow({ where: { id: caseId } })).erasedAt).toEqual(erased.erasedAt);
    // A case that is gone: nothing to do, its workflow's key is still named.
    const gone = randomUUID();
    expect(await erasure.erasePersonalData({ caseId: gone })).toEqual({ subjects: [`case-${gone}`] });
  });
});

describe('erasure of a handover that led to no case', () => {
  it('erases its proposal and texts, retires and then destroys its key', async () => {
    const open = await proposeHandoverRows(db, counsellor);
    const row = await db.handover.findUniqueOrThrow({ where: { id: open.handoverId } });
    await db.handoverEvent.create({
      data: { handoverId: row.id, seq: 1, eventKey: `${row.id}:1`, type: 'handover_requested', at: new Date(), summary: 'Übergabe angefragt: Herr Osei', data: { reason: 'Ausbildung in Zülpich' } },
    });
    await keys.keyForEncryption(row.workflowId);

    await erasure.eraseHandoverData({ handoverId: row.id });
    const erased = await db.handover.findUniqueOrThrow({ where: { id: row.id }, include: { events: true } });
    expect(erased.proposal).toEqual({});
    expect(JSON.stringify(erased.events)).not.toMatch(/Osei|Zülpich/);
    expect(await db.dataKey.findUniqueOrThrow({ where: { subject: row.workflowId } })).toMatchObject({ retiredAt: expect.any(Date), destroyedAt: null });

    expect(await erasure.destroyHandoverDataKeys({ handoverId: row.id })).toEqual({ destroyed: 1 });
    expect(await db.dataKey.findUniqueOrThrow({ where: { subject: row.workflowId } })).toMatchObject({ wrappedKey: null, destroyedReason: 'retention' });
    // Unknown handovers: nothing to erase; the key of its workflow id is marked destroyed all the same (a placeholder,
    // so none can be made for it later).
    await expect(erasure.eraseHandoverData({ handoverId: randomUUID() })).resolves.toBeUndefined();
    const unknown = randomUUID();
    expect(await erasure.destroyHandoverDataKeys({ handoverId: unknown })).toEqual({ destroyed: 1 });
    expect(await db.dataKey.findUniqueOrThrow({ where: { subject: `handover-${unknown}` } })).toMatchObject({ wrappedKey: null, destroyedReason: 'retention' });
  });
});
