// The routing test matrix (seed section 3.4, written out independently of the implementation): tests/domain/routing.test.ts
// runs it against the default rules in code, tests/routing-rules.test.ts against the rules stored in the database.
export const ON = '2025-03-03';
/** Birth date for someone who is `age` on ON (birthday today). */
export const born = (age: number) => `${2025 - age}-03-03`;

export const ADULT_PROVIDER: Record<string, string> = {
  Schleiden: 'caritas-eifel',
  Hellenthal: 'caritas-eifel',
  Dahlem: 'caritas-eifel',
  Blankenheim: 'caritas-eifel',
  Mechernich: 'caritas-eifel',
  Euskirchen: 'caritas-euskirchen',
  'Bad Münstereifel': 'caritas-euskirchen',
  Kall: 'drk',
  Zülpich: 'drk',
  Nettersheim: 'drk',
  Weilerswist: 'drk',
};

/** [age, municipality, proposed organisation, alternatives] */
export const AGE_CASES: Array<[number, string, string, string[]]> = [
  [5, 'Kall', 'drk', []],
  [6, 'Kall', 'kja', []],
  [17, 'Euskirchen', 'kja', []],
  [18, 'Euskirchen', 'caritas-euskirchen', ['kja']],
  [26, 'Schleiden', 'caritas-eifel', ['kja']],
  [27, 'Weilerswist', 'drk', ['kja']],
  [28, 'Bad Münstereifel', 'caritas-euskirchen', []],
  [5, 'Mechernich', 'caritas-eifel', []],
  [17, 'Hellenthal', 'kja', []],
];
