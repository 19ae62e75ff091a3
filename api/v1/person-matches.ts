// /api/v1/person-matches: coordination's possible matches of one person across providers (issue 16;
// api/operations/person-matches.ts). The intake's warning itself is POST /api/v1/cases' 409 possible_existing_case.
import { Router } from 'express';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { decidePersonMatch, listPersonMatches } from '../operations/person-matches.js';

export function personMatchesRouter(deps: Pick<OperationDeps, 'db'>): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    res.json(await listPersonMatches(deps, callerOf(req), req.query));
  });

  router.post('/:id/link', async (req, res) => {
    res.json({ match: await decidePersonMatch(deps, callerOf(req), req.params.id, 'link') });
  });

  router.post('/:id/dismiss', async (req, res) => {
    res.json({ match: await decidePersonMatch(deps, callerOf(req), req.params.id, 'dismiss') });
  });

  return router;
}
