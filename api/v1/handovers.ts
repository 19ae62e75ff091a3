// /api/v1/handovers — the JSON door of the handover operations (api/operations/handovers.ts): parse the request,
// name the caller, run the operation, send its answer. Refusals are ApiErrors for http/json-errors.ts.
import { Router } from 'express';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { listHandovers, parseHandoverAction, proposeHandover, readHandover, runHandoverAction } from '../operations/handovers.js';

export function handoversRouter(deps: OperationDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const created = await proposeHandover(deps, callerOf(req), req.body);
    res.status(201).location(`/api/v1/handovers/${created.id}`).json(created);
  });

  router.get('/', async (req, res) => {
    res.json(await listHandovers(deps, callerOf(req), req.query));
  });

  router.get('/:id', async (req, res) => {
    res.json(await readHandover(deps, callerOf(req), req.params.id));
  });

  router.post('/:id/actions/:action', async (req, res) => {
    const caller = callerOf(req);
    const action = parseHandoverAction(req.params.action);
    res.json({ handover: await runHandoverAction(deps, caller, req.params.id, action, req.body) });
  });

  return router;
}
