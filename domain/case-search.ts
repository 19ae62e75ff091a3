// What a search in the case list means: names in any order ("Haddad Amina" and "Amina Haddad" both find her), and a
// birth date in the German or the ISO form. Pure; the read-model query is built from it in api/operations/cases.ts.
import { isIsoDate } from './dates.js';

export interface CaseSearch {
  /** Each word must be part of the given or the family name (case-insensitive). */
  words: string[];
  /** A birth date named in the search (`YYYY-MM-DD`). */
  birthDate?: string;
}

const GERMAN_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/** A date as written by people (`4.5.1990`, `04.05.1990`) or ISO (`1990-05-04`) → `YYYY-MM-DD`; undefined otherwise. */
export function searchDate(token: string): string | undefined {
  if (isIsoDate(token)) return token;
  const m = GERMAN_DATE.exec(token);
  if (!m) return undefined;
  const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : undefined;
}

/** The search text split into name words and at most one birth date (commas and extra spaces do not matter). */
export function parseCaseSearch(text: string): CaseSearch {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  const words: string[] = [];
  let birthDate: string | undefined;
  for (const token of tokens) {
    const date = birthDate === undefined ? searchDate(token) : undefined;
    if (date) birthDate = date;
    else words.push(token);
  }
  return birthDate ? { words, birthDate } : { words };
}
