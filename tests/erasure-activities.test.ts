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
});
