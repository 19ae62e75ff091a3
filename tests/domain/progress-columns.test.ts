// The columns of the progress figures (domain/controlling/progress-report.ts progressColumns): the CSV/XLSX headers
// and the report's table, so their paths, German labels, order and the sums of the secondary suppression are a
// contract. Expected values written out by hand.
import { describe, expect, it } from 'vitest';
import { progressColumns } from '../../domain/controlling/progress-report.js';
import { LIFE_AREAS } from '../../domain/case-model.js';
import { SUCCESS_CRITERIA } from '../../domain/progress.js';

describe('progress figure columns', () => {
  // Built inside each test (not while the file is collected), so mutation testing runs these tests on its mutants.

  it('start with the closed cases, then four per life area, then six per criterion and the criteria in total', () => {
    const { columns } = progressColumns();
    expect(columns[0]).toEqual({ path: ['closed'], label: 'Abgeschlossene Fälle', unit: 'count' });
    expect(columns).toHaveLength(1 + LIFE_AREAS.length * 4 + (1 + SUCCESS_CRITERIA.length) * 5);
    expect(columns.every((c) => c.unit === 'count')).toBe(true);
  });

  it('name a life area’s rating and its three changes', () => {
    const { columns } = progressColumns();
    expect(columns.slice(1, 5)).toEqual([
      { path: ['needs', 'residence_law', 'rated'], label: 'Aufenthaltsrecht: bewertet', unit: 'count' },
      { path: ['needs', 'residence_law', 'improved'], label: 'Aufenthaltsrecht: Bedarf gesunken', unit: 'count' },
      { path: ['needs', 'residence_law', 'unchanged'], label: 'Aufenthaltsrecht: Bedarf gleich', unit: 'count' },
      { path: ['needs', 'residence_law', 'worsened'], label: 'Aufenthaltsrecht: Bedarf gestiegen', unit: 'count' },
    ]);
    expect(columns.slice(5, 7).map((c) => c.label)).toEqual(['Sprache: bewertet', 'Sprache: Bedarf gesunken']);
  });

  it('name the criteria in total and each criterion: agreed, then each rating and unrated', () => {
    const { columns } = progressColumns();
    const first = 1 + LIFE_AREAS.length * 4;
    expect(columns.slice(first, first + 5)).toEqual([
      { path: ['criteria', 'total', 'agreed'], label: 'Erfolgskriterien gesamt: vereinbart', unit: 'count' },
      { path: ['criteria', 'total', 'not'], label: 'Erfolgskriterien gesamt: nicht erreicht', unit: 'count' },
      { path: ['criteria', 'total', 'partly'], label: 'Erfolgskriterien gesamt: teilweise', unit: 'count' },
      { path: ['criteria', 'total', 'reached'], label: 'Erfolgskriterien gesamt: erreicht', unit: 'count' },
      { path: ['criteria', 'total', 'unrated'], label: 'Erfolgskriterien gesamt: ohne Bewertung', unit: 'count' },
    ]);
    expect(columns[first + 5]).toEqual({ path: ['criteria', 'language_b1', 'agreed'], label: 'Sprachniveau B1 erreicht: vereinbart', unit: 'count' });
    expect(columns[first + 8]).toEqual({ path: ['criteria', 'language_b1', 'reached'], label: 'Sprachniveau B1 erreicht: erreicht', unit: 'count' });
  });

  it('sum each area’s changes to its rated cases, and each criterion’s ratings to its agreed ones', () => {
    const { sums } = progressColumns();
    expect(sums).toHaveLength(LIFE_AREAS.length + 1 + SUCCESS_CRITERIA.length);
    expect(sums[0]).toEqual({
      sum: ['needs', 'residence_law', 'rated'],
      parts: [['needs', 'residence_law', 'improved'], ['needs', 'residence_law', 'unchanged'], ['needs', 'residence_law', 'worsened']],
    });
    expect(sums[LIFE_AREAS.length]).toEqual({
      sum: ['criteria', 'total', 'agreed'],
      parts: [['criteria', 'total', 'not'], ['criteria', 'total', 'partly'], ['criteria', 'total', 'reached'], ['criteria', 'total', 'unrated']],
    });
    expect(sums[LIFE_AREAS.length + 1]!.sum).toEqual(['criteria', 'language_b1', 'agreed']);
  });
});
