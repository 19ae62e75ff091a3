// GET /api/v1/deadlines?status=overdue|due_soon — open deadlines (Wiedervorlagen) across the caller's cases,
// from the CaseDeadline read model: overdue = past due and not met; due soon = due within the next days.
import { Router } from 'express';
import { z } from 'zod';
import { DEADLINE_LABELS, type DeadlineKind } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import { caseListFilter, handedOverCaseIds } from './access.js';
import { currentUser } from './auth.js';
import { ApiError } from './errors.js';

const querySchema = z.object({
  status: z.enum(['overdue', 'due_soon']).default('overdue'),
  days: z.coerce.number().int().min(1).max(90).default(7),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
});

export function deadlinesRouter({ db }: { db: Database }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const user = currentUser(req);
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) {
      throw new ApiError(422, 'validation_failed', 'Ungültige Filter.', {
        fields: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message])),
      });
    }
    const q = parsed.data;
    const now = new Date();
    // Cases the caller may see in full; counsellors' state-only cases do not show their deadlines.
    const visible = await db.case.findMany({ where: caseListFilter(user, await handedOverCaseIds(db, user)), select: { id: true, organisationId: true } });
    const fullIds = visible.filter((c) => user.role === 'coordinator' || c.organisationId === user.organisationId).map((c) => c.id);
    const where =
      q.status === 'overdue'
        ? { caseId: { in: fullIds }, OR: [{ status: { in: ['reminded', 'escalated', 'missed'] } }, { status: 'open', dueAt: { lt: now } }] }
        : { caseId: { in: fullIds }, status: 'open', dueAt: { gte: now, lte: new Date(now.getTime() + q.days * 86_400_000) } };
    const [total, rows] = await Promise.all([
      db.caseDeadline.count({ where }),
      db.caseDeadline.findMany({ where, orderBy: { dueAt: 'asc' }, skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
    ]);
    res.json({
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
    });
  });
  return router;
}
