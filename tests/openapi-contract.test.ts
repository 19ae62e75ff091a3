// Contract fuzz: the running app (real Temporal dev server, real database) against its own OpenAPI document. For every
// operation, requests generated with fast-check from the document's schemas (tests/support/contract-fuzz.ts) — valid
// and invalid bodies, real and made-up ids, query values in and out of range, anonymous, coordinator, case manager,
// ABH counsellor (sessions, with and without CSRF token) and a bearer token. Every answer must be documented: status,
// content type, body against the schema; never 5xx. Methods a path does not have: 405 with Allow.
//
// Requests per operation: KIM_CONTRACT_FUZZ_RUNS (default 30: about 1,500 requests, a minute or two on a loaded 2-core
// machine). A bigger run for local use (10–15 minutes):
//   KIM_CONTRACT_FUZZ_RUNS=200 KIM_CONTRACT_FUZZ_VERBOSE=1 npx vitest run tests/openapi-contract.test.ts
// KIM_CONTRACT_FUZZ_SEED replays a run (the seed is printed with any mismatch); KIM_CONTRACT_FUZZ_VERBOSE=1 prints the
// statuses each operation answered.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../api/v1/openapi.js';
import { apiCall, bearerFor, login, TEST_PASSWORD, type SignedIn } from '../harness/auth.js';
import { ANSWER_TIMEOUT_MS, describeRequest, mismatches, operationsOf, requestArbitrary, send, type FuzzContext, type Persona } from './support/contract-fuzz.js';
import { startHarness, type Harness } from './support/harness.js';
import { SchemaArbitraries } from './support/json-schema-arbitrary.js';

const RUNS = Number(process.env.KIM_CONTRACT_FUZZ_RUNS ?? 30);
const SEED = Number(process.env.KIM_CONTRACT_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

const document = buildOpenApiDocument() as { paths: Record<string, Record<string, any>> };
const operations = operationsOf(document);
const gen = new SchemaArbitraries(document);

const person = { givenName: 'Lina', familyName: 'Haddad', birthDate: '1994-05-17', municipality: 'Kall', languages: ['ar'] };

let h: Harness;
let context: FuzzContext;
const caseIds: string[] = [];
const handoverIds: string[] = [];
const tokenIds: string[] = [];

function sessionPersona(name: string, email: string, initial: SignedIn): Persona {
  let signedIn = initial;
  return {
    name,
    headers: (csrf) => (csrf ? signedIn.headers(false) : { cookie: signedIn.cookie }),
    refresh: async () => {
      signedIn = await login(h.baseUrl, email);
    },
  };
}

beforeAll(async () => {
  h = await startHarness();
  const coordinator = await login(h.baseUrl, 'koordination@kim.example');
  const caseManager = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');
  const abh = await login(h.baseUrl, 'abh@kim.example');
  const bearer = await bearerFor(h.db, 'koordination@kim.example');
  for (const municipality of ['Schleiden', 'Kall']) {
    // The same person at two providers: confirmed past the duplicate check (issue 16).
    const created = await apiCall(h.baseUrl, caseManager, 'POST', '/api/v1/cases', { person: { ...person, municipality }, source: 'self', confirmNewCase: true });
    expect(created.status).toBe(201);
    caseIds.push(created.body.id);
  }
  for (const reason of ['Beratung', 'Arbeitsaufnahme']) {
    const created = await apiCall(h.baseUrl, abh, 'POST', '/api/v1/handovers', { person, residenceLaw: { permits: ['§25b'], notes: '' }, reason });
    expect(created.status).toBe(201);
    handoverIds.push(created.body.id);
  }
  context = {
    baseUrl: h.baseUrl,
    personas: [
      { name: 'anonymous', headers: () => ({}) },
      sessionPersona('coordinator', 'koordination@kim.example', coordinator),
      sessionPersona('case manager', 'cm.caritas-eifel@kim.example', caseManager),
      sessionPersona('ABH counsellor', 'abh@kim.example', abh),
      { name: 'coordinator (bearer)', headers: () => bearer.headers(false) },
    ],
    pools: [
      { prefix: '/api/v1/cases/', ids: caseIds },
      { prefix: '/api/v1/handovers/', ids: handoverIds },
      { prefix: '/api/v1/tokens/', ids: tokenIds },
    ],
    fixtures: {
      // cm.kja is no persona: locking it out with wrong passwords (429) hurts nobody.
      'POST /api/v1/session': [{ email: 'cm.kja@kim.example', password: TEST_PASSWORD }, { email: 'cm.kja@kim.example', password: 'falsch' }],
      'POST /api/v1/cases': [{ person, source: 'outreach' }],
      'POST /api/v1/cases/{id}/actions/record-consent': [{ scope: 'data_processing', decision: 'given' }],
      'POST /api/v1/cases/{id}/actions/assign': [{ assigneeId: caseManager.user.id }],
      'POST /api/v1/handovers': [{ person, residenceLaw: { permits: [], notes: '' }, reason: 'Übergabe' }],
      'POST /api/v1/handovers/{id}/actions/record-consent': [{ decision: 'given' }],
      'POST /api/v1/codec/decode': [{ payloads: [] }],
    },
  };
});

afterAll(async () => {
  await h?.close();
});

/** Ids the fuzz creates join the pools, so later requests act on them. */
function harvest(key: string, status: number, text: string) {
  if (status !== 201) return;
  const id = (JSON.parse(text) as { id?: string }).id;
  if (!id) return;
  if (key === 'POST /api/v1/cases') caseIds.push(id);
  if (key === 'POST /api/v1/handovers') handoverIds.push(id);
  if (key === 'POST /api/v1/tokens') tokenIds.push(id);
}

describe('the running app against its OpenAPI document', () => {
  it(`answers every operation as documented (${RUNS} generated requests per operation)`, async () => {
    const found = new Map<string, string>();
    const seen = new Map<string, Set<number>>();
    const started = Date.now();
    const timings: string[] = [];
    for (const [index, operation] of operations.entries()) {
      const began = Date.now();
      const requests = fc.sample(requestArbitrary(gen, operation, context), { numRuns: RUNS, seed: SEED + index });
      const statuses = new Set<number>();
      seen.set(operation.key, statuses);
      for (const request of requests) {
        const example = describeRequest(operation, request, context);
        const answer = await send(operation, request, context);
        const problems = answer ? mismatches(gen.validator, operation, answer) : [`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`];
        if (answer) {
          statuses.add(answer.status);
          harvest(operation.key, answer.status, answer.text);
        }
        for (const problem of problems) {
          const key = `${operation.key} → ${problem}`;
          if (!found.has(key)) found.set(key, `${example}\n      ← ${answer?.text.slice(0, 300) ?? '–'}`);
        }
        // One request left unanswered is enough to report; more would only wait as long again.
        if (!answer) break;
      }
      timings.push(`${operation.key}: ${[...statuses].sort().join(' ')} (${Date.now() - began} ms)`);
    }
    if (process.env.KIM_CONTRACT_FUZZ_VERBOSE) {
      console.log(`${timings.join('\n')}\n${operations.length} operations × ${RUNS} requests in ${Date.now() - started} ms`);
    }
    const report = [...found].map(([key, example]) => `  ${key}\n      e.g. ${example}`).join('\n');
    expect(found.size, `seed ${SEED}: ${found.size} mismatches\n${report}`).toBe(0);
    // Sanity: the callers got past sign-in everywhere (else the fuzz checked little more than 401s).
    const onlyUnauthenticated = [...seen].filter(([key, s]) => !key.startsWith('GET /healthz') && [...s].every((x) => x === 401)).map(([key]) => key);
    expect(onlyUnauthenticated).toEqual([]);
  }, 20 * 60_000);

  it('answers 405 with Allow for a method a documented path does not have', async () => {
    const coordinator = await login(h.baseUrl, 'koordination@kim.example');
    const problems: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      const documented = Object.keys(item).map((m) => m.toUpperCase());
      const expected = new Set([...documented, ...(documented.includes('GET') ? ['HEAD'] : []), 'OPTIONS']);
      const id = path.startsWith('/api/v1/handovers/') ? handoverIds[0]! : path.startsWith('/api/v1/tokens/') ? 'unknown-token' : caseIds[0]!;
      const url = `${h.baseUrl}${path.replace('{id}', id)}`;
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !expected.has(m))) {
        const withBody = method !== 'GET' && method !== 'HEAD';
        const res = await fetch(url, { method, headers: coordinator.headers(withBody), body: withBody ? '{}' : undefined });
        const allow = new Set((res.headers.get('allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean));
        const text = await res.text();
        const code = method === 'HEAD' ? 'method_not_allowed' : (JSON.parse(text || '{}') as { error?: { code?: string } }).error?.code;
        if (res.status !== 405 || code !== 'method_not_allowed' || [...expected].sort().join() !== [...allow].sort().join()) {
          problems.push(`${method} ${path}: ${res.status} ${code ?? ''} Allow: ${[...allow].join(', ') || '–'} (expected 405, Allow: ${[...expected].join(', ')})`);
        }
      }
    }
    expect(problems, 'mount methodNotAllowed(document) from api/http/method-not-allowed.ts in api/app.ts').toEqual([]);
  });
});
