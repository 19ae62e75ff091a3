// The record of a case's batch of events as the case workflow writes it since version 5: a local activity (no
// activity task round trip through the server) making one statement, `kim_record_case_batch` (see its migrations),
// which also writes the case's controlling facts when the process still holds those it wrote for the case's previous
// batch (FactsMemory: folded ahead, compare-and-set in the statement); otherwise the facts are folded or refolded in
// a second statement, as before. Only what the batch changed is written: its events,
// the read model, the snapshot, the deadlines and consents it changed and its notifications. Idempotent by the
// workflow's seq: a retried or repeated batch changes nothing twice, and batches applied in any order leave the same
// rows as applied in order (tests/case-batch-records.test.ts).
import { ApplicationFailure } from '@temporalio/common';
import { CASE_FACTS_VERSION, emptyCaseFacts, foldCaseFacts, parseStoredFacts, storedFacts, type CaseFacts } from '../domain/controlling.js';
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
  /** The facts sent with the batch were written (the stored ones were those they were folded onto). */
  factsWritten?: boolean;
  facts?: StoredFactsRow | null;
}

/**
 * The facts this process last wrote per case (at most `limit` cases, least recently written out), so the next batch
 * of the case can be folded before the statement and written by it. Never the only copy: the statement writes them
 * only if the stored facts are still the ones remembered (lastSeq and format), whoever else wrote meanwhile.
 */
export class FactsMemory {
  private readonly cases = new Map<string, CaseFacts>();
  constructor(private readonly limit = 2_000) {}

  /** The facts remembered for the case if they end right before `firstSeq` (else undefined). */
  before(caseId: string, firstSeq: number): CaseFacts | undefined {
    const facts = this.cases.get(caseId);
    return facts && facts.seq === firstSeq - 1 ? facts : undefined;
  }

  remember(caseId: string, facts: CaseFacts | undefined): void {
    this.cases.delete(caseId);
    if (!facts) return;
    this.cases.set(caseId, facts);
    if (this.cases.size > this.limit) this.cases.delete(this.cases.keys().next().value!);
  }
}

/** The facts folded ahead for the statement: onto those remembered, or from nothing for a case's first batch. */
function foldAhead(memory: FactsMemory, input: CaseBatchRecord): { facts: CaseFacts; expectedLastSeq: number | null } | undefined {
  const firstSeq = input.events[0]!.seq;
  const remembered = memory.before(input.caseId, firstSeq);
  if (remembered) return { facts: foldCaseFacts(remembered, input.events), expectedLastSeq: remembered.seq };
  if (firstSeq === 1) return { facts: foldCaseFacts(emptyCaseFacts(), input.events), expectedLastSeq: null };
  return undefined;
}

/** The folded facts in the statement's argument: the stored columns and what they expect to replace. */
function factsArgument(ahead: { facts: CaseFacts; expectedLastSeq: number | null }) {
  const columns = storedFacts(ahead.facts);
  const opened = ahead.facts.opened[0];
  return {
    lastSeq: ahead.facts.seq,
    version: CASE_FACTS_VERSION,
    openedAt: opened !== undefined ? new Date(opened).toISOString() : null,
    facts: columns.facts,
    days: columns.days,
    expectedLastSeq: ahead.expectedLastSeq,
    expectedVersion: CASE_FACTS_VERSION,
  };
}

/** The statement's argument: the batch in the column names of the tables it goes to. */
function batchArgument(input: CaseBatchRecord, lastSeq: number, ahead?: { facts: CaseFacts; expectedLastSeq: number | null }) {
  const { caseId, events } = input;
  return {
    ...(ahead ? { facts: factsArgument(ahead) } : {}),
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
async function foldBatchFacts(db: Database, input: CaseBatchRecord, outcome: BatchOutcome, lastSeq: number): Promise<CaseFacts | undefined> {
  const stored = outcome.facts;
  if (outcome.inserted === 0 && stored && stored.version === CASE_FACTS_VERSION && stored.lastSeq >= lastSeq) return undefined;
  const firstSeq = input.events[0]!.seq;
  const current = stored?.version === CASE_FACTS_VERSION ? parseStoredFacts(stored.facts, stored.days ?? {}) : null;
  const continues = stored ? current !== null && stored.lastSeq === firstSeq - 1 : firstSeq === 1;
  if (continues) {
    const folded = foldCaseFacts(current ?? emptyCaseFacts(), input.events);
    const expected = stored ? { lastSeq: stored.lastSeq, version: stored.version } : null;
    if (await upsertFacts(db, input.caseId, folded, expected)) return folded;
  }
  return db.$transaction((tx) => refoldCaseFacts(tx, input.caseId));
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

export function createCaseBatchRecordActivities(db: Database, memory = new FactsMemory()) {
  return {
    /** Writes one batch (see the file comment); answers which events are recorded, for the engine cross-check. */
    async recordCaseBatch(input: CaseBatchRecord): Promise<CaseBatchResult> {
      const lastSeq = lastSeqOf(input.events);
      const ahead = foldAhead(memory, input);
      let outcome: BatchOutcome;
      try {
        const [row] = await db.$queryRaw<Array<{ outcome: BatchOutcome | string }>>`
          SELECT kim_record_case_batch(${JSON.stringify(batchArgument(input, lastSeq, ahead))}::jsonb) AS "outcome"`;
        outcome = typeof row!.outcome === 'string' ? JSON.parse(row!.outcome) : row!.outcome;
      } catch (error) {
        const sqlState = refusedDataState(error);
        if (sqlState) return rejectBatch(db, input, sqlState, error);
        throw error;
      }
      // IT's retry after a refusal landed: the refusal is resolved (only then — no extra statement on the hot path).
      if (input.retry) await db.$executeRaw`UPDATE "CaseRecordRejection" SET "resolvedAt" = now() WHERE "caseId" = ${input.caseId} AND "resolvedAt" IS NULL`;
      if (outcome.erased) {
        memory.remember(input.caseId, undefined);
        return { erased: true, recorded: [] };
      }
      memory.remember(input.caseId, outcome.factsWritten ? ahead?.facts : await foldBatchFacts(db, input, outcome, lastSeq));
      return { erased: false, recorded: input.events.map((e) => [e.seq, e.type]) };
    },
  };
}
