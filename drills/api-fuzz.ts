// Drill 4: API fuzz. Requests generated with fast-check across every endpoint of the OpenAPI document (and the routes
// the code serves beyond it), with random and hostile bodies, headers, ids and query strings, as anonymous callers,
// users of the wrong organisation and of the right one. Checked on every answer: no 5xx, and no case id or person
// name of another provider's case in a case manager's (or an anonymous caller's) answer unless the caller sent it.
// Checked afterwards: every Case row still has a matching workflow, the record is consistent, no foreign token revoked.
import fc from 'fast-check';
import { buildOpenApiDocument } from '../api/v1/openapi.js';
import { CASE_ACTIONS, HANDOVER_ACTIONS } from '../domain/index.js';
import { bearerFor, type SignedIn } from '../harness/auth.js';
import { caseWorkflowId } from '../workflows/case-messages.js';
import { handoverWorkflowId } from '../workflows/handover-messages.js';
import { caseProblems, settledProblems } from './lib/consistency.js';
import type { DrillContext } from './lib/context.js';
import { call, createCase, describe, signIn, type Answer } from './lib/http.js';
import { pool, type DrillReport } from './lib/report.js';
import { startStack } from './lib/stack.js';

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

const HOSTILE = [
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

interface FuzzRequest {
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
function validBodies(assigneeId: string): Record<string, unknown[]> {
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

export async function apiFuzzDrill(ctx: DrillContext, report: DrillReport): Promise<void> {
  const total = ctx.quick ? 1_000 : 10_000;
  const stack = await startStack({ temporalAddress: ctx.temporalAddress, workflowBundlePath: ctx.workflowBundlePath });
  try {
    report.step(`database: ${stack.database.kind}; fast-check seed ${ctx.seed} (repeat with --only=fuzz --seed=${ctx.seed}${ctx.quick ? ' --quick' : ''})`);
    const base = stack.baseUrl;

    // Cases of three providers, each person with a name that appears nowhere else.
    const coordinator = await signIn(base, 'koordination@kim.example');
    const seeded: Array<{ id: string; names: string[]; organisationId: string }> = [];
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
    const personas: Persona[] = [
      { name: 'anonymous', kind: 'anonymous', headers: (json = true): Record<string, string> => (json ? { 'content-type': 'application/json' } : {}) },
      await session('cm.drk@kim.example'),
      await bearer('cm.drk@kim.example'),
      await session('cm.caritas-eifel@kim.example'),
      await bearer('cm.caritas-euskirchen@kim.example'),
      await bearer('koordination@kim.example'),
      await session('abh@kim.example'),
      await bearer('admin@kim.example'),
    ];
    const drkUser = await stack.db.user.findUniqueOrThrow({ where: { email: 'cm.drk@kim.example' } });
    const bodies = validBodies(drkUser.id);

    // Endpoints: the OpenAPI document's paths and methods, plus the undocumented routes.
    const document = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => [m.toUpperCase(), path] as [string, string]));
    const undocumented = UNDOCUMENTED_ROUTES.filter(([m, p]) => !documented.some(([dm, dp]) => dm === m && dp === p));
    const endpoints = [...documented, ...undocumented];
    report.step(`${documented.length} operations from the OpenAPI document + ${undocumented.length} routes it does not list: ${undocumented.map(([m, p]) => `${m} ${p}`).join(', ')}`);

    // Who owns which case (refreshed after successful actions: transfer moves a case to another provider).
    const orgOf = new Map(seeded.map((c) => [c.id, c.organisationId]));
    const refreshOrg = async (caseId: string) => {
      if (!orgOf.has(caseId)) return;
      const row = await stack.db.case.findUnique({ where: { id: caseId }, select: { organisationId: true } });
      if (row) orgOf.set(caseId, row.organisationId);
    };

    const hostile = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
    const jsonValue = fc.oneof(
      { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      { weight: 2, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'requestId', 'person', 'email', 'password', 'assigneeId', 'organisationId', 'caseId', 'kind', 'date', 'goals'), fc.string({ maxLength: 10 })), fc.oneof(hostile, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }))) },
    );
    const request: fc.Arbitrary<FuzzRequest> = fc.record({
      persona: fc.nat({ max: personas.length - 1 }),
      endpoint: fc.nat({ max: endpoints.length - 1 }),
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
    }).map((r) => {
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
    });

    const samples = fc.sample(request, { numRuns: total, seed: ctx.seed });
    const caseIdsOf = (persona: Persona, own: boolean) =>
      seeded.filter((c) => (persona.organisationId ? (orgOf.get(c.id) === persona.organisationId) === own : !own)).map((c) => c.id);

    const failures: string[] = [];
    const leaks: string[] = [];
    const statuses = new Map<number, number>();
    let clientSide = 0;
    await pool(samples, 8, async (r) => {
      const persona = personas[r.persona]!;
      const pick = <T>(list: T[]) => list[r.id.pick % list.length];
      const id =
        r.id.kind === 'own'
          ? (pick(caseIdsOf(persona, true)) ?? pick(seeded.map((c) => c.id))!)
          : r.id.kind === 'foreign'
            ? (pick(caseIdsOf(persona, false)) ?? pick(seeded.map((c) => c.id))!)
            : r.id.kind === 'handover'
              ? (pick(handoverIds) ?? 'none')
              : r.id.kind === 'token'
                ? victim.id
                : r.id.text;
      const path =
        r.template
          .replace('{id}', encodeURIComponent(id))
          .replace(/\/actions\/[^/]+$/, (m) => (r.action && !r.template.endsWith(`/${r.action}`) && r.id.pick % 3 === 0 ? `/actions/${encodeURIComponent(r.action)}` : m)) +
        (r.query.length ? `?${r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '');
      const headers: Record<string, string> = { ...persona.headers(false) };
      if (r.contentType) headers['content-type'] = r.contentType;
      else if (r.body.kind !== 'none') headers['content-type'] = 'application/json';
      for (const [k, v] of r.extraHeaders) headers[k] = v;
      const rawBody = r.body.kind === 'raw' ? String(r.body.value) : r.body.kind === 'json' ? JSON.stringify(r.body.value ?? null) : undefined;

      // Ownership as it stood before the request (a transfer during it may move a case).
      const orgBefore = new Map(orgOf);
      const answer: Answer = await call(base, r.method, path, { headers, rawBody, timeoutMs: 60_000 });
      if (answer.networkError === 'TypeError') {
        clientSide++; // fetch refused to send it (e.g. a header value it will not encode)
        return;
      }
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const shown = `${persona.name}: ${r.method} ${path.length > 160 ? `${path.slice(0, 160)}…` : path} body=${(rawBody ?? '').slice(0, 160)} headers=${JSON.stringify(r.extraHeaders)} → ${describe(answer)}`;
      if (answer.status >= 500 || answer.status === 0) failures.push(shown);

      if (answer.status === 200 && path.includes('/actions/')) await refreshOrg(id);
      if (answer.status === 204 && r.method === 'DELETE' && r.template === '/api/v1/session') await persona.refresh?.();

      // Leaks: a case manager or an anonymous caller must not receive another provider's case id or person name,
      // unless the caller put it into the request itself (an echoed path in a 404 is not a leak).
      if (persona.kind !== 'anonymous' && persona.role !== 'case_manager') return;
      const sent = `${path}\n${rawBody ?? ''}\n${JSON.stringify(r.extraHeaders)}`;
      for (const c of seeded) {
        const foreign = (org: string | undefined) => persona.kind === 'anonymous' || org !== persona.organisationId;
        if (!foreign(orgBefore.get(c.id)) || !foreign(orgOf.get(c.id))) continue;
        for (const secret of [c.id, ...c.names]) {
          if (answer.text.includes(secret) && !sent.includes(secret)) leaks.push(`${secret} (case of ${orgOf.get(c.id)}) in ${shown}`);
        }
      }
    });
    report.step(
      `${samples.length - clientSide} requests sent (${clientSide} not sendable by fetch); statuses: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(', ')}`,
    );
    report.check(samples.length - clientSide >= total * 0.95, `at least ${Math.floor(total * 0.95)} generated requests reached the API`, String(samples.length - clientSide));
    report.none(failures, 'no 5xx and no dropped connection');
    report.none(leaks, 'no case id or person name of another provider in a case manager\'s or anonymous answer');

    // Stored state afterwards.
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
    const victimRow = await stack.db.apiToken.findUniqueOrThrow({ where: { id: victim.id } });
    report.check(victimRow.revokedAt === null, "another user's API token was not revoked by anyone else");
    // Characters PostgreSQL cannot store (NUL), on purpose in every place a request can carry text.
    const cm = personas[1]!;
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

    const persons = await stack.db.person.findMany({ where: { id: { in: (await stack.db.case.findMany({ where: { id: { in: seeded.map((c) => c.id) } }, select: { personId: true } })).map((c) => c.personId) } } });
    report.check(persons.length === seeded.length && persons.every((p) => seeded.some((c) => c.names[0] === p.givenName)), 'the seeded persons are unchanged');
  } finally {
    await stack.close();
  }
}
