// The checker kit of domain/payload-check.ts on its own: each rule the file's header states (zod 4's order of steps,
// skipping and stopping issues, length steps on wrongly typed values, the array cap, required fields, code points),
// with the issues written out by hand. payload-checks.test.ts holds the twins to zod's answers on whole bodies; this
// file pins the kit's rules where both sides would agree on a wrong answer.
import { describe, expect, it } from 'vitest';
import {
  MSG,
  array,
  checkWith,
  inRecordRange,
  integer,
  isoDate,
  maxLength,
  minLength,
  object,
  refine,
  string,
} from '../../domain/payload-check.js';

const messages = (o: { issues: Array<{ message: string }> }) => o.issues.map((i) => i.message);

describe('record date range', () => {
  it('1900-01-01 … 2999-12-31 by the written date, timestamps by their date part', () => {
    expect(['1899-12-31', '1900-01-01', '2999-12-31', '3000-01-01'].map(inRecordRange)).toEqual([false, true, true, false]);
    expect(inRecordRange('2999-12-31T23:00:00Z')).toBe(true);
    expect(inRecordRange('1899-12-31T23:00:00Z')).toBe(false);
    expect(checkWith(object({ d: isoDate() }), { d: '1899-12-31' })).toEqual({ ok: false, fields: { d: MSG.outOfRange } });
  });
});

describe('integers', () => {
  const n = integer(1, 10);
  it('inside and at both bounds accepted; outside named by the bound', () => {
    expect([1, 10].map((v) => n(v).issues)).toEqual([[], []]);
    expect(messages(n(0))).toEqual(['Muss mindestens 1 sein']);
    expect(messages(n(11))).toEqual(['Darf höchstens 10 sein']);
  });

  it('a fraction stops the checks: only the type issue', () => {
    expect(n(1.5).issues).toStrictEqual([{ path: [], message: 'Ungültiger Typ (erwartet: ganze Zahl)', continue: false }]);
    expect(integer(2, 10)(0.5).issues).toHaveLength(1);
  });

  it('beyond the safe integers: the safe bound first, then the range', () => {
    expect(messages(n(2 ** 60))).toEqual(['Darf höchstens 9007199254740991 sein', 'Darf höchstens 10 sein']);
    expect(messages(n(-(2 ** 60)))).toEqual(['Muss mindestens -9007199254740991 sein', 'Muss mindestens 1 sein']);
  });

  it('not a finite number: the type issue without a continue mark', () => {
    expect(n('3').issues).toStrictEqual([{ path: [], message: 'Ungültiger Typ (erwartet: Zahl)' }]);
    expect(messages(n(Number.POSITIVE_INFINITY))).toEqual(['Ungültiger Typ (erwartet: Zahl)']);
  });
});

describe('steps after an issue', () => {
  it('a wrong type skips the refinements but length steps still measure what has a length', () => {
    const s = string(refine(() => false, 'nie'), minLength(3));
    expect(messages(s(['a']))).toEqual(['Ungültiger Typ (erwartet: Text)', 'Mindestens 3 Einträge']);
    // Something with a length that is neither text nor list is measured as a number.
    expect(messages(string(minLength(1))({ length: 0 }))).toEqual(['Ungültiger Typ (erwartet: Text)', 'Muss mindestens 1 sein']);
  });

  it('a length issue on a wrongly typed value does not let the skipped refinements run again', () => {
    expect(messages(string(minLength(3), refine(() => false, 'nie'))(['a']))).toEqual(['Ungültiger Typ (erwartet: Text)', 'Mindestens 3 Einträge']);
    // A value without a length is not measured at all.
    expect(messages(string(minLength(1))(5))).toEqual(['Ungültiger Typ (erwartet: Text)']);
  });

  it('an absent value is required, not measured', () => {
    expect(string(minLength(1))(undefined).issues).toStrictEqual([{ path: [], message: 'Pflichtfeld' }]);
  });

  it('an issue that stops the checks stops the length steps too', () => {
    const stop = { run: (o: { issues: Array<{ path: Array<string | number>; message: string; continue?: boolean }> }) => o.issues.push({ path: [], message: 'halt', continue: false }) };
    expect(messages(string(stop, minLength(5))('ab'))).toEqual(['halt']);
  });
});

describe('lengths in code points', () => {
  it('an emoji is one character, though two UTF-16 units', () => {
    expect(messages(string(minLength(2))('😀'))).toEqual(['Mindestens 2 Zeichen']);
    expect(messages(string(minLength(2))('😀😀'))).toEqual([]);
    expect(messages(string(maxLength(1))('😀'))).toEqual([]);
    expect(messages(string(maxLength(1))('😀😀'))).toEqual(['Höchstens 1 Zeichen']);
  });
});

describe('arrays and objects', () => {
  it('an array at its maximum is checked item by item; over it, refused whole', () => {
    const list = array(string(), maxLength(2));
    expect(list(['a', 'b'])).toStrictEqual({ value: ['a', 'b'], issues: [] });
    expect(list([1, 2, 3]).issues).toStrictEqual([{ path: [], message: 'Höchstens 2 Einträge', continue: false }]);
  });

  it('only the leading length steps cap an array: after a refinement the maximum is an ordinary step', () => {
    const list = array(string(), refine(() => true, 'r'), maxLength(1));
    expect(list([1, 'a']).issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['0', 'Ungültiger Typ (erwartet: Text)'],
      ['', 'Höchstens 1 Einträge'],
    ]);
  });

  it('a missing field whose checker accepts undefined is still required, and absent in the value', () => {
    const anything = (v: unknown) => ({ value: v, issues: [] });
    expect(object({ a: anything })({})).toStrictEqual({ value: {}, issues: [{ path: ['a'], message: 'Pflichtfeld' }] });
    expect(object({ a: anything })({ a: 1 })).toStrictEqual({ value: { a: 1 }, issues: [] });
    expect(object({ t: string() })({})).toStrictEqual({ value: {}, issues: [{ path: ['t'], message: 'Pflichtfeld' }] });
  });
});
