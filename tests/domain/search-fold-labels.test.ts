// Edges of three small pure helpers: one birth date per search, iCalendar line folding at exactly 75/74 octets, and
// the goal-status rewording only for goal updates.
import { describe, expect, it } from 'vitest';
import { foldLine } from '../../domain/icalendar.js';
import { parseCaseSearch, readableSummary } from '../../domain/index.js';

describe('edges', () => {
  it('a search takes the first date as the birth date; a second date is a word', () => {
    expect(parseCaseSearch('01.02.1990 1990-03-04')).toEqual({ words: ['1990-03-04'], birthDate: '1990-02-01' });
  });

  it('folds after 75 octets on the first line and 74 on each continuation (after its space)', () => {
    const x = (n: number) => 'x'.repeat(n);
    expect(foldLine(x(75))).toBe(x(75));
    expect(foldLine(x(76))).toBe(`${x(75)}\r\n x`);
    expect(foldLine(x(149))).toBe(`${x(75)}\r\n ${x(74)}`);
    expect(foldLine(x(150))).toBe(`${x(75)}\r\n ${x(74)}\r\n x`);
    // A two-octet character that would end at octet 76 moves to the next line whole.
    expect(foldLine(`${x(74)}ä`)).toBe(`${x(74)}\r\n ä`);
  });

  it('only goal updates get their status code reworded', () => {
    expect(readableSummary('goals_agreed', 'Ziel aktualisiert: Anerkennung (achieved)')).toBe('Ziel aktualisiert: Anerkennung (achieved)');
  });
});
