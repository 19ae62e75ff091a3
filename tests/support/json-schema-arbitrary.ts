// fast-check arbitraries from JSON Schema (the subset the OpenAPI document uses, see json-schema.ts): `valid(schema)`
// generates values the schema accepts, `invalid(schema)` values it refuses (wrong types, missing required
// properties, strings off pattern/length/format/enum, numbers off range, arrays off size — one defect at a time,
// nested). Both are checked against the validator, so what they promise holds by construction.
import fc from 'fast-check';
import { Validator, typeOf, type Schema } from './json-schema.js';

type Obj = Record<string, any>;

const INT32 = 0x7fffffff;
/** Strings stay in the BMP: the validators count UTF-16 units, JSON Schema counts code points (see the document). */
const bmpChar = fc.integer({ min: 0x20, max: 0xd7ff }).map((c) => String.fromCharCode(c));
const textUnit = fc.oneof({ weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: bmpChar });
const anyJson = fc.jsonValue({ maxDepth: 2 });

/** Edge values a pattern or format may allow: mixed into the strings of patterns they match (first and last
 *  representable days, leap days, offsets at their limits, a day that crosses into another year in UTC). */
const BOUNDARY_STRINGS = [
  '0000-01-01',
  '0001-01-01',
  '1900-01-01',
  '1970-01-01',
  '2000-02-29',
  '9999-12-31',
  '0000-01-01T00:00Z',
  '0000-01-01T00:00:00+14:00',
  '1970-01-01T00:00:00Z',
  '2024-02-29T23:59:59.999999999-14:59',
  '9999-12-31T23:59:59.999999999-14:00',
];

/** Deep-ish merge of two schemas (properties merged per key, required united, allOf concatenated). */
function merge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a, ...b };
  if (a.properties && b.properties) {
    out.properties = { ...a.properties };
    for (const [k, v] of Object.entries(b.properties)) out.properties[k] = Object.hasOwn(a.properties, k) ? merge(a.properties[k], v as Obj) : v;
  }
  if (a.required || b.required) out.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  if (a.allOf && b.allOf) out.allOf = [...a.allOf, ...b.allOf];
  return out;
}

function typesOf(s: Obj): string[] {
  if (s.type) return Array.isArray(s.type) ? s.type : [s.type];
  if (s.properties || s.required || s.additionalProperties) return ['object'];
  if (s.items || s.minItems !== undefined || s.maxItems !== undefined) return ['array'];
  if (s.pattern || s.format || s.minLength !== undefined || s.maxLength !== undefined) return ['string'];
  if (s.minimum !== undefined || s.maximum !== undefined) return ['number'];
  return [];
}

const stringify = (v: unknown) => JSON.stringify(v);

export class SchemaArbitraries {
  readonly validator: Validator;

  constructor(root: Obj) {
    this.validator = new Validator(root);
  }

  private resolve(schema: Schema): Obj | boolean {
    return this.validator.resolve(schema) as Obj | boolean;
  }

  /** Values `schema` accepts. */
  valid(schema: Schema): fc.Arbitrary<unknown> {
    return this.build(schema).filter((v) => this.validator.valid(schema, v));
  }

  /** Values `schema` refuses (empty schemas and `true` accept everything: then nothing is generated). */
  invalid(schema: Schema): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    if (typeof s === 'boolean') return s ? fc.constant(undefined).filter(() => false) : anyJson;
    return fc.oneof(...this.defects(s)).filter((v) => v !== undefined && !this.validator.valid(s, v));
  }

  private build(schema: Schema): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    if (s === true) return anyJson;
    if (s === false) throw new Error('schema false has no values');
    if ('const' in s) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
    const branches: Obj[] | undefined = s.oneOf ?? s.anyOf;
    if (branches) {
      const { oneOf: _o, anyOf: _a, ...rest } = s;
      return fc.oneof(...branches.map((b) => this.build(merge(rest, this.resolve(b) as Obj))));
    }
    if (s.if && (s.then || s.else)) {
      // Both sides of the condition, so that the filter in valid() keeps most of what is built.
      const { if: cond, then: yes, else: no, ...rest } = s;
      const sides = [merge(merge(rest, cond), yes ?? {}), ...(no ? [merge(rest, no)] : [])];
      return fc.oneof(...sides.map((side) => this.build(side)));
    }
    const types = typesOf(s);
    if (!types.length) return anyJson;
    return fc.oneof(...types.map((t) => this.ofType(t, s)));
  }

  private ofType(type: string, s: Obj): fc.Arbitrary<unknown> {
    switch (type) {
      case 'string':
        return this.string(s);
      case 'integer':
        return this.integer(s);
      case 'number':
        return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return this.array(s);
      case 'object':
        return this.object(s);
      default:
        throw new Error(`unsupported type ${type}`);
    }
  }

  private string(s: Obj): fc.Arbitrary<string> {
    const min = s.minLength ?? 0;
    const max = Math.min(s.maxLength ?? min + 40, min + 40);
    const length = (v: string) => [...v].length >= min && [...v].length <= (s.maxLength ?? Infinity);
    if (s.pattern) {
      const pattern = new RegExp(s.pattern, 'u');
      const edges = BOUNDARY_STRINGS.filter((v) => pattern.test(v) && length(v));
      const matching = fc.stringMatching(pattern).filter(length);
      return edges.length ? fc.oneof({ weight: 4, arbitrary: matching }, { weight: 1, arbitrary: fc.constantFrom(...edges) }) : matching;
    }
    if (s.format === 'date') return fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    if (s.format === 'date-time') return fc.date({ min: new Date('1970-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
    return fc.string({ unit: textUnit, minLength: min, maxLength: Math.max(min, max) });
  }

  private integer(s: Obj): fc.Arbitrary<number> {
    const lo = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : (s.minimum ?? -1000);
    const hi = s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : (s.maximum ?? 1000);
    if (lo >= -INT32 && hi <= INT32) return fc.integer({ min: lo, max: hi });
    // Mostly small values near the lower bound, now and then anything up to the bound.
    return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: lo, max: Math.min(hi, lo + 1000) }) }, { weight: 1, arbitrary: fc.bigInt(BigInt(lo), BigInt(hi)).map(Number) });
  }

  private array(s: Obj): fc.Arbitrary<unknown[]> {
    const minLength = s.minItems ?? 0;
    const maxLength = Math.min(s.maxItems ?? minLength + 3, minLength + 3);
    const item = s.items === undefined ? anyJson : this.build(s.items);
    if (s.uniqueItems) return fc.uniqueArray(item, { minLength, maxLength, selector: stringify });
    return fc.array(item, { minLength, maxLength });
  }

  private object(s: Obj): fc.Arbitrary<Obj> {
    const properties: Record<string, Schema> = s.properties ?? {};
    const required: string[] = s.required ?? [];
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [key, sub] of Object.entries(properties)) shape[key] = this.build(sub);
    // Required names without a property schema (from oneOf/if branches) take any value.
    for (const key of required) if (!Object.hasOwn(shape, key)) shape[key] = anyJson;
    const record = fc.record(shape, { requiredKeys: required.filter((k) => Object.hasOwn(shape, k)) });
    const extra =
      s.additionalProperties && s.additionalProperties !== true
        ? fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !Object.hasOwn(shape, k)), this.build(s.additionalProperties), { maxKeys: 3 })
        : s.additionalProperties === false
          ? fc.constant({})
          : // Now and then fields the schema does not name (the validators strip them).
            fc.oneof(
              { weight: 5, arbitrary: fc.constant({}) },
              { weight: 1, arbitrary: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !Object.hasOwn(shape, k)), anyJson, { maxKeys: 2 }) },
            );
    return fc.tuple(record, extra).map(([known, more]) => ({ ...(more as Obj), ...(known as Obj) }));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Defects: each produces candidates that break one rule of `s` (invalid() keeps those that do).

  private defects(s: Obj): fc.Arbitrary<unknown>[] {
    const types = typesOf(s);
    const out: fc.Arbitrary<unknown>[] = [this.wrongType(types)];
    if (s.enum || 'const' in s) out.push(fc.oneof(fc.string({ maxLength: 12 }), fc.constant(''), fc.constant('UNKNOWN')));
    if (types.includes('string')) out.push(...this.stringDefects(s));
    if (types.includes('integer') || types.includes('number')) out.push(...this.numberDefects(s, types.includes('integer')));
    if (types.includes('array')) out.push(...this.arrayDefects(s));
    if (types.includes('object')) out.push(...this.objectDefects(s));
    return out;
  }

  private wrongType(types: string[]): fc.Arbitrary<unknown> {
    const samples: Record<string, fc.Arbitrary<unknown>> = {
      string: fc.string({ maxLength: 8 }),
      integer: fc.integer(),
      number: fc.double({ noNaN: true, noDefaultInfinity: true }),
      boolean: fc.boolean(),
      null: fc.constant(null),
      array: fc.array(anyJson, { maxLength: 2 }),
      object: fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 }),
    };
    const others = Object.keys(samples).filter((t) => !types.includes(t) && !(t === 'number' && types.includes('integer')));
    return fc.oneof(...others.map((t) => samples[t]!));
  }

  private stringDefects(s: Obj): fc.Arbitrary<unknown>[] {
    const out: fc.Arbitrary<unknown>[] = [fc.constantFrom('', ' ', '\t \n', 'a\u0000b', '\u0000', '2025-02-30', '1899-12-31', '9999-99-99', 'x')];
    if (s.maxLength !== undefined) out.push(fc.string({ unit: 'grapheme-ascii', minLength: s.maxLength + 1, maxLength: s.maxLength + 4 }));
    if (s.minLength) out.push(fc.string({ unit: 'grapheme-ascii', maxLength: s.minLength - 1 }));
    if (s.pattern || s.format) out.push(fc.string({ unit: textUnit, maxLength: 30 }));
    return out;
  }

  private numberDefects(s: Obj, integer: boolean): fc.Arbitrary<unknown>[] {
    const out: fc.Arbitrary<unknown>[] = [];
    if (s.minimum !== undefined) out.push(fc.integer({ min: -1000, max: 0 }).map((d) => s.minimum - 1 + d));
    if (s.maximum !== undefined) out.push(fc.integer({ min: 0, max: 1000 }).map((d) => s.maximum + 1 + d));
    if (integer) out.push(fc.double({ min: -1000, max: 1000, noNaN: true }).filter((v) => !Number.isInteger(v)));
    return out.length ? out : [fc.constant(Number.MAX_VALUE)];
  }

  private arrayDefects(s: Obj): fc.Arbitrary<unknown>[] {
    const out: fc.Arbitrary<unknown>[] = [];
    const item = s.items === undefined ? anyJson : this.build(s.items);
    if (s.maxItems !== undefined) out.push(fc.array(item, { minLength: s.maxItems + 1, maxLength: s.maxItems + 2 }));
    if (s.minItems) out.push(fc.array(item, { maxLength: s.minItems - 1 }));
    if (s.uniqueItems) out.push(item.map((v) => [v, v]));
    if (s.items !== undefined) {
      const bad = this.invalid(s.items);
      out.push(fc.tuple(this.build({ ...s, minItems: Math.max(0, (s.minItems ?? 1) - 1), maxItems: Math.max(0, (s.maxItems ?? 3) - 1) }), bad).map(([arr, b]) => [...(arr as unknown[]), b]));
    }
    return out.length ? out : [fc.constant([])];
  }

  private objectDefects(s: Obj): fc.Arbitrary<unknown>[] {
    const valid = this.valid(s) as fc.Arbitrary<Obj>;
    const out: fc.Arbitrary<unknown>[] = [fc.constant({})];
    const required: string[] = s.required ?? [];
    if (required.length) {
      out.push(fc.tuple(valid, fc.constantFrom(...required)).map(([obj, key]) => Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key))));
    }
    const properties = Object.entries((s.properties ?? {}) as Record<string, Schema>).filter(([, sub]) => this.hasDefects(sub));
    if (properties.length) {
      out.push(
        fc.tuple(valid, fc.constantFrom(...properties)).chain(([obj, [key, sub]]) => this.invalid(sub).map((bad) => ({ ...obj, [key]: bad }))),
      );
    }
    return out;
  }

  private hasDefects(schema: Schema): boolean {
    const s = this.resolve(schema);
    return typeof s === 'object' && (typesOf(s).length > 0 || s.enum !== undefined || 'const' in s);
  }
}

/** A JSON value as a query-string value: strings as they are, everything else as JSON text. */
export function queryValue(value: unknown): string {
  return typeof value === 'string' ? value : typeOf(value) === 'integer' || typeOf(value) === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}
