// The controlling report for the KIM coordination (api.md "Coordination", issue 5): the figures come from
// domain/controlling.ts (pure, over each case's compact facts folded from the event store); this operation checks the
// caller, validates the period, reads the facts and writes the export to the access log. The numbers are already
// suppressed here — nothing below the suppression ever leaves the server, whatever format the door renders them in.
import { z } from 'zod';
import {
  CASE_FACTS_VERSION,
  CONTROLLING_GROUP_BY,
  computeControllingFromFacts,
  controllingDayMonths,
  foldCaseFacts,
  periodBounds,
  zonedDate,
  type CaseFacts,
  type CaseFactsInput,
  type ControllingGroupBy,
  type ControllingReport,
} from '../../domain/controlling.js';
import { inRecordRange } from '../../domain/payload-check.js';
import {
  CHANNEL_GROUPS,
  JSON_SCHEMA_PATTERNS,
  MUNICIPALITIES,
  POST_GROUPS,
  ageBandKey,
  ageBands,
  ageOn,
  isIsoDate,
  postOf,
  type ReportSettings,
} from '../../domain/index.js';
import { loadReportSettings } from '../../platform/settings.js';
import type { Database } from '../../platform/database.js';
import { Prisma } from '../../prisma/generated/client.js';
import { canSeeReports } from './access-policy.js';
import { logAccess } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';
import { personOfCases } from './person-matches.js';

/** Longest period: bounds the work (and the month columns) of one request. */
const MAX_PERIOD_DAYS = 3660;

const dateField = (name: string) =>
  z
    .string({ error: `„${name}“ als Datum im Format JJJJ-MM-TT angeben.` })
    .refine(isIsoDate, `„${name}“ ist kein gültiges Datum (Format JJJJ-MM-TT).`)
    // Records exist from 1900 to 2999 only; a year like 9999 would also overflow the period arithmetic.
    .refine(inRecordRange, `„${name}“ muss zwischen 1900-01-01 und 2999-12-31 liegen.`)
    .meta({ format: 'date', pattern: JSON_SCHEMA_PATTERNS.recordDate })
    .optional();

export const ControllingReportQuery = z
  .object({
    from: dateField('von'),
    to: dateField('bis'),
    groupBy: z
      .enum(CONTROLLING_GROUP_BY, { error: `Unbekannte Gruppierung – erlaubt: ${CONTROLLING_GROUP_BY.join(', ')}.` })
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

/** The controlling report for a period, computed from the case facts (shared by the API and the yearly report page). */
export async function buildControllingReport(
  db: Database,
  { from, to, groupBy }: { from: string; to: string; groupBy: ControllingGroupBy },
  reportSettings?: ReportSettings,
): Promise<ControllingReport> {
  const bounds = (reportSettings ?? (await loadReportSettings(db))).ageBandBounds;
  const { end } = periodBounds(from, to);
  const endsBefore = new Date(end);
  const dayMonths = controllingDayMonths(from, to);
  // One compact facts row per case opened before the end of the period (the facts hold everything the report needs
  // of the events, also contacts documented later), and the handover events up to the end. One read after the other
  // in one transaction: a consistent snapshot (the facts are written with their events), and gentle on the embedded
  // database, which mixes up concurrent queries.
  const { cases, personOf, unfolded, handoverEvents, handovers, organisations, referralCatalogue } = await db.$transaction(
    async (tx) => {
      // Every case's person (a person with two cases is one person, handovers included); facts only where needed.
      const rows = await tx.$queryRaw<FactsRow[]>`
        SELECT c."id", c."personId", c."source", c."openedAt", p."birthDate", f."version" IS NOT DISTINCT FROM ${CASE_FACTS_VERSION} AS "current",
               CASE WHEN f."version" = ${CASE_FACTS_VERSION} AND f."openedAt" < ${endsBefore} THEN f."facts"::text END AS "facts"
               ${daysOf(dayMonths)}
        FROM "Case" c JOIN "Person" p ON p."id" = c."personId" LEFT JOIN "CaseFacts" f ON f."caseId" = c."id"`;
      // Cases without (current) facts — recorded before the facts existed and not yet rebuilt: folded here.
      const missing = rows.filter((r) => !r.current).map((r) => r.id);
      return {
        cases: rows,
        // Cases coordination linked to one person count as one (issue 16, api/operations/person-matches.ts).
        personOf: await personOfCases(tx, rows),
        unfolded:
          missing.length === 0 ? []
          : await tx.caseEvent.findMany({ where: { caseId: { in: missing } }, select: { caseId: true, seq: true, type: true, at: true, data: true } }),
        // Only what the report reads of a handover event: which case, which receiving organisation.
        handoverEvents: await tx.$queryRaw<Array<{ handoverId: string; seq: number; type: string; at: Date; data: unknown }>>`
          SELECT "handoverId", "seq", "type", "at",
                 json_build_object('caseId', "data"->'caseId', 'receivingOrganisationId', "data"->'receivingOrganisationId') AS "data"
          FROM "HandoverEvent" WHERE "at" < ${endsBefore}`,
        handovers: await tx.handover.findMany({ where: { caseId: { not: null } }, select: { id: true, caseId: true } }),
        organisations: await tx.organisation.findMany({ orderBy: { name: 'asc' }, select: { id: true, shortName: true, kind: true } }),
        // Issue 14: referrals are counted by catalogue code (every entry, deactivated ones too).
        referralCatalogue: await tx.referralCatalogueEntry.findMany({ select: { code: true, name: true } }),
      };
    },
    { isolationLevel: 'RepeatableRead' },
  );
  return computeControllingFromFacts({
    referralCatalogue,
    caseFacts: [...storedFacts(cases, dayMonths), ...foldedFacts(unfolded)],
    handoverEvents,
    from,
    to,
    groupBy,
    personOfCase: personOf,
    caseOfHandover: Object.fromEntries(handovers.flatMap((h) => (h.caseId ? [[h.id, h.caseId]] : []))),
    // Target groups only where the grouping needs them (the report is read often).
    ...(groupBy === 'ageBand' || groupBy === 'channel' ? { caseGroups: Object.fromEntries(cases.map((c) => [c.id, caseGroupOf(c, bounds)])) } : {}),
    postOfOrganisation: postsOf(organisations),
    groups: listedGroups(groupBy, bounds, organisations),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Target groups (domain/target-groups.ts), shared with the progress figures (operations/progress.ts)

type OrganisationRow = { id: string; shortName: string; kind: string };

/** A case's age band at opening (German calendar day) and its access channel. */
function caseGroupOf(c: { source: string; openedAt: Date | string; birthDate: Date | string }, bounds: readonly number[]): { ageBand: string; channel: string } {
  // Raw queries may hand dates over as strings.
  const birth = c.birthDate instanceof Date ? c.birthDate.toISOString().slice(0, 10) : String(c.birthDate).slice(0, 10);
  const opened = c.openedAt instanceof Date ? c.openedAt.getTime() : Date.parse(c.openedAt);
  return { ageBand: ageBandKey(bounds, ageOn(birth, zonedDate(opened))), channel: c.source };
}

const postsOf = (organisations: readonly OrganisationRow[]) => Object.fromEntries(organisations.map((o) => [o.id, postOf(o.kind)]));

/** The rows listed even without figures, in this order, with their German labels. */
function listedGroups(groupBy: ControllingGroupBy, bounds: readonly number[], organisations: readonly OrganisationRow[]): { key: string; label: string }[] {
  if (groupBy === 'organisation') return organisations.map((o) => ({ key: o.id, label: o.shortName }));
  if (groupBy === 'municipality') return MUNICIPALITIES.map((m) => ({ key: m, label: m }));
  if (groupBy === 'ageBand') return ageBands(bounds);
  if (groupBy === 'channel') return CHANNEL_GROUPS;
  return groupBy === 'post' ? POST_GROUPS : [];
}

/** Persons, target groups of every case and the organisations' posts, for reports counted from events. */
export async function targetGroupsOf(db: Database, settings?: ReportSettings) {
  const bounds = (settings ?? (await loadReportSettings(db))).ageBandBounds;
  const [cases, organisations] = await Promise.all([
    db.case.findMany({ select: { id: true, personId: true, source: true, openedAt: true, person: { select: { birthDate: true } } } }),
    db.organisation.findMany({ orderBy: { name: 'asc' }, select: { id: true, shortName: true, kind: true } }),
  ]);
  return {
    personOfCase: await personOfCases(db, cases),
    caseGroups: Object.fromEntries(cases.map((c) => [c.id, caseGroupOf({ ...c, birthDate: c.person.birthDate }, bounds)])),
    postOfOrganisation: postsOf(organisations),
    groupsOf: (groupBy: ControllingGroupBy) => listedGroups(groupBy, bounds, organisations),
  };
}

/** A case, its facts but their days as stored (JSON; absent for cases opened after the period), and the days of
 *  the months the period covers in part (d0, d1). The facts are parsed one case at a time while they are counted. */
interface FactsRow {
  id: string;
  personId: string;
  source: string;
  openedAt: Date;
  birthDate: Date;
  current: boolean;
  facts: string | null;
  d0?: string | null;
  d1?: string | null;
}

/** Of the day-by-day facts only the months the report covers in part, as columns d0, d1 (of the other months the
 *  monthly sums suffice). */
function daysOf(months: string[]): Prisma.Sql {
  if (months.length === 0) return Prisma.empty;
  return Prisma.join(
    months.map((m, i) => Prisma.sql`, f."days" ->> ${m} AS ${Prisma.raw(`"d${i}"`)}`),
    '',
  );
}

/** The facts as read, with the days of the months read (d0, d1). */
function storedFacts(rows: FactsRow[], dayMonths: string[]): CaseFactsInput[] {
  const out: CaseFactsInput[] = [];
  for (const row of rows) {
    if (!row.facts) continue;
    const days: Record<string, string> = {};
    if (dayMonths[0] && row.d0) days[dayMonths[0]] = row.d0;
    if (dayMonths[1] && row.d1) days[dayMonths[1]] = row.d1;
    out.push({ caseId: row.id, stored: row.facts, days });
  }
  return out;
}

function foldedFacts(events: Array<{ caseId: string; seq: number; type: string; at: Date; data: unknown }>): { caseId: string; facts: CaseFacts }[] {
  const byCase = new Map<string, typeof events>();
  for (const e of events) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
  return [...byCase].map(([caseId, list]) => ({ caseId, facts: foldCaseFacts(null, list) }));
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
