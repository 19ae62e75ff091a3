// Drill 4: API fuzz. Requests generated with fast-check across every endpoint of the OpenAPI document (and the routes
// the code serves beyond it), with random and hostile bodies, headers, ids and query strings, as anonymous callers,
// users of the wrong organisation and of the right one. Checked on every answer: no 5xx, and no case id or person
// name of another provider's case in a case manager's (or an anonymous caller's) answer unless the caller sent it.
// Checked afterwards: every Case row still has a matching workflow, the record is consistent, no foreign token revoked.
// Then the page routes the same way (lib/fuzz-pages.ts): no 5xx, no foreign case on a case manager's page.
//
// The drill is split into its phases (seed, personas, send, check stored state, NUL probes); the request generator
// lives in lib/fuzz-requests.ts. Each phase keeps its statements and order, so a given --seed runs the same drill.
import fc from 'fast-check';
import { bearerFor, type SignedIn } from '../harness/auth.js';
import { caseWorkflowId } from '../workflows/case-messages.js';
import { handoverWorkflowId } from '../workflows/handover-messages.js';
import { caseProblems, settledProblems } from './lib/consistency.js';
import type { DrillContext } from './lib/context.js';
import { fuzzPages } from './lib/fuzz-pages.js';
import { fuzzEndpoints, fuzzRequest, validBodies, type FuzzRequest } from './lib/fuzz-requests.js';
import { call, createCase, describe, signIn, type Answer } from './lib/http.js';
import { pool, type DrillReport } from './lib/report.js';
import { startStack, type Stack } from './lib/stack.js';

type Persona = {
  name: string;
  kind: 'anonymous' | 'session' | 'bearer';
  email?: string;
  role?: string;
  organisationId?: string;
  headers(json?: boolean): Record<string, string>;
  /** Sessions end when the fuzz signs out (DELETE /api/v1/session); sign in again. */
  refresh?(): Promise<void>;
};

interface SeededCase {
  id: string;
  names: string[];
  organisationId: string;
}

/** What the fuzz aims at: the seeded cases and handover, and another user's token. */
interface Targets {
  coordinator: SignedIn;
  seeded: SeededCase[];
  handoverIds: string[];
  victim: Awaited<ReturnType<typeof bearerFor>>;
}

/** Cases of three providers, each person with a name that appears nowhere else; a handover; a token to attack. */
async function seedTargets(stack: Stack, report: DrillReport): Promise<Targets> {
  const base = stack.baseUrl;
  const coordinator = await signIn(base, 'koordination@kim.example');
  const seeded: SeededCase[] = [];
  for (const [municipality, tag] of [['Kall', 'Drk'], ['Schleiden', 'Eifel'], ['Euskirchen', 'Eusk']] as const) {
    for (let i = 0; i < 2; i++) {
      const person = { givenName: `Zephyrine${tag}${i}`, familyName: `Quastorf${tag}${i}`, municipality };
      const c = await createCase(base, coordinator, person);
      seeded.push({ id: c.id, names: [person.givenName, person.familyName], organisationId: c.organisationId });
    }
  }
  const abh = await signIn(base, 'abh@kim.example');
  const handover = await call(base, 'POST', '/api/v1/handovers', {
    headers: abh.headers(),
    body: { person: { givenName: 'Xaverine', familyName: 'Handoverski', birthDate: '1988-08-08', municipality: 'Kall' }, residenceLaw: { permits: ['§25b'], notes: '' }, reason: 'Fuzz' },
  });
  const handoverIds = handover.status === 201 ? [(handover.body as { id: string }).id] : [];
  if (!handoverIds.length) report.step(`(no handover seeded: ${describe(handover)})`);
  const victim = await bearerFor(stack.db, 'cm.kja@kim.example', 'victim');
  report.step(`seeded ${seeded.length} cases (DRK, Caritas Eifel, Caritas Euskirchen) and ${handoverIds.length} handover; a token of another user to attack`);
  return { coordinator, seeded, handoverIds, victim };
}

/** Anonymous, sessions and tokens of several roles and organisations; personas[1] is a DRK case manager. */
async function signInPersonas(stack: Stack): Promise<Persona[]> {
  const base = stack.baseUrl;
  const session = async (email: string): Promise<Persona> => {
    let s: SignedIn = await signIn(base, email);
    return {
      name: `${email} (session)`,
      kind: 'session',
      email,
      role: s.user.role,
      organisationId: s.user.organisationId,
      headers: (json) => s.headers(json),
      refresh: async () => {
        s = await signIn(base, email);
      },
    };
  };
  const bearer = async (email: string): Promise<Persona> => {
    const b = await bearerFor(stack.db, email, 'fuzz');
    const user = await stack.db.user.findUniqueOrThrow({ where: { email } });
    return { name: `${email} (token)`, kind: 'bearer', email, role: user.role, organisationId: user.organisationId, headers: (json) => b.headers(json) };
  };
  return [
    { name: 'anonymous', kind: 'anonymous', headers: (json = true): Record<string, string> => (json ? { 'content-type': 'application/json' } : {}) },
    await session('cm.drk@kim.example'),
    await bearer('cm.drk@kim.example'),
    await session('cm.caritas-eifel@kim.example'),
    await bearer('cm.caritas-euskirchen@kim.example'),
    await bearer('koordination@kim.example'),
    await session('abh@kim.example'),
    await bearer('admin@kim.example'),
  ];
}

interface FuzzOutcome {
  failures: string[];
  leaks: string[];
  statuses: Map<number, number>;
  clientSide: number;
}

/** Shared state of the send loop: who owns which case (refreshed after successful actions: transfer moves a case). */
interface FuzzRun {
  base: string;
  targets: Targets;
  personas: Persona[];
  orgOf: Map<string, string>;
  refreshOrg(caseId: string): Promise<void>;
  outcome: FuzzOutcome;
}

function resolveId(run: FuzzRun, persona: Persona, r: FuzzRequest): string {
  const { seeded, handoverIds, victim } = run.targets;
  const caseIdsOf = (own: boolean) =>
    seeded.filter((c) => (persona.organisationId ? (run.orgOf.get(c.id) === persona.organisationId) === own : !own)).map((c) => c.id);
  const pick = <T>(list: T[]) => list[r.id.pick % list.length];
  return r.id.kind === 'own'
    ? (pick(caseIdsOf(true)) ?? pick(seeded.map((c) => c.id))!)
    : r.id.kind === 'foreign'
      ? (pick(caseIdsOf(false)) ?? pick(seeded.map((c) => c.id))!)
      : r.id.kind === 'handover'
        ? (pick(handoverIds) ?? 'none')
        : r.id.kind === 'token'
          ? victim.id
          : r.id.text;
}

function requestPath(r: FuzzRequest, id: string): string {
  return (
    r.template
      .replace('{id}', encodeURIComponent(id))
      .replace(/\/actions\/[^/]+$/, (m) => (r.action && !r.template.endsWith(`/${r.action}`) && r.id.pick % 3 === 0 ? `/actions/${encodeURIComponent(r.action)}` : m)) +
    (r.query.length ? `?${r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '')
  );
}

function requestHeaders(persona: Persona, r: FuzzRequest): Record<string, string> {
  const headers: Record<string, string> = { ...persona.headers(false) };
  if (r.contentType) headers['content-type'] = r.contentType;
  else if (r.body.kind !== 'none') headers['content-type'] = 'application/json';
  for (const [k, v] of r.extraHeaders) headers[k] = v;
  return headers;
}

/**
 * Leaks: a case manager or an anonymous caller must not receive another provider's case id or person name,
 * unless the caller put it into the request itself (an echoed path in a 404 is not a leak).
 */
function findLeaks(run: FuzzRun, persona: Persona, answer: Answer, sent: string, orgBefore: Map<string, string>, shown: string): void {
  if (persona.kind !== 'anonymous' && persona.role !== 'case_manager') return;
  for (const c of run.targets.seeded) {
    const foreign = (org: string | undefined) => persona.kind === 'anonymous' || org !== persona.organisationId;
    if (!foreign(orgBefore.get(c.id)) || !foreign(run.orgOf.get(c.id))) continue;
    for (const secret of [c.id, ...c.names]) {
      if (answer.text.includes(secret) && !sent.includes(secret)) run.outcome.leaks.push(`${secret} (case of ${run.orgOf.get(c.id)}) in ${shown}`);
    }
  }
}

async function sendOne(run: FuzzRun, r: FuzzRequest): Promise<void> {
  const { outcome } = run;
  const persona = run.personas[r.persona]!;
  const id = resolveId(run, persona, r);
  const path = requestPath(r, id);
  const headers = requestHeaders(persona, r);
  const rawBody = r.body.kind === 'raw' ? String(r.body.value) : r.body.kind === 'json' ? JSON.stringify(r.body.value ?? null) : undefined;

  // Ownership as it stood before the request (a transfer during it may move a case).
  const orgBefore = new Map(run.orgOf);
  const answer: Answer = await call(run.base, r.method, path, { headers, rawBody, timeoutMs: 60_000 });
  if (answer.networkError === 'TypeError') {
    outcome.clientSide++; // fetch refused to send it (e.g. a header value it will not encode)
    return;
  }
  outcome.statuses.set(answer.status, (outcome.statuses.get(answer.status) ?? 0) + 1);
  const shown = `${persona.name}: ${r.method} ${path.length > 160 ? `${path.slice(0, 160)}…` : path} body=${(rawBody ?? '').slice(0, 160)} headers=${JSON.stringify(r.extraHeaders)} → ${describe(answer)}`;
  if (answer.status >= 500 || answer.status === 0) outcome.failures.push(shown);

  if (answer.status === 200 && path.includes('/actions/')) await run.refreshOrg(id);
  if (answer.status === 204 && r.method === 'DELETE' && r.template === '/api/v1/session') await persona.refresh?.();

  const sent = `${path}\n${rawBody ?? ''}\n${JSON.stringify(r.extraHeaders)}`;
  findLeaks(run, persona, answer, sent, orgBefore, shown);
}

/** Every answer checked: no 5xx or dropped connection, no leak. */
async function sendAndCheck(report: DrillReport, run: FuzzRun, samples: FuzzRequest[], total: number): Promise<void> {
  await pool(samples, 8, (r) => sendOne(run, r));
  const { failures, leaks, statuses, clientSide } = run.outcome;
  report.step(
    `${samples.length - clientSide} requests sent (${clientSide} not sendable by fetch); statuses: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(', ')}`,
  );
  report.check(samples.length - clientSide >= total * 0.95, `at least ${Math.floor(total * 0.95)} generated requests reached the API`, String(samples.length - clientSide));
  report.none(failures, 'no 5xx and no dropped connection');
  report.none(leaks, 'no case id or person name of another provider in a case manager\'s or anonymous answer');
}

/** Stored state afterwards: cases and handovers have their workflows, the victim's token is intact. */
async function checkStoredState(stack: Stack, report: DrillReport, targets: Targets): Promise<void> {
  const rows = await stack.db.case.findMany({ select: { id: true } });
  report.none(await settledProblems(stack.db, stack.client, new Map(rows.map((r) => [r.id, {}])), 30_000), `every Case row (${rows.length}) has a matching, consistent workflow`);
  const handoverRows = await stack.db.handover.findMany({ select: { id: true, workflowId: true } });
  const badHandovers: string[] = [];
  for (const h of handoverRows) {
    if (h.workflowId !== handoverWorkflowId(h.id)) badHandovers.push(`${h.id}: workflowId ${h.workflowId}`);
    await stack.client.workflow
      .getHandle(h.workflowId)
      .describe()
      .catch((e: Error) => badHandovers.push(`${h.id}: ${e.message}`));
  }
  report.none(badHandovers, `every Handover row (${handoverRows.length}) has its workflow`);
  const victimRow = await stack.db.apiToken.findUniqueOrThrow({ where: { id: targets.victim.id } });
  report.check(victimRow.revokedAt === null, "another user's API token was not revoked by anyone else");
}

/** Characters PostgreSQL cannot store (NUL), on purpose in every place a request can carry text. */
async function probeNul(stack: Stack, report: DrillReport, coordinator: SignedIn, cm: Persona): Promise<void> {
  const base = stack.baseUrl;
  const own = await createCase(base, coordinator, { givenName: 'Nul', familyName: 'Probe', municipality: 'Kall' });
  const nul = 'a\u0000b';
  const nulProbes: Array<[string, string, string, unknown]> = [
    ['GET', `/api/v1/cases/${encodeURIComponent(nul)}`, 'id in the path', undefined],
    ['GET', `/api/v1/cases?q=${encodeURIComponent(nul)}`, 'list filter', undefined],
    ['POST', '/api/v1/cases', 'person name', { person: { givenName: nul, familyName: 'x', birthDate: '1990-01-01', municipality: 'Kall' }, source: 'self' }],
    ['POST', `/api/v1/cases/${own.id}/actions/put-on-hold`, 'put-on-hold reason (goes into the event summary)', { reason: nul }],
  ];
  const nulProblems: string[] = [];
  for (const [method, path, what, body] of nulProbes) {
    const answer = await call(base, method, path, { headers: cm.headers(), body, timeoutMs: 10_000 });
    if (answer.status === 0 || answer.status >= 500) nulProblems.push(`${what}: ${method} ${path} → ${describe(answer)}`);
  }
  const stuck = await caseProblems(stack.db, stack.client, own.id);
  const pending = (await stack.client.workflow.getHandle(caseWorkflowId(own.id)).describe()).raw.pendingActivities ?? [];
  for (const a of pending) nulProblems.push(`case ${own.id.slice(0, 8)}: activity ${a.activityType?.name} attempt ${a.attempt}: ${(a.lastFailure?.message ?? '').trim().split('\n').at(-1)}`);
  report.none([...nulProblems, ...stuck], 'a NUL character in an id, a filter, a person name or an action text is refused (4xx), never 5xx, never a stuck record write');
}

async function checkSeededPersons(stack: Stack, report: DrillReport, seeded: SeededCase[]): Promise<void> {
  const persons = await stack.db.person.findMany({ where: { id: { in: (await stack.db.case.findMany({ where: { id: { in: seeded.map((c) => c.id) } }, select: { personId: true } })).map((c) => c.personId) } } });
  report.check(persons.length === seeded.length && persons.every((p) => seeded.some((c) => c.names[0] === p.givenName)), 'the seeded persons are unchanged');
}

/** The send loop's state: ownership of the seeded cases, refreshed from the database after successful actions. */
function newFuzzRun(stack: Stack, targets: Targets, personas: Persona[]): FuzzRun {
  const orgOf = new Map(targets.seeded.map((c) => [c.id, c.organisationId]));
  const refreshOrg = async (caseId: string) => {
    if (!orgOf.has(caseId)) return;
    const row = await stack.db.case.findUnique({ where: { id: caseId }, select: { organisationId: true } });
    if (row) orgOf.set(caseId, row.organisationId);
  };
  return { base: stack.baseUrl, targets, personas, orgOf, refreshOrg, outcome: { failures: [], leaks: [], statuses: new Map(), clientSide: 0 } };
}

export async function apiFuzzDrill(ctx: DrillContext, report: DrillReport): Promise<void> {
  const total = ctx.quick ? 1_000 : 10_000;
  const stack = await startStack({ temporalAddress: ctx.temporalAddress, workflowBundlePath: ctx.workflowBundlePath });
  try {
    report.step(`database: ${stack.database.kind}; fast-check seed ${ctx.seed} (repeat with --only=fuzz --seed=${ctx.seed}${ctx.quick ? ' --quick' : ''})`);

    const targets = await seedTargets(stack, report);
    const personas = await signInPersonas(stack);
    const drkUser = await stack.db.user.findUniqueOrThrow({ where: { email: 'cm.drk@kim.example' } });
    const bodies = validBodies(drkUser.id);

    const { documented, undocumented, endpoints } = fuzzEndpoints();
    report.step(`${documented.length} operations from the OpenAPI document + ${undocumented.length} routes it does not list: ${undocumented.map(([m, p]) => `${m} ${p}`).join(', ')}`);

    const run = newFuzzRun(stack, targets, personas);
    const samples = fc.sample(fuzzRequest(personas.length, endpoints, bodies), { numRuns: total, seed: ctx.seed });
    await sendAndCheck(report, run, samples, total);
    // The pages too (issue 15): every page route of the app's route table, as anonymous and signed-in sessions.
    await fuzzPages(stack, report, { seeded: targets.seeded, handoverIds: targets.handoverIds }, ctx.quick ? 500 : 3_000, ctx.seed);

    await checkStoredState(stack, report, targets);
    await probeNul(stack, report, targets.coordinator, personas[1]!);
    await checkSeededPersons(stack, report, targets.seeded);
  } finally {
    await stack.close();
  }
}
