// Measured progress (issue 16): the development of one case (its success criteria and ratings over time, read from
// its events) and the progress figures of the controlling (domain/controlling/progress-report.ts) — change of need
// per life area between first assessment and closure and criteria reached, already suppressed.
import { z } from 'zod';
import {
  computeProgressReport,
  PROGRESS_EVENT_TYPES,
  PROGRESS_GROUP_BY,
  zonedDate,
  type ControllingReport,
  type ProgressGroupBy,
} from '../../domain/controlling.js';
import { caseProgress, type CaseProgress } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { loadReportSettings } from '../../platform/settings.js';
import { canSeeReports, isHandedOverBy, requireCaseAccess } from './access-policy.js';
import { logAccess } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { loadCaseRow } from './case-lookup.js';
import { ApiError } from './errors.js';
import { ControllingReportQuery, targetGroupsOf } from './reports.js';

/** Event types of a case's own development. */
const CASE_PROGRESS_TYPES = ['assessment_completed', 'success_criteria_agreed', 'progress_rated'];

/** The case's criteria and ratings over time (no access check: for callers that made it, e.g. the case page). */
export async function caseProgressOf(db: Database, caseId: string): Promise<CaseProgress> {
  const events = await db.caseEvent.findMany({
    where: { caseId, type: { in: CASE_PROGRESS_TYPES } },
    orderBy: { seq: 'asc' },
    select: { seq: true, type: true, at: true, data: true },
  });
  return caseProgress(events);
}

/** GET /api/v1/cases/:id/progress: for callers with full access to the case, logged as a read of the case. */
export async function readCaseProgress({ db }: Pick<OperationDeps, 'db'>, caller: Caller, caseId: string) {
  const row = await loadCaseRow(db, caseId);
  requireCaseAccess(caller.user, row, 'full', { handedOverBy: row ? await isHandedOverBy(db, caller.user, row.id) : false });
  await logAccess(db, caller, { action: 'read_case', caseId: row!.id });
  return { caseId: row!.id, ...(await caseProgressOf(db, row!.id)) };
}

export const ProgressReportQuery = ControllingReportQuery.safeExtend({
  groupBy: z
    .enum(PROGRESS_GROUP_BY, { error: `Unbekannte Gruppierung – erlaubt: ${PROGRESS_GROUP_BY.join(', ')}.` })
    .default('organisation'),
});

/** The progress figures of the cases closed in a period. */
export async function buildProgressReport(db: Database, { from, to, groupBy }: { from: string; to: string; groupBy: ProgressGroupBy }): Promise<ControllingReport> {
  const settings = await loadReportSettings(db);
  const targets = await targetGroupsOf(db, settings);
  const { start, end } = { start: new Date(`${from}T00:00:00Z`), end: new Date(Date.parse(`${to}T00:00:00Z`) + 2 * 86_400_000) };
  const caseEvents = await db.$transaction(
    async (tx) => {
      // Cases with a closure near the period (a day either side for the time zone; the report takes the exact bounds).
      const closed = await tx.caseEvent.findMany({ where: { type: 'case_closed', at: { gte: new Date(start.getTime() - 86_400_000), lt: end } }, select: { caseId: true } });
      const ids = [...new Set(closed.map((c) => c.caseId))];
      if (ids.length === 0) return [];
      return tx.caseEvent.findMany({
        where: { caseId: { in: ids }, type: { in: [...PROGRESS_EVENT_TYPES] } },
        select: { caseId: true, seq: true, type: true, at: true, data: true },
      });
    },
    { isolationLevel: 'RepeatableRead' },
  );
  return computeProgressReport({ caseEvents, from, to, groupBy, ...targets, groups: targets.groupsOf(groupBy) });
}

/**
 * The door of the reports counted from events (progress, residence): coordination only, the asked period (without
 * one: the current calendar year up to today), logged as a report export; `build` computes the report.
 */
export async function eventReport(
  db: Database,
  caller: Caller,
  input: unknown,
  now: Date,
  build: (db: Database, query: { from: string; to: string; groupBy: ProgressGroupBy }) => Promise<ControllingReport>,
) {
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
  const report = await build(db, { from, to, groupBy });
  await logAccess(db, caller, { action: 'export_report' });
  return { report, from, to, groupBy, format, generatedAt: now };
}

/** GET /api/v1/reports/progress: coordination only, logged as a report export. */
export function progressReport({ db }: Pick<OperationDeps, 'db'>, caller: Caller, input: unknown, now = new Date()) {
  return eventReport(db, caller, input, now, buildProgressReport);
}
