// The coordinator dashboard ("Übersicht Koordination"): open cases by phase and provider, overdue deadlines per
// provider (linked), workload per case manager and cases opened per month (drawn by the page, api/pages/chart.ts).
// All from the read models (Case, CaseDeadline), so it stays fast at state scale.
import { CASE_STATE_LABELS, OPEN_CASE_STATES, type CaseState } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { canSeeCoordination } from './access-policy.js';
import type { Caller, OperationDeps } from './caller.js';
import { COORDINATION_ONLY_MESSAGE, overdueOnOpenCases } from './deadlines.js';
import { ApiError } from './errors.js';

export interface MonthBar {
  month: string;
  label: string;
  count: number;
}

const MONTHS_DE = ['Jan', 'Feb', 'Mär', 'Apr', 'Mai', 'Jun', 'Jul', 'Aug', 'Sep', 'Okt', 'Nov', 'Dez'];

/** The twelve calendar months up to `now`'s, each with the number of cases opened in it. */
function openedPerMonth(opened: { openedAt: Date }[], now: Date): MonthBar[] {
  const months: MonthBar[] = Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11 + i, 1));
    return { month: d.toISOString().slice(0, 7), label: `${MONTHS_DE[d.getUTCMonth()]} ${String(d.getUTCFullYear()).slice(2)}`, count: 0 };
  });
  for (const c of opened) {
    const bar = months.find((m) => m.month === c.openedAt.toISOString().slice(0, 7));
    if (bar) bar.count++;
  }
  return months;
}

/** Open cases per assignee, most first, with the assignee's name and organisation. */
async function workloadOf(db: Database, organisationName: Map<string, string>) {
  const [workload, users] = await Promise.all([
    db.case.groupBy({ by: ['assigneeId'], where: { closedAt: null }, _count: { _all: true } }),
    db.user.findMany({ select: { id: true, name: true, organisationId: true } }),
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  return workload
    .map((w) => ({
      name: w.assigneeId ? (userById.get(w.assigneeId)?.name ?? 'unbekannt') : 'nicht zugewiesen',
      organisation: w.assigneeId ? (organisationName.get(userById.get(w.assigneeId)?.organisationId ?? '') ?? '–') : '–',
      open: w._count._all,
    }))
    .sort((a, b) => b.open - a.open);
}

/** Closure requests waiting for coordination, oldest decision first: the running decision deadlines (read model). */
async function pendingClosureRequests(db: Database, organisationName: Map<string, string>) {
  const waiting = await db.caseDeadline.findMany({
    where: { kind: 'closure_decision', status: { in: ['open', 'reminded', 'escalated', 'missed'] } },
    orderBy: { dueAt: 'asc' },
  });
  const cases = await db.case.findMany({ where: { id: { in: waiting.map((d) => d.caseId) }, closedAt: null }, select: { id: true, organisationId: true } });
  const byId = new Map(cases.map((c) => [c.id, c]));
  return waiting.flatMap((d) => {
    const c = byId.get(d.caseId);
    return c ? [{ caseId: c.id, organisation: organisationName.get(c.organisationId) ?? c.organisationId, dueAt: d.dueAt, overdue: d.status !== 'open' }] : [];
  });
}

export async function dashboardFigures(deps: Pick<OperationDeps, 'db'>, caller: Caller, now = new Date()) {
  if (!canSeeCoordination(caller.user)) throw new ApiError(403, 'forbidden', COORDINATION_ONLY_MESSAGE);
  const { db } = deps;
  const [byStateOrg, organisations, overdue, opened] = await Promise.all([
    db.case.groupBy({ by: ['state', 'organisationId'], where: { closedAt: null }, _count: { _all: true } }),
    db.organisation.findMany({ where: { kind: { in: ['provider', 'county', 'abh'] } }, orderBy: { shortName: 'asc' } }),
    overdueOnOpenCases(deps, caller, { now }),
    db.case.findMany({
      where: { openedAt: { gte: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1)) } },
      select: { openedAt: true },
    }),
  ]);
  // One entry per open case with an overdue deadline.
  const overdueCases = [...new Map(overdue.map((o) => [o.case.id, o.case])).values()];

  const states = OPEN_CASE_STATES as readonly CaseState[];
  const matrix = organisations.map((o) => {
    const cells = states.map((s) => byStateOrg.find((g) => g.organisationId === o.id && g.state === s)?._count._all ?? 0);
    return {
      id: o.id,
      name: o.shortName,
      cells,
      total: cells.reduce((a, b) => a + b, 0),
      overdue: overdueCases.filter((c) => c.organisationId === o.id).length,
    };
  });
  const columnTotals = states.map((_, i) => matrix.reduce((sum, row) => sum + row.cells[i]!, 0));

  return {
    states: [...states],
    stateLabels: states.map((s) => CASE_STATE_LABELS[s]),
    matrix,
    columnTotals,
    openTotal: columnTotals.reduce((a, b) => a + b, 0),
    overdueTotal: overdueCases.length,
    workload: await workloadOf(db, new Map(organisations.map((o) => [o.id, o.shortName]))),
    closureRequests: await pendingClosureRequests(db, new Map(organisations.map((o) => [o.id, o.shortName]))),
    months: openedPerMonth(opened, now),
  };
}
