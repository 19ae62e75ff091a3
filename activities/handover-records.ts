// Activities of the handover workflow:
// - recordHandoverEvents: the durable record (append-only HandoverEvent log, Handover read model, notification
//   outbox) in one transaction; idempotent like recordCaseEvents (seq-numbered events, deterministic outbox ids).
// - openCaseFromHandover: Person and Case rows of the case an accepted handover opens; idempotent by case id.
// - transferCaseForHandover: an existing case taken over — sends case actions to its workflow with fixed update
//   ids, so a retried activity changes nothing twice.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { formatDateDe, type CaseAction } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import type { Prisma } from '../prisma/generated/client.js';
import { caseActionUpdate, caseWorkflowId } from '../workflows/case-messages.js';
import {
  handoverCaseRequestId,
  type HandoverRecordInput,
  type OpenCaseFromHandoverInput,
  type TransferCaseForHandoverInput,
} from '../workflows/handover-messages.js';
import { eventRows, lastSeqOf } from './event-records.js';
import type { DataKeyResolver } from '../platform/data-keys.js';
import { matchHashesOf } from '../platform/person-match-key.js';
import { openCasesWithHashes, recordMatchRows } from '../platform/person-match-store.js';
import { actOnNotificationId, handoverActOnMails, type HandoverActorSide } from '../domain/act-on-notifications.js';

export function handoverEventKey(handoverId: string, seq: number): string {
  return `handover:${handoverId}:${seq}`;
}

const ACT_ON_SUBJECTS: Record<string, string> = {
  handover_proposed: 'Neue Übergabe aus der ABH angekündigt',
  handover_consent_given: 'Übergabe: Einwilligung erteilt – bitte Übergabegespräch planen',
  handover_meeting_scheduled: 'Übergabegespräch geplant',
};

type Tx = Prisma.TransactionClient;

/**
 * The act-on mails of the batch (domain/act-on-notifications.ts) into the outbox, keyed by event and recipient, so a
 * retried record writes none twice. Delivered by the outbox dispatcher (activities/outbox-dispatch.ts), not by the
 * workflow: its code and histories stay as they are.
 */
async function recordActOnMails(tx: Tx, { handoverId, events, readModel }: HandoverRecordInput): Promise<void> {
  if (!events.some((e) => e.type === 'handover_requested' || e.type === 'handover_consent_given' || e.type === 'handover_meeting_scheduled')) return;
  const handover = await tx.handover.findUnique({ where: { id: handoverId }, select: { counsellorId: true } });
  const actorIds = [...new Set(events.filter((e) => e.type === 'handover_meeting_scheduled' && e.actorId).map((e) => e.actorId!))];
  const actors = actorIds.length ? await tx.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, role: true, organisationId: true } }) : [];
  const sideOf = (seq: number): HandoverActorSide => {
    const actorId = events.find((e) => e.seq === seq)?.actorId;
    if (actorId && actorId === handover?.counsellorId) return 'counsellor';
    const actor = actors.find((a) => a.id === actorId);
    return actor && actor.role === 'case_manager' && actor.organisationId === readModel.receivingOrganisationId ? 'receiver' : 'other';
  };
  const decisions = handoverActOnMails(events, sideOf);
  if (decisions.length === 0) return;
  await tx.notification.createMany({
    data: decisions.map((d) => ({
      id: actOnNotificationId(handoverEventKey(handoverId, d.seq), d.to),
      caseId: readModel.caseId,
      handoverId,
      kind: d.kind,
      deadlineKind: null,
      recipientRole: d.to,
      recipientUserId: d.to === 'counsellor' ? (handover?.counsellorId ?? null) : null,
      recipientOrganisationId: d.to === 'receiving_organisation' ? readModel.receivingOrganisationId : null,
      subject: ACT_ON_SUBJECTS[d.kind] ?? 'Hinweis zu einer Übergabe aus der ABH',
      payload: { handoverId, ...(d.dueAt ? { dueAt: d.dueAt } : {}) },
    })),
    skipDuplicates: true,
  });
}

function notificationSubject(kind: string, deadlineKind: string): string {
  if (kind === 'lapsed') return 'Übergabe verfallen: keine Einwilligung innerhalb der Frist';
  if (deadlineKind === 'handover_meeting') return 'Erinnerung: Übergabegespräch steht aus';
  return 'Hinweis zu einer Übergabe aus der ABH';
}

/** The schema names recipients in domain terms (see Notification.recipientRole). */
const RECIPIENT_ROLES: Record<string, string> = { counsellor: 'counsellor', receiver: 'receiving_organisation' };

/** Reason recorded on the case when an existing case moves to the receiving organisation. */
export const HANDOVER_TRANSFER_REASON = 'Übergabe aus der ABH';

/** Sends one case action of a takeover in the counsellor's name, with a fixed update id (a retry changes nothing). */
async function sendCaseAction(
  handle: WorkflowHandle,
  input: TransferCaseForHandoverInput,
  step: 'consent' | 'transfer',
  action: CaseAction,
  payload: Record<string, unknown>,
): Promise<void> {
  const requestId = handoverCaseRequestId(input.handoverId, step);
  try {
    await handle.executeUpdate(caseActionUpdate, {
      args: [{ action, payload, actor: input.counsellor, requestId }],
      updateId: requestId,
    });
  } catch (error) {
    // The case refused (its own rules decide): final, the handover workflow turns it into a refusal of `accept`.
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({
        type: error.cause.type ?? 'transition_not_allowed',
        message: error.cause.message,
        details: error.cause.details ?? [],
        nonRetryable: true,
      });
    }
    if (error instanceof WorkflowNotFoundError) {
      throw ApplicationFailure.create({
        type: 'transition_not_allowed',
        message: 'Der Fall ist nicht (mehr) aktiv und kann nicht übernommen werden.',
        nonRetryable: true,
      });
    }
    throw error; // engine unreachable and the like: retried
  }
}

/** An existing case taken over: the case keeps the client's handover consent as its own record, then moves to the
 * receiving organisation — with the residence-law facts, continuing at assessment (handover workflow version 5). */
async function transferCaseForHandover(input: TransferCaseForHandoverInput): Promise<void> {
  const handle = Context.current().client.workflow.getHandle(caseWorkflowId(input.caseId));
  await sendCaseAction(handle, input, 'consent', 'record-consent', {
    scope: 'handover',
    decision: 'given',
    partnerOrganisationId: input.receivingOrganisationId,
    purpose: `Übergabe aus der Ausländerbehörde in das KIM Case Management (Einwilligung erfasst am ${formatDateDe(input.consentRecordedAt)})`,
  });
  await sendCaseAction(handle, input, 'transfer', 'transfer', {
    organisationId: input.receivingOrganisationId,
    ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
    reason: HANDOVER_TRANSFER_REASON,
    // The case continues as a case opened by the handover would (domain/case-decide-admin.ts continueAfterHandover).
    ...(input.residenceLaw
      ? { continueFromHandover: { handoverId: input.handoverId, consentRecordedAt: input.consentRecordedAt, residenceLaw: input.residenceLaw } }
      : {}),
  });
}

/** Person and Case rows of the case an accepted handover opens (idempotent by case id), and the handover's link to it. */
async function openCaseFromHandover(db: Database, input: OpenCaseFromHandoverInput, dataKeys?: DataKeyResolver): Promise<void> {
  // The duplicate check's hashes (issue 16), so later intakes elsewhere find this person; an open case found elsewhere
  // becomes a possible match for coordination (the handover is not stopped: the client consented, the meeting was held).
  const hashes = await matchHashesOf(dataKeys, input.person);
  await db.$transaction(async (tx) => {
    const existing = await tx.case.findUnique({ where: { id: input.caseId }, select: { id: true } });
    if (!existing) {
      const person = await tx.person.create({
        data: {
          givenName: input.person.givenName,
          familyName: input.person.familyName,
          birthDate: new Date(`${input.person.birthDate}T00:00:00Z`),
          municipality: input.person.municipality,
          languages: input.person.languages ?? [],
        },
      });
      await tx.case.create({
        data: {
          id: input.caseId,
          workflowId: caseWorkflowId(input.caseId),
          personId: person.id,
          state: 'intake',
          organisationId: input.organisationId,
          proposedOrganisationId: input.organisationId,
          proposalReason: input.proposalReason,
          assigneeId: input.assigneeId ?? null,
          municipality: input.person.municipality,
          source: 'abh',
          openedAt: new Date(input.openedAt),
        },
      });
      const counsellor = await tx.handover.findUnique({ where: { id: input.handoverId }, select: { counsellorId: true } });
      const others = await openCasesWithHashes(tx, hashes, input.organisationId);
      await recordMatchRows(tx, input.caseId, hashes, others, counsellor?.counsellorId ?? 'system');
    }
    // The link the counsellor's later read access goes through (Handover.counsellorId → caseId).
    await tx.handover.updateMany({ where: { id: input.handoverId }, data: { caseId: input.caseId } });
  });
}

export function createHandoverRecordActivities(db: Database, dataKeys?: DataKeyResolver) {
  return {
    async recordHandoverEvents(input: HandoverRecordInput): Promise<void> {
      const { handoverId, events, readModel, notifications } = input;
      const lastSeq = lastSeqOf(events);
      await db.$transaction(async (tx) => {
        await tx.handoverEvent.createMany({
          data: eventRows({ handoverId }, events, (seq) => handoverEventKey(handoverId, seq)),
          skipDuplicates: true,
        });
        // Only move the read model forward: a late retry of an older write must not overwrite a newer one.
        await tx.handover.updateMany({
          where: { id: handoverId, lastEventSeq: { lte: lastSeq } },
          data: {
            state: readModel.state,
            caseId: readModel.caseId,
            receivingOrganisationId: readModel.receivingOrganisationId,
            consentDueAt: readModel.consentDueAt ? new Date(readModel.consentDueAt) : null,
            meetingAt: readModel.meetingAt ? new Date(readModel.meetingAt) : null,
            closedAt: readModel.closedAt ? new Date(readModel.closedAt) : null,
            lastEventSeq: lastSeq,
          },
        });
        if (notifications.length > 0) {
          await tx.notification.createMany({
            // No personal data in the outbox: the receiving side hears of a handover, not of the person.
            data: notifications.map((n) => ({
              id: n.id,
              caseId: readModel.caseId,
              handoverId,
              kind: n.kind,
              deadlineKind: n.deadlineKind,
              recipientRole: RECIPIENT_ROLES[n.to] ?? n.to,
              recipientUserId: n.userId ?? null,
              recipientOrganisationId: n.organisationId,
              subject: notificationSubject(n.kind, n.deadlineKind),
              payload: { handoverId, dueAt: n.dueAt, deadlineKind: n.deadlineKind },
            })),
            skipDuplicates: true,
          });
        }
        await recordActOnMails(tx, input);
      });
    },

    openCaseFromHandover: (input: OpenCaseFromHandoverInput) => openCaseFromHandover(db, input, dataKeys),

    transferCaseForHandover,
  };
}

export type HandoverActivities = ReturnType<typeof createHandoverRecordActivities>;
