// The yearly report for the ministry's programme controlling (Förderprogrammcontrolling): the controlling figures
// of one calendar year per provider, in sections a reader can follow, with the monthly intake (drawn as a chart by
// the page). Built from the same report as GET /api/v1/reports/controlling, so both always show the same numbers.
import { cellAt, type Cell, type ControllingReport } from '../../domain/controlling.js';
import { canSeeCoordination } from './access-policy.js';
import { logAccess } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';
import { buildControllingReport } from './reports.js';

const SECTIONS: Array<{ title: string; prefixes: string[][] }> = [
  { title: 'Fälle', prefixes: [['cases'], ['duration', 'medianDays']] },
  { title: 'Kontakte und Begleitungen', prefixes: [['contacts'], ['accompaniments']] },
  { title: 'Vermittlungen in das Netzwerk', prefixes: [['referrals', 'sent'], ['referrals', 'outcomes']] },
  { title: 'Abschlüsse und Zielerreichung', prefixes: [['closureReasons'], ['goalAttainment']] },
  { title: 'Übergaben aus der Ausländerbehörde', prefixes: [['handovers']] },
  { title: 'Wiedervorlagen (Fristen)', prefixes: [['deadlines', 'total']] },
];

const startsWith = (path: string[], prefix: string[]) => prefix.every((p, i) => path[i] === p);

function show(cell: Cell): { text: string; suppressed: boolean } {
  if (cell.suppressed) return { text: '•', suppressed: true };
  if (cell.value === null) return { text: '–', suppressed: false };
  return { text: Number.isInteger(cell.value) ? String(cell.value) : cell.value.toLocaleString('de-DE'), suppressed: false };
}

export function annualSections(report: ControllingReport) {
  const rows = [...report.groups, report.total];
  return SECTIONS.map((section) => {
    const columns = report.columns.filter((c) => section.prefixes.some((p) => startsWith(c.path, p)));
    return {
      title: section.title,
      headers: columns.map((c) => c.label),
      rows: rows.map((row, i) => ({
        label: row.label,
        total: i === rows.length - 1,
        cells: columns.map((c) => show(cellAt(row, c.path))),
      })),
    };
  });
}

/** The yearly report of `year`, for coordination; written to the access log as a report export. */
export async function annualReport({ db }: Pick<OperationDeps, 'db'>, caller: Caller, year: number) {
  if (!canSeeCoordination(caller.user)) throw new ApiError(403, 'forbidden', 'Der Jahresbericht ist der KIM-Koordination vorbehalten.');
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const [byOrganisation, byMonth] = await Promise.all([
    buildControllingReport(db, { from, to, groupBy: 'organisation' }),
    buildControllingReport(db, { from, to, groupBy: 'month' }),
  ]);
  const months = byMonth.groups.map((g) => {
    const cell = cellAt(g, ['cases', 'opened']);
    return { month: g.key, label: g.label.slice(0, 3), count: cell.value ?? 0, suppressed: Boolean(cell.suppressed) };
  });
  await logAccess(db, caller, { action: 'export_report' });
  return {
    year,
    sections: annualSections(byOrganisation),
    // Suppressed months are drawn as 0 and marked in the table below the chart: a bar must not reveal them.
    chartBars: months.map((m) => ({ month: m.month, label: m.label, count: m.suppressed ? 0 : m.count })),
    months: months.map((m) => ({ label: m.label, text: m.suppressed ? '•' : String(m.count) })),
    minPersons: byOrganisation.minPersons,
  };
}
