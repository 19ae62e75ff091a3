// The coordinator dashboard ("Übersicht Koordination"): open cases by phase and provider, overdue deadlines per
// provider (linked), workload per case manager and cases opened per month as a server-rendered SVG bar chart.
// All from the read models (Case, CaseDeadline), so it stays fast at state scale.
import { CASE_STATE_LABELS, OPEN_CASE_STATES, type CaseState } from '../domain/index.js';
import type { Database } from '../platform/database.js';

export interface MonthBar {
  month: string;
  label: string;
  count: number;
}

/** A plain, accessible SVG bar chart (role=img with a text alternative); no client script. */
export function barChartSvg(bars: MonthBar[], title: string): string {
  const width = 640;
  const height = 200;
  const pad = { top: 16, right: 8, bottom: 36, left: 32 };
  const max = Math.max(1, ...bars.map((b) => b.count));
  const slot = (width - pad.left - pad.right) / Math.max(1, bars.length);
  const scale = (height - pad.top - pad.bottom) / max;
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const parts = bars.map((b, i) => {
    const h = b.count * scale;
    const x = pad.left + i * slot + slot * 0.15;
    const y = height - pad.bottom - h;
    return (
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#00507a"><title>${esc(b.label)}: ${b.count}</title></rect>` +
      `<text x="${(x + slot * 0.35).toFixed(1)}" y="${(y - 3).toFixed(1)}" font-size="11" text-anchor="middle">${b.count}</text>` +
      `<text x="${(x + slot * 0.35).toFixed(1)}" y="${height - pad.bottom + 14}" font-size="11" text-anchor="middle">${esc(b.label)}</text>`
    );
  });
  const summary = bars.map((b) => `${b.label}: ${b.count}`).join(', ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`${title}. ${summary}`)}" class="chart">` +
    `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#4a5560"/>` +
    parts.join('') +
    '</svg>'
  );
}

const MONTHS_DE = ['Jan', 'Feb', 'Mär', 'Apr', 'Mai', 'Jun', 'Jul', 'Aug', 'Sep', 'Okt', 'Nov', 'Dez'];

export async function dashboardFigures(db: Database, now = new Date()) {
  const [byStateOrg, organisations, overdue, workload, users, opened] = await Promise.all([
    db.case.groupBy({ by: ['state', 'organisationId'], where: { closedAt: null }, _count: { _all: true } }),
    db.organisation.findMany({ where: { kind: { in: ['provider', 'county', 'abh'] } }, orderBy: { shortName: 'asc' } }),
    db.caseDeadline.findMany({
      where: { OR: [{ status: { in: ['reminded', 'escalated', 'missed'] } }, { status: 'open', dueAt: { lt: now } }], kind: { not: 'retention' } },
      select: { caseId: true },
    }),
    db.case.groupBy({ by: ['assigneeId'], where: { closedAt: null }, _count: { _all: true } }),
    db.user.findMany({ where: { role: { in: ['case_manager', 'abh_counsellor'] } }, select: { id: true, name: true, organisationId: true } }),
    db.case.findMany({
      where: { openedAt: { gte: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1)) } },
      select: { openedAt: true },
    }),
  ]);
  const overdueCases = await db.case.findMany({ where: { id: { in: [...new Set(overdue.map((d) => d.caseId))] }, closedAt: null }, select: { organisationId: true } });

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

  const userById = new Map(users.map((u) => [u.id, u]));
  const orgName = new Map(organisations.map((o) => [o.id, o.shortName]));
  const load = workload
    .map((w) => ({
      name: w.assigneeId ? (userById.get(w.assigneeId)?.name ?? 'unbekannt') : 'nicht zugewiesen',
      organisation: w.assigneeId ? (orgName.get(userById.get(w.assigneeId)?.organisationId ?? '') ?? '–') : '–',
      open: w._count._all,
    }))
    .sort((a, b) => b.open - a.open);

  const months: MonthBar[] = Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11 + i, 1));
    return { month: d.toISOString().slice(0, 7), label: `${MONTHS_DE[d.getUTCMonth()]} ${String(d.getUTCFullYear()).slice(2)}`, count: 0 };
  });
  for (const c of opened) {
    const bar = months.find((m) => m.month === c.openedAt.toISOString().slice(0, 7));
    if (bar) bar.count++;
  }

  return {
    stateLabels: states.map((s) => CASE_STATE_LABELS[s]),
    matrix,
    columnTotals,
    openTotal: columnTotals.reduce((a, b) => a + b, 0),
    overdueTotal: overdueCases.length,
    workload: load,
    months,
  };
}
