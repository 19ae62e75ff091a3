// The "Entwicklung" section of the case page (issue 16): the success criteria, and the need per life area at the
// first assessment, every review and the closure — as a chart readable without colour and as a table.
import {
  CRITERION_RATING_LABELS,
  LIFE_AREAS,
  LIFE_AREA_LABELS,
  NEED_RANK,
  criterionLabel,
  type CaseProgress,
  type NeedLevel,
  type SuccessCriterion,
} from '../../domain/index.js';
import { needTrendSvg } from './chart.js';
import { NEED_LABELS, formatDate } from './labels.js';

const needLabel = (need: NeedLevel | undefined) => (need ? NEED_LABELS[need] : '–');
const needRank = (need: NeedLevel | undefined) => (need ? NEED_RANK[need] : null);

const OCCASION_LABELS = { assessment: 'Assessment', review: 'Überprüfung', closure: 'Abschluss' } as const;

/** View model of templates/partials/case-progress.hbs. */
export function caseProgressModel(progress: CaseProgress, criteria: readonly SuccessCriterion[] | undefined) {
  const agreed = criteria ?? progress.criteria;
  const points = progress.points;
  const columns = points.map((p) => ({ date: formatDate(p.at), occasion: OCCASION_LABELS[p.occasion] }));
  const areas = LIFE_AREAS.filter((a) => points.some((p) => p.needs[a] !== undefined));
  const rated = points.filter((p) => p.occasion !== 'assessment');
  return {
    hasPoints: points.length > 0,
    columns,
    areas: areas.map((a) => ({ label: LIFE_AREA_LABELS[a], cells: points.map((p) => needLabel(p.needs[a])) })),
    chart:
      areas.length > 0
        ? needTrendSvg(
            areas.map((a) => ({ label: LIFE_AREA_LABELS[a], values: points.map((p) => needRank(p.needs[a])) })),
            columns.map((c) => c.date.slice(0, 6)),
            'Bedarf je Lebensbereich im Verlauf',
          )
        : undefined,
    hasCriteria: agreed.length > 0,
    ratedColumns: rated.map((p) => ({ date: formatDate(p.at), occasion: OCCASION_LABELS[p.occasion] })),
    criteria: agreed.map((c) => ({
      label: criterionLabel(c),
      cells: rated.map((p) => {
        const r = p.criteria[c.id];
        return r ? CRITERION_RATING_LABELS[r] : '–';
      }),
    })),
  };
}
