// Columns of the controlling report (path into the figures, German header, how the value is made) and the sums that
// hold inside every row (for the secondary suppression).
import {
  CASE_STATE_LABELS,
  CLOSURE_REASONS,
  CLOSURE_REASON_LABELS,
  CONTACT_KINDS,
  CONTACT_KIND_LABELS,
  GOAL_ATTAINMENTS,
} from '../case-model.js';
import { GOAL_ATTAINMENT_LABELS, REFERRAL_OUTCOME_LABELS as CASE_REFERRAL_OUTCOME_LABELS } from '../labels.js';
import { DEADLINE_LABELS } from '../deadlines.js';
import {
  CONTROLLED_DEADLINE_KINDS,
  DEADLINE_FIGURES,
  HANDOVER_FIGURES,
  PHASES,
  REFERRAL_OUTCOMES,
  type ControllingColumn,
  type DeadlineFigure,
  type HandoverFigure,
  type Phase,
  type ReferralOutcome,
} from './model.js';

const REFERRAL_OUTCOME_LABELS: Record<ReferralOutcome, string> = { ...CASE_REFERRAL_OUTCOME_LABELS, stopped: 'gestoppt' };

const HANDOVER_FIGURE_LABELS: Record<HandoverFigure, string> = {
  requested: 'vorgeschlagen',
  handedOver: 'übernommen',
  refused: 'Einwilligung verweigert',
  lapsed: 'verfallen',
  cancelled: 'abgebrochen',
};

const DEADLINE_FIGURE_LABELS: Record<DeadlineFigure, string> = {
  metOnTime: 'fristgerecht erfüllt',
  metLate: 'verspätet erfüllt',
  missed: 'versäumt',
  escalated: 'eskaliert',
  overdueAtEnd: 'überfällig am Ende des Zeitraums',
};

const PHASE_LABELS: Record<Phase, string> = { ...CASE_STATE_LABELS, on_hold: 'Pausiert' };


export interface ColumnSpec extends ControllingColumn {
  kind: 'count' | 'days' | 'stat' | 'average' | 'copy';
  /** stat: which quantile; average: path of the count to divide by; copy: source path. */
  quantile?: number;
  source?: string[];
  divisor?: string[];
}

export function columnSpecs(services: readonly string[]): ColumnSpec[] {
  const cols: ColumnSpec[] = [];
  const count = (path: string[], label: string) => cols.push({ path, label, unit: 'count', kind: 'count' });
  count(['cases', 'opened'], 'Fälle eröffnet');
  count(['cases', 'active'], 'Fälle aktiv (im Zeitraum offen)');
  count(['cases', 'closed'], 'Fälle abgeschlossen');
  // Issue 16: cases coordination linked to one person (one person across providers) count once here.
  count(['persons', 'active'], 'Personen aktiv (verknüpfte Fälle einer Person zählen einmal)');
  count(['contacts', 'total'], 'Kontakte gesamt');
  for (const k of CONTACT_KINDS) count(['contacts', 'byKind', k], `Kontakte: ${CONTACT_KIND_LABELS[k]}`);
  cols.push({ path: ['accompaniments'], label: 'Begleitungen', unit: 'count', kind: 'copy', source: ['contacts', 'byKind', 'accompaniment'] });
  for (const [q, name] of [[0.5, 'medianDays'], [0.25, 'q1Days'], [0.75, 'q3Days']] as const) {
    const label = { medianDays: 'Median', q1Days: '1. Quartil', q3Days: '3. Quartil' }[name];
    cols.push({ path: ['duration', name], label: `Dauer der Zusammenarbeit (Tage, abgeschlossene Fälle): ${label}`, unit: 'days', kind: 'stat', quantile: q });
  }
  for (const p of PHASES) {
    const label = `Phase ${PHASE_LABELS[p]}`;
    count(['phases', p, 'cases'], `${label}: Fälle`);
    cols.push({ path: ['phases', p, 'days'], label: `${label}: Tage gesamt`, unit: 'days', kind: 'days' });
    cols.push({
      path: ['phases', p, 'averageDays'],
      label: `${label}: Tage je Fall`,
      unit: 'days',
      kind: 'average',
      source: ['phases', p, 'days'],
      divisor: ['phases', p, 'cases'],
    });
  }
  count(['referrals', 'sent'], 'Vermittlungen');
  for (const o of REFERRAL_OUTCOMES) count(['referrals', 'outcomes', o], `Vermittlungsergebnis: ${REFERRAL_OUTCOME_LABELS[o]}`);
  for (const s of services) {
    count(['referrals', 'byService', s, 'sent'], `Vermittlung an ${s}: vermittelt`);
    for (const o of REFERRAL_OUTCOMES) count(['referrals', 'byService', s, o], `Vermittlung an ${s}: ${REFERRAL_OUTCOME_LABELS[o]}`);
  }
  for (const r of CLOSURE_REASONS) count(['closureReasons', r], `Abschlussgrund: ${CLOSURE_REASON_LABELS[r]}`);
  for (const g of GOAL_ATTAINMENTS) count(['goalAttainment', g], `Zielerreichung: ${GOAL_ATTAINMENT_LABELS[g]}`);
  for (const f of HANDOVER_FIGURES) count(['handovers', f], `ABH-Übergaben: ${HANDOVER_FIGURE_LABELS[f]}`);
  for (const f of DEADLINE_FIGURES) count(['deadlines', 'total', f], `Fristen: ${DEADLINE_FIGURE_LABELS[f]}`);
  for (const k of CONTROLLED_DEADLINE_KINDS) {
    for (const f of DEADLINE_FIGURES) count(['deadlines', 'byKind', k, f], `Frist ${DEADLINE_LABELS[k]}: ${DEADLINE_FIGURE_LABELS[f]}`);
  }
  return cols;
}

/** Sums that hold inside every row: a breakdown must not give away its one suppressed part. */
export function rowConstraints(services: readonly string[]): { sum: string[]; parts: string[][] }[] {
  const c: { sum: string[]; parts: string[][] }[] = [
    { sum: ['contacts', 'total'], parts: CONTACT_KINDS.map((k) => ['contacts', 'byKind', k]) },
    { sum: ['cases', 'closed'], parts: CLOSURE_REASONS.map((r) => ['closureReasons', r]) },
    { sum: ['cases', 'closed'], parts: GOAL_ATTAINMENTS.map((g) => ['goalAttainment', g]) },
    { sum: ['referrals', 'sent'], parts: services.map((s) => ['referrals', 'byService', s, 'sent']) },
  ];
  for (const o of REFERRAL_OUTCOMES) c.push({ sum: ['referrals', 'outcomes', o], parts: services.map((s) => ['referrals', 'byService', s, o]) });
  for (const f of DEADLINE_FIGURES) {
    c.push({ sum: ['deadlines', 'total', f], parts: CONTROLLED_DEADLINE_KINDS.map((k) => ['deadlines', 'byKind', k, f]) });
  }
  return c;
}
