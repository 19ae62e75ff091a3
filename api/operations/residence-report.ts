// The residence-law track in the controlling (issue 16 item 2, domain/controlling/residence-report.ts): cases by
// current and target title, integration achievements, outcomes and titles reached in a period — already suppressed.
import { computeResidenceReport, RESIDENCE_EVENT_TYPES, zonedDate, type ControllingReport, type ProgressGroupBy } from '../../domain/controlling.js';
import type { Database } from '../../platform/database.js';
import { loadReportSettings } from '../../platform/settings.js';
import { canSeeReports } from './access-policy.js';
import { logAccess } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';
import { ProgressReportQuery } from './progress.js';
import { targetGroupsOf } from './reports.js';

/** The residence figures of a period: every case that ever had a track (few per installation; read as events). */
export async function buildResidenceReport(db: Database, { from, to, groupBy }: { from: string; to: string; groupBy: ProgressGroupBy }): Promise<ControllingReport> {
  const settings = await loadReportSettings(db);
  const targets = await targetGroupsOf(db, settings);
  const caseEvents = await db.$transaction(
    async (tx) => {
      const tracked = await tx.caseEvent.findMany({ where: { type: 'residence_track_set' }, distinct: ['caseId'], select: { caseId: true } });
      if (tracked.length === 0) return [];
      return tx.caseEvent.findMany({
        where: { caseId: { in: tracked.map((c) => c.caseId) }, type: { in: [...RESIDENCE_EVENT_TYPES] } },
        select: { caseId: true, seq: true, type: true, at: true, data: true },
      });
    },
    { isolationLevel: 'RepeatableRead' },
  );
  return computeResidenceReport({ caseEvents, from, to, groupBy, ...targets, groups: targets.groupsOf(groupBy) });
}

/** GET /api/v1/reports/residence: coordination only, logged as a report export (same query as the progress report). */
export async function residenceReport({ db }: Pick<OperationDeps, 'db'>, caller: Caller, input: unknown, now = new Date()) {
  if (!canSeeReports(caller.user)) throw new ApiError(403, 'forbidden', 'Controlling-Berichte sind der KIM-Koordination vorbehalten.');
  const parsed = ProgressReportQuery.safeParse(input);
  if (!parsed.success) {
    throw new ApiError(422, 'validation_failed', 'Die Angaben zum Bericht sind ungültig.', {
      fields: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'query', i.message])),
    });
  }
  const today = zonedDate(now.getTime());
  const from = parsed.data.from ?? `${today.slice(0, 4)}-01-01`;
  const to = parsed.data.to ?? (parsed.data.from && parsed.data.from > today ? parsed.data.from : today);
  if (from > to) throw new ApiError(422, 'validation_failed', 'Die Angaben zum Bericht sind ungültig.', { fields: { to: '„bis“ liegt vor „von“.' } });
  const { groupBy, format } = parsed.data;
  const report = await buildResidenceReport(db, { from, to, groupBy });
  await logAccess(db, caller, { action: 'export_report' });
  return { report, from, to, groupBy, format, generatedAt: now };
}
