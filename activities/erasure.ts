// End of the retention period (domain.md: "personal data is erased or anonymised; aggregate figures stay").
// Step 1 erases or anonymises the person's data in PostgreSQL and retires the data keys of the workflows that held it;
// step 2, in a last workflow run whose history needs none of them, destroys those keys (crypto-erasure: every copy
// of their engine payloads becomes unreadable). Types, times, codes and counts stay, so the controlling figures do not
// change. All idempotent.
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { PERSON_MATCH_ERASURE, anonymiseEvent, anonymisedBirthDate } from '../domain/erasure.js';
import { destroyDataKeys, retireDataKeys, type DataKeyStore } from '../platform/data-keys.js';
import type { Database } from '../platform/database.js';
import type { Prisma } from '../prisma/generated/client.js';
import { handoverRetentionWorkflowId } from '../workflows/retention-ids.js';

type Tx = Prisma.TransactionClient;

/** A handover's proposal (residence-law facts, a new person) and the free texts of its events. */
async function anonymiseHandover(tx: Tx, handoverId: string): Promise<void> {
  await tx.handover.update({ where: { id: handoverId }, data: { proposal: {} } });
  for (const e of await tx.handoverEvent.findMany({ where: { handoverId }, select: { id: true, type: true, summary: true, data: true } })) {
    await tx.handoverEvent.update({ where: { id: e.id }, data: anonymiseEvent(e) as { summary: string; data: object } });
  }
}

/** The duplicate check's hashes of the case and every possible match or link it is part of (issue 16): deleted, as
 *  domain/erasure.ts PERSON_MATCH_ERASURE decides. The other case of a link keeps working, as a person of its own. */
async function deletePersonMatchData(tx: Tx, caseId: string): Promise<void> {
  if (PERSON_MATCH_ERASURE.matchKeys === 'delete') await tx.personMatchKey.deleteMany({ where: { caseId } });
  if (PERSON_MATCH_ERASURE.matches === 'delete') await tx.personMatch.deleteMany({ where: { OR: [{ caseId }, { otherCaseId: caseId }] } });
}

/** The case file beside the workflow — documents and contact data, sealed with the key step 2 destroys: deleted whole
 *  (no field of them is needed for the figures); and the duplicate check's rows. */
async function deleteCaseFile(tx: Tx, caseId: string): Promise<void> {
  await tx.caseDocument.deleteMany({ where: { caseId } });
  await tx.caseContact.deleteMany({ where: { caseId } });
  // Links to related persons' own cases (issue 14), from either side: the other case stays, the link goes.
  await tx.caseLink.deleteMany({ where: { OR: [{ caseId }, { linkedCaseId: caseId }] } });
  await deletePersonMatchData(tx, caseId);
}

export function createErasureActivities(db: Database, dataKeys?: DataKeyStore) {
  const retire = (subjects: string[]) => (dataKeys ? dataKeys.retire(subjects) : retireDataKeys(db, subjects));
  const destroy = async (subjects: string[]) => (dataKeys ? dataKeys.destroy(subjects, 'retention') : destroyDataKeys(db, subjects, 'retention'));

  /** The workflows whose payloads hold a case's personal data: the case's own and the handovers that led to it. */
  async function subjectsOfCase(caseId: string): Promise<string[]> {
    const row = await db.case.findUnique({ where: { id: caseId }, select: { workflowId: true } });
    const handovers = await db.handover.findMany({ where: { caseId }, select: { workflowId: true } });
    return [row?.workflowId ?? `case-${caseId}`, ...handovers.map((h) => h.workflowId)];
  }

  return {
    /** Step 1 for a case: person, free texts of events, consents and handovers, the snapshots; keys retired. */
    async erasePersonalData({ caseId }: { caseId: string }): Promise<{ subjects: string[] }> {
      await db.$transaction(async (tx) => {
        const row = await tx.case.findUnique({ where: { id: caseId }, include: { person: true } });
        if (!row) return;
        // A person is written per case today; should one ever have another case still kept, that case needs them.
        const othersKept = await tx.case.count({ where: { personId: row.personId, id: { not: caseId }, erasedAt: null } });
        if (othersKept === 0) {
          await tx.person.update({
            where: { id: row.personId },
            data: { givenName: '–', familyName: '(anonymisiert)', languages: [], birthDate: anonymisedBirthDate(row.person.birthDate) },
          });
        }
        await tx.case.updateMany({ where: { id: caseId, erasedAt: null }, data: { erasedAt: new Date() } });
        await tx.case.update({ where: { id: caseId }, data: { note: null } });
        for (const e of await tx.caseEvent.findMany({ where: { caseId }, select: { id: true, type: true, summary: true, data: true } })) {
          await tx.caseEvent.update({ where: { id: e.id }, data: anonymiseEvent(e) as { summary: string; data: object } });
        }
        // The "Stand am" snapshots hold the whole case with its texts; the events keep the skeleton.
        await tx.caseSnapshot.deleteMany({ where: { caseId } });
        // A refused write's database message may quote the refused values (issue 15): gone with the case.
        await tx.caseRecordRejection.deleteMany({ where: { caseId } });
        await tx.consent.updateMany({ where: { caseId }, data: { partnerName: null, purpose: null } });
        await deleteCaseFile(tx, caseId);
        for (const h of await tx.handover.findMany({ where: { caseId }, select: { id: true } })) await anonymiseHandover(tx, h.id);
      });
      const subjects = await subjectsOfCase(caseId);
      await retire(subjects);
      return { subjects };
    },

    /** Step 2 for a case: its data keys and those of its handovers are destroyed. */
    async destroyCaseDataKeys({ caseId }: { caseId: string }): Promise<{ destroyed: number }> {
      return { destroyed: (await destroy(await subjectsOfCase(caseId))).length };
    },

    /**
     * A handover ended without a case: its own retention workflow (workflows/retention-workflow.ts) erases it later.
     * Started here rather than as a child, so it is no child of a closed parent. Idempotent (fixed workflow id).
     */
    async scheduleHandoverRetention(input: { handoverId: string; eraseAt: string }): Promise<void> {
      const { client, info } = Context.current();
      try {
        await client.workflow.start('handoverRetentionWorkflow', {
          workflowId: handoverRetentionWorkflowId(input.handoverId),
          taskQueue: info.taskQueue,
          args: [input],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },

    /** Step 1 for a handover that never led to a case (refused, lapsed, cancelled): its proposal and texts; key retired. */
    async eraseHandoverData({ handoverId }: { handoverId: string }): Promise<void> {
      const row = await db.handover.findUnique({ where: { id: handoverId }, select: { workflowId: true } });
      if (!row) return;
      await db.$transaction((tx) => anonymiseHandover(tx, handoverId));
      await retire([row.workflowId]);
    },

    /** Step 2 for such a handover: its data key is destroyed. */
    async destroyHandoverDataKeys({ handoverId }: { handoverId: string }): Promise<{ destroyed: number }> {
      const row = await db.handover.findUnique({ where: { id: handoverId }, select: { workflowId: true } });
      return { destroyed: (await destroy([row?.workflowId ?? `handover-${handoverId}`])).length };
    },
  };
}

export type ErasureActivities = ReturnType<typeof createErasureActivities>;
