// The outbox dispatcher: mails the act-on rows no workflow delivers (handover proposed, consent given, meeting
// scheduled — written by the record activity, activities/handover-records.ts) and the daily digests of the people who
// chose them (User.notificationMode = daily).
//
// Runs as the activities of the small scheduled workflow workflows/outbox-workflow.ts: one Temporal Schedule per task
// queue (worker.ts ensureOutboxSchedule), every minute, never two runs at once — the same pattern as the case
// reconciler. Why a schedule and not the handover workflow: delivering from the workflow would add activities to the
// histories of running handovers (a replay change to gate); the schedule keeps workflows as they are, and one mail per
// event is kept by the outbox itself — each row is claimed once (activities/notifications.ts), and the rows are keyed
// by event, so a retried record or a second dispatcher adds no mail.
//
// The digest of a day D (Europe/Berlin) is sent from 07:00 on D and covers the act-on items from 07:00 the day before
// (domain/act-on-notifications.ts digestWindow): its row `digest:<user>:<D>` exists once, so every minute's run after
// 07:00 finds it made and sends nothing more. A person who switches to the digest during a day may find in it items
// that were already mailed singly that day; nothing is lost either way.
import { ACT_ON_KINDS, berlinOffsetMinutes, digestWindow, dueDigestDay } from '../domain/act-on-notifications.js';
import type { Database } from '../platform/database.js';
import type { Prisma } from '../prisma/generated/client.js';
import { createNotificationActivities, type DigestItem, type NotificationDependencies } from './notifications.js';

/** Rows written by the record activities, which no workflow delivers: the dispatcher's. */
export const DISPATCHED_KINDS = ['handover_proposed', 'handover_consent_given', 'handover_meeting_scheduled'];
/** At most this many rows per run; the next run takes the rest. */
const DISPATCH_BATCH = 200;

export interface DispatchResult {
  sent: number;
  /** Temporary failures (SMTP away): the rows are pending again, the next run tries them. */
  retryLater: number;
  /** Held for the digest, failed for good, or already handled by someone else. */
  other: number;
}

/** The outbox rows of a day's act-on items addressed to a person (their role's rows of the recipient roles). */
function addressedTo(person: { id: string; role: string; organisationId: string }, sharedCoordinationMailbox: boolean): Prisma.NotificationWhereInput[] {
  const where: Prisma.NotificationWhereInput[] = [{ recipientUserId: person.id, recipientRole: { in: ['assignee', 'counsellor'] } }];
  if (person.role === 'case_manager') where.push({ recipientRole: 'receiving_organisation', recipientOrganisationId: person.organisationId });
  if (person.role === 'coordinator' && !sharedCoordinationMailbox) where.push({ recipientRole: 'coordination' });
  return where;
}

export function createOutboxDispatchActivities(deps: NotificationDependencies & { db: Database }) {
  const { db } = deps;
  const { deliverNotification } = createNotificationActivities(deps);

  async function deliver(id: string, result: DispatchResult): Promise<void> {
    try {
      const { outcome } = await deliverNotification({ id });
      if (outcome === 'sent') result.sent++;
      else result.other++;
    } catch {
      // Temporary SMTP failure: the row is pending again (notifications.ts); the next run retries it.
      result.retryLater++;
    }
  }

  return {
    async dispatchOutbox({ limit = DISPATCH_BATCH }: { limit?: number } = {}): Promise<DispatchResult> {
      const result: DispatchResult = { sent: 0, retryLater: 0, other: 0 };
      if (!deps.mailer) return result;
      const rows = await db.notification.findMany({
        where: { status: 'pending', kind: { in: DISPATCHED_KINDS } },
        orderBy: { createdAt: 'asc' },
        take: limit,
        select: { id: true },
      });
      for (const row of rows) await deliver(row.id, result);
      return result;
    },

    async sendDailyDigests({ now }: { now?: string } = {}): Promise<DispatchResult & { day: string }> {
      const day = dueDigestDay(now ? new Date(now) : new Date());
      const result = { day, sent: 0, retryLater: 0, other: 0 };
      if (!deps.mailer) return result;
      const { from, to } = digestWindow(day, berlinOffsetMinutes);
      const people = await db.user.findMany({ where: { active: true, notificationMode: 'daily' }, select: { id: true, role: true, organisationId: true } });
      for (const person of people) {
        const id = `digest:${person.id}:${day}`;
        const existing = await db.notification.findUnique({ where: { id }, select: { status: true } });
        if (!existing) {
          const rows = await db.notification.findMany({
            where: { kind: { in: [...ACT_ON_KINDS] }, createdAt: { gte: from, lt: to }, OR: addressedTo(person, Boolean(deps.coordinationEmail)) },
            orderBy: { createdAt: 'asc' },
            select: { kind: true, caseId: true, handoverId: true, payload: true },
          });
          if (rows.length === 0) continue;
          const items: DigestItem[] = rows.map((r) => ({ kind: r.kind, caseId: r.caseId, handoverId: r.handoverId, dueAt: ((r.payload ?? {}) as { dueAt?: string }).dueAt ?? null }));
          await db.notification.createMany({
            data: [{ id, kind: 'digest', recipientRole: 'person', recipientUserId: person.id, subject: 'Ihre Tagesübersicht aus KIM Casework', payload: { day, items } as object }],
            skipDuplicates: true,
          });
        } else if (existing.status !== 'pending') {
          continue;
        }
        await deliver(id, result);
      }
      return result;
    },
  };
}

export type OutboxDispatchActivities = ReturnType<typeof createOutboxDispatchActivities>;
