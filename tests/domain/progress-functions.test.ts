// The pure functions of measured progress (domain/progress.ts) on hand-made input: labels and summary lines, ratings
// of unknown criteria, and the development read from events — including events out of order and malformed data,
// which the case page and the Art. 15 export must read without throwing.
import { describe, expect, it } from 'vitest';
import { caseProgress, criteriaSummary, criterionLabel, progressChange, ratingErrors, ratingSummary } from '../../domain/progress.js';

describe('labels and summaries', () => {
  it('a criterion by its label, an own one by its text, a listed one with a text both', () => {
    expect(criterionLabel({ id: 'k1', code: 'own_flat' })).toBe('Eigene Wohnung');
    expect(criterionLabel({ id: 'k2', code: 'other', text: 'Führerschein' })).toBe('Führerschein');
    expect(criterionLabel({ id: 'k3', code: 'own_flat', text: 'in Zülpich' })).toBe('Eigene Wohnung (in Zülpich)');
    expect(criterionLabel({ id: 'k4', code: 'other' })).toBe('Eigenes Kriterium');
    expect(criterionLabel({ id: 'k5', code: 'retired_code' })).toBe('retired_code');
  });

  it('ratings of criteria the case has not agreed are field errors; none without ratings', () => {
    const MSG = 'Dieses Erfolgskriterium wurde für den Fall nicht vereinbart';
    expect(ratingErrors([{ id: 'k1', code: 'own_flat' }], { k1: 'reached', k2: 'not' })).toEqual({ 'criteria.k2': MSG });
    expect(ratingErrors(undefined, { k1: 'partly' })).toEqual({ 'criteria.k1': MSG });
    expect(ratingErrors([{ id: 'k1', code: 'own_flat' }], undefined)).toEqual({});
  });

  it('a rating line: areas in their order, then criteria; either part alone; empty when nothing was rated', () => {
    expect(ratingSummary({ housing: 'low', language: 'high' }, { k2: 'partly', k1: 'reached' })).toBe(
      'Sprache hoher Bedarf, Wohnen geringer Bedarf; Kriterium 1 erreicht, Kriterium 2 teilweise erreicht',
    );
    expect(ratingSummary({ work: 'none' }, {})).toBe('Arbeit kein Bedarf');
    expect(ratingSummary({}, { k10: 'not' })).toBe('Kriterium 10 nicht erreicht');
    expect(ratingSummary({}, {})).toBe('');
  });

  it('an agreement line names listed criteria and counts own ones', () => {
    expect(criteriaSummary([{ id: 'k1', code: 'language_b1' }, { id: 'k2', code: 'other', text: 'x' }, { id: 'k3', code: 'other', text: 'y' }])).toBe(
      'Erfolgskriterien vereinbart: Sprachniveau B1 erreicht; 2 eigene(s)',
    );
    expect(criteriaSummary([{ id: 'k1', code: 'own_flat' }])).toBe('Erfolgskriterien vereinbart: Eigene Wohnung');
  });
});

describe('development from events', () => {
  const events = [
    // Out of order on purpose: the sequence decides.
    { seq: 4, type: 'progress_rated', at: '2025-06-01T10:00:00.000Z', data: { occasion: 'review', needs: { language: 'low', bogus: 'high', housing: 'extreme' }, criteria: { k1: 'partly', k2: 'maybe' } } },
    { seq: 1, type: 'assessment_completed', at: new Date('2025-03-01T10:00:00.000Z'), data: { lifeAreas: [{ area: 'language', need: 'high' }, { area: 'housing', need: 'high' }, 'junk', { area: 'nowhere', need: 'low' }] } },
    { seq: 2, type: 'success_criteria_agreed', at: '2025-03-01T10:00:00.000Z', data: { criteria: [{ id: 'k1', code: 'language_b1' }, { id: 'k2', code: 'other', text: 'Führerschein' }, { id: 'k3', code: 'own_flat', text: 42 }] } },
    { seq: 3, type: 'success_criteria_agreed', at: '2025-03-02T10:00:00.000Z', data: { criteria: 'not a list' } },
    { seq: 5, type: 'progress_rated', at: '2025-09-01T10:00:00.000Z', data: { occasion: 'closure', needs: { housing: 'none' }, criteria: { k1: 'reached' } } },
    { seq: 6, type: 'contact_recorded', at: '2025-09-02T10:00:00.000Z', data: null },
    { seq: 7, type: 'progress_rated', at: '2025-10-01T10:00:00.000Z', data: ['not', 'an', 'object'] },
  ];

  it('reads assessments, the last valid agreement and every rating, oldest first, dropping what is not a rating', () => {
    expect(caseProgress(events)).toStrictEqual({
      criteria: [
        { id: 'k1', code: 'language_b1' },
        { id: 'k2', code: 'other', text: 'Führerschein' },
        { id: 'k3', code: 'own_flat' },
      ],
      points: [
        { at: '2025-03-01T10:00:00.000Z', occasion: 'assessment', needs: { language: 'high', housing: 'high' }, criteria: {} },
        { at: '2025-06-01T10:00:00.000Z', occasion: 'review', needs: { language: 'low' }, criteria: { k1: 'partly' } },
        { at: '2025-09-01T10:00:00.000Z', occasion: 'closure', needs: { housing: 'none' }, criteria: { k1: 'reached' } },
        { at: '2025-10-01T10:00:00.000Z', occasion: 'review', needs: {}, criteria: {} },
      ],
    });
  });

  it('the change up to the closure: start from the assessment, latest rating per area and criterion, later ones ignored', () => {
    expect(progressChange(caseProgress(events), '2025-09-01T10:00:00.000Z')).toStrictEqual({
      start: { language: 'high', housing: 'high' },
      end: { language: 'low', housing: 'none' },
      criteria: [
        { code: 'language_b1', rating: 'reached' },
        { code: 'other', rating: null },
        { code: 'own_flat', rating: null },
      ],
    });
    expect(progressChange(caseProgress(events), '2025-07-01T00:00:00.000Z')).toStrictEqual({
      start: { language: 'high', housing: 'high' },
      end: { language: 'low' },
      criteria: [
        { code: 'language_b1', rating: 'partly' },
        { code: 'other', rating: null },
        { code: 'own_flat', rating: null },
      ],
    });
  });

  it('events of other types carrying criteria, null data or a life-area object are not misread', () => {
    const odd = [
      { seq: 1, type: 'assessment_completed', at: '2025-03-01T10:00:00.000Z', data: { lifeAreas: { language: 'high' } } },
      { seq: 2, type: 'goals_agreed', at: '2025-03-02T10:00:00.000Z', data: { criteria: [{ id: 'k1', code: 'own_flat' }] } },
      { seq: 3, type: 'progress_rated', at: '2025-03-03T10:00:00.000Z', data: null },
    ];
    expect(caseProgress(odd)).toStrictEqual({
      criteria: [],
      points: [
        { at: '2025-03-01T10:00:00.000Z', occasion: 'assessment', needs: {}, criteria: {} },
        { at: '2025-03-03T10:00:00.000Z', occasion: 'review', needs: {}, criteria: {} },
      ],
    });
  });

  it('without an assessment the start is empty', () => {
    const onlyRating = [{ seq: 1, type: 'progress_rated', at: '2025-06-01T10:00:00.000Z', data: { occasion: 'review', needs: { work: 'low' }, criteria: {} } }];
    expect(progressChange(caseProgress(onlyRating), '2025-12-31T00:00:00.000Z')).toStrictEqual({ start: {}, end: { work: 'low' }, criteria: [] });
  });
});
