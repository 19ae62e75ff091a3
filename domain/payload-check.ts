// Request payloads checked in plain code, for the workflows: the workflow bundle carries no zod (each workflow would
// evaluate all of it again: the SDK gives every workflow its own module cache). The API parses with the zod schemas
// (validation.ts, case-actions.ts, handover-requests.ts); the workflows check the payloads they receive with the twins
// built here (case-payload-checks.ts, handover-payload-checks.ts), which accept exactly what the schemas accept, answer
// with the same German field messages and return the same payload (strings trimmed, unknown fields dropped, fields in
// schema order). tests/domain/payload-checks.test.ts holds both to the same answers.
//
// The checkers follow zod 4's rules step by step (its core schemas.js and checks.js):
//   - a value of the wrong type (or an unknown enum value) is an issue that skips the steps after it;
//   - length, range and refinement issues let the steps after them run; length steps also run on a wrongly typed value
//     that has a length, unless an issue explicitly stopped the checks (a non-integer number);
//   - an object's own refinements run only if none of its fields had a skipping issue;
//   - an array longer than its maximum is refused as a whole, its items unchecked;
//   - the first message per field wins; strings are measured in code points.
// Nothing is built at module load: the checkers of an action are made when it is checked.
import { isIsoDate, isIsoTimestamp } from './dates.js';

/** Messages per field, dotted path → German message (`body` for the body as a whole). */
export type FieldErrors = Record<string, string>;
export type ParseResult<T> = { ok: true; payload: T } | { ok: false; fields: FieldErrors };

export const MSG = {
  required: 'Pflichtfeld',
  invalidDate: 'Ungültiges Datum (erwartet JJJJ-MM-TT)',
  invalidTimestamp: 'Ungültiger Zeitpunkt (erwartet ISO 8601 mit Zeitzone, z. B. 2025-03-01T09:30:00+01:00)',
  invalidDateOrTimestamp: 'Ungültiges Datum (erwartet JJJJ-MM-TT oder ISO-Zeitpunkt)',
  outOfRange: 'Datum außerhalb des zulässigen Bereichs (1900–2999)',
} as const;

/** PostgreSQL text and jsonb cannot hold NUL: refused here, before a workflow accepts what its record cannot store. */
export const noNul = (v: string) => !v.includes('\u0000');
export const NUL_MESSAGE = 'Unzulässiges Steuerzeichen (NUL)';

/** Dates of case records lie in 1900–2999 (by their written date): year 0000 or 9999 is a typing error, and a date
 *  the database cannot store would stop the case's record for good. */
export const inRecordRange = (v: string) => v.slice(0, 10) >= '1900-01-01' && v.slice(0, 10) <= '2999-12-31';

// ---------------------------------------------------------------------------------------------------------------
// German messages of the generic issues: validation.ts words zod's issues with them, the checkers below their own.

const TYPE_LABELS: Readonly<Record<string, string>> = {
  string: 'Text',
  number: 'Zahl',
  int: 'ganze Zahl',
  boolean: 'Ja/Nein',
  array: 'Liste',
  object: 'Objekt',
};
const absent = (input: unknown) => input === undefined || input === null;

export const ISSUE_MESSAGES = {
  invalidType: (input: unknown, expected: string): string =>
    absent(input) ? MSG.required : `Ungültiger Typ (erwartet: ${Object.hasOwn(TYPE_LABELS, expected) ? TYPE_LABELS[expected] : expected})`,
  invalidValue: (input: unknown, values: readonly unknown[]): string =>
    absent(input) ? MSG.required : `Ungültiger Wert (erlaubt: ${values.map(String).join(', ')})`,
  tooSmall: (origin: string, minimum: number): string => {
    if (origin === 'string') return minimum <= 1 ? MSG.required : `Mindestens ${minimum} Zeichen`;
    if (origin === 'array') return minimum === 1 ? 'Mindestens ein Eintrag' : `Mindestens ${minimum} Einträge`;
    return `Muss mindestens ${minimum} sein`;
  },
  tooBig: (origin: string, maximum: number): string => {
    if (origin === 'string') return `Höchstens ${maximum} Zeichen`;
    if (origin === 'array') return `Höchstens ${maximum} Einträge`;
    return `Darf höchstens ${maximum} sein`;
  },
} as const;

// ---------------------------------------------------------------------------------------------------------------
// The checker kit

/** `continue: true` lets later steps run (zod: non-aborting); `false` stops even length steps; absent stops the rest. */
interface Issue {
  path: Array<string | number>;
  message: string;
  continue?: boolean;
}
interface Outcome<T> {
  value: T;
  issues: Issue[];
}
export interface Checker<T> {
  (input: unknown): Outcome<T>;
  readonly optional?: true;
}
interface Step {
  /** Runs even after a skipping issue when this holds (zod's `when` of length checks). */
  when?: (value: unknown) => boolean;
  /** The largest length this step allows (arrays longer than that are refused before their items are checked). */
  max?: number;
  /** Whether this step is a length step (the leading length steps of an array decide its cap). */
  length?: true;
  run: (o: Outcome<unknown>) => void;
}

const skipping = (issues: Issue[], from = 0) => issues.slice(from).some((i) => i.continue !== true);
const stopped = (issues: Issue[]) => issues.some((i) => i.continue === false);

function runSteps<T>(o: Outcome<unknown>, steps: readonly Step[]): Outcome<T> {
  let skip = skipping(o.issues);
  for (const step of steps) {
    if (step.when) {
      if (stopped(o.issues) || !step.when(o.value)) continue;
    } else if (skip) {
      continue;
    }
    const before = o.issues.length;
    step.run(o);
    if (!skip && o.issues.length !== before) skip = skipping(o.issues, before);
  }
  return o as Outcome<T>;
}

const issue = (message: string, proceed?: boolean): Issue => ({ path: [], message, ...(proceed === undefined ? {} : { continue: proceed }) });

function codePoints(s: string): number {
  let count = 0;
  for (const _ of s) count++;
  return count;
}
const lengthOf = (v: unknown): unknown => (v as { length?: unknown }).length;
const hasLength = (v: unknown) => !absent(v) && lengthOf(v) !== undefined;
const originOf = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : 'unknown');

export const minLength = (min: number): Step => ({
  when: hasLength,
  length: true,
  run: (o) => {
    const units = lengthOf(o.value) as number;
    const length = typeof o.value === 'string' && units >= min && units < min * 2 ? codePoints(o.value) : units;
    if (!(length >= min)) o.issues.push(issue(ISSUE_MESSAGES.tooSmall(originOf(o.value), min), true));
  },
});

export const maxLength = (max: number): Step => ({
  when: hasLength,
  length: true,
  max,
  run: (o) => {
    const units = lengthOf(o.value) as number;
    const length = typeof o.value === 'string' && units > max ? codePoints(o.value) : units;
    if (!(length <= max)) o.issues.push(issue(ISSUE_MESSAGES.tooBig(originOf(o.value), max), true));
  },
});

export const trim: Step = {
  run: (o) => {
    o.value = (o.value as string).trim();
  },
};

export const refine = <T>(holds: (value: T) => boolean, message: string): Step => ({
  run: (o) => {
    if (!holds(o.value as T)) o.issues.push(issue(message, true));
  },
});

/** An object's own rule over its parsed fields (zod's superRefine): `add` files a message under a field. */
export const refineObject = <T>(rule: (value: T, add: (field: string, message: string) => void) => void): Step => ({
  run: (o) => rule(o.value as T, (field, message) => o.issues.push({ path: [field], message, continue: true })),
});

const typed = <T>(input: unknown, ok: boolean, expected: string, steps: readonly Step[]): Outcome<T> =>
  runSteps<T>({ value: input, issues: ok ? [] : [issue(ISSUE_MESSAGES.invalidType(input, expected))] }, steps);

export const string =
  (...steps: Step[]): Checker<string> =>
  (input) =>
    typed<string>(input, typeof input === 'string', 'string', steps);

/** true or false (zod: z.boolean()). */
export const boolean = (): Checker<boolean> => (input) => typed<boolean>(input, typeof input === 'boolean', 'boolean', []);

/** A safe integer within [min, max] (zod: z.number().int().min(min).max(max)). */
export function integer(min: number, max: number): Checker<number> {
  const safe: Step = {
    run: (o) => {
      const n = o.value as number;
      if (!Number.isInteger(n)) o.issues.push(issue(ISSUE_MESSAGES.invalidType(n, 'int'), false));
      else if (!Number.isSafeInteger(n)) {
        o.issues.push(issue(n > 0 ? ISSUE_MESSAGES.tooBig('int', Number.MAX_SAFE_INTEGER) : ISSUE_MESSAGES.tooSmall('int', Number.MIN_SAFE_INTEGER), true));
      }
    },
  };
  const atLeast = refine<number>((n) => n >= min, ISSUE_MESSAGES.tooSmall('number', min));
  const atMost = refine<number>((n) => n <= max, ISSUE_MESSAGES.tooBig('number', max));
  return (input) => typed<number>(input, typeof input === 'number' && Number.isFinite(input), 'number', [safe, atLeast, atMost]);
}

export const oneOf =
  <const V extends readonly string[]>(values: V): Checker<V[number]> =>
  (input) => ({
    value: input as V[number],
    issues: (values as readonly unknown[]).includes(input) ? [] : [issue(ISSUE_MESSAGES.invalidValue(input, values))],
  });

export function optional<T>(checker: Checker<T>): Checker<T | undefined> & { readonly optional: true } {
  return Object.assign((input: unknown): Outcome<T | undefined> => (input === undefined ? { value: undefined, issues: [] } : checker(input)), {
    optional: true as const,
  });
}

const prefixed = (issues: Issue[], key: string | number) => issues.map((i) => ({ ...i, path: [key, ...i.path] }));

export function array<T>(item: Checker<T>, ...steps: Step[]): Checker<T[]> {
  // The leading length steps: an array over the maximum of one of them gets that step's issue and nothing else.
  const firstOther = steps.findIndex((s) => !s.length);
  const leading = firstOther === -1 ? steps : steps.slice(0, firstOther);
  return (input) => {
    if (!Array.isArray(input)) return typed<T[]>(input, false, 'array', steps);
    const o: Outcome<unknown> = { value: input, issues: [] };
    const cap = leading.find((s) => s.max !== undefined && input.length > s.max);
    if (cap) {
      cap.run(o);
      o.issues[0]!.continue = false;
      return o as Outcome<T[]>;
    }
    const items: T[] = new Array<T>(input.length);
    input.forEach((value, i) => {
      const r = item(value);
      o.issues.push(...prefixed(r.issues, i));
      items[i] = r.value;
    });
    o.value = items;
    return runSteps<T[]>(o, steps);
  };
}

type Shape = Record<string, Checker<unknown>>;
type Out<C> = C extends Checker<infer T> ? T : never;
type OptionalKey<S extends Shape> = { [K in keyof S]: S[K] extends { readonly optional: true } ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOut<S extends Shape> = Flat<
  { [K in Exclude<keyof S, OptionalKey<S>>]: Out<S[K]> } & { [K in OptionalKey<S>]?: Out<S[K]> }
>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object of the fields in `shape` (in that order); other fields are dropped. */
export function object<S extends Shape>(shape: S, ...steps: Step[]): Checker<ObjectOut<S>> {
  return (input) => {
    if (!isObject(input)) return typed<ObjectOut<S>>(input, false, 'object', steps);
    const out: Record<string, unknown> = {};
    const o: Outcome<unknown> = { value: out, issues: [] };
    for (const [key, field] of Object.entries(shape)) {
      const present = key in input;
      if (field.optional && !present) continue;
      const r = field(input[key]);
      o.issues.push(...prefixed(r.issues, key));
      if (present) out[key] = r.value;
      else if (r.issues.length === 0) o.issues.push({ path: [key], message: MSG.required });
    }
    return runSteps<ObjectOut<S>>(o, steps);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The fields of request bodies: twins of validation.ts's text(), id(), isoDate(), … (same steps, same messages)

export const text = (max = 2000) => string(trim, minLength(1), maxLength(max), refine(noNul, NUL_MESSAGE));
export const optionalText = (max = 2000) => optional(text(max));
export const id = () => string(trim, minLength(1), maxLength(200), refine(noNul, NUL_MESSAGE));
export const isoDate = () => string(refine(isIsoDate, MSG.invalidDate), refine(inRecordRange, MSG.outOfRange));
export const isoTimestamp = () => string(refine(isIsoTimestamp, MSG.invalidTimestamp), refine(inRecordRange, MSG.outOfRange));
export const isoDateOrTimestamp = () =>
  string(
    refine((v: string) => isIsoDate(v) || isIsoTimestamp(v), MSG.invalidDateOrTimestamp),
    refine(inRecordRange, MSG.outOfRange),
  );
/** Every action body: its fields, then the optional idempotency key. */
export const actionBody = <S extends Shape>(shape: S, ...steps: Step[]) =>
  object({ ...shape, requestId: optional(string(trim, minLength(1), maxLength(200))) }, ...steps);

/** Checks a body (a missing body counts as `{}`, as in validation.ts parseWith). */
export function checkWith<T>(checker: Checker<T>, body: unknown): ParseResult<T> {
  const { value, issues } = checker(body ?? {});
  if (issues.length === 0) return { ok: true, payload: value };
  const fields: FieldErrors = {};
  for (const i of issues) {
    const key = i.path.length ? i.path.map(String).join('.') : 'body';
    if (!(key in fields)) fields[key] = i.message;
  }
  return { ok: false, fields };
}
