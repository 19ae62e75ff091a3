// Writes the durable record of a case: the append-only CaseEvent log, the Case read model, the consents, the
// notification outbox and the case's controlling facts — in one transaction. Idempotent: events carry the workflow's
// seq and notifications a deterministic id, so an activity retried after a crash changes nothing twice.
import { CASE_FACTS_VERSION, emptyCaseFacts, foldCaseFacts, parseStoredFacts, storedFacts, type CaseFacts, type FactsEvent } from '../domain/controlling.js';
import type { Database } from '../platform/database.js';
import type { Prisma } from '../prisma/generated/client.js';
import type { CaseRecordInput } from '../workflows/case-messages.js';
import { eventRows, lastSeqOf } from './event-records.js';

export function eventKey(caseId: string, seq: number): string {
  return `${caseId}:${seq}`;
}

const NOTIFICATION_SUBJECTS: Record<string, string> = {
  reminder: 'Erinnerung: Wiedervorlage fällig',
  escalation: 'Eskalation: Wiedervorlage überschritten',
};

type Tx = Prisma.TransactionClient;

/** The case's consents as they are now. */
async function writeConsents(tx: Tx, caseId: string, consents: CaseRecordInput['consents']): Promise<void> {
  for (const c of consents) {
    const row = {
      caseId,
      scope: c.scope,
      decision: c.decision,
      partnerOrganisationId: c.partnerOrganisationId ?? null,
      partnerName: c.partnerName ?? null,
      purpose: c.purpose ?? null,
      dataCategories: c.dataCategories ?? [],
      recordedById: c.recordedBy,
      recordedAt: new Date(c.recordedAt),
      withdrawnAt: c.withdrawnAt ? new Date(c.withdrawnAt) : null,
      withdrawnById: c.withdrawnBy ?? null,
    };
    // A withdrawal is final: a late retry of an older write must not make a withdrawn consent valid again.
    await tx.consent.createMany({ data: [{ id: c.id, ...row }], skipDuplicates: true });
    await tx.consent.updateMany({ where: { id: c.id, withdrawnAt: null }, data: row });
  }
}

/** All deadlines of the case as they are now: a write carrying an older batch (a late retry) must not undo a newer one. */
async function writeDeadlines(tx: Tx, caseId: string, deadlines: NonNullable<CaseRecordInput['deadlines']>, lastSeq: number): Promise<void> {
  for (const d of deadlines) {
    await tx.$executeRaw`
      INSERT INTO "CaseDeadline" ("id", "caseId", "kind", "dueAt", "escalateAt", "status", "refId", "updatedSeq")
      VALUES (${d.id}, ${caseId}, ${d.kind}, ${new Date(d.dueAt)}, ${d.escalateAt ? new Date(d.escalateAt) : null},
              ${d.status}, ${d.refId ?? null}, ${lastSeq})
      ON CONFLICT ("id") DO UPDATE SET
        "dueAt" = EXCLUDED."dueAt", "escalateAt" = EXCLUDED."escalateAt", "status" = EXCLUDED."status",
        "refId" = EXCLUDED."refId", "updatedSeq" = EXCLUDED."updatedSeq"
      WHERE "CaseDeadline"."updatedSeq" <= EXCLUDED."updatedSeq"`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Controlling facts (table CaseFacts, domain/controlling/facts.ts): one compact row per case, folded from its events
// in the transaction that writes them. Normally one extra statement: the facts are read with the erasure check the
// record makes anyway, folded in memory and written by one upsert that succeeds only if nobody changed them since
// (lastSeq and format as read). Otherwise — a batch older than the facts (concurrent updates of one case finishing
// out of order), facts of another format, a case recorded before the facts existed, or a concurrent writer — the
// case's facts are refolded from all its events, which then include this transaction's.

interface FactsState {
  lastSeq: number;
  version: number;
  facts: CaseFacts;
}

/**
 * The erasure mark of the case and its facts as they are now (one statement). The case row is locked: the record
 * writes of one case run one after the other in the order they got here (the opening before an update that came
 * with the first task), so a batch normally finds the facts of the batch before it and folds onto them.
 */
async function readCaseAndFacts(tx: Tx, caseId: string): Promise<{ erasedAt: Date | null; facts: FactsState | null }> {
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
async function upsertFacts(tx: Tx, caseId: string, facts: CaseFacts, expected: { lastSeq: number; version: number } | null): Promise<boolean> {
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
async function writeCaseFacts(tx: Tx, caseId: string, events: FactsEvent[], read: FactsState | null): Promise<void> {
  const current = read?.version === CASE_FACTS_VERSION ? read : null;
  const firstSeq = Math.min(...events.map((e) => e.seq));
  // The batch continues the facts (for a case without facts: it is the case's first batch) — else refold.
  const continues = current ? firstSeq > current.lastSeq : !read && firstSeq === 1;
  if (continues && (await upsertFacts(tx, caseId, foldCaseFacts(current?.facts ?? null, events), read))) return;
  await refoldCaseFacts(tx, caseId);
}

/** The case's facts from all its events (as this transaction sees them), written over whatever is there. */
async function refoldCaseFacts(tx: Tx, caseId: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [row] = await tx.$queryRaw<Array<{ lastSeq: number; version: number }>>`
      SELECT "lastSeq", "version" FROM "CaseFacts" WHERE "caseId" = ${caseId} FOR UPDATE`;
    const events = await tx.caseEvent.findMany({ where: { caseId }, select: { seq: true, type: true, at: true, data: true }, orderBy: { seq: 'asc' } });
    if (await upsertFacts(tx, caseId, foldCaseFacts(null, events), row ?? null)) return;
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

export function createCaseRecordActivities(db: Database) {
  return {
    async recordCaseEvents({ caseId, events, readModel, consents, notifications, deadlines, snapshot }: CaseRecordInput): Promise<void> {
      const lastSeq = lastSeqOf(events);
      await db.$transaction(async (tx) => {
        // After the erasure nothing is written any more: a retry of an older write would bring texts back.
        const { erasedAt, facts } = await readCaseAndFacts(tx, caseId);
        if (erasedAt) return;
        const { count: inserted } = await tx.caseEvent.createMany({
          data: eventRows({ caseId }, events, (seq) => eventKey(caseId, seq)),
          skipDuplicates: true,
        });
        // Only move the read model forward: a late retry of an older write must not overwrite a newer one.
        await tx.case.updateMany({
          where: { id: caseId, lastEventSeq: { lte: lastSeq } },
          data: {
            state: readModel.state,
            onHold: readModel.onHold,
            organisationId: readModel.organisationId,
            assigneeId: readModel.assigneeId,
            closedAt: readModel.closedAt ? new Date(readModel.closedAt) : null,
            nextDeadlineAt: readModel.nextDeadline ? new Date(readModel.nextDeadline.dueAt) : null,
            nextDeadlineKind: readModel.nextDeadline?.kind ?? null,
            lastEventSeq: lastSeq,
          },
        });
        await writeConsents(tx, caseId, consents);
        if (snapshot && events.length > 0) {
          const at = new Date(events[events.length - 1]!.at);
          await tx.caseSnapshot.upsert({
            where: { caseId_seq: { caseId, seq: lastSeq } },
            create: { caseId, seq: lastSeq, at, data: snapshot as object },
            update: {},
          });
        }
        await writeDeadlines(tx, caseId, deadlines ?? [], lastSeq);
        if (notifications.length > 0) {
          await tx.notification.createMany({
            data: notifications.map((n) => ({
              id: n.id,
              caseId,
              kind: n.kind,
              deadlineKind: n.deadlineKind,
              recipientRole: n.to,
              recipientUserId: n.assigneeId ?? null,
              recipientOrganisationId: n.organisationId,
              subject: NOTIFICATION_SUBJECTS[n.kind] ?? 'Hinweis zu einem KIM-Fall',
              payload: { caseId, dueAt: n.dueAt, deadlineKind: n.deadlineKind },
            })),
            skipDuplicates: true,
          });
        }
        // Last, so the facts row is the last lock this transaction takes (nothing waits while holding it).
        if (inserted > 0) await writeCaseFacts(tx, caseId, events, facts);
      });
    },
  };
}
