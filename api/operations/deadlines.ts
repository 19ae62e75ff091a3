// Open deadlines (Wiedervorlagen) from the CaseDeadline read model, in ONE place for the JSON list
// (GET /api/v1/deadlines), coordination's "Überfällige Fristen" page and the dashboard's overdue figures:
// - overdue = reminded, escalated or missed, or still open past its due time;
// - due soon = open and due within the next days;
// - only on cases the caller sees in full (the access policy): a counsellor's state-only cases do not show theirs.
// Each list is one SQL statement: CaseDeadline (index on status, dueAt, caseId) joined to the visible cases, the
// visibility rule a condition of the join — no list of visible case ids is read first (only the organisations, to
// ask the access policy about each).
import { z } from 'zod';
import { DEADLINE_LABELS, type DeadlineKind } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { Prisma } from '../../prisma/generated/client.js';
import { caseAccess, canSeeCoordination, type AccessUser } from './access-policy.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';
import { dueOf } from './case-responses.js';

export const DeadlinesQuery = z.object({
  status: z.enum(['overdue', 'due_soon']).default('overdue'),
  days: z.coerce.number().int().min(1).max(90).default(7),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
});
export type DeadlinesQuery = z.infer<typeof DeadlinesQuery>;

const DAY_MS = 86_400_000;

/** Overdue: reminded, escalated or missed, or still open past its due time. */
function overdueCondition(now: Date): Prisma.Sql {
  return Prisma.sql`(d."status" IN ('reminded', 'escalated', 'missed') OR (d."status" = 'open' AND d."dueAt" < ${now}))`;
}

/** Due soon: open and due between now and `days` days from now. */
function dueSoonCondition(now: Date, days: number): Prisma.Sql {
  return Prisma.sql`d."status" = 'open' AND d."dueAt" >= ${now} AND d."dueAt" <= ${new Date(now.getTime() + days * DAY_MS)}`;
}

/**
 * The visibility rule: the cases the caller sees in full. The access policy decides a case's access by its
 * organisation (caseAccess); asked for every organisation, it gives the organisations whose cases the caller sees in
 * full — all of them (coordination), their own, or none (null). A counsellor's handed-over cases of other
 * organisations are listed for them (caseListFilter) but only state-only, so never here.
 */
async function fullAccessOrganisations(db: Database, user: AccessUser): Promise<'all' | string[] | null> {
  const organisations = await db.organisation.findMany({ select: { id: true } });
  const full = organisations.filter((o) => caseAccess(user, { organisationId: o.id }) === 'full').map((o) => o.id);
  if (full.length === 0) return null;
  return full.length === organisations.length ? 'all' : full;
}

/** The rule as a condition of the join to the case `c` (none when all cases are visible). */
const visibleCase = (organisations: 'all' | string[]): Prisma.Sql =>
  organisations === 'all' ? Prisma.empty : Prisma.sql`AND c."organisationId" = ANY(${organisations}::text[])`;

function invalidFilters(error: z.ZodError): ApiError {
  return new ApiError(422, 'validation_failed', 'Ungültige Filter.', {
    fields: Object.fromEntries(error.issues.map((i) => [i.path.join('.'), i.message])),
  });
}

interface DeadlineRow {
  id: string;
  caseId: string;
  kind: string;
  dueAt: Date;
  escalateAt: Date | null;
  status: string;
  refId: string | null;
}

/** GET /api/v1/deadlines: a page of overdue or due-soon deadlines on the caller's cases, oldest due first. */
export async function listDeadlines({ db }: Pick<OperationDeps, 'db'>, caller: Caller, input: unknown, now = new Date()) {
  const parsed = DeadlinesQuery.safeParse(input);
  if (!parsed.success) throw invalidFilters(parsed.error);
  const q = parsed.data;
  const visible = await fullAccessOrganisations(db, caller.user);
  if (!visible) return { items: [], total: 0 };
  const condition = q.status === 'overdue' ? overdueCondition(now) : dueSoonCondition(now, q.days);
  // Every deadline belongs to a case; seeing all of them, the join is left out (the count stays an index-only scan).
  const join = visible === 'all' ? Prisma.empty : Prisma.sql`JOIN "Case" c ON c."id" = d."caseId" ${visibleCase(visible)}`;
  // The page (in the index's order: due time, then case) and the total in one statement; the row with the total
  // comes also for a page past the end.
  const rows = await db.$queryRaw<Array<{ total: number } & ({ id: null } | DeadlineRow)>>`
    SELECT (SELECT count(*)::int FROM "CaseDeadline" d ${join} WHERE ${condition}) AS "total", p.*
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (
      SELECT d."id", d."caseId", d."kind", d."dueAt", d."escalateAt", d."status", d."refId"
      FROM "CaseDeadline" d ${join}
      WHERE ${condition}
      ORDER BY d."dueAt", d."caseId", d."id"
      LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}) p ON true`;
  return {
    items: rows.flatMap((d) =>
      d.id === null ? [] : [
        {
          id: d.id,
          caseId: d.caseId,
          kind: d.kind,
          label: DEADLINE_LABELS[d.kind as DeadlineKind] ?? d.kind,
          ...dueOf(d.dueAt.toISOString()),
          escalateAt: d.escalateAt?.toISOString() ?? null,
          status: d.status,
          refId: d.refId,
        },
      ],
    ),
    total: rows[0]?.total ?? 0,
  };
}

export const COORDINATION_ONLY_MESSAGE = 'Diese Übersicht ist der KIM-Koordination vorbehalten.';

/** An overdue deadline with its case and person, as coordination's overviews show it. */
export interface OverdueOnOpenCase {
  deadline: DeadlineRow;
  case: {
    id: string;
    organisationId: string;
    municipality: string;
    state: string;
    onHold: boolean;
    assigneeId: string | null;
    openedAt: Date;
    person: { id: string; givenName: string; familyName: string };
  };
}

/**
 * Overdue Wiedervorlagen (no retention) on open cases the caller sees in full, oldest due first, each with its case
 * and person — coordination's "Überfällige Fristen" (at most `take` deadlines) and the dashboard's overdue figures.
 */
export async function overdueOnOpenCases(
  { db }: Pick<OperationDeps, 'db'>,
  caller: Caller,
  options: { now?: Date; organisationId?: string | undefined; take?: number } = {},
): Promise<OverdueOnOpenCase[]> {
  if (!canSeeCoordination(caller.user)) throw new ApiError(403, 'forbidden', COORDINATION_ONLY_MESSAGE);
  const now = options.now ?? new Date();
  const visible = await fullAccessOrganisations(db, caller.user);
  if (!visible) return [];
  // The end of retention is a deadline of the record, not a Wiedervorlage of the work: coordination's overviews leave it out.
  const rows = await db.$queryRaw<Array<DeadlineRow & Omit<OverdueOnOpenCase['case'], 'id' | 'person'> & { personId: string; givenName: string; familyName: string }>>`
    SELECT d."id", d."caseId", d."kind", d."dueAt", d."escalateAt", d."status", d."refId",
           c."organisationId", c."municipality", c."state", c."onHold", c."assigneeId", c."openedAt",
           p."id" AS "personId", p."givenName", p."familyName"
    FROM "CaseDeadline" d
    JOIN "Case" c ON c."id" = d."caseId" AND c."closedAt" IS NULL ${visibleCase(visible)}
      ${options.organisationId ? Prisma.sql`AND c."organisationId" = ${options.organisationId}` : Prisma.empty}
    JOIN "Person" p ON p."id" = c."personId"
    WHERE ${overdueCondition(now)} AND d."kind" <> 'retention'
    ORDER BY d."dueAt", d."caseId", d."id"
    ${options.take !== undefined ? Prisma.sql`LIMIT ${options.take}` : Prisma.empty}`;
  return rows.map((r) => ({
    deadline: { id: r.id, caseId: r.caseId, kind: r.kind, dueAt: r.dueAt, escalateAt: r.escalateAt, status: r.status, refId: r.refId },
    case: {
      id: r.caseId,
      organisationId: r.organisationId,
      municipality: r.municipality,
      state: r.state,
      onHold: r.onHold,
      assigneeId: r.assigneeId,
      openedAt: r.openedAt,
      person: { id: r.personId, givenName: r.givenName, familyName: r.familyName },
    },
  }));
}
