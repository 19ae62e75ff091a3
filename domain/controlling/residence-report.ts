// The residence-law track in the controlling (issue 16 item 2): cases by current and target title and the
// integration achievements worked on (as the cases stood at the end of the period), and the outcomes in the period
// (titles reached by target title) — per organisation (at the end of the period), municipality, age band, access
// channel or post, suppressed like the other controlling figures (cells.ts). Pure, counted from events.
import { INTEGRATION_ACHIEVEMENTS, INTEGRATION_ACHIEVEMENT_LABELS, RESIDENCE_OUTCOMES, RESIDENCE_OUTCOME_LABELS, RESIDENCE_TITLES, RESIDENCE_TITLE_LABELS } from '../residence-track.js';
import { periodBounds } from './calendar.js';
import { addCount, countedTable, type CountedReportInput, type Counts } from './counted-table.js';
import {
  caseGroupKey,
  MIN_PERSONS,
  organisationKey,
  REPORT_TIME_ZONE,
  UNASSIGNED_GROUP,
  type ControllingColumn,
  type ControllingReport,
} from './model.js';
import type { ProgressGroupBy } from './progress-report.js';

/** Event types the residence figures read. */
export const RESIDENCE_EVENT_TYPES = ['case_opened', 'provider_confirmed', 'provider_overridden', 'case_transferred', 'case_closed', 'case_reopened', 'residence_track_set'] as const;

export interface ResidenceEvent {
  caseId: string;
  seq: number;
  type: string;
  at: Date | string;
  data: unknown;
}

export interface ResidenceReportInput extends CountedReportInput<ProgressGroupBy> {
  caseEvents: readonly ResidenceEvent[];
}

const NO_TARGET = 'none';

/** The columns, and the sums inside a row (for the secondary suppression). */
export function residenceColumns(): { columns: ControllingColumn[]; sums: { sum: string[]; parts: string[][] }[] } {
  const count = (path: string[], label: string): ControllingColumn => ({ path, label, unit: 'count' });
  const columns: ControllingColumn[] = [count(['cases'], 'Fälle mit aufenthaltsrechtlicher Situation (Stand Ende des Zeitraums)')];
  for (const t of RESIDENCE_TITLES) columns.push(count(['current', t], `Aktueller Titel: ${RESIDENCE_TITLE_LABELS[t]}`));
  for (const t of [...RESIDENCE_TITLES, NO_TARGET] as const) columns.push(count(['target', t], `Angestrebter Titel: ${t === NO_TARGET ? 'noch offen' : RESIDENCE_TITLE_LABELS[t]}`));
  for (const a of INTEGRATION_ACHIEVEMENTS) columns.push(count(['achievements', a], `Integrationsleistung: ${INTEGRATION_ACHIEVEMENT_LABELS[a]}`));
  columns.push(count(['outcomes'], 'Ergebnisse im Zeitraum'));
  for (const o of RESIDENCE_OUTCOMES) columns.push(count(['outcome', o], `Ergebnis im Zeitraum: ${RESIDENCE_OUTCOME_LABELS[o]}`));
  for (const t of RESIDENCE_TITLES) columns.push(count(['reached', t], `Erreicht im Zeitraum: ${RESIDENCE_TITLE_LABELS[t]}`));
  const sums = [
    { sum: ['cases'], parts: RESIDENCE_TITLES.map((t) => ['current', t]) },
    { sum: ['cases'], parts: [...RESIDENCE_TITLES, NO_TARGET].map((t) => ['target', t]) },
    { sum: ['outcomes'], parts: RESIDENCE_OUTCOMES.map((o) => ['outcome', o]) },
    { sum: ['outcome', 'reached'], parts: RESIDENCE_TITLES.map((t) => ['reached', t]) },
  ];
  return { columns, sums };
}

const timeOf = (e: ResidenceEvent) => (typeof e.at === 'string' ? Date.parse(e.at) : e.at.getTime());
const dataOf = (e: ResidenceEvent | undefined) => (e?.data ?? {}) as Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The figure paths of one case in the period (empty when it does not count). */
export function casePaths(sorted: readonly ResidenceEvent[], start: number, end: number, from: string, to: string): string[][] {
  const before = (t: number) => sorted.filter((e) => timeOf(e) < t);
  // A case closed before the period (and not reopened) is no longer followed.
  const lastLife = before(start).filter((e) => e.type === 'case_closed' || e.type === 'case_reopened').pop();
  const tracks = sorted.filter((e) => e.type === 'residence_track_set');
  const standing = tracks.filter((e) => timeOf(e) < end).pop();
  const paths: string[][] = [];
  if (standing && lastLife?.type !== 'case_closed') {
    const d = dataOf(standing);
    paths.push(['cases'], ['current', str(d.currentTitle) ?? 'other'], ['target', str(d.targetTitle) ?? NO_TARGET]);
    const achieved = Array.isArray(d.achievements) ? d.achievements : [];
    for (const a of INTEGRATION_ACHIEVEMENTS) if (achieved.includes(a)) paths.push(['achievements', a]);
  }
  // Outcomes by the date a person entered, as the latest entry says (one entered late still counts in its period).
  const latest = dataOf(tracks[tracks.length - 1]);
  const outcome = str(latest.outcome);
  const on = str(latest.outcomeOn);
  if (outcome && on && on >= from && on <= to) {
    paths.push(['outcomes'], ['outcome', outcome]);
    if (outcome === 'reached') paths.push(['reached', str(latest.targetTitle) ?? 'other']);
  }
  return paths;
}

function groupOf(input: ResidenceReportInput, caseId: string, sorted: readonly ResidenceEvent[], end: number): string {
  if (input.groupBy === 'organisation' || input.groupBy === 'post') {
    let org: string | undefined;
    for (const e of sorted) {
      if (timeOf(e) >= end) break;
      const d = dataOf(e);
      const next = e.type === 'case_transferred' ? d.toOrganisationId : e.type === 'case_opened' || e.type.startsWith('provider_') ? d.organisationId : undefined;
      if (typeof next === 'string') org = next;
    }
    return org ? organisationKey(input, org) : UNASSIGNED_GROUP;
  }
  const municipality = str(dataOf(sorted.find((e) => e.type === 'case_opened')).municipality);
  return caseGroupKey(input, caseId, municipality ?? UNASSIGNED_GROUP);
}

export function computeResidenceReport(input: ResidenceReportInput): ControllingReport {
  const timeZone = input.timeZone ?? REPORT_TIME_ZONE;
  const minPersons = input.minPersons ?? MIN_PERSONS;
  const { start, end } = periodBounds(input.from, input.to, timeZone);
  const { columns, sums } = residenceColumns();
  const rows = new Map<string, Counts>();
  const total: Counts = new Map();
  const byCase = new Map<string, ResidenceEvent[]>();
  for (const e of input.caseEvents) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
  for (const [caseId, events] of byCase) {
    const sorted = [...events].sort((a, b) => a.seq - b.seq);
    const paths = casePaths(sorted, start, end, input.from, input.to);
    if (paths.length === 0) continue;
    const key = groupOf(input, caseId, sorted, end);
    const counts = rows.get(key) ?? new Map();
    rows.set(key, counts);
    const person = input.personOfCase?.[caseId] ?? `case:${caseId}`;
    for (const path of paths) {
      addCount(counts, path, person);
      addCount(total, path, person);
    }
  }
  const table = countedTable({ rows, total, listed: input.groups ?? [], columns, sums, minPersons });
  return {
    period: { from: input.from, to: input.to, timeZone, startsAt: new Date(start).toISOString(), endsBefore: new Date(end).toISOString() },
    groupBy: input.groupBy,
    minPersons,
    columns,
    ...table,
  };
}
