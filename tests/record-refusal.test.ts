// The record activity's answer to a batch the database refuses, called directly against real PostgreSQL (the path
// through the workflow and the API is tests/record-rejection.test.ts): a refusal of the data itself (SQLSTATE class 22
// or 23) fails for good and is listed for IT, counted up on every repeat and resolved by IT's retry; any other error
// (here: the record function missing, as before a migration) is thrown as it is, for the activity's retries.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createCaseBatchRecordActivities, refusedDataState } from '../activities/case-batch-records.js';
import { compactCase, createCase, nextDeadline } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import { RECORD_REJECTED, type CaseBatchRecord } from '../workflows/case-messages.js';
import { openCaseRows } from '../harness/cases.js';
import { useSeededTestDatabase } from './support/seeded-database.js';

let db: Database;
useSeededTestDatabase((opened) => (db = opened));

/** The opening batch of a new case, as the workflow writes it. */
async function openingBatch(): Promise<CaseBatchRecord> {
  const open = await openCaseRows(db, { organisationId: 'drk', municipality: 'Kall', assigneeId: 'u-cm-drk' });
  let n = 0;
  const created = createCase({ ...open, newId: (p: string) => `${p}-${open.caseId}-${++n}` });
  const c = compactCase(created.next);
  const d = nextDeadline(c);
  return {
    caseId: c.id,
    events: created.events.map((e, i) => ({ ...e, seq: i + 1 })),
    readModel: { state: c.state, onHold: c.onHold, organisationId: c.organisationId, assigneeId: c.assigneeId ?? null, closedAt: null, nextDeadline: d ? { kind: d.kind, dueAt: d.dueAt } : null },
    snapshot: c,
    deadlines: c.deadlines,
    consents: [],
    notifications: [],
  };
}

const rejections = (caseId: string) => db.caseRecordRejection.findMany({ where: { caseId } });

describe('a batch the database refuses', () => {
  it('fails for good with the SQLSTATE, is listed once, counted on each repeat, and resolved by the retry', async () => {
    const batch = await openingBatch();
    const { recordCaseBatch } = createCaseBatchRecordActivities(db);
    // A real integrity refusal (23514): a CHECK constraint refusing this case's events.
    await db.$executeRawUnsafe(`ALTER TABLE "CaseEvent" ADD CONSTRAINT "kim_test_refuse" CHECK ("caseId" <> '${batch.caseId}') NOT VALID`);
    try {
      const failure = await recordCaseBatch(batch).then(
        () => expect.fail('the refused batch was accepted'),
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ApplicationFailure);
      const f = failure as ApplicationFailure;
      expect(f.type).toBe(RECORD_REJECTED);
      expect(f.nonRetryable).toBe(true);
      const last = batch.events.length;
      expect(f.message).toMatch(new RegExp(`^Die Datenbank weist den Eintrag der Ereignisse 1–${last} ab \\(SQLSTATE 23514\\): .*kim_test_refuse`));
      expect(f.details).toEqual([{ sqlState: '23514', fromSeq: 1 }]);
      const [row] = await rejections(batch.caseId);
      expect(row).toMatchObject({ fromSeq: 1, toSeq: last, sqlState: '23514', attempts: 1, resolvedAt: null });
      expect(row!.message).toMatch(/kim_test_refuse/);
      expect(await db.caseEvent.count({ where: { caseId: batch.caseId } })).toBe(0);

      // The same batch again (the workflow holds the case; IT may retry before repairing): one row, counted up.
      await expect(recordCaseBatch(batch)).rejects.toBeInstanceOf(ApplicationFailure);
      const rows = await rejections(batch.caseId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ attempts: 2, resolvedAt: null });
      expect(rows[0]!.lastAt.getTime()).toBeGreaterThanOrEqual(row!.lastAt.getTime());
    } finally {
      await db.$executeRawUnsafe('ALTER TABLE "CaseEvent" DROP CONSTRAINT IF EXISTS "kim_test_refuse"');
    }

    // Repaired: an ordinary write does not touch the listing; IT's retry lands and resolves it.
    const answer = await recordCaseBatch({ ...batch, retry: true });
    expect(answer).toEqual({ erased: false, recorded: batch.events.map((e) => [e.seq, e.type]) });
    const [resolved] = await rejections(batch.caseId);
    expect(resolved!.resolvedAt).toBeInstanceOf(Date);
    expect(await db.caseEvent.count({ where: { caseId: batch.caseId } })).toBe(batch.events.length);
    expect(await db.case.findUniqueOrThrow({ where: { id: batch.caseId }, select: { lastEventSeq: true } })).toEqual({ lastEventSeq: batch.events.length });
  });

  it('resolves nothing on an ordinary write, only on the retry', async () => {
    const batch = await openingBatch();
    const { recordCaseBatch } = createCaseBatchRecordActivities(db);
    await db.caseRecordRejection.create({ data: { caseId: batch.caseId, fromSeq: 1, toSeq: 1, sqlState: '23514', message: 'vorher' } });
    await recordCaseBatch(batch);
    expect((await rejections(batch.caseId))[0]!.resolvedAt).toBeNull();
  });

  it('throws any other error as it is, for the retries, and lists nothing', async () => {
    const batch = await openingBatch();
    const { recordCaseBatch } = createCaseBatchRecordActivities(db);
    await db.$executeRawUnsafe('ALTER FUNCTION kim_record_case_batch(jsonb) RENAME TO kim_record_case_batch_away');
    try {
      const error = await recordCaseBatch(batch).then(
        () => expect.fail('the write succeeded without its function'),
        (e: unknown) => e,
      );
      expect(error).not.toBeInstanceOf(ApplicationFailure);
      expect(refusedDataState(error)).toBeNull();
      expect(await rejections(batch.caseId)).toEqual([]);
    } finally {
      await db.$executeRawUnsafe('ALTER FUNCTION kim_record_case_batch_away(jsonb) RENAME TO kim_record_case_batch');
    }
    await expect(recordCaseBatch(batch)).resolves.toMatchObject({ erased: false });
  });
});

describe('refusedDataState', () => {
  const adapterError = (originalCode: unknown) => ({ meta: { driverAdapterError: { cause: { originalCode } } } });

  it('names data exceptions (22) and integrity violations (23) only', () => {
    expect(refusedDataState(adapterError('23514'))).toBe('23514');
    expect(refusedDataState(adapterError('22P02'))).toBe('22P02');
    expect(refusedDataState(adapterError('23505'))).toBe('23505');
    for (const other of ['40001', '42883', '57014', '08006', '2351', '235140', '24000', '21000', 'x23514']) {
      expect(refusedDataState(adapterError(other)), other).toBeNull();
    }
  });

  it('is null for errors without a driver adapter cause or with a code that is not a string', () => {
    for (const error of [null, undefined, new Error('x'), {}, { meta: {} }, { meta: { driverAdapterError: {} } }, adapterError(23514)]) {
      expect(refusedDataState(error)).toBeNull();
    }
  });
});
