// GET /api/v1/reports/controlling — controlling figures for the KIM coordination (api/operations/reports.ts) as
// JSON, CSV or XLSX (api/v1/controlling-files.ts), by ?format= or else by the Accept header.
import { Router, type Request } from 'express';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { controllingReport } from '../operations/reports.js';
import { XLSX_TYPE, controllingCsv, controllingXlsx } from './controlling-files.js';

function wantedFormat(req: Request, explicit: 'json' | 'csv' | 'xlsx' | undefined): 'json' | 'csv' | 'xlsx' {
  if (explicit) return explicit;
  const best = req.accepts(['application/json', 'text/csv', XLSX_TYPE]);
  return best === 'text/csv' ? 'csv' : best === XLSX_TYPE ? 'xlsx' : 'json';
}

export function reportsRouter(deps: Pick<OperationDeps, 'db'>): Router {
  const router = Router();
  router.get('/controlling', async (req, res) => {
    const { report, from, to, groupBy, format, generatedAt } = await controllingReport(deps, callerOf(req), req.query);
    res.vary('Accept');
    res.set('Cache-Control', 'no-store');
    const filename = `kim-controlling_${from}_${to}_${groupBy}`;
    const wanted = wantedFormat(req, format);
    if (wanted === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`${filename}.csv`).send(controllingCsv(report));
    } else if (wanted === 'xlsx') {
      res.type(XLSX_TYPE).attachment(`${filename}.xlsx`).send(await controllingXlsx(report, generatedAt));
    } else {
      res.json({ ...report, generatedAt: generatedAt.toISOString() });
    }
  });
  return router;
}
