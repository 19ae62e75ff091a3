// The page half of the API fuzz (issue 15: "the fuzz covers the page routes too"). Every page route of the app's own
// route table (harness/route-table.ts — a page added tomorrow is fuzzed tomorrow), requested with fast-check by
// anonymous callers and signed-in sessions of several roles: hostile path parameters and query strings, and for forms
// urlencoded bodies of hostile values, mostly with the session's valid CSRF token so the request reaches the form's
// own checks. Checked on every answer: no 5xx and no dropped connection (pages answer in German with 4xx), and no case
// id or person name of another provider's case on a case manager's or an anonymous caller's page.
import fc from 'fast-check';
import { createApp } from '../../api/app.js';
import { CASE_ACTIONS, HANDOVER_ACTIONS } from '../../domain/index.js';
import type { SignedIn } from '../../harness/auth.js';
import { routeTable } from '../../harness/route-table.js';
import { HOSTILE } from './fuzz-requests.js';
import { call, describe, signIn } from './http.js';
import type { DrillReport } from './report.js';
import { pool } from './report.js';
import type { Stack } from './stack.js';

interface PagePersona {
  name: string;
  organisationId?: string;
  role?: string;
  session?: SignedIn;
}

export interface PageTargets {
  seeded: Array<{ id: string; names: string[]; organisationId: string }>;
  handoverIds: string[];
}

/** Query keys the pages read (api/pages/*.ts), plus some they do not. */
const QUERY_KEYS = ['suche', 'status', 'gemeinde', 'traeger', 'stichtag', 'asOf', 'jahr', 'format', 'alle', 'weiter', 'erledigt', 'entity', 'entityId', 'seite', 'x'];
/** Form fields the pages read, plus some they do not. */
const FORM_FIELDS = ['reason', 'note', 'kind', 'date', 'durationMinutes', 'organisationId', 'assigneeId', 'scope', 'decision', 'givenName', 'familyName', 'birthDate', 'municipality', 'email', 'password', 'name', 'role', 'at', 'lifeAreas.0.need', 'goals[0][title]', '__proto__[x]'];

const PAGE_HOSTILE = [...HOSTILE, '%', '%zz', '..', '/', 'neu', '\u202e', 'a'.repeat(300)];

interface PageRequest {
  persona: number;
  route: number;
  params: Array<{ kind: 'own' | 'foreign' | 'handover' | 'action' | 'hostile'; pick: number; text: string }>;
  query: Array<[string, string]>;
  form: Array<[string, string]>;
  csrf: 'valid' | 'none' | 'wrong';
}

function pageRequest(personas: number, routes: number): fc.Arbitrary<PageRequest> {
  const hostile = fc.oneof(fc.constantFrom(...PAGE_HOSTILE), fc.string({ maxLength: 40 }), fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
  const param = fc.record({ kind: fc.constantFrom('own', 'foreign', 'handover', 'action', 'hostile'), pick: fc.nat(1000), text: hostile }) as fc.Arbitrary<PageRequest['params'][number]>;
  return fc.record({
    persona: fc.nat(personas - 1),
    route: fc.nat(routes - 1),
    params: fc.array(param, { minLength: 3, maxLength: 3 }),
    query: fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), hostile), { maxLength: 3 }),
    form: fc.array(fc.tuple(fc.constantFrom(...FORM_FIELDS), hostile), { maxLength: 6 }),
    csrf: fc.constantFrom('valid', 'valid', 'valid', 'none', 'wrong'),
  });
}

/** Page routes of the app: everything but the JSON door, the codec, metrics and health — and signing out, which would
 *  only end the personas' sessions (it is covered by tests/auth.test.ts). */
export function pageRoutes(stack: Stack): Array<{ method: string; path: string }> {
  const app = createApp({ db: stack.db, temporal: stack.client, taskQueue: stack.taskQueue });
  return routeTable(app).filter((r) => !/^\/(api|metrics|healthz|readyz)/.test(r.path) && r.path !== '/abmelden' && (r.method === 'GET' || r.method === 'POST'));
}

/** Index of the coordinator in pagePersonas(). */
const COORDINATOR = 3;

async function pagePersonas(baseUrl: string): Promise<PagePersona[]> {
  const as = async (email: string): Promise<PagePersona> => {
    const session = await signIn(baseUrl, email);
    return { name: `${email} (page)`, organisationId: session.user.organisationId, role: session.user.role, session };
  };
  return [
    { name: 'anonymous (page)' },
    await as('cm.drk@kim.example'),
    await as('cm.caritas-eifel@kim.example'),
    await as('koordination@kim.example'),
    await as('abh@kim.example'),
    await as('admin@kim.example'),
  ];
}

/** Runs `total` generated page requests; failures and leaks are reported as the drill's checks. */
export async function fuzzPages(stack: Stack, report: DrillReport, targets: PageTargets, total: number, seed: number): Promise<void> {
  const routes = pageRoutes(stack);
  const personas = await pagePersonas(stack.baseUrl);
  const orgOf = new Map(targets.seeded.map((c) => [c.id, c.organisationId]));
  const failures: string[] = [];
  const leaks: string[] = [];
  const statuses = new Map<number, number>();
  // A systematic sweep first (every page route × every query key, every form with every field, hostile values in
  // rotation, each signed-in persona in turn), so no route is left to chance; then `total` random requests.
  const sweep: PageRequest[] = [];
  routes.forEach((route, ri) => {
    const hostile = (k: number) => PAGE_HOSTILE[(ri * 7 + k) % PAGE_HOSTILE.length]!;
    // The route's ids are ones the persona may see (own case; a handover for handover pages), so the request reaches
    // the handler that reads the query or the form rather than stopping at 404.
    const idKind = /^\/uebergaben/.test(route.path) ? 'handover' : 'own';
    const params = (k: number): PageRequest['params'] => [
      { kind: idKind, pick: k, text: hostile(k) },
      { kind: 'action', pick: k, text: hostile(k + 1) },
      { kind: 'own', pick: k + 2, text: hostile(k + 2) },
    ];
    // Each key with four hostile values by the coordinator (sees every case), and once by another persona in turn.
    QUERY_KEYS.forEach((key, k) => {
      for (const offset of [0, 9, 19, 29]) sweep.push({ persona: COORDINATOR, route: ri, params: params(k), query: [[key, hostile(k + offset)]], form: [], csrf: 'valid' });
      sweep.push({ persona: 1 + ((ri + k) % (personas.length - 1)), route: ri, params: params(k), query: [[key, hostile(k)]], form: [], csrf: 'valid' });
    });
    if (route.method === 'POST') {
      for (let k = 0; k < 3; k++) sweep.push({ persona: k === 0 ? COORDINATOR : 1 + ((ri + k) % (personas.length - 1)), route: ri, params: params(k), query: [], form: FORM_FIELDS.map((f, j) => [f, hostile(k + j)]), csrf: 'valid' });
    }
  });
  const samples = [...sweep, ...fc.sample(pageRequest(personas.length, routes.length), { numRuns: total, seed })];

  const valueOf = (p: PageRequest['params'][number], persona: PagePersona, name: string): string => {
    const cases = targets.seeded.filter((c) => (orgOf.get(c.id) === persona.organisationId) === (p.kind === 'own'));
    const pick = <T>(list: T[]) => list[p.pick % Math.max(1, list.length)];
    if (name === 'action') return p.kind === 'hostile' ? p.text : pick([...CASE_ACTIONS, ...HANDOVER_ACTIONS])!;
    if (p.kind === 'own' || p.kind === 'foreign') return pick(cases)?.id ?? pick(targets.seeded)!.id;
    if (p.kind === 'handover') return pick(targets.handoverIds) ?? p.text;
    return p.text;
  };

  await pool(samples, 6, async (r) => {
    const persona = personas[r.persona]!;
    const route = routes[r.route]!;
    let i = 0;
    const path = route.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(valueOf(r.params[i++ % 3]!, persona, name)));
    const query = r.query.length ? `?${r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
    const headers: Record<string, string> = persona.session ? { cookie: persona.session.cookie } : {};
    let rawBody: string | undefined;
    if (route.method === 'POST') {
      const form = new URLSearchParams(r.form);
      if (persona.session && r.csrf !== 'none') form.set('_csrf', r.csrf === 'valid' ? persona.session.csrfToken : 'wrong-token');
      rawBody = form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = stack.baseUrl;
    }
    const answer = await call(stack.baseUrl, route.method, `${path}${query}`, { headers, rawBody, timeoutMs: 60_000 });
    if (answer.networkError === 'TypeError') return;
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const shown = `${persona.name}: ${route.method} ${path.slice(0, 160)}${query.slice(0, 80)} body=${(rawBody ?? '').slice(0, 120)} → ${describe(answer)}`;
    if (answer.status >= 500 || answer.status === 0) failures.push(shown);
    if (persona.role && persona.role !== 'case_manager') return;
    const sent = `${path}${query}\n${rawBody ?? ''}`;
    for (const c of targets.seeded) {
      const shownSecrets = [c.id, ...c.names].filter((secret) => answer.text.includes(secret) && !sent.includes(secret));
      if (shownSecrets.length === 0) continue;
      // A page action may have moved the case (a transfer): only a case foreign before and after counts.
      const now = (await stack.db.case.findUnique({ where: { id: c.id }, select: { organisationId: true } }))?.organisationId;
      if (persona.organisationId && (orgOf.get(c.id) === persona.organisationId || now === persona.organisationId)) continue;
      for (const secret of shownSecrets) leaks.push(`${secret} in ${shown}`);
    }
  });

  report.step(
    `pages: ${routes.length} page routes from the app's route table, ${sweep.length} swept + ${total} random requests; statuses: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(', ')}`,
  );
  report.none(failures, 'pages: no 5xx and no dropped connection (German 4xx pages for bad input)');
  report.none(leaks, "pages: no case id or person name of another provider on a case manager's or anonymous page");
}
