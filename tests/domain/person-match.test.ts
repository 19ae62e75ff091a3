// Issue 16, one person across providers: what the duplicate check compares (normalised name words + birth date),
// what the case manager is told (kind of organisation only), coordination's decisions, and which cases are one person.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PERSON_MATCH_VERSION,
  decideMatch,
  distinctKinds,
  matchOrganisationKind,
  nameWords,
  personMatchStrings,
  personOfLinkedCases,
  possibleMatchMessage,
} from '../../domain/person-match.js';

const same = (a: { givenName: string; familyName: string }, b: { givenName: string; familyName: string }, birthDate = '1990-04-12') => {
  const x = new Set(personMatchStrings({ ...a, birthDate }));
  return personMatchStrings({ ...b, birthDate }).some((s) => x.has(s));
};

describe('name words', () => {
  it.each([
    ['Müller', ['mueller']],
    ['MUELLER', ['mueller']],
    ['Straße', ['strasse']],
    ['STRASSE', ['strasse']],
    ['GROẞ', ['gross']],
    ['Öztürk', ['oeztuerk']],
    ['Ärzte', ['aerzte']],
    ['Ünal', ['uenal']],
    ['  Al-Khatib  ', ['al', 'khatib']],
    ['Al – Khatib', ['al', 'khatib']],
    ['Jean-Luc', ['jean', 'luc']],
    ["O'Neill", ['oneill']],
    ['O’Neill', ['oneill']],
    ['José María', ['jose', 'maria']],
    ['Çelik', ['celik']],
    ['Şahin', ['sahin']],
    ['Łukasz', ['lukasz']],
    ['Søren Ærø', ['soren', 'aero']],
    ['Œdipe', ['oedipe']],
    ['Đorđe', ['dorde']],
    ['Yıldız', ['yildiz']],
    ['Ðóra Þór', ['dora', 'thor']],
    ['Ħaġar Ŧ', ['hagar', 't']],
    ['Dr. med.', ['dr', 'med']],
    ['Name,Zweitname', ['name', 'zweitname']],
    ['Ahmad\tKarim\nAli', ['ahmad', 'karim', 'ali']],
    ['Олена', ['олена']],
    ['محمد', ['محمد']],
    ['Anna2', ['anna2']],
    ['', []],
    [' - ', []],
    ['`´‘', []],
  ])('%j → %j', (input, words) => {
    expect(nameWords(input)).toEqual(words);
  });

  it('reads a decomposed umlaut like a composed one', () => {
    expect(nameWords('Mu\u0308ller')).toEqual(['mueller']);
    expect(nameWords('Mu\u0308ller')).toEqual(nameWords('Müller'));
  });

  it('property: case, surrounding whitespace and separators never matter', () => {
    const word = fc.stringMatching(/^[A-Za-zÄÖÜäöüßéèçñ]{1,12}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), fc.constantFrom(' ', '-', '  ', ' - ', '.', ', '), (words, sep) => {
        const plain = nameWords(words.join(' '));
        expect(nameWords(`  ${words.join(sep).toUpperCase()}  `)).toEqual(plain);
        expect(nameWords(words.join(sep).toLowerCase())).toEqual(plain);
        for (const w of plain) expect(w).toMatch(/^[a-z]+$/);
      }),
    );
  });

  it('property: the result is already normal (normalising twice changes nothing)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const once = nameWords(s);
        expect(nameWords(once.join(' '))).toEqual(once);
      }),
    );
  });
});

describe('match strings', () => {
  it('are versioned, with the sorted words and the birth date', () => {
    expect(personMatchStrings({ givenName: 'Amina', familyName: 'Haddad', birthDate: '1990-04-12' })).toEqual([`v${PERSON_MATCH_VERSION}|amina haddad|1990-04-12`]);
    expect(PERSON_MATCH_VERSION).toBe(1);
  });

  it('add the first given name with the family name when there is a middle name', () => {
    expect(personMatchStrings({ givenName: 'Ahmad Karim', familyName: 'Ali', birthDate: '1990-01-01' })).toEqual([
      'v1|ahmad ali karim|1990-01-01',
      'v1|ahmad ali|1990-01-01',
    ]);
    // One given name: one string only; no family name: no second string.
    expect(personMatchStrings({ givenName: 'Ahmad', familyName: 'Ali Karim', birthDate: '1990-01-01' })).toEqual(['v1|ahmad ali karim|1990-01-01']);
    expect(personMatchStrings({ givenName: 'Ahmad Karim', familyName: '', birthDate: '1990-01-01' })).toEqual(['v1|ahmad karim|1990-01-01']);
  });

  it('are none without a name word or a well-formed birth date', () => {
    expect(personMatchStrings({ givenName: ' ', familyName: '-', birthDate: '1990-01-01' })).toEqual([]);
    expect(personMatchStrings({ givenName: 'A', familyName: 'B', birthDate: '12.04.1990' })).toEqual([]);
    expect(personMatchStrings({ givenName: 'A', familyName: 'B', birthDate: '1990-04-12T00:00' })).toEqual([]);
    expect(personMatchStrings({ givenName: 'A', familyName: '', birthDate: '1990-04-12' })).toEqual(['v1|a|1990-04-12']);
  });

  it('meet for the usual spelling variants of one person', () => {
    const amina = { givenName: 'Amina', familyName: 'Al-Khatib' };
    expect(same(amina, { givenName: 'AMINA', familyName: 'al khatib' })).toBe(true);
    expect(same(amina, { givenName: 'Al Khatib', familyName: 'Amina' })).toBe(true); // fields swapped
    expect(same(amina, { givenName: 'Amina Fatima', familyName: 'Al-Khatib' })).toBe(true); // middle name
    expect(same({ givenName: 'Jürgen', familyName: 'Groß' }, { givenName: 'Juergen', familyName: 'GROSS' })).toBe(true);
    expect(same({ givenName: 'Zoë', familyName: "D'Souza" }, { givenName: 'Zoe', familyName: 'DSouza' })).toBe(true);
  });

  it('do not meet for another person, another birth date or an umlaut lost', () => {
    const amina = { givenName: 'Amina', familyName: 'Haddad' };
    expect(same(amina, { givenName: 'Amira', familyName: 'Haddad' })).toBe(false);
    expect(same(amina, { givenName: 'Amina', familyName: 'Haddad Saleh' })).toBe(false);
    expect(same({ givenName: 'Jürgen', familyName: 'Müller' }, { givenName: 'Jurgen', familyName: 'Muller' })).toBe(false);
    const a = personMatchStrings({ ...amina, birthDate: '1990-04-12' });
    const b = personMatchStrings({ ...amina, birthDate: '1990-04-13' });
    expect(a.some((s) => b.includes(s))).toBe(false);
  });

  it('property: the order of the words and the field they are in never matter', () => {
    const word = fc.stringMatching(/^[a-zäöüß]{1,10}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 2, maxLength: 5 }), fc.nat(), (words, cut) => {
        const at = 1 + (cut % (words.length - 1));
        const a = { givenName: words.slice(0, at).join(' '), familyName: words.slice(at).join(' ') };
        const reversed = [...words].reverse();
        const b = { givenName: reversed.slice(0, 1).join(' '), familyName: reversed.slice(1).join(' ') };
        expect(personMatchStrings({ ...a, birthDate: '2000-02-29' })[0]).toBe(personMatchStrings({ ...b, birthDate: '2000-02-29' })[0]);
      }),
    );
  });
});

describe('what the case manager is told', () => {
  it('names the kind of organisation only', () => {
    expect(matchOrganisationKind('provider')).toBe('provider');
    for (const kind of ['county', 'abh', 'jobcenter', 'partner']) expect(matchOrganisationKind(kind)).toBe('county');
    expect(possibleMatchMessage(['provider'])).toBe(
      'Möglicherweise besteht bereits ein offener Fall bei einem Träger der Wohlfahrtspflege; bitte Koordination kontaktieren.',
    );
    expect(possibleMatchMessage(['county', 'county'])).toBe('Möglicherweise besteht bereits ein offener Fall bei einer Stelle des Kreises; bitte Koordination kontaktieren.');
    expect(possibleMatchMessage(['county', 'provider'])).toBe(
      'Möglicherweise besteht bereits ein offener Fall bei einem Träger der Wohlfahrtspflege oder einer Stelle des Kreises; bitte Koordination kontaktieren.',
    );
    expect(possibleMatchMessage([])).toBe('Möglicherweise besteht bereits ein offener Fall bei einer anderen Stelle; bitte Koordination kontaktieren.');
    expect(distinctKinds(['county', 'provider', 'county'])).toEqual(['provider', 'county']);
    expect(distinctKinds([])).toEqual([]);
  });
});

describe("coordination's decision", () => {
  it('decides an open match once; repeating it changes nothing; the other decision is refused', () => {
    expect(decideMatch('open', 'link')).toEqual({ ok: true, status: 'linked', changed: true });
    expect(decideMatch('open', 'dismiss')).toEqual({ ok: true, status: 'dismissed', changed: true });
    expect(decideMatch('linked', 'link')).toEqual({ ok: true, status: 'linked', changed: false });
    expect(decideMatch('dismissed', 'dismiss')).toEqual({ ok: true, status: 'dismissed', changed: false });
    expect(decideMatch('linked', 'dismiss')).toEqual({ ok: false, message: 'Über diesen möglichen Treffer wurde bereits entschieden (verknüpft (eine Person)).' });
    expect(decideMatch('dismissed', 'link')).toEqual({
      ok: false,
      message: 'Über diesen möglichen Treffer wurde bereits entschieden (verworfen (verschiedene Personen)).',
    });
  });
});

describe('which cases are one person', () => {
  const cases = [
    { id: 'c1', personId: 'p1' },
    { id: 'c2', personId: 'p2' },
    { id: 'c3', personId: 'p3' },
    { id: 'c4', personId: 'p4' },
  ];

  it('keeps every case its own person without links', () => {
    expect(personOfLinkedCases(cases, [])).toEqual({ c1: 'p1', c2: 'p2', c3: 'p3', c4: 'p4' });
  });

  it('makes linked cases one person, also through a chain, named by the smallest person id', () => {
    expect(personOfLinkedCases(cases, [{ caseId: 'c3', otherCaseId: 'c2' }])).toEqual({ c1: 'p1', c2: 'p2', c3: 'p2', c4: 'p4' });
    expect(personOfLinkedCases(cases, [{ caseId: 'c4', otherCaseId: 'c3' }, { caseId: 'c2', otherCaseId: 'c4' }])).toEqual({ c1: 'p1', c2: 'p2', c3: 'p2', c4: 'p2' });
    expect(personOfLinkedCases(cases, [{ caseId: 'c1', otherCaseId: 'c4' }, { caseId: 'c4', otherCaseId: 'c1' }])).toEqual({ c1: 'p1', c2: 'p2', c3: 'p3', c4: 'p1' });
  });

  it('ignores links to cases not in the list (erased or outside the report)', () => {
    expect(personOfLinkedCases(cases, [{ caseId: 'c1', otherCaseId: 'gone' }, { caseId: 'gone', otherCaseId: 'c2' }])).toEqual({ c1: 'p1', c2: 'p2', c3: 'p3', c4: 'p4' });
  });

  it('property: the same persons whatever the order of cases and links; linked ones share, others do not', () => {
    const n = 8;
    const all = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, personId: `p${String(n - i).padStart(2, '0')}` }));
    const link = fc.record({ a: fc.nat(n - 1), b: fc.nat(n - 1) }).map(({ a, b }) => ({ caseId: `c${a}`, otherCaseId: `c${b}` }));
    fc.assert(
      fc.property(fc.array(link, { maxLength: 10 }), fc.array(fc.nat(), { minLength: n, maxLength: n }), (links, order) => {
        const shuffled = [...all].sort((x, y) => order[Number(x.id.slice(1))]! - order[Number(y.id.slice(1))]! || x.id.localeCompare(y.id));
        const a = personOfLinkedCases(all, links);
        expect(personOfLinkedCases(shuffled, [...links].reverse())).toEqual(a);
        for (const { caseId, otherCaseId } of links) expect(a[caseId]).toBe(a[otherCaseId]);
        // A group's person is the smallest person id of its cases: one of its own.
        for (const c of all) {
          const group = all.filter((x) => a[x.id] === a[c.id]);
          expect(a[c.id]).toBe(group.map((x) => x.personId).sort()[0]);
        }
        // Components: distinct persons = cases minus the links that joined two groups (reference: naive merging).
        const groups = all.map((c) => new Set([c.id]));
        for (const { caseId, otherCaseId } of links) {
          const g1 = groups.find((g) => g.has(caseId))!;
          const g2 = groups.find((g) => g.has(otherCaseId))!;
          if (g1 !== g2) {
            for (const x of g2) g1.add(x);
            groups.splice(groups.indexOf(g2), 1);
          }
        }
        expect(new Set(Object.values(a)).size).toBe(groups.length);
      }),
    );
  });
});
