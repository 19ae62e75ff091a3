// Measured progress in the controlling (issue 16): for the cases closed in a period, the change of need per life
// area between the first assessment and the final rating (domain/progress.ts progressChange), and the success
// criteria agreed and reached — per organisation (at closure), municipality, age band, access channel or post, with
// the small-cell suppression of the controlling report (cells.ts). Pure and deterministic, counted from events.
import { LIFE_AREAS, LIFE_AREA_LABELS } from '../case-model.js';
import { caseProgress, CRITERION_RATINGS, NEED_RANK, progressChange, SUCCESS_CRITERIA, SUCCESS_CRITERION_LABELS, type ProgressEvent } from '../progress.js';
import { periodBounds } from './calendar.js';
import { addCount, countedTable, type CountedReportInput, type Counts } from './counted-table.js';
import {
  caseGroupKey,
  MIN_PERSONS,
  organisationKey,
  REPORT_TIME_ZONE,
  UNASSIGNED_GROUP,
  type ControllingColumn,
  type ControllingGroupBy,
  type ControllingReport,
} from './model.js';

/** Groupings of the progress figures: every one of the controlling but the month (a closure belongs to one group). */
export const PROGRESS_GROUP_BY = ['organisation', 'municipality', 'ageBand', 'channel', 'post'] as const;
export type ProgressGroupBy = (typeof PROGRESS_GROUP_BY)[number];

/** Event types the progress figures read (and the organisation changes, for the organisation at closure). */
export const PROGRESS_EVENT_TYPES = [
  'case_opened',
  'provider_confirmed',
  'provider_overridden',
  'case_transferred',
  'assessment_completed',
  'success_criteria_agreed',
  'progress_rated',
  'case_closed',
] as const;

export interface ProgressReportInput extends CountedReportInput<ProgressGroupBy> {
  /** Events of the cases (PROGRESS_EVENT_TYPES; others are ignored), any order. */
  caseEvents: readonly (ProgressEvent & { caseId: string })[];
}

const CHANGES = ['improved', 'unchanged', 'worsened'] as const;
const CRITERION_FIGURES = [...CRITERION_RATINGS, 'unrated'] as const;

/** The columns, and the sums inside a row (for the secondary suppression). */
export function progressColumns(): { columns: ControllingColumn[]; sums: { sum: string[]; parts: string[][] }[] } {
  const columns: ControllingColumn[] = [{ path: ['closed'], label: 'Abgeschlossene Fälle', unit: 'count' }];
  const sums: { sum: string[]; parts: string[][] }[] = [];
  const changeLabel = { improved: 'Bedarf gesunken', unchanged: 'Bedarf gleich', worsened: 'Bedarf gestiegen' };
  for (const area of LIFE_AREAS) {
    columns.push({ path: ['needs', area, 'rated'], label: `${LIFE_AREA_LABELS[area]}: bewertet`, unit: 'count' });
    for (const c of CHANGES) columns.push({ path: ['needs', area, c], label: `${LIFE_AREA_LABELS[area]}: ${changeLabel[c]}`, unit: 'count' });
    sums.push({ sum: ['needs', area, 'rated'], parts: CHANGES.map((c) => ['needs', area, c]) });
  }
  const figureLabel = { agreed: 'vereinbart', reached: 'erreicht', partly: 'teilweise', not: 'nicht erreicht', unrated: 'ohne Bewertung' };
  for (const code of ['total', ...SUCCESS_CRITERIA]) {
    const name = code === 'total' ? 'Erfolgskriterien gesamt' : SUCCESS_CRITERION_LABELS[code as (typeof SUCCESS_CRITERIA)[number]];
    columns.push({ path: ['criteria', code, 'agreed'], label: `${name}: ${figureLabel.agreed}`, unit: 'count' });
    for (const f of CRITERION_FIGURES) columns.push({ path: ['criteria', code, f], label: `${name}: ${figureLabel[f]}`, unit: 'count' });
    sums.push({ sum: ['criteria', code, 'agreed'], parts: CRITERION_FIGURES.map((f) => ['criteria', code, f]) });
  }
  return { columns, sums };
}

/** The counts per row and in total of the cases closed in [start, end). */
function countProgress(input: ProgressReportInput, start: number, end: number): { rows: Map<string, Counts>; total: Counts } {
  const rows = new Map<string, Counts>();
  const total: Counts = new Map();
  const byCase = new Map<string, (ProgressEvent & { caseId: string })[]>();
  for (const e of input.caseEvents) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
  for (const [caseId, events] of [...byCase].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const sorted = [...events].sort((a, b) => a.seq - b.seq);
    const at = (e: ProgressEvent) => (typeof e.at === 'string' ? Date.parse(e.at) : e.at.getTime());
    // A case closed twice in the period counts once, with its last closure (as the controlling report does).
    const closure = sorted.filter((e) => e.type === 'case_closed' && at(e) >= start && at(e) < end).pop();
    if (!closure) continue;
    const person = input.personOfCase?.[caseId] ?? `case:${caseId}`;
    const key = groupOf(input, caseId, sorted, at(closure));
    const counts = rows.get(key) ?? new Map();
    rows.set(key, counts);
    const change = progressChange(caseProgress(sorted), new Date(at(closure)).toISOString());
    const paths: string[][] = [['closed']];
    for (const area of LIFE_AREAS) {
      const from = change.start[area];
      const to = change.end[area];
      if (from === undefined || to === undefined) continue;
      const d = NEED_RANK[to] - NEED_RANK[from];
      paths.push(['needs', area, 'rated'], ['needs', area, d < 0 ? 'improved' : d > 0 ? 'worsened' : 'unchanged']);
    }
    for (const c of change.criteria) {
      const code = (SUCCESS_CRITERIA as readonly string[]).includes(c.code) ? c.code : 'other';
      const figure = c.rating ?? 'unrated';
      paths.push(['criteria', 'total', 'agreed'], ['criteria', 'total', figure], ['criteria', code, 'agreed'], ['criteria', code, figure]);
    }
    for (const path of paths) {
      addCount(counts, path, person);
      addCount(total, path, person);
    }
  }

  return { rows, total };
}

export function computeProgressReport(input: ProgressReportInput): ControllingReport {
  const timeZone = input.timeZone ?? REPORT_TIME_ZONE;
  const minPersons = input.minPersons ?? MIN_PERSONS;
  const { start, end } = periodBounds(input.from, input.to, timeZone);
  const { columns, sums } = progressColumns();
  const { rows, total } = countProgress(input, start, end);
  const table = countedTable({ rows, total, listed: input.groups ?? [], columns, sums, minPersons });
  return {
    period: { from: input.from, to: input.to, timeZone, startsAt: new Date(start).toISOString(), endsBefore: new Date(end).toISOString() },
    groupBy: input.groupBy satisfies ControllingGroupBy,
    minPersons,
    columns,
    ...table,
  };
}

/** Row of a closed case: its organisation at closure (or that one's post), else its per-case group. */
function groupOf(input: ProgressReportInput, caseId: string, events: readonly ProgressEvent[], closedAt: number): string {
  const opened = events.find((e) => e.type === 'case_opened');
  const data = (e: ProgressEvent | undefined) => (e?.data ?? {}) as Record<string, unknown>;
  if (input.groupBy === 'organisation' || input.groupBy === 'post') {
    let org: string | undefined;
    for (const e of events) {
      const t = typeof e.at === 'string' ? Date.parse(e.at) : e.at.getTime();
      if (t > closedAt) break;
      const d = data(e);
      const next = e.type === 'case_transferred' ? d.toOrganisationId : e.type === 'case_opened' || e.type.startsWith('provider_') ? d.organisationId : undefined;
      if (typeof next === 'string') org = next;
    }
    return org ? organisationKey(input, org) : UNASSIGNED_GROUP;
  }
  const municipality = data(opened).municipality;
  return caseGroupKey(input, caseId, typeof municipality === 'string' ? municipality : UNASSIGNED_GROUP);
}
