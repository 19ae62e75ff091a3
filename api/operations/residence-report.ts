// The residence-law track in the controlling (issue 16 item 2, domain/controlling/residence-report.ts): cases by
// current and target title, integration achievements, outcomes and titles reached in a period — already suppressed.
import { computeResidenceReport, RESIDENCE_EVENT_TYPES, type ControllingReport, type ProgressGroupBy } from '../../domain/controlling.js';
import type { Database } from '../../platform/database.js';
import { loadReportSettings } from '../../platform/settings.js';
import type { Caller, OperationDeps } from './caller.js';
import { eventReport } from './progress.js';
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
export function residenceReport({ db }: Pick<OperationDeps, 'db'>, caller: Caller, input: unknown, now = new Date()) {
  return eventReport(db, caller, input, now, buildResidenceReport);
}
