// A property-based contract fuzzer over an OpenAPI 3.1 document: for each operation, requests generated with
// fast-check from the document's own schemas (valid and invalid bodies, path ids from pools of real ids or generated,
// query values valid or not, with or without the CSRF token, as different callers), and a check of every answer
// against the document: status documented, content type documented, body valid against the documented schema.
import fc from 'fast-check';
import { SchemaArbitraries, queryValue } from './json-schema-arbitrary.js';
import type { Validator } from './json-schema.js';

export interface Operation {
  method: string;
  path: string;
  op: Record<string, any>;
  key: string;
}

/** Every operation of the document, in document order. */
export function operationsOf(document: { paths: Record<string, Record<string, any>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(method)) {
        out.push({ method: method.toUpperCase(), path, op, key: `${method.toUpperCase()} ${path}` });
      }
    }
  }
  return out;
}

export interface Persona {
  name: string;
  /** Headers of this caller; `csrf` false leaves the CSRF token out (cookie sessions only). */
  headers(csrf: boolean): Record<string, string>;
  /** Signs in again after the fuzz ended the session (DELETE /api/v1/session, a new sign-in). */
  refresh?(): Promise<void>;
}

type PathValue = { pool: number } | { value: string };
type Body = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; contentType?: string };

export interface FuzzRequest {
  persona: number;
  path: Record<string, PathValue>;
  query: Array<[string, string]>;
  body: Body;
  csrf: boolean;
}

export interface FuzzContext {
  baseUrl: string;
  personas: Persona[];
  /** Ids for a path parameter, by path prefix (e.g. '/api/v1/cases/' → case ids); grows while the fuzz runs. */
  pools: Array<{ prefix: string; ids: string[] }>;
  /** Known-good bodies per operation key, mixed in with the generated ones (e.g. real credentials). */
  fixtures?: Record<string, unknown[]>;
}

const MALFORMED_JSON = ['{', '{"a":', '[1,', 'nul', '{"x": 1,}', "{'a': 1}", '\u0000', '"unterminated'];

/** A generated path parameter must stay one path segment that URL parsing leaves alone. */
const pathSegment = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s !== '.' && s !== '..' && !/^(%2e|\.){1,2}$/i.test(s));

function bodyArbitrary(gen: SchemaArbitraries, op: Record<string, any>, fixtures: unknown[]): fc.Arbitrary<Body> {
  const schema = op.requestBody?.content?.['application/json']?.schema;
  if (!schema) return fc.constant({ kind: 'none' } as Body);
  const json = (a: fc.Arbitrary<unknown>) => a.map((value) => ({ kind: 'json', value }) as Body);
  return fc.oneof(
    { weight: 6, arbitrary: json(gen.valid(schema)) },
    { weight: 3, arbitrary: json(gen.invalid(schema)) },
    { weight: fixtures.length ? 3 : 0, arbitrary: json(fixtures.length ? fc.constantFrom(...fixtures) : fc.constant(null)) },
    { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_JSON).map((text) => ({ kind: 'raw', text }) as Body) },
    // A character set the JSON parser does not read (415).
    { weight: 1, arbitrary: json(gen.valid(schema)).map((b) => ({ kind: 'raw', text: JSON.stringify((b as { value: unknown }).value), contentType: 'application/json; charset=latin1' }) as Body) },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' } as Body) },
  );
}

function queryArbitrary(gen: SchemaArbitraries, parameters: any[]): fc.Arbitrary<Array<[string, string]>> {
  const query = parameters.filter((p) => p.in === 'query');
  if (!query.length) return fc.constant([]);
  const one = (p: any) => {
    const values = fc.oneof(
      { weight: 4, arbitrary: gen.valid(p.schema ?? {}).map(queryValue) },
      { weight: 2, arbitrary: gen.invalid(p.schema ?? {}).map(queryValue) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    );
    // Absent (unless required), once, or (rarely) repeated.
    return fc.oneof(
      { weight: p.required ? 0 : 3, arbitrary: fc.constant([] as string[]) },
      { weight: 4, arbitrary: values.map((v) => [v]) },
      { weight: 1, arbitrary: fc.array(values, { minLength: 2, maxLength: 2 }) },
    ).map((vs) => vs.map((v) => [p.name, v] as [string, string]));
  };
  return fc.tuple(...query.map(one)).map((parts) => parts.flat());
}

export function requestArbitrary(gen: SchemaArbitraries, operation: Operation, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const parameters: any[] = operation.op.parameters ?? [];
  const pathNames = parameters.filter((p) => p.in === 'path').map((p) => p.name as string);
  const pathValue: fc.Arbitrary<PathValue> = fc.oneof(
    { weight: 4, arbitrary: fc.nat().map((pool) => ({ pool })) },
    { weight: 1, arbitrary: pathSegment.map((value) => ({ value })) },
  );
  const personaCount = context.personas.length;
  return fc.record({
    // Persona 0 is the anonymous caller: now and then.
    persona: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 8, arbitrary: fc.integer({ min: 1, max: personaCount - 1 }) }),
    path: fc.tuple(...pathNames.map(() => pathValue)).map((values) => Object.fromEntries(pathNames.map((n, i) => [n, values[i]!]))),
    query: queryArbitrary(gen, parameters),
    body: bodyArbitrary(gen, operation.op, context.fixtures?.[operation.key] ?? []),
    csrf: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  });
}

/** The pool of ids for the path parameters of `operation` (by path prefix). */
function poolOf(operation: Operation, context: FuzzContext): string[] {
  return context.pools.find((p) => operation.path.startsWith(p.prefix))?.ids ?? [];
}

/** The concrete URL of a request and the pool ids it uses: path parameters from the pool of the path's prefix, or as
 *  generated. */
export function resolve(operation: Operation, request: Pick<FuzzRequest, 'path' | 'query'>, context: FuzzContext): { url: string; ids: string[] } {
  const pool = poolOf(operation, context);
  const ids: string[] = [];
  const path = operation.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = request.path[name];
    if (v && 'pool' in v && pool.length) ids.push(pool[v.pool % pool.length]!);
    const value = v && 'pool' in v ? (pool.length ? pool[v.pool % pool.length]! : 'unknown-id') : (v?.value ?? 'x');
    return encodeURIComponent(value);
  });
  const qs = new URLSearchParams(request.query).toString();
  return { url: `${context.baseUrl}${path}${qs ? `?${qs}` : ''}`, ids };
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  headers: Headers;
}

/** How long an answer may take; a request that gets none is a mismatch, and its ids leave the pools. */
export const ANSWER_TIMEOUT_MS = 15_000;

export async function send(operation: Operation, request: FuzzRequest, context: FuzzContext): Promise<Answer | null> {
  const persona = context.personas[request.persona]!;
  const headers: Record<string, string> = { ...persona.headers(request.csrf) };
  let body: string | undefined;
  if (request.body.kind !== 'none') {
    headers['content-type'] = (request.body.kind === 'raw' && request.body.contentType) || 'application/json';
    body = request.body.kind === 'json' ? JSON.stringify(request.body.value) : request.body.text;
  }
  const { url, ids } = resolve(operation, request, context);
  let answer: Answer;
  try {
    const res = await fetch(url, { method: operation.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) });
    answer = { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text(), headers: res.headers };
  } catch (error) {
    if ((error as Error).name !== 'TimeoutError') throw error;
    // Whatever hangs on this id would hang again: take it out of the fuzz.
    const pool = poolOf(operation, context);
    for (const id of ids) if (pool.includes(id)) pool.splice(pool.indexOf(id), 1);
    return null;
  }
  // Signing in or out as a session persona ends that persona's session: sign in again.
  if (operation.path === '/api/v1/session' && operation.method !== 'GET' && answer.status < 300) await persona.refresh?.();
  return answer;
}

/** What is wrong with `answer` for `operation` by the document; empty when it is as documented. */
export function mismatches(validator: Validator, operation: Operation, answer: Answer): string[] {
  const responses: Record<string, any> = operation.op.responses ?? {};
  const documented = responses[answer.status] ?? responses[`${String(answer.status)[0]}XX`] ?? responses.default;
  const out: string[] = [];
  if (answer.status >= 500) out.push(`${answer.status}: server error`);
  if (!documented) return [...out, `${answer.status}: status not documented`];
  if (!documented.content) {
    if (answer.text.length && operation.method !== 'HEAD') out.push(`${answer.status}: body where none is documented`);
    return out;
  }
  const media = answer.contentType.split(';')[0]!.trim().toLowerCase();
  const content = documented.content[media];
  if (!content) return [...out, `${answer.status}: content type "${media}" not documented`];
  if (media !== 'application/json' || !content.schema) return out;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [...out, `${answer.status}: body is not JSON`];
  }
  const errors = validator.errors(content.schema, body);
  if (errors.length) out.push(`${answer.status}: body does not match the schema (${errors.slice(0, 3).map((e) => `${e.path || '/'} ${e.keyword}: ${e.message}`).join('; ')})`);
  return out;
}

export function describeRequest(operation: Operation, request: FuzzRequest, context: FuzzContext): string {
  const body = request.body.kind === 'none' ? '' : ` body=${(request.body.kind === 'json' ? JSON.stringify(request.body.value) : request.body.text).slice(0, 300)}`;
  const url = resolve(operation, request, context).url.slice(context.baseUrl.length);
  return `${operation.method} ${url.slice(0, 300)} as ${context.personas[request.persona]!.name}${request.csrf ? '' : ' (no CSRF)'}${body}`;
}
