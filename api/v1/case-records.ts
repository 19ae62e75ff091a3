// The records about a case, for KIM coordination and control (mount at /api/v1/cases):
//   GET /:id/history/check  the engine cross-check (operations/case-history-check.ts)
//   GET /:id/access-log     who read the case (operations/access-log.ts)
//   GET /:id/export         the Art. 15 export as a JSON file (operations/case-export.ts). `?format=html`, the
//                           printable document, is a page: it is left to the pages door (api/pages/data-protection.ts).
import { Router } from 'express';
import { callerOf } from '../http/caller.js';
import { readAccessLog } from '../operations/access-log.js';
import type { OperationDeps } from '../operations/caller.js';
import { exportCase } from '../operations/case-export.js';
import { checkHistory } from '../operations/case-history-check.js';

export function caseRecordsRouter(deps: Pick<OperationDeps, 'db' | 'temporal'>): Router {
  const router = Router();

  router.get('/:id/history/check', async (req, res) => {
    res.json(await checkHistory(deps, callerOf(req), req.params.id));
  });

  router.get('/:id/access-log', async (req, res) => {
    res.json(await readAccessLog(deps, callerOf(req), req.params.id, req.query));
  });

  router.get('/:id/export', async (req, res, next) => {
    if (req.query.format === 'html') return next();
    const data = await exportCase(deps, callerOf(req), req.params.id);
    res.set('Cache-Control', 'no-store');
    res.attachment(`auskunft-${data.case.id}.json`).json(data);
  });

  return router;
}
