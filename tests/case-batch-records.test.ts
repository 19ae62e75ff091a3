// The record of case batches (kim_record_case_batch + the facts fold) on PostgreSQL (TEST_DATABASE_URL; else the
// embedded PGlite): batches applied in any order, some twice, leave exactly the rows of applying them in order.
// The batches are built the way the case workflow builds them (workflows/case-workflow.ts `persist`).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCaseBatchRecordActivities, FactsMemory } from '../activities/case-batch-records.js';
import {
  caseTimers,
  changedConsents,
  changedDeadlines,
  compactCase,
  createCase,
  decide,
  nextDeadline,
  onDeadlineFired,
  type Actor,
  type CaseAction,
  type CaseData,
  type DeadlineNotification,
  type DomainEvent,
} from '../domain/index.js';
import type { Database } from '../platform/database.js';
import type { CaseBatchRecord } from '../workflows/case-messages.js';
import { openCaseRows } from '../harness/cases.js';
import { useSeededTestDatabase } from './support/seeded-database.js';

let db: Database;
useSeededTestDatabase((opened) => (db = opened));

const cm: Actor = { id: 'u-cm-drk', role: 'case_manager', organisationId: 'drk' };

/** A case worked through consents, assessment, contacts, goals, a referral, a hold, a withdrawal and a reminder. */
async function workedCaseBatches(): Promise<{ caseId: string; batches: CaseBatchRecord[] }> {
  const open = await openCaseRows(db, { organisationId: 'drk', municipality: 'Zülpich', assigneeId: cm.id });
  let n = 0;
  // Ids name the case (as uuids would be unique), so the copy of a batch for another case gets its own.
  const newId = (p: string) => `${p}-${open.caseId}-${++n}`;
  let now = open.openedAt;
  const created = createCase({ ...open, newId });
  let seq = 0;
  const batches: CaseBatchRecord[] = [];
  let c: CaseData = compactCase(created.next);
  const persist = (previous: CaseData | null, next: CaseData, events: DomainEvent[], notifications: DeadlineNotification[] = []) => {
    c = compactCase(next);
    const numbered = events.map((e) => ({ ...e, seq: ++seq }));
    const d = nextDeadline(c);
    batches.push({
      caseId: c.id,
      events: numbered,
      readModel: { state: c.state, onHold: c.onHold, organisationId: c.organisationId, assigneeId: c.assigneeId ?? null, closedAt: c.closure?.closedAt ?? null, nextDeadline: d ? { kind: d.kind, dueAt: d.dueAt } : null },
      snapshot: c,
      deadlines: changedDeadlines(previous?.deadlines ?? [], next.deadlines),
      consents: changedConsents(previous?.consents ?? [], next.consents),
      notifications: notifications.map((x, i) => ({ ...x, id: `${c.id}:${seq}:${i}` })),
    });
  };
  persist(null, created.next, created.events);
  const act = (action: CaseAction, payload: unknown = {}) => {
    now = new Date(Date.parse(now) + 86_400_000).toISOString();
    const r = decide(c, { action, payload }, { now, actor: cm, newId });
    if (!r.ok) throw new Error(`${action}: ${JSON.stringify(r.error)}`);
    persist(c, r.next, r.events);
  };
  act('record-consent', { scope: 'data_processing', decision: 'given' });
  act('record-consent', { scope: 'share_with_partner', decision: 'given', partnerName: 'Schuldnerberatung', purpose: 'Vermittlung' });
  act('start-assessment');
  for (let i = 0; i < 3; i++) act('record-contact', { kind: 'phone', date: now.slice(0, 10), durationMinutes: 10 + i, note: `Notiz ${i}` });
  act('complete-assessment', { lifeAreas: [{ area: 'finances', situation: 'Schulden', need: 'high' }] });
  act('agree-goals', { goals: [{ title: 'Schulden regeln', measure: 'Beratung', owner: 'Klientin', dueDate: '2030-01-31' }] });
  const share = c.consents.find((k) => k.scope === 'share_with_partner')!;
  act('refer', { service: 'Schuldnerberatung', partnerName: 'Schuldnerberatung', consentId: share.id });
  act('put-on-hold', { reason: 'Krankenhaus' });
  act('resume');
  act('withdraw-consent', { consentId: share.id });
  const timer = caseTimers(c)[0]!;
  const fired = onDeadlineFired(c, timer.deadlineId, timer.phase, timer.at);
  persist(c, fired.next, fired.events, fired.notifications);
  return { caseId: open.caseId, batches };
}

/** Everything the record wrote for a case, with the case id taken out (so two cases compare). */
async function rowsOf(caseId: string) {
  const [events, row, deadlines, consents, snapshots, notifications, facts] = await Promise.all([
    db.caseEvent.findMany({ where: { caseId }, orderBy: { seq: 'asc' }, select: { seq: true, eventKey: true, type: true, at: true, actorId: true, summary: true, data: true } }),
    db.case.findUniqueOrThrow({ where: { id: caseId }, select: { state: true, onHold: true, organisationId: true, assigneeId: true, closedAt: true, nextDeadlineAt: true, nextDeadlineKind: true, lastEventSeq: true } }),
    db.caseDeadline.findMany({ where: { caseId }, orderBy: { id: 'asc' } }),
    db.consent.findMany({ where: { caseId }, orderBy: { id: 'asc' } }),
    db.caseSnapshot.findMany({ where: { caseId }, orderBy: { seq: 'asc' } }),
    db.notification.findMany({ where: { caseId }, orderBy: { id: 'asc' }, select: { id: true, kind: true, deadlineKind: true, recipientRole: true, recipientUserId: true, recipientOrganisationId: true, subject: true, payload: true, status: true } }),
    db.$queryRaw<Array<{ lastSeq: number; facts: string; days: unknown }>>`SELECT "lastSeq", "facts"::text AS "facts", "days" FROM "CaseFacts" WHERE "caseId" = ${caseId}`,
  ]);
  return JSON.parse(JSON.stringify({ events, row, deadlines, consents, snapshots, notifications, facts }).replaceAll(caseId, 'CASE'));
}

describe('case batch records', () => {
  it('in any order and with repeats, give the rows of the batches applied in order', async () => {
    const { recordCaseBatch } = createCaseBatchRecordActivities(db);
    const reference = await workedCaseBatches();
    for (const b of reference.batches) await recordCaseBatch(b);
    const expected = await rowsOf(reference.caseId);
    expect(expected.events.length).toBe(reference.batches.reduce((s, b) => s + b.events.length, 0));
    expect(expected.notifications.length).toBeGreaterThan(0);
    expect(expected.consents.find((k: { withdrawnAt: string | null; scope: string }) => k.scope === 'share_with_partner').withdrawnAt).not.toBeNull();
    const count = reference.batches.length;
    const indices = Array.from({ length: count }, (_, i) => i);

    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(indices, { minLength: count, maxLength: count }),
        fc.array(fc.tuple(fc.nat(count - 1), fc.nat(count)), { maxLength: 6 }),
        async (order, repeats) => {
          const sequence = [...order];
          for (const [batch, at] of repeats) sequence.splice(at % (sequence.length + 1), 0, batch);
          const other = await openCaseRows(db, { organisationId: 'drk', municipality: 'Zülpich', assigneeId: cm.id });
          const batches = reference.batches.map((b) => JSON.parse(JSON.stringify(b).replaceAll(reference.caseId, other.caseId)) as CaseBatchRecord);
          for (const i of sequence) await recordCaseBatch(batches[i]!);
          expect(await rowsOf(other.caseId)).toEqual(expected);
        },
      ),
      { numRuns: 12 },
    );
  }, 300_000);

  it('writes nothing once the case is erased', async () => {
    const { recordCaseBatch } = createCaseBatchRecordActivities(db);
    const { caseId, batches } = await workedCaseBatches();
    await recordCaseBatch(batches[0]!);
    await db.case.update({ where: { id: caseId }, data: { erasedAt: new Date() } });
    expect(await recordCaseBatch(batches[1]!)).toEqual({ erased: true, recorded: [] });
    expect(await db.caseEvent.count({ where: { caseId } })).toBe(batches[0]!.events.length);
  });

  describe('one round trip', () => {
    /** The database as the activity sees it, counting the calls that go to PostgreSQL (a transaction counts once). */
    function counting() {
      const calls: string[] = [];
      const counted = new Proxy(db, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver) as unknown;
          if (typeof key === 'string' && ['$queryRaw', '$executeRaw', '$transaction'].includes(key) && typeof value === 'function') {
            return (...args: unknown[]) => {
              calls.push(key);
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          return value;
        },
      });
      return { db: counted, calls, take: () => calls.splice(0).length };
    }

    it('writes a batch with its controlling facts in one statement when the process wrote the batch before it', async () => {
      const { caseId, batches } = await workedCaseBatches();
      const c = counting();
      const { recordCaseBatch } = createCaseBatchRecordActivities(c.db);
      const perBatch: number[] = [];
      for (const b of batches) {
        await recordCaseBatch(b);
        perBatch.push(c.take());
      }
      expect(perBatch).toEqual(batches.map(() => 1));

      // The same batches without the facts in memory (two statements each, but the case's first batch, which folds
      // from nothing): the same rows, facts included.
      const other = await openCaseRows(db, { organisationId: 'drk', municipality: 'Zülpich', assigneeId: cm.id });
      const twoStatements = createCaseBatchRecordActivities(c.db, new FactsMemory(0));
      for (const [i, b] of batches.entries()) {
        await twoStatements.recordCaseBatch(JSON.parse(JSON.stringify(b).replaceAll(caseId, other.caseId)) as CaseBatchRecord);
        expect(c.take()).toBe(i === 0 ? 1 : 2);
      }
      const folded = await rowsOf(caseId);
      expect(folded.facts).toHaveLength(1);
      expect(await rowsOf(other.caseId)).toEqual(folded);
    });

    it('falls back to reading the facts when another process wrote meanwhile, and is one statement again after', async () => {
      const reference = await workedCaseBatches();
      const { recordCaseBatch: inOrder } = createCaseBatchRecordActivities(db);
      for (const b of reference.batches) await inOrder(b);
      const expected = await rowsOf(reference.caseId);

      const other = await openCaseRows(db, { organisationId: 'drk', municipality: 'Zülpich', assigneeId: cm.id });
      const caseId = other.caseId;
      const batches = reference.batches.map((x) => JSON.parse(JSON.stringify(x).replaceAll(reference.caseId, caseId)) as CaseBatchRecord);
      const c = counting();
      const a = createCaseBatchRecordActivities(c.db);
      const b = createCaseBatchRecordActivities(c.db);
      for (const batch of batches.slice(0, 3)) await a.recordCaseBatch(batch);
      c.take();
      // Another worker process takes the case over and writes the next two batches (it has no facts in memory for
      // the first: two statements; then one).
      await b.recordCaseBatch(batches[3]!);
      await b.recordCaseBatch(batches[4]!);
      expect(c.take()).toBe(3);
      // The first one retries the first of them: its facts in memory match the first but not the stored ones, which
      // already hold both — they are not set back, nothing is written twice, nothing more is asked.
      await a.recordCaseBatch(batches[3]!);
      expect(c.take()).toBe(1);
      const stored = await db.caseFacts.findUniqueOrThrow({ where: { caseId } });
      expect(stored.lastSeq).toBe(batches[4]!.events.at(-1)!.seq);
      // It forgot the case's facts, reads them once with the next batch, then writes in one statement again.
      await a.recordCaseBatch(batches[5]!);
      expect(c.take()).toBe(2);
      await a.recordCaseBatch(batches[6]!);
      expect(c.take()).toBe(1);
      for (const batch of batches.slice(7)) await a.recordCaseBatch(batch);
      expect(await rowsOf(caseId)).toEqual(expected);
    });

    it('forgets the least recently written case beyond its limit', () => {
      const memory = new FactsMemory(2);
      const facts = (seq: number) => ({ seq }) as Parameters<FactsMemory['remember']>[1];
      memory.remember('a', facts(3));
      memory.remember('b', facts(5));
      memory.remember('a', facts(4));
      memory.remember('c', facts(1));
      expect(memory.before('b', 6)).toBeUndefined();
      expect(memory.before('a', 5)).toEqual({ seq: 4 });
      expect(memory.before('a', 4)).toBeUndefined();
      expect(memory.before('c', 2)).toEqual({ seq: 1 });
      memory.remember('c', undefined);
      expect(memory.before('c', 2)).toBeUndefined();
    });
  });
});
