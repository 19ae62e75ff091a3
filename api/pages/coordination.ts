// Coordination's pages: the overview (dashboard), the annual report (Förderprogrammcontrolling) and the overdue
// deadlines of every provider. The figures come from the operations; this module only renders them.
import { Router, type Request, type Response } from 'express';
import { CASE_STATE_LABELS, DEADLINE_LABELS, type CaseState } from '../../domain/index.js';
import { callerOf } from '../http/caller.js';
import { annualReport } from '../operations/annual-report.js';
import type { OperationDeps } from '../operations/caller.js';
import { dashboardFigures } from '../operations/dashboard.js';
import { overdueOnOpenCases } from '../operations/deadlines.js';
import { organisationNames, staffDirectory } from '../operations/directory.js';
import { steeringReport } from '../operations/steering-report.js';
import { barChartSvg, horizontalBarChartSvg } from './chart.js';
import { DEADLINE_STATUS_LABELS, daysOverdue, formatDate, formatDateTime } from './labels.js';
import { layout, orRefusalPage, requirePageUser, send } from './kit.js';
import { renderPage } from './views.js';

// Who may see them is the operations' business (canSeeCoordination): anyone else gets their refusal as a 403 page.

/** Most overdue deadlines listed on one page. */
const OVERDUE_PAGE_LIMIT = 500;

function yearAsked(value: unknown, now: Date): number {
  const asked = Number(value);
  return Number.isInteger(asked) && asked >= 2020 && asked <= 2100 ? asked : now.getUTCFullYear();
}

type OverdueRow = Awaited<ReturnType<typeof overdueOnOpenCases>>[number];

function overdueItem(
  { deadline: d, case: r }: OverdueRow,
  names: { organisation: (id: string) => string; staff: (id: string | null) => string },
  now: Date,
) {
  return {
    id: r.id,
    name: `${r.person.familyName}, ${r.person.givenName}`,
    organisation: names.organisation(r.organisationId),
    municipality: r.municipality,
    state: CASE_STATE_LABELS[r.state as CaseState] ?? r.state,
    deadline: DEADLINE_LABELS[d.kind as keyof typeof DEADLINE_LABELS] ?? d.kind,
    status: DEADLINE_STATUS_LABELS[d.status as keyof typeof DEADLINE_STATUS_LABELS] ?? d.status,
    due: formatDate(d.dueAt),
    days: daysOverdue(d.dueAt, now),
    assignee: names.staff(r.assigneeId),
  };
}

/** The case list filtered as a dashboard figure counts (its German query parameters, api/pages/case-list.ts). */
const caseListLink = (filters: Record<string, string>) => `/faelle?${new URLSearchParams(filters).toString()}`;

export function coordinationPagesRouter(deps: Pick<OperationDeps, 'db'> & { temporalUiUrl?: string | undefined }): Router {
  const { db } = deps;
  const router = Router();

  // ----- Koordination: Übersicht (dashboard)

  router.get('/koordination', requirePageUser, async (req, res) => {
    const now = new Date();
    const figures = await orRefusalPage(req, res, dashboardFigures(deps, callerOf(req, 'page'), now));
    if (!figures) return;
    send(
      res,
      200,
      renderPage('dashboard', {
        ...layout(req, 'Übersicht Koordination', 'uebersicht'),
        figures,
        // Every figure links to the cases it counts (the case list with the same filters).
        matrix: figures.matrix.map((row) => ({
          ...row,
          cells: row.cells.map((count, i) => ({ count, href: caseListLink({ traeger: row.id, status: figures.states[i]! }) })),
          totalHref: caseListLink({ traeger: row.id, offen: '1' }),
        })),
        columnTotals: figures.columnTotals.map((count, i) => ({ count, href: caseListLink({ status: figures.states[i]! }) })),
        openTotalHref: caseListLink({ offen: '1' }),
        overdueTotalHref: caseListLink({ offen: '1', ueberfaellig: '1' }),
        closureRequests: figures.closureRequests.map((r) => ({ ...r, ref: r.caseId.slice(0, 8), due: formatDate(r.dueAt) })),
        chart: barChartSvg(figures.months, 'Neue Fälle je Monat'),
        asOf: formatDateTime(now),
      }),
    );
  });

  // ----- Koordination: Jahresbericht (Förderprogrammcontrolling)

  router.get('/koordination/jahresbericht', requirePageUser, async (req, res) => {
    const now = new Date();
    const year = yearAsked(req.query.jahr, now);
    const annual = await orRefusalPage(req, res, annualReport(deps, callerOf(req, 'page'), year));
    if (!annual) return;
    const { chartBars, ...report } = annual;
    const chart = barChartSvg(chartBars, `Neue Fälle je Monat ${year}`);
    send(res, 200, renderPage('annual-report', { ...layout(req, `Jahresbericht ${year}`, 'uebersicht'), report: { ...report, chart }, asOf: formatDateTime(now) }));
  });

  // ----- Koordination: Bericht für die Lenkungsgruppe (Halbjahr/Jahr, druckbar)

  router.get('/koordination/lenkungsgruppe', requirePageUser, (req, res) => steeringPage(deps, req, res));

  // ----- Koordination: überfällige Fristen

  router.get('/koordination/fristen', requirePageUser, async (req, res) => {
    const now = new Date();
    const organisation = typeof req.query.traeger === 'string' && req.query.traeger ? req.query.traeger : undefined;
    const overdue = await orRefusalPage(req, res, overdueOnOpenCases(deps, callerOf(req, 'page'), { now, organisationId: organisation, take: OVERDUE_PAGE_LIMIT }));
    if (!overdue) return;
    const [orgs, staff] = await Promise.all([organisationNames(db), staffDirectory(db)]);
    const names = { organisation: orgs.short, staff: staff.name };
    send(
      res,
      200,
      renderPage('deadlines', {
        ...layout(req, 'Überfällige Fristen', 'fristen'),
        items: overdue.map((row) => overdueItem(row, names, now)),
        organisationOptions: orgs.rows
          .filter((o) => o.kind !== 'jobcenter')
          .map((o) => ({ value: o.id, label: o.shortName, selected: o.id === organisation })),
        asOf: formatDateTime(now),
        temporalUiUrl: deps.temporalUiUrl,
      }),
    );
  });

  return router;
}

/** The Lenkungsgruppe report as a printable page: charts with their data tables, the key figures, the progress. */
async function steeringPage(deps: Pick<OperationDeps, 'db'>, req: Request, res: Response): Promise<void> {
  const now = new Date();
  const half = req.query.halbjahr === '1' || req.query.halbjahr === '2' ? req.query.halbjahr : undefined;
  const query = { year: yearAsked(req.query.jahr, now), ...(half ? { half } : {}) };
  const report = await orRefusalPage(req, res, steeringReport(deps, callerOf(req, 'page'), query, now));
  if (!report) return;
  const { view, period, year, minPersons } = report;
  // Suppressed bars are drawn as 0 and marked in the table next to the chart: a bar must not reveal them.
  const charts = view.openedBars.map((c) => ({
    title: c.title,
    svg: horizontalBarChartSvg(c.bars.map((b) => ({ label: b.label, count: b.cell.suppressed ? 0 : b.cell.value })), `${c.title}, ${period.label}`),
    rows: c.bars.map((b) => ({ label: b.label, text: b.cell.text })),
  }));
  const files = `year=${year}${half ? `&half=${half}` : ''}`;
  send(
    res,
    200,
    renderPage('steering-report', {
      ...layout(req, `Bericht für die Lenkungsgruppe – ${period.label}`, 'uebersicht'),
      period,
      year,
      halves: [
        { value: '', label: 'ganzes Jahr', selected: !half },
        { value: '1', label: '1. Halbjahr', selected: half === '1' },
        { value: '2', label: '2. Halbjahr', selected: half === '2' },
      ],
      minPersons,
      charts,
      ...view,
      csvUrl: `/api/v1/reports/steering?${files}&format=csv`,
      xlsxUrl: `/api/v1/reports/steering?${files}&format=xlsx`,
      asOf: formatDateTime(now),
    }),
  );
}
