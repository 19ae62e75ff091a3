// A small JSON Schema (2020-12) validator for the subset the OpenAPI document uses: $ref (local), type, enum, const,
// properties/required/additionalProperties, items/minItems/maxItems/uniqueItems/contains/minContains/maxContains,
// minLength/maxLength/pattern/format (date, date-time), minimum/maximum/exclusive*, allOf/anyOf/oneOf/not,
// if/then/else. Lengths count code points, as JSON Schema says. Unknown keywords are annotations.

export type Schema = Record<string, any> | boolean;

export interface SchemaError {
  path: string;
  keyword: string;
  message: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

function isFullDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** RFC 3339 date-time (leap seconds are not told apart). */
function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m || !isFullDate(m[1]!)) return false;
  const [h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (h > 23 || mi > 59 || s > 60) return false;
  return m[6]!.length === 1 || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
}

const FORMATS: Record<string, (v: string) => boolean> = { date: isFullDate, 'date-time': isDateTime };

export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Structural equality of JSON values (enum, const, uniqueItems). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeOf(a) !== typeOf(b) || typeof a !== 'object' || a === null) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => jsonEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as object, k) && jsonEqual((a as any)[k], (b as any)[k]));
}

const regexCache = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let r = regexCache.get(pattern);
  if (!r) regexCache.set(pattern, (r = new RegExp(pattern, 'u')));
  return r;
}

export class Validator {
  constructor(private readonly root: Record<string, any>) {}

  resolve(schema: Schema): Schema {
    let s = schema;
    for (let depth = 0; typeof s === 'object' && typeof s.$ref === 'string' && depth < 20; depth++) {
      const target = s.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce((node: any, key: string) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.root);
      if (target === undefined) throw new Error(`unresolvable $ref ${s.$ref}`);
      const { $ref: _ref, ...rest } = s;
      s = Object.keys(rest).length ? { ...target, ...rest } : target;
    }
    return s;
  }

  errors(schema: Schema, value: unknown, path = ''): SchemaError[] {
    const out: SchemaError[] = [];
    this.check(schema, value, path, out);
    return out;
  }

  valid(schema: Schema, value: unknown): boolean {
    return this.errors(schema, value).length === 0;
  }

  private check(schema: Schema, value: unknown, path: string, out: SchemaError[]): void {
    const s = this.resolve(schema);
    if (s === true) return;
    if (s === false) {
      out.push({ path, keyword: 'false', message: 'nothing is allowed here' });
      return;
    }
    const fail = (keyword: string, message: string): void => {
      out.push({ path, keyword, message });
    };
    if (s.type !== undefined) {
      const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
      if (!types.some((t) => typeMatches(value, t))) {
        fail('type', `expected ${types.join('|')}, got ${typeOf(value)}`);
        return;
      }
    }
    if (s.enum && !s.enum.some((e: unknown) => jsonEqual(e, value))) fail('enum', `not one of ${JSON.stringify(s.enum).slice(0, 120)}`);
    if ('const' in s && !jsonEqual(s.const, value)) fail('const', `expected ${JSON.stringify(s.const)}`);
    if (typeof value === 'string') this.checkString(s, value, fail);
    if (typeof value === 'number') this.checkNumber(s, value, fail);
    if (Array.isArray(value)) this.checkArray(s, value, path, out, fail);
    else if (typeOf(value) === 'object') this.checkObject(s, value as Record<string, unknown>, path, out, fail);
    this.checkCombinators(s, value, path, out, fail);
  }

  private checkString(s: Record<string, any>, value: string, fail: (k: string, m: string) => void) {
    const length = [...value].length;
    if (s.minLength !== undefined && length < s.minLength) fail('minLength', `shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && length > s.maxLength) fail('maxLength', `longer than ${s.maxLength}`);
    if (s.pattern !== undefined && !regex(s.pattern).test(value)) fail('pattern', `does not match ${s.pattern.slice(0, 80)}`);
    if (s.format && FORMATS[s.format] && !FORMATS[s.format]!(value)) fail('format', `not a ${s.format}`);
  }

  private checkNumber(s: Record<string, any>, value: number, fail: (k: string, m: string) => void) {
    if (s.minimum !== undefined && value < s.minimum) fail('minimum', `below ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) fail('maximum', `above ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) fail('exclusiveMinimum', `not above ${s.exclusiveMinimum}`);
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) fail('exclusiveMaximum', `not below ${s.exclusiveMaximum}`);
  }

  private checkArray(s: Record<string, any>, value: unknown[], path: string, out: SchemaError[], fail: (k: string, m: string) => void) {
    if (s.minItems !== undefined && value.length < s.minItems) fail('minItems', `fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && value.length > s.maxItems) fail('maxItems', `more than ${s.maxItems} items`);
    if (s.uniqueItems && value.some((v, i) => value.findIndex((w) => jsonEqual(v, w)) !== i)) fail('uniqueItems', 'duplicate items');
    if (s.items !== undefined) value.forEach((item, i) => this.check(s.items, item, `${path}/${i}`, out));
    if (s.contains !== undefined) {
      const count = value.filter((item) => this.valid(s.contains, item)).length;
      const min = s.minContains ?? 1;
      if (count < min) fail('contains', `fewer than ${min} items match "contains"`);
      if (s.maxContains !== undefined && count > s.maxContains) fail('maxContains', `more than ${s.maxContains} items match "contains"`);
    }
  }

  private checkObject(s: Record<string, any>, value: Record<string, unknown>, path: string, out: SchemaError[], fail: (k: string, m: string) => void) {
    for (const key of s.required ?? []) if (!Object.hasOwn(value, key)) fail('required', `missing "${key}"`);
    const properties: Record<string, Schema> = s.properties ?? {};
    for (const [key, v] of Object.entries(value)) {
      if (Object.hasOwn(properties, key)) this.check(properties[key]!, v, `${path}/${key}`, out);
      else if (s.additionalProperties !== undefined) this.check(s.additionalProperties, v, `${path}/${key}`, out);
    }
  }

  private checkCombinators(s: Record<string, any>, value: unknown, path: string, out: SchemaError[], fail: (k: string, m: string) => void) {
    for (const sub of s.allOf ?? []) this.check(sub, value, path, out);
    if (s.anyOf && !s.anyOf.some((sub: Schema) => this.valid(sub, value))) fail('anyOf', 'matches none of anyOf');
    if (s.oneOf) {
      const n = s.oneOf.filter((sub: Schema) => this.valid(sub, value)).length;
      if (n !== 1) fail('oneOf', `matches ${n} of oneOf`);
    }
    if (s.not !== undefined && this.valid(s.not, value)) fail('not', 'matches "not"');
    if (s.if !== undefined) {
      const branch = this.valid(s.if, value) ? s.then : s.else;
      if (branch !== undefined) this.check(branch, value, path, out);
    }
  }
}
