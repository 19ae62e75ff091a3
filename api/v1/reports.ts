// GET /api/v1/reports/controlling — controlling figures for the KIM coordination (api/operations/reports.ts) as
// JSON, CSV or XLSX (api/v1/controlling-files.ts), by ?format= or else by the Accept header.
import { Router, type Request } from 'express';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { progressReport } from '../operations/progress.js';
import { residenceReport } from '../operations/residence-report.js';
import { steeringReport } from '../operations/steering-report.js';
import { controllingReport } from '../operations/reports.js';
import { PROGRESS_DEFINITIONS, RESIDENCE_DEFINITIONS, STEERING_DEFINITIONS, XLSX_TYPE, controllingCsv, controllingXlsx, reportsCsv, reportsXlsx } from './controlling-files.js';

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
  // Measured progress of the cases closed in the period (api/operations/progress.ts), in the same formats.
  router.get('/progress', async (req, res) => {
    const { report, from, to, groupBy, format, generatedAt } = await progressReport(deps, callerOf(req), req.query);
    res.vary('Accept');
    res.set('Cache-Control', 'no-store');
    const filename = `kim-fortschritt_${from}_${to}_${groupBy}`;
    const wanted = wantedFormat(req, format);
    if (wanted === 'csv') res.type('text/csv; charset=utf-8').attachment(`${filename}.csv`).send(controllingCsv(report));
    else if (wanted === 'xlsx') res.type(XLSX_TYPE).attachment(`${filename}.xlsx`).send(await controllingXlsx(report, generatedAt, { title: 'Fortschritt', definitions: PROGRESS_DEFINITIONS }));
    else res.json({ ...report, generatedAt: generatedAt.toISOString() });
  });
  // The residence-law track (api/operations/residence-report.ts), in the same formats.
  router.get('/residence', async (req, res) => {
    const { report, from, to, groupBy, format, generatedAt } = await residenceReport(deps, callerOf(req), req.query);
    res.vary('Accept');
    res.set('Cache-Control', 'no-store');
    const filename = `kim-aufenthalt_${from}_${to}_${groupBy}`;
    const wanted = wantedFormat(req, format);
    if (wanted === 'csv') res.type('text/csv; charset=utf-8').attachment(`${filename}.csv`).send(controllingCsv(report));
    else if (wanted === 'xlsx') res.type(XLSX_TYPE).attachment(`${filename}.xlsx`).send(await controllingXlsx(report, generatedAt, { title: 'Aufenthalt', definitions: RESIDENCE_DEFINITIONS }));
    else res.json({ ...report, generatedAt: generatedAt.toISOString() });
  });
  // The Lenkungsgruppe report (api/operations/steering-report.ts): every figure by age band, channel and post, and the
  // progress figures by the same groupings — the numbers of the printable page /koordination/lenkungsgruppe.
  router.get('/steering', async (req, res) => {
    const r = await steeringReport(deps, callerOf(req), req.query);
    res.vary('Accept');
    res.set('Cache-Control', 'no-store');
    const sheets = [
      ...r.figures.map((f) => ({ title: `Kennzahlen ${f.title.replace(/^Nach /, '')}`.slice(0, 31), report: f.report })),
      ...r.progress.map((p) => ({ title: `Fortschritt ${p.title.replace(/^Nach /, '')}`.slice(0, 31), report: p.report })),
      { title: 'Aufenthalt nach Organisation', report: r.residence },
    ];
    const filename = `kim-lenkungsgruppe_${r.period.from}_${r.period.to}`;
    const wanted = wantedFormat(req, r.format);
    if (wanted === 'csv') res.type('text/csv; charset=utf-8').attachment(`${filename}.csv`).send(reportsCsv(sheets));
    else if (wanted === 'xlsx') res.type(XLSX_TYPE).attachment(`${filename}.xlsx`).send(await reportsXlsx(sheets, r.generatedAt, STEERING_DEFINITIONS));
    else res.json({ period: r.period, minPersons: r.minPersons, sheets, generatedAt: r.generatedAt.toISOString() });
  });
  return router;
}
