// /api/v1/organisations: the directory of organisations (ids for routing, transfers and consents).
import { Router } from 'express';
import type { Database } from '../../platform/database.js';
import { listOrganisations } from '../operations/directory.js';

export function directoryRouter({ db }: { db: Database }): Router {
  const router = Router();
  router.get('/organisations', async (_req, res) => {
    res.json(await listOrganisations(db));
  });
  return router;
}
