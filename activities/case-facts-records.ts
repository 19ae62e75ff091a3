// The controlling facts of a case (table CaseFacts, domain/controlling/facts.ts), kept by the record writes.
import { CASE_FACTS_VERSION, emptyCaseFacts, foldCaseFacts, parseStoredFacts, storedFacts, type CaseFacts, type FactsEvent } from '../domain/controlling.js';
import type { Database } from '../platform/database.js';
import type { Prisma } from '../prisma/generated/client.js';

type Tx = Prisma.TransactionClient;

// ---------------------------------------------------------------------------------------------------------------
// Controlling facts (table CaseFacts, domain/controlling/facts.ts): one compact row per case, folded from its events
// in the transaction that writes them (the batch records of version 5 fold them ahead and write them within their own
// statement when they can: activities/case-batch-records.ts). One extra statement: the facts are read with the erasure check the
// record makes anyway, folded in memory and written by one upsert that succeeds only if nobody changed them since
// (lastSeq and format as read). Otherwise — a batch older than the facts (concurrent updates of one case finishing
// out of order), facts of another format, a case recorded before the facts existed, or a concurrent writer — the
// case's facts are refolded from all its events, which then include this transaction's.

export interface FactsState {
  lastSeq: number;
  version: number;
  facts: CaseFacts;
}

/**
 * The erasure mark of the case and its facts as they are now (one statement). The case row is locked: the record
 * writes of one case run one after the other in the order they got here (the opening before an update that came
 * with the first task), so a batch normally finds the facts of the batch before it and folds onto them.
 */
export async function readCaseAndFacts(tx: Tx, caseId: string): Promise<{ erasedAt: Date | null; facts: FactsState | null }> {
  const [row] = await tx.$queryRaw<Array<{ erasedAt: Date | null; lastSeq: number | null; version: number | null; facts: string | null; days: CaseFacts['days'] | null }>>`
    SELECT c."erasedAt", f."lastSeq", f."version", f."facts"::text AS "facts", f."days"
    FROM "Case" c LEFT JOIN "CaseFacts" f ON f."caseId" = c."id"
    WHERE c."id" = ${caseId}
    FOR UPDATE OF c`;
  if (!row || row.lastSeq === null || row.version === null || !row.facts) return { erasedAt: row?.erasedAt ?? null, facts: null };
  // A row of another format is refolded, never parsed.
  const facts = row.version === CASE_FACTS_VERSION ? parseStoredFacts(row.facts, row.days ?? {}) : emptyCaseFacts();
  return { erasedAt: row.erasedAt, facts: { lastSeq: row.lastSeq, version: row.version, facts } };
}

/** Writes the facts if the row is still as read (`expected`; null = no row); returns whether it did. */
export async function upsertFacts(tx: Pick<Tx, '$executeRaw'>, caseId: string, facts: CaseFacts, expected: { lastSeq: number; version: number } | null): Promise<boolean> {
  const columns = storedFacts(facts);
  const written = await tx.$executeRaw`
    INSERT INTO "CaseFacts" ("caseId", "lastSeq", "version", "openedAt", "facts", "days")
    VALUES (${caseId}, ${facts.seq}, ${CASE_FACTS_VERSION}, ${openedAtOf(facts)}, ${columns.facts}::json, ${columns.days}::jsonb)
    ON CONFLICT ("caseId") DO UPDATE SET
      "lastSeq" = EXCLUDED."lastSeq", "version" = EXCLUDED."version", "openedAt" = EXCLUDED."openedAt",
      "facts" = EXCLUDED."facts", "days" = EXCLUDED."days"
    WHERE "CaseFacts"."lastSeq" = ${expected?.lastSeq ?? -1} AND "CaseFacts"."version" = ${expected?.version ?? -1}`;
  return written === 1;
}

const openedAtOf = (facts: Pick<CaseFacts, 'opened'>): Date | null => (facts.opened[0] !== undefined ? new Date(facts.opened[0]) : null);

/** Folds a newly written batch into the case's facts. */
export async function writeCaseFacts(tx: Tx, caseId: string, events: FactsEvent[], read: FactsState | null): Promise<void> {
  const current = read?.version === CASE_FACTS_VERSION ? read : null;
  const firstSeq = Math.min(...events.map((e) => e.seq));
  // The batch continues the facts (for a case without facts: it is the case's first batch) — else refold.
  const continues = current ? firstSeq > current.lastSeq : !read && firstSeq === 1;
  if (continues && (await upsertFacts(tx, caseId, foldCaseFacts(current?.facts ?? null, events), read))) return;
  await refoldCaseFacts(tx, caseId);
}

/** The case's facts from all its events (as this transaction sees them), written over whatever is there. */
export async function refoldCaseFacts(tx: Tx, caseId: string): Promise<CaseFacts> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [row] = await tx.$queryRaw<Array<{ lastSeq: number; version: number }>>`
      SELECT "lastSeq", "version" FROM "CaseFacts" WHERE "caseId" = ${caseId} FOR UPDATE`;
    const events = await tx.caseEvent.findMany({ where: { caseId }, select: { seq: true, type: true, at: true, data: true }, orderBy: { seq: 'asc' } });
    const folded = foldCaseFacts(null, events);
    if (await upsertFacts(tx, caseId, folded, row ?? null)) return folded;
  }
  throw new Error(`The controlling facts of case ${caseId} kept changing under concurrent writes; the record is retried.`);
}

/**
 * `npm run facts:rebuild`: every case's facts recomputed from its events, `chunk` cases per transaction (their facts
 * rows locked first, so a record written meanwhile either is seen here or finds the rebuilt row and folds onto it).
 */
export async function rebuildCaseFacts(db: Database, options: { chunk?: number; log?: (line: string) => void } = {}): Promise<{ cases: number; events: number }> {
  const chunk = options.chunk ?? 250;
  const ids = (await db.case.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((c) => c.id);
  let events = 0;
  for (let i = 0; i < ids.length; i += chunk) {
    const part = ids.slice(i, i + chunk);
    events += await db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT "caseId" FROM "CaseFacts" WHERE "caseId" = ANY(${part}::text[]) FOR UPDATE`;
        const rows = await tx.$queryRaw<Array<FactsEvent & { caseId: string }>>`
          SELECT "caseId", "seq", "type", "at", "data" FROM "CaseEvent" WHERE "caseId" = ANY(${part}::text[]) ORDER BY "caseId", "seq"`;
        const byCase = new Map<string, FactsEvent[]>();
        for (const row of rows) byCase.set(row.caseId, [...(byCase.get(row.caseId) ?? []), row]);
        const records = [...byCase].map(([caseId, list]) => {
          const facts = foldCaseFacts(null, list);
          const stored = storedFacts(facts);
          return { caseId, lastSeq: facts.seq, version: CASE_FACTS_VERSION, openedAt: openedAtOf(facts)?.toISOString() ?? null, facts: stored.facts, days: stored.days };
        });
        await tx.$executeRaw`
          INSERT INTO "CaseFacts" ("caseId", "lastSeq", "version", "openedAt", "facts", "days")
          SELECT "caseId", "lastSeq", "version", "openedAt", "facts"::json, "days"::jsonb
          FROM json_to_recordset(${JSON.stringify(records)}::json)
            AS r("caseId" text, "lastSeq" integer, "version" integer, "openedAt" timestamp(3), "facts" text, "days" text)
          ON CONFLICT ("caseId") DO UPDATE SET
            "lastSeq" = EXCLUDED."lastSeq", "version" = EXCLUDED."version", "openedAt" = EXCLUDED."openedAt",
            "facts" = EXCLUDED."facts", "days" = EXCLUDED."days"`;
        return rows.length;
      },
      { timeout: 600_000, maxWait: 60_000 },
    );
    options.log?.(`${Math.min(i + chunk, ids.length)}/${ids.length} cases, ${events} events`);
  }
  return { cases: ids.length, events };
}

