// Measured progress (concept section 3, issue 16): what success means for a case is fixed with the assessment (a
// list of criteria plus free text); every review re-rates the life areas on the assessment's scale and rates each
// criterion; the rating given at closure (or the last one before it) is the final one. The ratings are kept only in
// the case's events (`progress_rated`), never as a growing list in the workflow state. Pure: no I/O, no zod (the
// case workflow bundle imports this module).
import { LIFE_AREA_LABELS, LIFE_AREAS, NEED_LEVELS, type LifeArea, type NeedLevel, type SuccessCriterion } from './case-model.js';

/** Criteria offered at the assessment; `other` carries a free text. */
export const SUCCESS_CRITERIA = [
  'language_b1',
  'integration_course',
  'own_flat',
  'employment',
  'training',
  'recognition',
  'residence_secured',
  'debts_regulated',
  'health_care',
  'social_network',
  'other',
] as const;
export type SuccessCriterionCode = (typeof SUCCESS_CRITERIA)[number];
/** The codes a request names; `other` is given as free text (successCriteriaText). */
export const LISTED_CRITERIA = SUCCESS_CRITERIA.filter((c): c is Exclude<SuccessCriterionCode, 'other'> => c !== 'other');

export const SUCCESS_CRITERION_LABELS: Record<SuccessCriterionCode, string> = {
  language_b1: 'Sprachniveau B1 erreicht',
  integration_course: 'Integrationskurs abgeschlossen',
  own_flat: 'Eigene Wohnung',
  employment: 'Sozialversicherungspflichtige Beschäftigung',
  training: 'Ausbildung, Schule oder Studium begonnen',
  recognition: 'Berufsabschluss anerkannt',
  residence_secured: 'Aufenthalt gesichert (z. B. Aufenthaltserlaubnis nach §25a/§25b)',
  debts_regulated: 'Schulden reguliert',
  health_care: 'Gesundheitliche Versorgung gesichert',
  social_network: 'Soziale Teilhabe (Verein, Ehrenamt, Nachbarschaft)',
  other: 'Eigenes Kriterium',
};

export const CRITERION_RATINGS = ['not', 'partly', 'reached'] as const;
export type CriterionRating = (typeof CRITERION_RATINGS)[number];
export const CRITERION_RATING_LABELS: Record<CriterionRating, string> = {
  not: 'nicht erreicht',
  partly: 'teilweise erreicht',
  reached: 'erreicht',
};

/** At most this many criteria per case (listed ones and free texts together). */
export const MAX_SUCCESS_CRITERIA = 10;
/** Criterion ids by position: `k1` … `k10`. */
export const CRITERION_IDS = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k10'] as const;

/** Need levels in order: a lower level later is an improvement. */
export const NEED_RANK: Record<NeedLevel, number> = { none: 0, low: 1, high: 2 };

export type NeedRatings = Partial<Record<LifeArea, NeedLevel>>;
export type CriterionRatings = Partial<Record<string, CriterionRating>>;

/** The criteria of an agreement: the listed codes, then each free text as `other` (ids by position). */
export function agreeCriteria(codes: readonly string[], texts: readonly string[]): SuccessCriterion[] {
  const items: Omit<SuccessCriterion, 'id'>[] = [...codes.map((code) => ({ code })), ...texts.map((text) => ({ code: 'other', text }))];
  return items.map((item, i) => ({ id: CRITERION_IDS[i]!, ...item }));
}

/** German label of a criterion of a case. */
export function criterionLabel(c: SuccessCriterion): string {
  const listed = (SUCCESS_CRITERION_LABELS as Record<string, string>)[c.code] ?? c.code;
  return c.code === 'other' && c.text ? c.text : c.text ? `${listed} (${c.text})` : listed;
}

/** Field errors of a rating against the case's criteria (ratings of unknown criteria, or without any agreed). */
export function ratingErrors(criteria: readonly SuccessCriterion[] | undefined, ratings: CriterionRatings | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  const known = new Set((criteria ?? []).map((c) => c.id));
  for (const id of Object.keys(ratings ?? {})) {
    if (!known.has(id)) fields[`criteria.${id}`] = 'Dieses Erfolgskriterium wurde für den Fall nicht vereinbart';
  }
  return fields;
}

/** A summary line of a rating, in words (codes and labels only — no free text, so it stays after the erasure). */
export function ratingSummary(needs: NeedRatings, criteria: CriterionRatings): string {
  const NEED_WORDS: Record<NeedLevel, string> = { none: 'kein Bedarf', low: 'geringer Bedarf', high: 'hoher Bedarf' };
  const parts: string[] = [];
  const areas = LIFE_AREAS.filter((a) => needs[a] !== undefined).map((a) => `${LIFE_AREA_LABELS[a]} ${NEED_WORDS[needs[a]!]}`);
  if (areas.length > 0) parts.push(areas.join(', '));
  const rated = CRITERION_IDS.filter((id) => criteria[id] !== undefined).map((id) => `Kriterium ${id.slice(1)} ${CRITERION_RATING_LABELS[criteria[id]!]}`);
  if (rated.length > 0) parts.push(rated.join(', '));
  return parts.join('; ');
}

/** A summary line of an agreement (listed criteria by label, own ones counted: their text is erased later). */
export function criteriaSummary(criteria: readonly SuccessCriterion[]): string {
  const listed = criteria.filter((c) => c.code !== 'other').map((c) => (SUCCESS_CRITERION_LABELS as Record<string, string>)[c.code] ?? c.code);
  const own = criteria.length - listed.length;
  return `Erfolgskriterien vereinbart: ${[...listed, ...(own > 0 ? [`${own} eigene(s)`] : [])].join('; ')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The development of one case, from its events (case page, Art. 15 export)

export interface ProgressEvent {
  seq: number;
  type: string;
  at: Date | string;
  data: unknown;
}

export interface ProgressPoint {
  at: string;
  /** `assessment` (the first rating), `review`, `closure`. */
  occasion: 'assessment' | 'review' | 'closure';
  needs: NeedRatings;
  criteria: CriterionRatings;
}

export interface CaseProgress {
  criteria: SuccessCriterion[];
  points: ProgressPoint[];
}

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const iso = (at: Date | string) => (typeof at === 'string' ? at : at.toISOString());

function needsOf(v: unknown): NeedRatings {
  const out: NeedRatings = {};
  for (const [area, need] of Object.entries(obj(v))) {
    if ((LIFE_AREAS as readonly string[]).includes(area) && (NEED_LEVELS as readonly unknown[]).includes(need)) out[area as LifeArea] = need as NeedLevel;
  }
  return out;
}

function criteriaOf(v: unknown): CriterionRatings {
  const out: CriterionRatings = {};
  for (const [id, rating] of Object.entries(obj(v))) if ((CRITERION_RATINGS as readonly unknown[]).includes(rating)) out[id] = rating as CriterionRating;
  return out;
}

/** Needs of an `assessment_completed` event (its `lifeAreas` list). */
function assessedNeeds(data: unknown): NeedRatings {
  const list = obj(data).lifeAreas;
  const out: NeedRatings = {};
  if (Array.isArray(list)) for (const a of list) Object.assign(out, needsOf({ [String(obj(a).area)]: obj(a).need }));
  return out;
}

/** Ratings over time, oldest first: the assessments, every `progress_rated`, and the criteria last agreed. */
export function caseProgress(events: readonly ProgressEvent[]): CaseProgress {
  let criteria: SuccessCriterion[] = [];
  const points: ProgressPoint[] = [];
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
    const data = obj(e.data);
    if (e.type === 'assessment_completed') points.push({ at: iso(e.at), occasion: 'assessment', needs: assessedNeeds(data), criteria: {} });
    else if (e.type === 'success_criteria_agreed' && Array.isArray(data.criteria)) {
      criteria = data.criteria.map((c) => {
        const o = obj(c);
        return { id: String(o.id), code: String(o.code), ...(typeof o.text === 'string' ? { text: o.text } : {}) };
      });
    } else if (e.type === 'progress_rated') {
      points.push({ at: iso(e.at), occasion: data.occasion === 'closure' ? 'closure' : 'review', needs: needsOf(data.needs), criteria: criteriaOf(data.criteria) });
    }
  }
  return { criteria, points };
}

/**
 * Start and end of a closed stretch of work: the needs of the first assessment, and per area the latest rating at
 * or before `closedAt` (a review or the closure; an area never re-rated has no end value). Criteria: the latest
 * rating of each, with its code.
 */
export function progressChange(
  progress: CaseProgress,
  closedAt: string,
): { start: NeedRatings; end: NeedRatings; criteria: Array<{ code: string; rating: CriterionRating | null }> } {
  const first = progress.points.find((p) => p.occasion === 'assessment');
  const end: NeedRatings = {};
  const latest: CriterionRatings = {};
  for (const p of progress.points) {
    if (p.occasion === 'assessment' || p.at > closedAt) continue;
    Object.assign(end, p.needs);
    Object.assign(latest, p.criteria);
  }
  return {
    start: first?.needs ?? {},
    end,
    criteria: progress.criteria.map((c) => ({ code: c.code, rating: latest[c.id] ?? null })),
  };
}
