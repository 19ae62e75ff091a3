// The workflows check action bodies in plain code (domain/case-payload-checks.ts, domain/handover-payload-checks.ts);
// the API and the OpenAPI document use the zod schemas (domain/case-actions.ts, domain/handover-requests.ts). Both must
// give the same answer for every body: accepted or not, the same parsed payload (trimmed, unknown fields dropped, fields
// in the same order), the same fields with the same German messages. Bodies: what the published JSON schemas accept and
// refuse (tests/support/json-schema-arbitrary.ts), and bodies whose fields take awkward values (wrong types, blanks, NUL,
// astral characters at the length limits, unsafe integers, impossible dates, too many items, duplicates, nested junk).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../api/v1/openapi.js';
import { checkActionPayload } from '../../domain/case-payload-checks.js';
import { checkHandoverActionPayload } from '../../domain/handover-payload-checks.js';
import {
  CASE_ACTIONS,
  CLOSURE_REASONS,
  CONSENT_DECISIONS,
  CONSENT_SCOPES,
  CONTACT_KINDS,
  GOAL_ATTAINMENTS,
  GOAL_STATUSES,
  HANDOVER_ACTIONS,
  LIFE_AREAS,
  NEED_LEVELS,
  REFERRAL_OUTCOMES,
  REVIEW_OUTCOMES,
  SHARING_CATEGORIES,
  parseActionPayload,
  parseHandoverActionPayload,
  type ParseResult,
} from '../../domain/index.js';
import { SchemaArbitraries } from '../support/json-schema-arbitrary.js';

const doc = buildOpenApiDocument() as { paths: Record<string, any> };
const gen = new SchemaArbitraries(doc);
const RUNS = Number(process.env.KIM_PAYLOAD_CHECK_RUNS ?? 300);
const bodySchema = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema;

const ASTRAL = '\u{1F600}';
const ENUM_VALUES = [
  ...CLOSURE_REASONS, ...CONSENT_DECISIONS, ...CONSENT_SCOPES, ...CONTACT_KINDS, ...GOAL_ATTAINMENTS, ...GOAL_STATUSES,
  ...LIFE_AREAS, ...NEED_LEVELS, ...REFERRAL_OUTCOMES, ...REVIEW_OUTCOMES, ...SHARING_CATEGORIES, 'given', 'refused',
];
const EDGE_STRINGS = [
  '', ' ', '\t\n ', '\u00a0', '\ufeff', 'x', '  x  ', '\u0000', 'a\u0000b', ' \u0000', ASTRAL, `${ASTRAL} `, '\ud800', 'kja', 'drk',
  '2024-02-29', '2025-02-29', '2025-02-30', '1899-12-31', '1900-01-01', '2999-12-31', '3000-01-01', '0000-01-01', '9999-12-31',
  ' 2025-01-01', '2025-01-01 ', '2025-01-01T10:00Z', '2025-01-01T10:00:00.123456789+14:00', '2025-01-01T10:00:00+15:00',
  '2025-01-01T24:00Z', '1899-12-31T23:00:00-02:00', '2999-12-31T23:59:59Z', '3000-01-01T00:00Z', '2025-01-01T10:00',
];
const EDGE_NUMBERS = [0, -0, 1, -1, 1.5, -0.5, 1440, 1441, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1e300, -1e300, Number.NaN, Infinity, -Infinity];
/** Strings whose length (in code points, and in UTF-16 units) sits around a limit the schemas use. */
const nearLimit = fc
  .tuple(fc.constantFrom(0, 1, 20, 100, 200, 300, 2000, 4000), fc.integer({ min: -2, max: 2 }), fc.constantFrom('x', ASTRAL, ' '), fc.boolean())
  .map(([limit, delta, unit, padded]) => {
    const s = unit.repeat(Math.max(0, limit + delta));
    return padded ? ` ${s} ` : s;
  });
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(...EDGE_STRINGS, ...ENUM_VALUES) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(...EDGE_NUMBERS, null, true, false, undefined) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('a', ' ', '\u0000', ASTRAL, '\u00a0', '-', '1'), maxLength: 8 }) },
  { weight: 1, arbitrary: nearLimit },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);
const ITEM_KEYS = ['area', 'situation', 'need', 'title', 'measure', 'owner', 'dueDate', 'x'];
const item: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: scalar },
  { weight: 2, arbitrary: fc.record(Object.fromEntries(ITEM_KEYS.map((k) => [k, scalar])), { requiredKeys: [] }) },
);
/** Any awkward value of a field: scalars, lists (short, over 20 items, with duplicates), objects. */
const awkward: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(item, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...ENUM_VALUES.slice(0, 12), '', ' x'), { minLength: 0, maxLength: 23 }) },
  { weight: 1, arbitrary: item.chain((v) => fc.integer({ min: 1, max: 22 }).map((n) => Array.from({ length: n }, () => v))) },
  { weight: 1, arbitrary: fc.record(Object.fromEntries(ITEM_KEYS.slice(0, 3).map((k) => [k, scalar])), { requiredKeys: [] }) },
);

/** Bodies of one action: valid and invalid per the published schema, one field made awkward, any mix of fields, non-objects. */
function bodies(schema: any): fc.Arbitrary<unknown> {
  const properties: Record<string, unknown> = (gen.validator.resolve(schema) as any).properties ?? {};
  const keys = [...Object.keys(properties), 'unknownField'];
  const valid = gen.valid(schema) as fc.Arbitrary<Record<string, unknown>>;
  // Each field valid (per its own schema) or awkward, any of them left out: the object's own rules meet every mix.
  const field = (k: string) => (k in properties ? fc.oneof(gen.valid(properties[k] as object), awkward) : awkward);
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 2, arbitrary: gen.invalid(schema) },
    { weight: 3, arbitrary: fc.tuple(valid, fc.constantFrom(...keys), awkward).map(([b, k, v]) => ({ ...b, [k]: v })) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(...keys)).map(([b, k]) => Object.fromEntries(Object.entries(b).filter(([key]) => key !== k))) },
    { weight: 4, arbitrary: fc.record(Object.fromEntries(keys.map((k) => [k, field(k)])), { requiredKeys: [] }) },
    { weight: 1, arbitrary: awkward },
  );
}

/** The same answer: accepted with the same payload (same fields in the same order), or refused with the same fields. */
function expectSame(plain: ParseResult<unknown>, zod: ParseResult<unknown>, body: unknown): void {
  const context = JSON.stringify(body);
  expect(plain.ok, context).toBe(zod.ok);
  if (plain.ok && zod.ok) {
    expect(plain.payload, context).toStrictEqual(zod.payload);
    expect(JSON.stringify(plain.payload), context).toBe(JSON.stringify(zod.payload));
    expect(Object.keys(plain.payload as object), context).toEqual(Object.keys(zod.payload as object));
  }
  if (!plain.ok && !zod.ok) expect(plain.fields, context).toStrictEqual(zod.fields);
}

describe('plain payload checks of the workflows = zod parsing of the API', () => {
  it.each(CASE_ACTIONS)('case action %s', (action) => {
    const schema = bodySchema(`/api/v1/cases/{id}/actions/${action}`);
    fc.assert(
      fc.property(bodies(schema), (body) => expectSame(checkActionPayload(action, body), parseActionPayload(action, body), body)),
      { numRuns: RUNS },
    );
  });

  it.each(HANDOVER_ACTIONS)('handover action %s', (action) => {
    const schema = bodySchema(`/api/v1/handovers/{id}/actions/${action}`);
    fc.assert(
      fc.property(bodies(schema), (body) => expectSame(checkHandoverActionPayload(action, body), parseHandoverActionPayload(action, body), body)),
      { numRuns: RUNS },
    );
  });

  it('agree on bodies that name the rules directly (examples the generators may miss)', () => {
    const cases: Array<[(typeof CASE_ACTIONS)[number], unknown]> = [
      ['record-contact', { kind: 'phone', date: '2025-01-01', durationMinutes: 2 ** 53 }],
      ['record-contact', { kind: 'phone', date: '2025-01-01', durationMinutes: 1.5, note: '' }],
      ['record-contact', { kind: 'x', date: '3000-01-01', durationMinutes: -1, note: ASTRAL.repeat(4001) }],
      ['record-consent', { scope: 'share_with_partner', decision: 'given', purpose: ' ' }],
      ['record-consent', { scope: 'share_with_partner', decision: 'x' }],
      ['record-consent', { scope: 'data_processing', decision: 'given', dataCategories: ['goals', 'goals'] }],
      ['record-consent', { scope: 'share_with_partner', decision: 'given', dataCategories: Array(6).fill('goals') }],
      ['record-consent', { scope: 'share_with_partner', decision: 'given', dataCategories: ['goals', 'goals'] }],
      ['complete-assessment', { lifeAreas: [{ area: 'health', situation: 'a', need: 'low' }, { area: 'health', situation: ' ', need: 'low' }] }],
      ['complete-assessment', { lifeAreas: [{ area: 'health', situation: 'a', need: 'low' }, { area: 'health', situation: 'b', need: 'x' }] }],
      ['complete-review', { outcome: 'close', notes: 'x'.repeat(4001) }],
      ['agree-goals', { goals: [] }],
      ['agree-goals', 'goals'],
      ['transfer', { organisationId: ' kja ', reason: ' Umzug ', requestId: ' r ', extra: 1 }],
      ['resume', { note: undefined }],
      ['record-contact', { kind: 'phone', date: '2025-01-01', durationMinutes: Number.NaN }],
    ];
    for (const [action, body] of cases) expectSame(checkActionPayload(action, body), parseActionPayload(action, body), body);
    const participants = { at: '2025-03-01T10:00Z', participants: Array(21).fill('') };
    expectSame(checkHandoverActionPayload('schedule-meeting', participants), parseHandoverActionPayload('schedule-meeting', participants), participants);
  });
});
