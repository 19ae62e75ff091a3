// /api/v1/cases: the JSON door of the case operations (api/operations/cases.ts).
import { Router } from 'express';
import { callerOf } from '../http/caller.js';
import { stateOnlyCaseView } from '../operations/access-policy.js';
import { toCaseResponse } from '../operations/case-responses.js';
import { runCaseAction } from '../operations/case-acts.js';
import { listCases, openCase, readCase, readCaseHistory } from '../operations/cases.js';
import type { OperationDeps } from '../operations/caller.js';
import { listSharedCases } from '../operations/partner-access.js';
import { readCaseProgress } from '../operations/progress.js';

export function casesRouter(deps: OperationDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const created = await openCase(deps, callerOf(req), req.body ?? {});
    res.status(201).location(`/api/v1/cases/${created.id}`).json(created);
  });

  router.get('/', async (req, res) => {
    res.json(await listCases(deps, callerOf(req), req.query));
  });

  // Before '/:id': case ids are UUIDs, never "shared".
  router.get('/shared', async (req, res) => {
    res.json(await listSharedCases(deps.db, callerOf(req), req.query));
  });

  router.get('/:id', async (req, res) => {
    const found = await readCase(deps, callerOf(req), req.params.id);
    // Consent-bound sharing: only the projection; a handed-over case: only its state.
    if (found.access === 'partner') res.json(found.partnerView);
    else if (found.access === 'state_only') {
      res.json({ ...stateOnlyCaseView(found.row), ...(found.residenceTrack !== undefined ? { residenceTrack: found.residenceTrack } : {}) });
    }
    else res.json(toCaseResponse(found.row, found.view));
  });

  router.post('/:id/actions/:action', async (req, res) => {
    const { row, data } = await runCaseAction(deps, callerOf(req), req.params.id, req.params.action, req.body ?? {});
    res.json({ case: toCaseResponse(row, data) });
  });

  router.get('/:id/history', async (req, res) => {
    const { history } = await readCaseHistory(deps, callerOf(req), req.params.id, req.query.asOf);
    res.json(history);
  });

  router.get('/:id/progress', async (req, res) => {
    res.json(await readCaseProgress(deps, callerOf(req), req.params.id));
  });

  return router;
}
