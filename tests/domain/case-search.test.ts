// The case list's search text (domain/case-search.ts): names in any order, a birth date in German or ISO form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCaseSearch, searchDate } from '../../domain/index.js';

describe('parseCaseSearch', () => {
  it('splits names into words, in any order', () => {
    expect(parseCaseSearch('Haddad Amina')).toEqual({ words: ['Haddad', 'Amina'] });
    expect(parseCaseSearch('  Amina,  Haddad ')).toEqual({ words: ['Amina', 'Haddad'] });
  });

  it('takes a birth date in German or ISO form, with or without names', () => {
    expect(parseCaseSearch('04.05.1990')).toEqual({ words: [], birthDate: '1990-05-04' });
    expect(parseCaseSearch('4.5.1990')).toEqual({ words: [], birthDate: '1990-05-04' });
    expect(parseCaseSearch('1990-05-04 Haddad')).toEqual({ words: ['Haddad'], birthDate: '1990-05-04' });
  });

  it('treats impossible dates as words', () => {
    expect(searchDate('31.02.1990')).toBeUndefined();
    expect(searchDate('1990-02-31')).toBeUndefined();
    expect(parseCaseSearch('31.02.1990')).toEqual({ words: ['31.02.1990'] });
  });

  it('reads every calendar day written the German way as that day', () => {
    const day = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 11, 31) }).map((ms) => new Date(ms).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.boolean(), (iso, pad) => {
        const [y, m, d] = iso.split('-') as [string, string, string];
        const german = pad ? `${d}.${m}.${y}` : `${Number(d)}.${Number(m)}.${y}`;
        expect(searchDate(german)).toBe(iso);
        expect(searchDate(iso)).toBe(iso);
      }),
    );
  });
});
