// The report for the Lenkungsgruppe (concept sections 2.1, 2.2, 5; issue 16): per half year or year, the key figures
// by age band, access channel and county post vs provider, and the measured progress of the cases closed in the
// period (change of need per life area, success criteria reached). Built from the same reports as
// GET /api/v1/reports/controlling and /progress, so the page, the CSV and the XLSX show the same suppressed numbers.
import { z } from 'zod';
import { cellAt, zonedDate, type Cell, type ControllingGroupBy, type ControllingReport, type ProgressGroupBy } from '../../domain/controlling.js';
import { LIFE_AREAS, LIFE_AREA_LABELS, RESIDENCE_TITLES, RESIDENCE_TITLE_LABELS, SUCCESS_CRITERIA, SUCCESS_CRITERION_LABELS } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { canSeeReports } from './access-policy.js';
import { logAccess } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';
import { buildProgressReport } from './progress.js';
import { buildControllingReport } from './reports.js';
import { buildResidenceReport } from './residence-report.js';

export const SteeringReportQuery = z.object({
  year: z.coerce.number({ error: 'Jahr als Zahl angeben.' }).int('Jahr als ganze Zahl angeben.').min(2000, 'Jahr ab 2000.').max(2999, 'Jahr bis 2999.').optional(),
  half: z.enum(['1', '2'], { error: 'Halbjahr 1 oder 2 (ohne: ganzes Jahr).' }).optional(),
  format: z.enum(['json', 'csv', 'xlsx'], { error: 'Unbekanntes Format – erlaubt: json, csv, xlsx.' }).optional(),
});

/** The key figures shown per target group (paths into the controlling report). */
const KEY_FIGURES: { path: string[]; label: string }[] = [
  { path: ['cases', 'opened'], label: 'Fälle eröffnet' },
  { path: ['cases', 'active'], label: 'Fälle aktiv' },
  { path: ['cases', 'closed'], label: 'Fälle abgeschlossen' },
  { path: ['contacts', 'total'], label: 'Kontakte' },
  { path: ['contacts', 'byKind', 'accompaniment'], label: 'Begleitungen' },
  { path: ['contacts', 'byKind', 'joint_first_appointment'], label: 'Gemeinsame Ersttermine mit der zuweisenden Stelle' },
  { path: ['duration', 'medianDays'], label: 'Dauer der Zusammenarbeit (Median, Tage)' },
];

const GROUPINGS: { groupBy: ControllingGroupBy & ProgressGroupBy; title: string }[] = [
  { groupBy: 'ageBand', title: 'Nach Altersgruppe' },
  { groupBy: 'channel', title: 'Nach Zugangsweg' },
  { groupBy: 'post', title: 'Kreis-Stellen und Träger' },
];

/** A cell as the page shows it: suppressed (•), undefined (–) or the number in German. */
export function shownCell(cell: Cell): { text: string; suppressed: boolean; value: number } {
  if (cell.suppressed) return { text: '•', suppressed: true, value: 0 };
  if (cell.value === null) return { text: '–', suppressed: false, value: 0 };
  return { text: Number.isInteger(cell.value) ? String(cell.value) : cell.value.toLocaleString('de-DE'), suppressed: false, value: cell.value };
}

function table(report: ControllingReport, figures: { path: string[]; label: string }[]) {
  const rows = [...report.groups, report.total];
  return {
    headers: figures.map((f) => f.label),
    rows: rows.map((row, i) => ({ label: row.label, total: i === rows.length - 1, cells: figures.map((f) => shownCell(cellAt(row, f.path))) })),
  };
}

/** The period of a half year or year. */
export function steeringPeriod(year: number, half?: '1' | '2'): { from: string; to: string; label: string } {
  if (half === '1') return { from: `${year}-01-01`, to: `${year}-06-30`, label: `1. Halbjahr ${year}` };
  if (half === '2') return { from: `${year}-07-01`, to: `${year}-12-31`, label: `2. Halbjahr ${year}` };
  return { from: `${year}-01-01`, to: `${year}-12-31`, label: `Jahr ${year}` };
}

/** The reports behind the page and the files (one per target grouping, plus progress in total and by grouping). */
export async function steeringReports(db: Database, from: string, to: string) {
  const figures: { groupBy: ControllingGroupBy; title: string; report: ControllingReport }[] = [];
  const progress: { groupBy: ProgressGroupBy; title: string; report: ControllingReport }[] = [];
  // One after the other: gentle on the embedded database.
  for (const g of GROUPINGS) figures.push({ ...g, report: await buildControllingReport(db, { from, to, groupBy: g.groupBy }) });
  for (const g of GROUPINGS) progress.push({ ...g, report: await buildProgressReport(db, { from, to, groupBy: g.groupBy }) });
  return { figures, progress };
}

/** GET the Lenkungsgruppe report (page and files): coordination only, logged as a report export. */
export async function steeringReport({ db }: Pick<OperationDeps, 'db'>, caller: Caller, input: unknown, now = new Date()) {
  if (!canSeeReports(caller.user)) throw new ApiError(403, 'forbidden', 'Der Bericht für die Lenkungsgruppe ist der KIM-Koordination vorbehalten.');
  const parsed = SteeringReportQuery.safeParse(input ?? {});
  if (!parsed.success) {
    throw new ApiError(422, 'validation_failed', 'Die Angaben zum Bericht sind ungültig.', {
      fields: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'query', i.message])),
    });
  }
  const year = parsed.data.year ?? Number(zonedDate(now.getTime()).slice(0, 4));
  const period = steeringPeriod(year, parsed.data.half);
  const { figures, progress } = await steeringReports(db, period.from, period.to);
  // The residence-law track (issue 16 item 2) by organisation, the same numbers as GET /api/v1/reports/residence.
  const residence = await buildResidenceReport(db, { from: period.from, to: period.to, groupBy: 'organisation' });
  await logAccess(db, caller, { action: 'export_report' });
  const total = progress[0]!.report.total;
  return {
    year,
    half: parsed.data.half ?? null,
    format: parsed.data.format,
    period,
    generatedAt: now,
    minPersons: figures[0]!.report.minPersons,
    figures,
    progress,
    residence,
    view: {
      residence: residenceView(residence),
      sections: figures.map((f) => ({ title: f.title, groupBy: f.groupBy, ...table(f.report, KEY_FIGURES) })),
      openedBars: figures.map((f) => ({
        title: `Neue Fälle ${f.title.toLowerCase()}`,
        bars: f.report.groups.map((g) => ({ label: g.label, cell: shownCell(cellAt(g, ['cases', 'opened'])) })),
      })),
      needs: LIFE_AREAS.map((a) => ({
        label: LIFE_AREA_LABELS[a],
        cells: ['rated', 'improved', 'unchanged', 'worsened'].map((k) => shownCell(cellAt(total, ['needs', a, k]))),
      })),
      closed: shownCell(cellAt(total, ['closed'])),
      criteria: ['total', ...SUCCESS_CRITERIA].map((code) => ({
        label: code === 'total' ? 'Alle Erfolgskriterien' : SUCCESS_CRITERION_LABELS[code as (typeof SUCCESS_CRITERIA)[number]],
        total: code === 'total',
        cells: ['agreed', 'reached', 'partly', 'not', 'unrated'].map((k) => shownCell(cellAt(total, ['criteria', code, k]))),
      })),
      progressSections: progress.map((p) => ({
        title: p.title,
        ...table(p.report, [
          { path: ['closed'], label: 'Abgeschlossene Fälle' },
          { path: ['criteria', 'total', 'agreed'], label: 'Erfolgskriterien vereinbart' },
          { path: ['criteria', 'total', 'reached'], label: 'davon erreicht' },
          { path: ['criteria', 'total', 'partly'], label: 'teilweise' },
        ]),
      })),
    },
  };
}

/** The residence-law section of the page: titles in total (current, target, reached) and the cases per organisation. */
function residenceView(report: ControllingReport) {
  return {
    cases: shownCell(cellAt(report.total, ['cases'])),
    titles: RESIDENCE_TITLES.map((t) => ({
      label: RESIDENCE_TITLE_LABELS[t],
      cells: [['current', t], ['target', t], ['reached', t]].map((path) => shownCell(cellAt(report.total, path))),
    })),
    ...table(report, [
      { path: ['cases'], label: 'Fälle mit aufenthaltsrechtlicher Situation' },
      { path: ['outcomes'], label: 'Ergebnisse im Zeitraum' },
      { path: ['outcome', 'reached'], label: 'davon Zieltitel erreicht' },
    ]),
  };
}
