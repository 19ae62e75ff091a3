// The case list's search as a read-model condition: the words and the birth date domain/case-search.ts reads in the
// text, or a case id.
import { parseCaseSearch } from '../../domain/index.js';

/** The search of the case list (domain/case-search.ts): every name word in a name, the birth date if one is named. */
export function searchCondition(q: string) {
  const { words, birthDate } = parseCaseSearch(q);
  if (words.length === 0 && !birthDate) return { id: q };
  const byPerson = {
    AND: [
      ...words.map((w) => ({
        OR: [
          { person: { familyName: { contains: w, mode: 'insensitive' as const } } },
          { person: { givenName: { contains: w, mode: 'insensitive' as const } } },
        ],
      })),
      ...(birthDate ? [{ person: { birthDate: new Date(`${birthDate}T00:00:00Z`) } }] : []),
    ],
  };
  return { OR: [byPerson, { id: q }] };
}

