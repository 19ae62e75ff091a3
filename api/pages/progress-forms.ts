// Form fields of measured progress (issue 16) for the case actions: the success criteria at the assessment, and the
// rating at a review or the closure (need per life area on the assessment's scale, each agreed criterion). Flat
// fields with dotted names (`needs.language`, `criteria.k1`) become the objects of the JSON body.
import {
  CRITERION_RATING_LABELS,
  LIFE_AREAS,
  LIFE_AREA_LABELS,
  LISTED_CRITERIA,
  MAX_SUCCESS_CRITERIA,
  SUCCESS_CRITERION_LABELS,
  criterionLabel,
  type CaseData,
  type CaseProgress,
  type LifeArea,
} from '../../domain/index.js';
import type { FieldSpec } from './forms.js';
import { NEED_LABELS, optionsOf } from './labels.js';

/** What success means for the case, fixed with the assessment. */
export function successCriteriaFields(): FieldSpec[] {
  return [
    {
      name: 'successCriteria',
      label: 'Erfolgskriterien (woran Sie und die Person den Erfolg messen)',
      kind: 'checkboxes',
      options: LISTED_CRITERIA.map((c) => ({ value: c, label: SUCCESS_CRITERION_LABELS[c] })),
    },
    {
      name: 'successCriteriaText',
      label: 'Eigene Erfolgskriterien',
      kind: 'list',
      hint: `Mehrere durch Semikolon trennen. Insgesamt höchstens ${MAX_SUCCESS_CRITERIA} Kriterien.`,
    },
  ];
}

/** The rating of a review or the closure, prefilled with the latest one (so an unchanged area is just confirmed). */
export function ratingFields(c: CaseData, progress: CaseProgress | undefined): FieldSpec[] {
  const latestNeed = (area: LifeArea) => [...(progress?.points ?? [])].reverse().find((p) => p.needs[area] !== undefined)?.needs[area];
  const latestRating = (id: string) => [...(progress?.points ?? [])].reverse().find((p) => p.criteria[id] !== undefined)?.criteria[id];
  const assessed = LIFE_AREAS.filter((a) => latestNeed(a) !== undefined);
  const areas = assessed.length > 0 ? assessed : LIFE_AREAS;
  return [
    ...areas.map((area): FieldSpec => {
      const need = latestNeed(area);
      return {
        name: `needs.${area}`,
        label: `Bedarf heute: ${LIFE_AREA_LABELS[area]}`,
        kind: 'select',
        emptyOption: 'nicht neu eingeschätzt',
        options: optionsOf(NEED_LABELS),
        ...(need ? { default: need } : {}),
      };
    }),
    ...(c.successCriteria ?? []).map((k): FieldSpec => {
      const rating = latestRating(k.id);
      return {
        name: `criteria.${k.id}`,
        label: `Erfolgskriterium: ${criterionLabel(k)}`,
        kind: 'select',
        emptyOption: 'nicht bewertet',
        options: optionsOf(CRITERION_RATING_LABELS),
        ...(rating ? { default: rating } : {}),
      };
    }),
  ];
}
