// The API fuzz's request generator (drills/api-fuzz.ts): the endpoints to fuzz, hostile values, bodies that pass
// validation, and the fast-check arbitrary of one request. Moved out of the drill unchanged; the arbitrary is built
// from the same parts in the same order, so a given --seed still generates the same requests.
import fc from 'fast-check';
import { buildOpenApiDocument } from '../../api/v1/openapi.js';
import { CASE_ACTIONS, HANDOVER_ACTIONS } from '../../domain/index.js';

/** Routes the app serves that the OpenAPI document does not list (found in api/*.ts); fuzzed as well. */
const UNDOCUMENTED_ROUTES: Array<[string, string]> = [
  ['GET', '/api/v1/tokens'],
  ['DELETE', '/api/v1/tokens/{id}'],
  ['GET', '/api/v1/cases/{id}/history/check'],
  ['GET', '/api/v1/cases/{id}/access-log'],
  ['GET', '/api/v1/cases/{id}/export'],
  ['GET', '/api/v1/deadlines'],
  ['GET', '/api/v1/handovers'],
  ['GET', '/api/v1/reports/controlling'],
];

export const HOSTILE = [
  "' OR 1=1 --",
  '"; DROP TABLE "Case"; --',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '<script>alert(1)</script>',
  '{{constructor.constructor("return process")()}}',
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  'x'.repeat(5000),
  '😀👩‍👩‍👧',
  'İıß\u202e',
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  ' ',
  '',
  '2025-02-30',
  '9999-12-31T23:59:59Z',
  '1900-01-01',
  'me',
];

export interface FuzzRequest {
  persona: number;
  method: string;
  template: string;
  id: { kind: 'own' | 'foreign' | 'handover' | 'token' | 'hostile'; pick: number; text: string };
  action: string;
  query: Array<[string, string]>;
  body: { kind: 'none' | 'json' | 'raw'; value: unknown };
  contentType: string | null;
  extraHeaders: Array<[string, string]>;
}

/** Half the time a field the valid body has (so hostile values reach real fields), else the generated key. */
function mutatedKey(valid: unknown, generated: string, pick: number): string {
  const keys = valid && typeof valid === 'object' ? Object.keys(valid) : [];
  return keys.length && pick % 2 === 0 ? keys[Math.floor(pick / 2) % keys.length]! : generated;
}

const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 200);

/** Bodies that pass validation (or nearly), so that fuzzed requests also reach the workflows. */
export function validBodies(assigneeId: string): Record<string, unknown[]> {
  const today = new Date().toISOString().slice(0, 10);
  return {
    'record-contact': [{ kind: 'phone', date: today, durationMinutes: 10 }],
    'record-consent': [{ scope: 'data_processing', decision: 'given' }, { scope: 'share_with_partner', decision: 'given', partnerName: 'Tafel', purpose: 'Lebensmittel' }],
    assign: [{ assigneeId }],
    'start-assessment': [{}],
    'put-on-hold': [{ reason: 'nicht erreichbar' }],
    resume: [{}],
    'request-closure': [{ reason: 'goals_achieved', goalAttainment: 'full' }],
    close: [{ reason: 'moved_away', goalAttainment: 'partial' }],
    'confirm-provider': [{ organisationId: 'drk' }],
    transfer: [{ organisationId: 'caritas-eifel', reason: 'Umzug' }],
    'complete-assessment': [{ lifeAreas: [{ area: 'work', situation: 'sucht Arbeit', need: 'high' }] }],
    'agree-goals': [{ goals: [{ title: 'Deutschkurs', measure: 'B1', owner: 'Klient', dueDate: today }] }],
    reopen: [{ reason: 'zurück' }],
    session: [{ email: 'admin@kim.example', password: 'falsch' }],
    cases: [{ person: { givenName: 'Fuzz', familyName: 'Neu', birthDate: '1990-01-01', municipality: 'Kall' }, source: 'self' }],
    handovers: [{ person: { givenName: 'Fuzz', familyName: 'Übergabe', birthDate: '1991-02-03', municipality: 'Kall' }, residenceLaw: { permits: ['§25b'], notes: '' }, reason: 'Fuzz' }],
    tokens: [{ name: 'fuzz' }],
  };
}

/** Endpoints: the OpenAPI document's paths and methods, plus the undocumented routes. */
export function fuzzEndpoints(): { documented: Array<[string, string]>; undocumented: Array<[string, string]>; endpoints: Array<[string, string]> } {
  const document = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => [m.toUpperCase(), path] as [string, string]));
  const undocumented = UNDOCUMENTED_ROUTES.filter(([m, p]) => !documented.some(([dm, dp]) => dm === m && dp === p));
  return { documented, undocumented, endpoints: [...documented, ...undocumented] };
}

/** The raw generated fields of one request, before they are resolved against the endpoint list and the bodies. */
function rawRequestFields(personaCount: number, endpointCount: number) {
  const hostile = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
  const jsonValue = fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'requestId', 'person', 'email', 'password', 'assigneeId', 'organisationId', 'caseId', 'kind', 'date', 'goals'), fc.string({ maxLength: 10 })), fc.oneof(hostile, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }))) },
  );
  return fc.record({
    persona: fc.nat({ max: personaCount - 1 }),
    endpoint: fc.nat({ max: endpointCount - 1 }),
    randomMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), { freq: 8 }),
    id: fc.oneof(
      fc.record({ kind: fc.constant('own' as const), pick: fc.nat(), text: fc.constant('') }),
      fc.record({ kind: fc.constant('foreign' as const), pick: fc.nat(), text: fc.constant('') }),
      fc.record({ kind: fc.constant('handover' as const), pick: fc.nat(), text: fc.constant('') }),
      fc.record({ kind: fc.constant('token' as const), pick: fc.nat(), text: fc.constant('') }),
      fc.record({ kind: fc.constant('hostile' as const), pick: fc.nat(), text: hostile }),
    ),
    action: fc.oneof(fc.constantFrom(...CASE_ACTIONS, ...HANDOVER_ACTIONS), hostile),
    query: fc.array(fc.tuple(fc.oneof(fc.constantFrom('state', 'organisationId', 'assignee', 'municipality', 'overdue', 'q', 'page', 'pageSize', 'asOf', 'status', 'days', 'caseId', 'format', 'purpose', 'from', 'to', 'q[$ne]', 'page[]'), hostile), fc.oneof(hostile, fc.integer().map(String))), { maxLength: 4 }),
    bodyMode: fc.constantFrom('valid', 'valid', 'valid', 'mutated', 'mutated', 'json', 'json', 'raw', 'none'),
    bodyPick: fc.nat(),
    mutation: fc.tuple(fc.string({ maxLength: 12 }), fc.oneof(hostile, fc.integer(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }))),
    json: jsonValue,
    raw: fc.oneof(fc.constantFrom('{', '{"a":', 'null', '[1,2', '"x"', '\u0000', '{"__proto__":{"admin":true}}', `{"a":"${'x'.repeat(2000)}"}`), fc.string({ maxLength: 50 })),
    contentType: fc.option(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', 'application/xml'), { freq: 4 }),
    extraHeaders: fc.array(
      fc.tuple(fc.constantFrom('x-csrf-token', 'x-purpose', 'authorization', 'cookie', 'accept', 'x-forwarded-for', 'origin'), fc.oneof(hostile, fc.constantFrom('Bearer ', 'Bearer kim_', 'Basic YTpi', 'kim_session=abc', 'kim_session='))).map(([k, v]) => [k, headerSafe(String(v))] as [string, string]),
      { maxLength: 2 },
    ),
  });
}

type RawRequest = ReturnType<typeof rawRequestFields> extends fc.Arbitrary<infer R> ? R : never;

/** Resolves the generated fields: the endpoint's method and path template, and the body the body mode asks for. */
function toFuzzRequest(r: RawRequest, endpoints: Array<[string, string]>, bodies: Record<string, unknown[]>): FuzzRequest {
  const [method, template] = endpoints[r.endpoint]!;
  const section = template.includes('/actions/') ? template.split('/actions/')[1]! : template.split('/')[3] ?? '';
  const samples = bodies[section] ?? bodies[template.split('/')[3] ?? ''] ?? [{}];
  const valid = samples[r.bodyPick % samples.length];
  const body =
    r.bodyMode === 'none'
      ? { kind: 'none' as const, value: undefined }
      : r.bodyMode === 'raw'
        ? { kind: 'raw' as const, value: r.raw }
        : r.bodyMode === 'json'
          ? { kind: 'json' as const, value: r.json }
          : r.bodyMode === 'valid'
            ? { kind: 'json' as const, value: valid }
            : { kind: 'json' as const, value: { ...(valid as object), [mutatedKey(valid, r.mutation[0], r.bodyPick)]: r.mutation[1] } };
  return {
    persona: r.persona,
    method: r.randomMethod ?? method,
    template,
    id: r.id,
    action: String(r.action),
    query: r.query.map(([k, v]) => [String(k), String(v)] as [string, string]),
    body,
    contentType: r.contentType,
    extraHeaders: r.extraHeaders,
  };
}

/** The arbitrary of one fuzz request against `endpoints`, as one of `personaCount` personas. */
export function fuzzRequest(personaCount: number, endpoints: Array<[string, string]>, bodies: Record<string, unknown[]>): fc.Arbitrary<FuzzRequest> {
  return rawRequestFields(personaCount, endpoints.length).map((r) => toFuzzRequest(r, endpoints, bodies));
}
