// What operators watch (GET /metrics, api/http/metrics.ts): the outbox (backlog, age of the oldest pending mail,
// notifications left in `sending` by a crash), open cases by state, overdue deadlines, record writes the database
// refused (stuck cases). Counts only, no case content.
import type { Database } from '../../platform/database.js';
import { canReadMetrics, type AccessUser } from './access-policy.js';
import { ApiError } from './errors.js';

export interface OperationalFigures {
  notificationsByStatus: Record<string, number>;
  /** Seconds since the oldest pending notification was written; 0 when none is pending. */
  oldestPendingNotificationSeconds: number;
  /** Seconds since the oldest notification now in `sending` was written: a claim a crashed worker never finished. */
  oldestSendingNotificationSeconds: number;
  openCasesByState: Record<string, number>;
  /** Overdue Wiedervorlagen on open cases (reminded, escalated, missed, or open past due; retention left out). */
  overdueDeadlines: number;
  /** Record writes the database refused for good and IT has not yet written again: each holds its case (issue 15). */
  rejectedRecordWrites: number;
  /** Seconds since the oldest of them was first refused; 0 when none. */
  oldestRejectedRecordSeconds: number;
}

export function requireMetricsReader(user: AccessUser | undefined): void {
  if (!user) throw new ApiError(401, 'unauthenticated', 'Bitte melden Sie sich an.');
  if (!canReadMetrics(user)) throw new ApiError(403, 'forbidden', 'Die Betriebskennzahlen sehen nur die Koordination und die Verwaltung.');
}

export async function operationalFigures(db: Database, now = new Date()): Promise<OperationalFigures> {
  const [outbox, cases, overdue, rejected] = await Promise.all([
    db.$queryRaw<Array<{ status: string; count: bigint; oldest: Date | null }>>`
      SELECT "status", count(*) AS "count", min("createdAt") AS "oldest" FROM "Notification" GROUP BY "status"`,
    db.$queryRaw<Array<{ state: string; count: bigint }>>`
      SELECT "state", count(*) AS "count" FROM "Case" WHERE "closedAt" IS NULL AND "erasedAt" IS NULL GROUP BY "state"`,
    db.$queryRaw<Array<{ count: bigint }>>`
      SELECT count(*) AS "count" FROM "CaseDeadline" d JOIN "Case" c ON c."id" = d."caseId" AND c."closedAt" IS NULL
      WHERE (d."status" IN ('reminded', 'escalated', 'missed') OR (d."status" = 'open' AND d."dueAt" < ${now})) AND d."kind" <> 'retention'`,
    db.$queryRaw<Array<{ count: bigint; oldest: Date | null }>>`
      SELECT count(*) AS "count", min("firstAt") AS "oldest" FROM "CaseRecordRejection" WHERE "resolvedAt" IS NULL`,
  ]);
  const age = (status: string) => {
    const oldest = outbox.find((r) => r.status === status)?.oldest;
    return oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0;
  };
  return {
    notificationsByStatus: Object.fromEntries(['pending', 'sending', 'sent', 'failed'].map((s) => [s, Number(outbox.find((r) => r.status === s)?.count ?? 0)])),
    oldestPendingNotificationSeconds: age('pending'),
    oldestSendingNotificationSeconds: age('sending'),
    openCasesByState: Object.fromEntries(cases.map((r) => [r.state, Number(r.count)])),
    overdueDeadlines: Number(overdue[0]?.count ?? 0),
    rejectedRecordWrites: Number(rejected[0]?.count ?? 0),
    oldestRejectedRecordSeconds: rejected[0]?.oldest ? Math.max(0, (now.getTime() - rejected[0].oldest.getTime()) / 1000) : 0,
  };
}
