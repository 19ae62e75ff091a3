// The controlling report for the KIM coordination (api.md "Coordination", issue 5): the figures come from
// domain/controlling.ts (pure, over the event store); this operation checks the caller, validates the period, reads
// the events and writes the export to the access log. The numbers are already suppressed here — nothing below the
// suppression ever leaves the server, whatever format the door renders them in.
import { z } from 'zod';
import {
  CONTROLLING_GROUP_BY,
  computeControlling,
  periodBounds,
  zonedDate,
  type ControllingGroupBy,
  type ControllingReport,
} from '../../domain/controlling.js';
import { MUNICIPALITIES, isIsoDate } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { canSeeReports } from './access-policy.js';
import { logAccess } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';

/** Longest period: bounds the work (and the month columns) of one request. */
const MAX_PERIOD_DAYS = 3660;

const dateField = (name: string) =>
  z
    .string({ error: `„${name}“ als Datum im Format JJJJ-MM-TT angeben.` })
    .refine(isIsoDate, `„${name}“ ist kein gültiges Datum (Format JJJJ-MM-TT).`)
    .optional();

export const ControllingReportQuery = z
  .object({
    from: dateField('von'),
    to: dateField('bis'),
    groupBy: z
      .enum(CONTROLLING_GROUP_BY, { error: 'Unbekannte Gruppierung – erlaubt: organisation, municipality, month.' })
      .default('organisation'),
    format: z.enum(['json', 'csv', 'xlsx'], { error: 'Unbekanntes Format – erlaubt: json, csv, xlsx.' }).optional(),
  })
  .superRefine((q, ctx) => {
    if (!q.from || !q.to || !isIsoDate(q.from) || !isIsoDate(q.to)) return;
    if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: '„bis“ liegt vor „von“.' });
    else if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 > MAX_PERIOD_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'Der Zeitraum darf höchstens zehn Jahre umfassen.' });
    }
  });
export type ControllingReportQuery = z.infer<typeof ControllingReportQuery>;

const INVALID_REPORT_MESSAGE = 'Die Angaben zum Bericht sind ungültig.';

/** The controlling report for a period, computed from the event store (shared by the API and the yearly report page). */
export async function buildControllingReport(
  db: Database,
  { from, to, groupBy }: { from: string; to: string; groupBy: ControllingGroupBy },
): Promise<ControllingReport> {
  const { end } = periodBounds(from, to);

  // Every event up to the end of the period (the state at its start needs the history before it) and contacts
  // documented later for a day inside it. Cases are few (a county), so reading them whole is fine. One read
  // after the other in one transaction: a consistent snapshot (no event between two reads), and gentle on the
  // embedded database, which mixes up concurrent queries.
  const { caseEvents, handoverEvents, cases, handovers, organisations } = await db.$transaction(
    async (tx) => ({
      caseEvents: await tx.caseEvent.findMany({
        where: { OR: [{ at: { lt: new Date(end) } }, { type: 'contact_recorded' }] },
        select: { caseId: true, seq: true, type: true, at: true, data: true },
      }),
      handoverEvents: await tx.handoverEvent.findMany({
        where: { at: { lt: new Date(end) } },
        select: { handoverId: true, seq: true, type: true, at: true, data: true },
      }),
      cases: await tx.case.findMany({ select: { id: true, personId: true } }),
      handovers: await tx.handover.findMany({ where: { caseId: { not: null } }, select: { id: true, caseId: true } }),
      organisations: await tx.organisation.findMany({ orderBy: { name: 'asc' }, select: { id: true, shortName: true } }),
    }),
    { isolationLevel: 'RepeatableRead' },
  );
  return computeControlling({
    caseEvents,
    handoverEvents,
    from,
    to,
    groupBy,
    personOfCase: Object.fromEntries(cases.map((c) => [c.id, c.personId])),
    caseOfHandover: Object.fromEntries(handovers.flatMap((h) => (h.caseId ? [[h.id, h.caseId]] : []))),
    groups:
      groupBy === 'organisation' ? organisations.map((o) => ({ key: o.id, label: o.shortName }))
      : groupBy === 'municipality' ? MUNICIPALITIES.map((m) => ({ key: m, label: m }))
      : [],
  });
}

/**
 * GET /api/v1/reports/controlling: the report for the asked period (without one: the current calendar year up to
 * today, the yearly controlling), written to the access log as an export. `format` is the one the caller asked for
 * explicitly, if any; rendering it is the door's business.
 */
export async function controllingReport({ db }: Pick<OperationDeps, 'db'>, caller: Caller, input: unknown, now = new Date()) {
  if (!canSeeReports(caller.user)) throw new ApiError(403, 'forbidden', 'Controlling-Berichte sind der KIM-Koordination vorbehalten.');
  const parsed = ControllingReportQuery.safeParse(input);
  if (!parsed.success) {
    throw new ApiError(422, 'validation_failed', INVALID_REPORT_MESSAGE, {
      fields: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'query', i.message])),
    });
  }
  const today = zonedDate(now.getTime());
  const from = parsed.data.from ?? `${today.slice(0, 4)}-01-01`;
  const to = parsed.data.to ?? (parsed.data.from && parsed.data.from > today ? parsed.data.from : today);
  if (from > to) throw new ApiError(422, 'validation_failed', INVALID_REPORT_MESSAGE, { fields: { to: '„bis“ liegt vor „von“.' } });
  const { groupBy, format } = parsed.data;
  const report = await buildControllingReport(db, { from, to, groupBy });
  await logAccess(db, caller, { action: 'export_report' });
  return { report, from, to, groupBy, format, generatedAt: now };
}
