// The record of a case's batch of events as the case workflow writes it since version 5: a local activity (no
// activity task round trip through the server) making one statement, `kim_record_case_batch` (see its migration),
// then folding the new events into the case's controlling facts. Only what the batch changed is written: its events,
// the read model, the snapshot, the deadlines and consents it changed and its notifications. Idempotent by the
// workflow's seq: a retried or repeated batch changes nothing twice, and batches applied in any order leave the same
// rows as applied in order (tests/case-batch-records.test.ts).
import { ApplicationFailure } from '@temporalio/common';
import { CASE_FACTS_VERSION, emptyCaseFacts, foldCaseFacts, parseStoredFacts, type CaseFacts } from '../domain/controlling.js';
import type { Database } from '../platform/database.js';
import { RECORD_REJECTED, type CaseBatchRecord, type CaseBatchResult } from '../workflows/case-messages.js';
import { refoldCaseFacts, upsertFacts } from './case-facts-records.js';
import { caseNotificationRow } from './case-records.js';
import { lastSeqOf } from './event-records.js';

interface StoredFactsRow {
  lastSeq: number;
  version: number;
  facts: string;
  days: CaseFacts['days'] | null;
}

interface BatchOutcome {
  erased: boolean;
  inserted: number;
  facts?: StoredFactsRow | null;
}

/** The statement's argument: the batch in the column names of the tables it goes to. */
function batchArgument(input: CaseBatchRecord, lastSeq: number) {
  const { caseId, events } = input;
  return {
    caseId,
    lastSeq,
    events: events.map((e) => ({ seq: e.seq, type: e.type, at: e.at, actorId: e.actorId ?? null, summary: e.summary, data: e.data ?? {} })),
    readModel: input.readModel,
    snapshot: input.snapshot ?? null,
    snapshotAt: events[events.length - 1]!.at,
    deadlines: input.deadlines.map((d) => ({ id: d.id, kind: d.kind, dueAt: d.dueAt, escalateAt: d.escalateAt ?? null, status: d.status, refId: d.refId ?? null })),
    consents: input.consents,
    notifications: input.notifications.map((n) => caseNotificationRow(caseId, n)),
  };
}

/**
 * Folds the batch into the case's facts. Incremental when the facts end right before the batch (the normal case: the
 * workflow writes its batches one after the other); otherwise — a batch that arrived after a later one, facts of
 * another format, a gap left by a write that died between statement and fold, a concurrent writer — refolded from
 * the events. A retried batch (nothing new inserted) whose events the facts already cover changes nothing.
 */
async function foldBatchFacts(db: Database, input: CaseBatchRecord, outcome: BatchOutcome, lastSeq: number): Promise<void> {
  const stored = outcome.facts;
  if (outcome.inserted === 0 && stored && stored.version === CASE_FACTS_VERSION && stored.lastSeq >= lastSeq) return;
  const firstSeq = input.events[0]!.seq;
  const current = stored?.version === CASE_FACTS_VERSION ? parseStoredFacts(stored.facts, stored.days ?? {}) : null;
  const continues = stored ? current !== null && stored.lastSeq === firstSeq - 1 : firstSeq === 1;
  if (continues) {
    const folded = foldCaseFacts(current ?? emptyCaseFacts(), input.events);
    const expected = stored ? { lastSeq: stored.lastSeq, version: stored.version } : null;
    if (await upsertFacts(db, input.caseId, folded, expected)) return;
  }
  await db.$transaction((tx) => refoldCaseFacts(tx, input.caseId));
}

/**
 * The SQLSTATE of a PostgreSQL error as Prisma's driver adapter reports it, when it says the data itself is refused:
 * class 22 (data exception) or 23 (integrity constraint violation). Such a write fails the same way however often it
 * is retried; anything else (connection lost, timeout, lock, a missing function before a migration) may pass later.
 */
export function refusedDataState(error: unknown): string | null {
  const cause = ((error as { meta?: unknown } | null)?.meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined)?.driverAdapterError?.cause;
  const code = cause?.originalCode;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code) ? code : null;
}

const errorMessage = (error: unknown) => ((error as { meta?: { driverAdapterError?: { cause?: { originalMessage?: string } } } }).meta?.driverAdapterError?.cause?.originalMessage ?? String(error)).slice(0, 500);

/** Notes the refusal for IT (one row per refused batch, counted up on each retry) and fails the write for good. */
async function rejectBatch(db: Database, input: CaseBatchRecord, sqlState: string, error: unknown): Promise<never> {
  const message = errorMessage(error);
  const fromSeq = input.events[0]!.seq;
  await db.$executeRaw`
    INSERT INTO "CaseRecordRejection" ("id", "caseId", "fromSeq", "toSeq", "sqlState", "message")
    VALUES (gen_random_uuid()::text, ${input.caseId}, ${fromSeq}, ${lastSeqOf(input.events)}, ${sqlState}, ${message})
    ON CONFLICT ("caseId", "fromSeq") DO UPDATE SET "sqlState" = EXCLUDED."sqlState", "message" = EXCLUDED."message",
      "lastAt" = now(), "attempts" = "CaseRecordRejection"."attempts" + 1, "resolvedAt" = NULL`;
  throw ApplicationFailure.create({
    type: RECORD_REJECTED,
    nonRetryable: true,
    message: `Die Datenbank weist den Eintrag der Ereignisse ${fromSeq}–${lastSeqOf(input.events)} ab (SQLSTATE ${sqlState}): ${message}`,
    details: [{ sqlState, fromSeq }],
  });
}

export function createCaseBatchRecordActivities(db: Database) {
  return {
    /** Writes one batch (see the file comment); answers which events are recorded, for the engine cross-check. */
    async recordCaseBatch(input: CaseBatchRecord): Promise<CaseBatchResult> {
      const lastSeq = lastSeqOf(input.events);
      let outcome: BatchOutcome;
      try {
        const [row] = await db.$queryRaw<Array<{ outcome: BatchOutcome | string }>>`
          SELECT kim_record_case_batch(${JSON.stringify(batchArgument(input, lastSeq))}::jsonb) AS "outcome"`;
        outcome = typeof row!.outcome === 'string' ? JSON.parse(row!.outcome) : row!.outcome;
      } catch (error) {
        const sqlState = refusedDataState(error);
        if (sqlState) return rejectBatch(db, input, sqlState, error);
        throw error;
      }
      // IT's retry after a refusal landed: the refusal is resolved (only then — no extra statement on the hot path).
      if (input.retry) await db.$executeRaw`UPDATE "CaseRecordRejection" SET "resolvedAt" = now() WHERE "caseId" = ${input.caseId} AND "resolvedAt" IS NULL`;
      if (outcome.erased) return { erased: true, recorded: [] };
      await foldBatchFacts(db, input, outcome, lastSeq);
      return { erased: false, recorded: input.events.map((e) => [e.seq, e.type]) };
    },
  };
}
