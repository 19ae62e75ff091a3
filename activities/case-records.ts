// Writes the durable record of a case: the append-only CaseEvent log, the Case read model, the consents, the
// notification outbox and the case's controlling facts — in one transaction. Idempotent: events carry the workflow's
// seq and notifications a deterministic id, so an activity retried after a crash changes nothing twice.
import type { Database } from '../platform/database.js';
import type { Prisma } from '../prisma/generated/client.js';
import type { CaseRecordInput } from '../workflows/case-messages.js';
import { readCaseAndFacts, writeCaseFacts } from './case-facts-records.js';
import { eventRows, lastSeqOf } from './event-records.js';

export function eventKey(caseId: string, seq: number): string {
  return `${caseId}:${seq}`;
}

const NOTIFICATION_SUBJECTS: Record<string, string> = {
  reminder: 'Erinnerung: Wiedervorlage fällig',
  escalation: 'Eskalation: Wiedervorlage überschritten',
};

/** The outbox row of a deadline notification of a case (both record paths write the same rows). */
export function caseNotificationRow(caseId: string, n: CaseRecordInput['notifications'][number]) {
  return {
    id: n.id,
    kind: n.kind,
    deadlineKind: n.deadlineKind,
    recipientRole: n.to,
    recipientUserId: n.assigneeId ?? null,
    recipientOrganisationId: n.organisationId,
    subject: NOTIFICATION_SUBJECTS[n.kind] ?? 'Hinweis zu einem KIM-Fall',
    payload: { caseId, dueAt: n.dueAt, deadlineKind: n.deadlineKind },
  };
}

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

export { rebuildCaseFacts } from './case-facts-records.js';

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
            data: notifications.map((n) => ({ caseId, ...caseNotificationRow(caseId, n) })),
            skipDuplicates: true,
          });
        }
        // Last, so the facts row is the last lock this transaction takes (nothing waits while holding it).
        if (inserted > 0) await writeCaseFacts(tx, caseId, events, facts);
      });
    },
  };
}
