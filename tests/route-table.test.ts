// Table tests over the app's own route table (tests/support/route-table.ts, read from the Express router):
// - every state-changing route, API and pages, refuses a signed-in session's request without (or with a wrong)
//   CSRF token, and nothing changes;
// - every route that returns one case's or handover's content writes exactly one access-log row, and when the log
//   cannot be written no content leaves (a real PostgreSQL trigger makes the insert fail, no mock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { CASE_ACTIONS, HANDOVER_ACTIONS, type Actor } from '../domain/index.js';
import { login, type SignedIn } from '../harness/auth.js';
import { demoActor } from '../harness/cases.js';
import { proposeHandoverRows, startHandover } from '../harness/handovers.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';
import { fillPath, routeTable, type RouteEntry } from '../harness/route-table.js';

let h: Harness;
let coordinator: SignedIn;
let counsellor: Actor;
let routes: RouteEntry[];
let caseId: string;
let handoverId: string;
let docId: string;
const MARK = 'Routentafel';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * State-changing routes without the CSRF check, each with its reason. Any other route that skips it fails the table.
 * - Sign-in has no session yet (the Origin check of api/http/authentication.ts guards it instead).
 * - The codec server decodes for the Temporal UI, which sends the cookie but cannot send a token; it changes nothing.
 */
const CSRF_EXEMPT = new Set(['POST /api/v1/session', 'POST /anmelden', 'POST /api/v1/codec/decode']);

/**
 * Reads of one case or handover (a path with `:id`) that carry no case content, each with its reason:
 * - the access log itself holds ids, roles and times only;
 * - the engine cross-check holds sequence numbers and event types only.
 */
const NOT_CASE_CONTENT = new Set(['GET /api/v1/cases/:id/access-log', 'GET /api/v1/cases/:id/history/check']);

beforeAll(async () => {
  h = await startHarness();
  routes = routeTable(createApp({ db: h.db, temporal: h.client, taskQueue: h.taskQueue }));
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  counsellor = await demoActor(h.db, 'abh@kim.example');
  const created = await fetch(`${h.baseUrl}/api/v1/cases`, {
    method: 'POST',
    headers: coordinator.headers(),
    body: JSON.stringify({
      person: { givenName: 'Tabea', familyName: MARK, birthDate: '1984-03-03', municipality: 'Kall', languages: [] },
      source: 'self',
    }),
  });
  expect(created.status).toBe(201);
  caseId = ((await created.json()) as { id: string }).id;
  // A document of the case file, for the download routes' `:docId`.
  const form = new FormData();
  form.set('kind', 'other');
  form.set('title', 'Nachweis');
  form.set('file', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' }), 'n.pdf');
  const uploaded = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/documents`, { method: 'POST', headers: coordinator.headers(false), body: form });
  expect(uploaded.status).toBe(201);
  docId = ((await uploaded.json()) as { id: string }).id;
  const open = await proposeHandoverRows(h.db, counsellor);
  handoverId = open.handoverId;
  await startHandover(h.client, h.taskQueue, open);
  await eventually(() => h.db.case.findUniqueOrThrow({ where: { id: caseId } }), (row) => row.lastEventSeq > 0, 'case opening recorded');
  await eventually(() => h.db.handover.findUniqueOrThrow({ where: { id: handoverId } }), (row) => row.lastEventSeq > 0, 'handover request recorded');
});

afterAll(async () => {
  await h?.close();
});

/** The concrete requests of a route: `:action` once per action of its kind, `:id` the case's or the handover's. */
function requestsOf(route: RouteEntry): string[] {
  const isHandover = /^\/(api\/v1\/handovers|uebergaben)\//.test(route.path);
  const id = route.path.startsWith('/api/v1/tokens/') ? '00000000-0000-4000-8000-000000000000' : isHandover ? handoverId : caseId;
  const actions: readonly string[] = route.path.includes(':action') ? (isHandover ? HANDOVER_ACTIONS : CASE_ACTIONS) : ['-'];
  // `:token`: a password link's secret (an unknown one: the CSRF check comes first).
  // `:code`: an entry of the referral catalogue (issue 14).
  return actions.map((action) => fillPath(route.path, { id, action, token: 'unbekannter-link', docId, code: 'jobcenter', linkId: 'unbekannt' }));
}

describe('the route table', () => {
  it('is read from the router: API and pages, with their mount paths', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of ['POST /api/v1/cases/:id/actions/:action', 'POST /faelle/:id/aktionen/:action', 'GET /faelle/:id', 'GET /api/v1/handovers/:id', 'DELETE /api/v1/tokens/:id']) {
      expect(keys).toContain(expected);
    }
    for (const exempt of [...CSRF_EXEMPT, ...NOT_CASE_CONTENT]) expect(keys, `${exempt} is still a route`).toContain(exempt);
  });
});

describe('CSRF: every state-changing route refuses a session request without a valid token', () => {
  it('answers 403 csrf_failed (API) or the German refusal page (pages), and changes nothing', async () => {
    const before = {
      caseEvents: await h.db.caseEvent.count({ where: { caseId } }),
      handoverEvents: await h.db.handoverEvent.count({ where: { handoverId } }),
      cases: await h.db.case.count(),
      tokens: await h.db.apiToken.count(),
    };
    const checked: string[] = [];
    for (const route of routes.filter((r) => STATE_CHANGING.has(r.method))) {
      const key = `${route.method} ${route.path}`;
      if (CSRF_EXEMPT.has(key)) continue;
      for (const path of requestsOf(route)) {
        const isApi = path.startsWith('/api/');
        for (const token of [undefined, 'falsch']) {
          const res = await fetch(`${h.baseUrl}${path}`, {
            method: route.method,
            headers: {
              cookie: coordinator.cookie,
              'content-type': isApi ? 'application/json' : 'application/x-www-form-urlencoded',
              ...(token && isApi ? { 'x-csrf-token': token } : {}),
            },
            body: isApi ? '{}' : new URLSearchParams(token ? { _csrf: token } : {}).toString(),
            redirect: 'manual',
          });
          const text = await res.text();
          expect(res.status, `${route.method} ${path} (token ${token ?? 'missing'})`).toBe(403);
          if (isApi) expect(JSON.parse(text).error.code, `${route.method} ${path}`).toBe('csrf_failed');
          else expect(text, `${route.method} ${path}`).toContain('Sicherheitsprüfung fehlgeschlagen');
        }
        checked.push(`${route.method} ${path}`);
      }
    }
    // Every case action and every handover action, on both doors, plus the other writes.
    expect(checked.length).toBeGreaterThanOrEqual(2 * (CASE_ACTIONS.length + HANDOVER_ACTIONS.length) + 5);
    expect({
      caseEvents: await h.db.caseEvent.count({ where: { caseId } }),
      handoverEvents: await h.db.handoverEvent.count({ where: { handoverId } }),
      cases: await h.db.case.count(),
      tokens: await h.db.apiToken.count(),
    }).toEqual(before);
    // The session survived every refused sign-out.
    expect((await fetch(`${h.baseUrl}/api/v1/session`, { headers: { cookie: coordinator.cookie } })).status).toBe(200);
  });
});

/** The reads of one case's or one handover's content: GET routes with `:id` but for the named exceptions. */
function contentReads(): RouteEntry[] {
  return routes.filter(
    (r) =>
      r.method === 'GET' &&
      r.path.includes(':id') &&
      // Administration (accounts, organisations) holds no case content.
      /^\/(api\/v1\/(cases|handovers)|faelle|uebergaben)\//.test(r.path) &&
      !NOT_CASE_CONTENT.has(`${r.method} ${r.path}`),
  );
}

async function read(path: string) {
  const res = await fetch(`${h.baseUrl}${path}`, { headers: { cookie: coordinator.cookie }, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

const logRows = (path: string) =>
  path.includes(handoverId) ? h.db.accessLog.count({ where: { handoverId } }) : h.db.accessLog.count({ where: { caseId } });

describe('access log: every read of case content writes exactly one row, and no row means no content', () => {
  it('covers the single-case and single-handover reads of both doors', () => {
    const keys = contentReads().map((r) => `${r.method} ${r.path}`);
    for (const expected of ['GET /api/v1/cases/:id', 'GET /api/v1/cases/:id/history', 'GET /api/v1/cases/:id/export', 'GET /api/v1/handovers/:id', 'GET /faelle/:id', 'GET /faelle/:id/verlauf', 'GET /faelle/:id/datenschutz', 'GET /uebergaben/:id']) {
      expect(keys).toContain(expected);
    }
  });

  it('writes one row per read', async () => {
    for (const route of contentReads()) {
      for (const path of requestsOf(route)) {
        const before = await logRows(path);
        const res = await read(path);
        expect(res.status, `GET ${path}`).toBe(200);
        expect(await logRows(path), `GET ${path} writes one access-log row`).toBe(before + 1);
      }
    }
  });

  it('sends no content when the log write fails', async () => {
    // A real failure of the real database: the insert into the access log raises.
    await h.db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION test_refuse_access_log() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'access log unavailable (test)'; END $$ LANGUAGE plpgsql`);
    await h.db.$executeRawUnsafe(`CREATE TRIGGER test_refuse_access_log BEFORE INSERT ON "AccessLog" FOR EACH ROW EXECUTE FUNCTION test_refuse_access_log()`);
    try {
      for (const route of contentReads()) {
        for (const path of requestsOf(route)) {
          const res = await read(path);
          expect(res.status, `GET ${path} without its log row`).toBeGreaterThanOrEqual(500);
          expect(res.text, `GET ${path} without its log row`).not.toContain(MARK);
          expect(res.text, `GET ${path} without its log row`).not.toContain('Duldung seit 2019');
        }
      }
    } finally {
      await h.db.$executeRawUnsafe(`DROP TRIGGER test_refuse_access_log ON "AccessLog"`);
      await h.db.$executeRawUnsafe(`DROP FUNCTION test_refuse_access_log()`);
    }
    // The same reads show the content again once the log can be written (so the refusals above were the log's).
    expect((await read(`/api/v1/cases/${caseId}`)).text).toContain(MARK);
    expect((await read(`/uebergaben/${handoverId}`)).text).toContain('Duldung seit 2019');
  });
});
