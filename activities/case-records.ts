// Writes the durable record of a case: the append-only CaseEvent log, the Case read model, the consents and
// the notification outbox — in one transaction. Idempotent: events carry the workflow's seq and notifications
// a deterministic id, so an activity retried after a crash changes nothing twice.
import { anonymiseEvent, anonymisedBirthDate } from '../domain/erasure.js';
import type { Database } from '../platform/database.js';
import { destroyDataKeys, retireDataKeys, type DataKeyStore } from '../platform/data-keys.js';
import type { CaseRecordInput } from '../workflows/case-state.js';

export function eventKey(caseId: string, seq: number): string {
  return `${caseId}:${seq}`;
}

const NOTIFICATION_SUBJECTS: Record<string, string> = {
  reminder: 'Erinnerung: Wiedervorlage fällig',
  escalation: 'Eskalation: Wiedervorlage überschritten',
};

export function createCaseRecordActivities(db: Database, dataKeys?: DataKeyStore) {
  return {
    async recordCaseEvents({ caseId, events, readModel, consents, notifications, deadlines, snapshot }: CaseRecordInput): Promise<void> {
      const lastSeq = events.reduce((max, e) => Math.max(max, e.seq), 0);
      await db.$transaction(async (tx) => {
        await tx.caseEvent.createMany({
          data: events.map((e) => ({
            caseId,
            seq: e.seq,
            eventKey: eventKey(caseId, e.seq),
            type: e.type,
            at: new Date(e.at),
            actorId: e.actorId ?? null,
            summary: e.summary,
            data: e.data as object,
          })),
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
        if (snapshot && events.length > 0) {
          const at = new Date(events[events.length - 1]!.at);
          await tx.caseSnapshot.upsert({
            where: { caseId_seq: { caseId, seq: lastSeq } },
            create: { caseId, seq: lastSeq, at, data: snapshot as object },
            update: {},
          });
        }
        // Deadlines: a write carrying an older batch (a late retry) must not undo a newer one.
        for (const d of deadlines ?? []) {
          await tx.$executeRaw`
            INSERT INTO "CaseDeadline" ("id", "caseId", "kind", "dueAt", "escalateAt", "status", "refId", "updatedSeq")
            VALUES (${d.id}, ${caseId}, ${d.kind}, ${new Date(d.dueAt)}, ${d.escalateAt ? new Date(d.escalateAt) : null},
                    ${d.status}, ${d.refId ?? null}, ${lastSeq})
            ON CONFLICT ("id") DO UPDATE SET
              "dueAt" = EXCLUDED."dueAt", "escalateAt" = EXCLUDED."escalateAt", "status" = EXCLUDED."status",
              "refId" = EXCLUDED."refId", "updatedSeq" = EXCLUDED."updatedSeq"
            WHERE "CaseDeadline"."updatedSeq" <= EXCLUDED."updatedSeq"`;
        }
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
      });
    },

    /**
     * End of the retention period, step 1: the person's data is erased or anonymised in the database — person,
     * free texts of events, consents and handovers, the snapshots — and the case's data keys are retired. Types,
     * times, codes and counts stay, so the controlling figures do not change. Idempotent.
     */
    async erasePersonalData({ caseId }: { caseId: string }): Promise<{ subjects: string[] }> {
      const subjects = await db.$transaction(async (tx) => {
        const row = await tx.case.findUnique({ where: { id: caseId }, include: { person: true } });
        if (!row) return [];
        await tx.person.update({
          where: { id: row.personId },
          data: { givenName: '–', familyName: '(anonymisiert)', languages: [], birthDate: anonymisedBirthDate(row.person.birthDate) },
        });
        await tx.case.updateMany({ where: { id: caseId, erasedAt: null }, data: { erasedAt: new Date() } });
        await tx.case.update({ where: { id: caseId }, data: { note: null } });
        for (const e of await tx.caseEvent.findMany({ where: { caseId }, select: { id: true, type: true, summary: true, data: true } })) {
          await tx.caseEvent.update({ where: { id: e.id }, data: anonymiseEvent(e) as { summary: string; data: object } });
        }
        // The "Stand am" snapshots hold the whole case with its texts; the events keep the skeleton.
        await tx.caseSnapshot.deleteMany({ where: { caseId } });
        await tx.consent.updateMany({ where: { caseId }, data: { partnerName: null, purpose: null } });
        const handovers = await tx.handover.findMany({ where: { caseId }, select: { id: true, workflowId: true } });
        for (const h of handovers) {
          await tx.handover.update({ where: { id: h.id }, data: { proposal: {} } });
          for (const e of await tx.handoverEvent.findMany({ where: { handoverId: h.id }, select: { id: true, type: true, summary: true, data: true } })) {
            await tx.handoverEvent.update({ where: { id: e.id }, data: anonymiseEvent(e) as { summary: string; data: object } });
          }
        }
        return [row.workflowId, ...handovers.map((h) => h.workflowId)];
      });
      if (dataKeys) await dataKeys.retire(subjects);
      else await retireDataKeys(db, subjects);
      return { subjects };
    },

    /**
     * End of the retention period, step 2 (crypto-erasure): destroys the data keys of the case and of the handovers
     * that led to it, so every copy of their engine payloads — history, backups, exports — is unreadable.
     */
    async destroyCaseDataKeys({ caseId }: { caseId: string }): Promise<{ destroyed: number }> {
      const row = await db.case.findUnique({ where: { id: caseId }, select: { workflowId: true } });
      const handovers = await db.handover.findMany({ where: { caseId }, select: { workflowId: true } });
      const subjects = [row?.workflowId ?? `case-${caseId}`, ...handovers.map((h) => h.workflowId)];
      const ids = dataKeys ? await dataKeys.destroy(subjects, 'retention') : await destroyDataKeys(db, subjects, 'retention');
      return { destroyed: ids.length };
    },
  };
}
