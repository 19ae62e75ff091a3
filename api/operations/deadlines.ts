// Open deadlines (Wiedervorlagen) from the CaseDeadline read model, in ONE place for the JSON list
// (GET /api/v1/deadlines), coordination's "Überfällige Fristen" page and the dashboard's overdue figures:
// - overdue = reminded, escalated or missed, or still open past its due time;
// - due soon = open and due within the next days;
// - only on cases the caller sees in full (the access policy): a counsellor's state-only cases do not show theirs.
import { z } from 'zod';
import { DEADLINE_LABELS, type DeadlineKind } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import type { Prisma } from '../../prisma/generated/client.js';
import { caseAccess, caseListFilter, canSeeCoordination, handedOverCaseIds, type AccessUser } from './access-policy.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';

export const DeadlinesQuery = z.object({
  status: z.enum(['overdue', 'due_soon']).default('overdue'),
  days: z.coerce.number().int().min(1).max(90).default(7),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
});
export type DeadlinesQuery = z.infer<typeof DeadlinesQuery>;

const DAY_MS = 86_400_000;

/** Overdue: reminded, escalated or missed, or still open past its due time. */
export function overdueDeadlineWhere(now: Date): Prisma.CaseDeadlineWhereInput {
  return { OR: [{ status: { in: ['reminded', 'escalated', 'missed'] } }, { status: 'open', dueAt: { lt: now } }] };
}

/** Due soon: open and due between now and `days` days from now. */
export function dueSoonDeadlineWhere(now: Date, days: number): Prisma.CaseDeadlineWhereInput {
  return { status: 'open', dueAt: { gte: now, lte: new Date(now.getTime() + days * DAY_MS) } };
}

/** The end of retention is a deadline of the record, not a Wiedervorlage of the work: coordination's overviews leave it out. */
const NOT_RETENTION: Prisma.CaseDeadlineWhereInput = { kind: { not: 'retention' } };

/** The visible-cases rule: a Prisma filter for the cases the user may list, and which of them they see in full. */
async function fullAccessRule(db: Database, user: AccessUser) {
  const handedOver = await handedOverCaseIds(db, user);
  const handedOverSet = new Set(handedOver);
  return {
    where: caseListFilter(user, handedOver),
    isFull: (row: { id: string; organisationId: string }) => caseAccess(user, row, { handedOverBy: handedOverSet.has(row.id) }) === 'full',
  };
}

function invalidFilters(error: z.ZodError): ApiError {
  return new ApiError(422, 'validation_failed', 'Ungültige Filter.', {
    fields: Object.fromEntries(error.issues.map((i) => [i.path.join('.'), i.message])),
  });
}

/** GET /api/v1/deadlines: a page of overdue or due-soon deadlines on the caller's cases, oldest due first. */
export async function listDeadlines({ db }: Pick<OperationDeps, 'db'>, caller: Caller, input: unknown, now = new Date()) {
  const parsed = DeadlinesQuery.safeParse(input);
  if (!parsed.success) throw invalidFilters(parsed.error);
  const q = parsed.data;
  const rule = await fullAccessRule(db, caller.user);
  const visible = await db.case.findMany({ where: rule.where, select: { id: true, organisationId: true } });
  const caseIds = { caseId: { in: visible.filter(rule.isFull).map((c) => c.id) } };
  const where = { ...caseIds, ...(q.status === 'overdue' ? overdueDeadlineWhere(now) : dueSoonDeadlineWhere(now, q.days)) };
  const [total, rows] = await Promise.all([
    db.caseDeadline.count({ where }),
    db.caseDeadline.findMany({ where, orderBy: { dueAt: 'asc' }, skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
  ]);
  return {
    items: rows.map((d) => ({
      id: d.id,
      caseId: d.caseId,
      kind: d.kind,
      label: DEADLINE_LABELS[d.kind as DeadlineKind] ?? d.kind,
      dueAt: d.dueAt.toISOString(),
      escalateAt: d.escalateAt?.toISOString() ?? null,
      status: d.status,
      refId: d.refId,
    })),
    total,
  };
}

export const COORDINATION_ONLY_MESSAGE = 'Diese Übersicht ist der KIM-Koordination vorbehalten.';

/**
 * Overdue Wiedervorlagen (no retention) on open cases the caller sees in full, oldest due first, each with its case
 * and person — coordination's "Überfällige Fristen" (at most `take` deadlines) and the dashboard's overdue figures.
 */
export async function overdueOnOpenCases(
  { db }: Pick<OperationDeps, 'db'>,
  caller: Caller,
  options: { now?: Date; organisationId?: string | undefined; take?: number } = {},
) {
  if (!canSeeCoordination(caller.user)) throw new ApiError(403, 'forbidden', COORDINATION_ONLY_MESSAGE);
  const now = options.now ?? new Date();
  const deadlines = await db.caseDeadline.findMany({
    where: { ...overdueDeadlineWhere(now), ...NOT_RETENTION },
    orderBy: { dueAt: 'asc' },
    ...(options.take !== undefined ? { take: options.take } : {}),
  });
  const rule = await fullAccessRule(db, caller.user);
  const cases = await db.case.findMany({
    where: {
      AND: [
        { id: { in: [...new Set(deadlines.map((d) => d.caseId))] }, closedAt: null },
        options.organisationId ? { organisationId: options.organisationId } : {},
        rule.where,
      ],
    },
    include: { person: true },
  });
  const caseById = new Map(cases.filter(rule.isFull).map((c) => [c.id, c]));
  return deadlines.flatMap((deadline) => {
    const caseRow = caseById.get(deadline.caseId);
    return caseRow ? [{ deadline, case: caseRow }] : [];
  });
}
