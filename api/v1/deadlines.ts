// GET /api/v1/deadlines?status=overdue|due_soon — open deadlines (Wiedervorlagen) across the caller's cases; the
// criteria and the visible-cases rule are those of api/operations/deadlines.ts.
import { Router } from 'express';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { listDeadlines } from '../operations/deadlines.js';

export function deadlinesRouter(deps: Pick<OperationDeps, 'db'>): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await listDeadlines(deps, callerOf(req), req.query));
  });
  return router;
}
