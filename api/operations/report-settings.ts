// The report settings (domain/target-groups.ts): where the age bands of the controlling begin. Coordination sets
// them like the deadlines; every change is audited. They apply to every report from then on (also for past periods:
// the age at opening is recomputed from the birth date).
import { ageBands, reportSettingsSchema } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { loadReportSettings, saveReportSettings } from '../../platform/settings.js';
import { canConfigureDeadlines } from './access-policy.js';
import { recordAudit } from './admin-audit.js';
import type { Caller } from './caller.js';
import { ApiError } from './errors.js';

/** PUT body of /api/v1/settings/report (also the OpenAPI schema). */
export const ReportSettingsBody = reportSettingsSchema;

function requireConfigurer(caller: Caller): void {
  if (!canConfigureDeadlines(caller.user)) throw new ApiError(403, 'forbidden', 'Die Berichtseinstellungen setzt die KIM-Koordination.');
}

/** GET /api/v1/settings/report: the bounds and the age bands they make. */
export async function getReportSettings(db: Database, caller: Caller) {
  requireConfigurer(caller);
  const settings = await loadReportSettings(db);
  return { settings, ageBands: ageBands(settings.ageBandBounds) };
}

/** PUT /api/v1/settings/report. */
export async function updateReportSettings(db: Database, caller: Caller, input: unknown) {
  requireConfigurer(caller);
  const parsed = ReportSettingsBody.safeParse(input ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'body'] ??= issue.message;
    throw new ApiError(422, 'validation_failed', 'Bitte prüfen Sie die Altersgrenzen.', { fields });
  }
  await db.$transaction(async (tx) => {
    const before = await loadReportSettings(tx as unknown as Database);
    if (JSON.stringify(before) === JSON.stringify(parsed.data)) return;
    await saveReportSettings(tx as unknown as Database, parsed.data, caller.user.id);
    await recordAudit(tx, { actor: caller.user, entity: 'report_settings', entityId: 'report', action: 'updated', before: { ...before }, after: { ...parsed.data } });
  });
  return getReportSettings(db, caller);
}
