// The German web pages (server-rendered, no client framework): sign-in, "Meine Fälle", intake, the case page with
// the actions allowed now, and the coordinators' overview of overdue deadlines.
//
// The pages are a second face of the JSON API, not a second implementation: opening a case, listing cases and
// running an action call the same functions as /api/v1/cases (api/cases.ts), access is decided by api/access.ts,
// what is allowed by the domain (allowedActions), and validation happens in the domain schemas / the workflow's
// update validator. The pages translate forms into API bodies and API errors back onto the form fields.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { Client } from '@temporalio/client';
import {
  ACTION_LABELS,
  ACTIVE_DEADLINE_STATUSES,
  CASE_STATES,
  CASE_STATE_LABELS,
  CONTACT_KINDS,
  CONTACT_KIND_LABELS,
  DEADLINE_LABELS,
  LIFE_AREA_LABELS,
  MUNICIPALITIES,
  CLOSURE_REASON_LABELS,
  SHARING_CATEGORY_LABELS,
  allowedActions,
  isCaseAction,
  type CaseAction,
  type CaseData,
  type CaseState,
  type PartnerCaseView,
} from '../domain/index.js';
import type { Database } from '../platform/database.js';
import { repoRoot } from '../platform/paths.js';
import { loadCaseSettings } from '../platform/settings.js';
import { caseAccess, canOpenCase, isHandedOverBy } from './access.js';
import { SESSION_COOKIE, type AuthenticatedUser } from './auth.js';
import { logAccess } from './access-log.js';
import { checkCaseHistory } from './case-history-check.js';
import { annualReport } from './annual-report.js';
import { barChartSvg, dashboardFigures } from './dashboard.js';
import { caseHistory, listCases, loadCaseRow, openCase, parseAsOf, queryCaseView, runCaseAction } from './cases.js';
import { ApiError } from './errors.js';
import {
  actionForm,
  formPayload,
  formValues,
  formView,
  intakeForm,
  loginForm,
  type ActionFormSpec,
  type FieldErrors,
  type FormValues,
} from './page-forms.js';
import {
  CONSENT_DECISION_LABELS,
  CONSENT_SCOPE_LABELS,
  DEADLINE_STATUS_LABELS,
  GOAL_ATTAINMENT_LABELS,
  GOAL_STATUS_LABELS,
  NEED_LABELS,
  REFERRAL_STATUS_LABELS,
  REVIEW_OUTCOME_LABELS,
  SOURCE_LABELS,
  daysOverdue,
  formatDate,
  formatDateTime,
  todayInGermany,
} from './page-labels.js';
import { bodyOf, errorPage, layout, pageUserRequired, send, signedInUser } from './page-kit.js';
import { listSharedCases, resolveCaseRead } from './shared-cases.js';
import { renderPage } from './views.js';

export interface PagesDependencies {
  db: Database;
  temporal: Client;
  taskQueue: string;
  temporalUiUrl?: string;
  /**
   * The router that serves POST /api/v1/session. Sign-in on the page runs that very handler (same checks, same login
   * rate limiter, same session cookie), because api/auth.ts does not export its session creation on its own.
   */
  signIn: Router;
}

type CaseRow = NonNullable<Awaited<ReturnType<typeof loadCaseRow>>>;

const PAGE_SIZE = 25;
const parseForm = express.urlencoded({ extended: false, limit: '1mb' });

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared by the routes

function notFoundPage(req: Request, res: Response): void {
  errorPage(req, res, 404, 'Seite nicht gefunden', 'Diese Seite oder dieser Fall existiert nicht, oder Sie haben keinen Zugriff darauf.');
}

/** A same-site path to return to after sign-in; anything else (other hosts, `//evil`, the login page) → /faelle. */
function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])/.test(value) || value.startsWith('/anmelden')) return '/faelle';
  return value;
}

/** Pages need a signed-in user; without one the browser goes to the sign-in page and comes back afterwards. */
const requirePageUser = pageUserRequired('/faelle');

/**
 * Runs the session router's POST /session on this request with the form's credentials and captures its JSON answer
 * instead of sending it. The handler sets the session cookie on `res` itself; its refusals arrive as ApiError.
 */
function signInWithApi(signIn: Router, req: Request, res: Response, credentials: { email: string; password: string }): Promise<ApiError | null> {
  return new Promise((resolve, reject) => {
    const saved = { url: req.url, method: req.method, body: req.body as unknown, json: res.json };
    const restore = () => {
      req.url = saved.url;
      req.method = saved.method;
      req.body = saved.body;
      res.json = saved.json;
    };
    req.url = '/session';
    req.method = 'POST';
    req.body = credentials;
    res.json = ((_body: unknown) => {
      restore();
      resolve(null);
      return res;
    }) as Response['json'];
    signIn(req, res, (error?: unknown) => {
      restore();
      if (error instanceof ApiError) resolve(error);
      else reject(error ?? new Error('Sign-in route did not answer'));
    });
  });
}

/** Cross-site form posts to /anmelden (login CSRF) are refused when the browser names another origin. */
function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true; // older browsers and non-browser clients send none
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Case page view model

interface StaffDirectory {
  name(id: string | undefined | null): string;
  assignees(organisationId: string): { value: string; label: string }[];
}

async function staffDirectory(db: Database): Promise<StaffDirectory> {
  // Staff are tens, not thousands: one query for every name on the page is simpler than collecting ids first.
  const users = await db.user.findMany({ select: { id: true, name: true, role: true, organisationId: true, active: true }, orderBy: { name: 'asc' } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return {
    name: (id) => (id ? (byId.get(id)?.name ?? (id === 'system' ? 'System' : 'Unbekannt')) : '–'),
    assignees: (organisationId) =>
      users
        .filter((u) => u.active && u.organisationId === organisationId && (u.role === 'case_manager' || u.role === 'abh_counsellor'))
        .map((u) => ({ value: u.id, label: u.name })),
  };
}

async function organisationNames(db: Database) {
  const rows = await db.organisation.findMany({ orderBy: { name: 'asc' } });
  return {
    rows,
    short: (id: string | null | undefined) => (id ? (rows.find((o) => o.id === id)?.shortName ?? id) : '–'),
  };
}

/** What the page shows after a failed action: the submitted values, the API's field errors, its message. */
interface ActionFailure {
  action: CaseAction;
  values: FormValues;
  errors: FieldErrors;
  message: string;
}

function isActive(status: string): boolean {
  return (ACTIVE_DEADLINE_STATUSES as readonly string[]).includes(status);
}

async function renderCasePage(
  deps: PagesDependencies,
  req: Request,
  res: Response,
  row: CaseRow,
  options: { status?: number; failure?: ActionFailure } = {},
): Promise<void> {
  const { db, temporal } = deps;
  const user = signedInUser(req);
  const now = new Date();
  const [view, staff, orgs, settings] = await Promise.all([
    queryCaseView(temporal, row),
    staffDirectory(db),
    organisationNames(db),
    loadCaseSettings(db),
  ]);
  const p = row.person;
  const personName = `${p.givenName} ${p.familyName}`;
  const state = (view?.state ?? row.state) as CaseState;
  const onHold = view?.onHold ?? row.onHold;
  const failure = options.failure;

  const facts = [
    { term: 'Phase', value: `${CASE_STATE_LABELS[state] ?? state}${onHold ? ' (pausiert)' : ''}` },
    ...(view?.hold ? [{ term: 'Pausiert seit', value: `${formatDate(view.hold.since)}: ${view.hold.reason}` }] : []),
    { term: 'Träger', value: orgs.short(view?.organisationId ?? row.organisationId) },
    {
      term: 'Trägervorschlag',
      value: `${orgs.short(view?.proposedProvider.organisationId ?? row.proposedOrganisationId)} – ${view?.proposedProvider.reason ?? row.proposalReason ?? ''}`,
    },
    ...(view ? [{ term: 'Träger bestätigt', value: view.providerConfirmed ? 'ja' : 'noch nicht' }] : []),
    { term: 'Fallführend', value: staff.name(view?.assigneeId ?? row.assigneeId) },
    { term: 'Geburtsdatum', value: formatDate(p.birthDate.toISOString().slice(0, 10)) },
    { term: 'Wohnort', value: p.municipality },
    { term: 'Sprachen', value: p.languages.length ? p.languages.join(', ') : '–' },
    { term: 'Zugang', value: SOURCE_LABELS[row.source as keyof typeof SOURCE_LABELS] ?? row.source },
    { term: 'Eröffnet', value: formatDate(row.openedAt) },
    ...(row.note ? [{ term: 'Notiz zur Erstberatung', value: row.note }] : []),
  ];

  let details: Record<string, unknown> = {};
  let actions: unknown[] = [];
  let refusal: string | undefined;
  if (view) {
    details = caseDetails(view, staff, now);
    const actor = { id: user.id, role: user.role, organisationId: user.organisationId };
    const allowed = allowedActions(view, actor, { now: now.toISOString(), settings });
    const ctx = {
      c: view,
      today: todayInGermany(now),
      userId: user.id,
      assignees: staff.assignees(view.organisationId),
      organisations: orgs.rows.filter((o) => o.kind !== 'jobcenter').map((o) => ({ value: o.id, label: o.shortName })),
      partners: orgs.rows.filter((o) => o.id !== view.organisationId).map((o) => ({ value: o.id, label: o.shortName })),
    };
    actions = allowed.map((action) => {
      const spec = actionForm(action, ctx);
      const failed = failure?.action === action ? failure : undefined;
      return actionView(spec, row.id, failed, req.authSession?.csrfToken);
    });
    // A refused action whose form is gone (the state moved on meanwhile) is reported above the remaining forms.
    if (failure && !allowed.includes(failure.action)) refusal = `„${ACTION_LABELS[failure.action]}“ wurde nicht ausgeführt: ${failure.message}`;
  }

  const done = typeof req.query.erledigt === 'string' && isCaseAction(req.query.erledigt) ? ACTION_LABELS[req.query.erledigt] : undefined;
  const created = req.query.angelegt === '1';
  send(
    res,
    options.status ?? 200,
    renderPage('case', {
      ...layout(req, `Fall ${personName}`, 'faelle'),
      caseId: row.id,
      personName,
      stateLabel: CASE_STATE_LABELS[state] ?? state,
      onHold,
      closed: state === 'closed',
      facts,
      engineMissing: !view && !row.erasedAt,
      isCoordinator: user.role === 'coordinator',
      noView: !view,
      erasedOn: row.erasedAt ? formatDate(row.erasedAt) : undefined,
      done,
      created: created ? { provider: orgs.short(row.proposedOrganisationId), reason: row.proposalReason } : undefined,
      ...details,
      actions,
      hasActions: actions.length > 0,
      refusal,
    }),
  );
}

function caseDetails(c: CaseData, staff: StaffDirectory, now: Date) {
  const goalTitle = (id?: string) => c.goals.find((g) => g.id === id)?.title;
  const referralName = (id?: string) => c.referrals.find((r) => r.id === id)?.service;
  const deadlines = c.deadlines
    .filter((d) => isActive(d.status) || d.status === 'suspended' || (d.kind === 'retention' && d.status === 'open'))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
    .map((d) => {
      const overdue = isActive(d.status) && d.kind !== 'retention' && new Date(d.dueAt) < now;
      const about = d.kind === 'goal_due' ? goalTitle(d.refId) : d.kind === 'referral_follow_up' ? referralName(d.refId) : undefined;
      return {
        label: `${DEADLINE_LABELS[d.kind]}${about ? `: ${about}` : ''}`,
        due: formatDate(d.dueAt),
        escalate: d.escalateAt ? formatDate(d.escalateAt) : '–',
        status: DEADLINE_STATUS_LABELS[d.status],
        overdue,
        daysOverdue: overdue ? daysOverdue(d.dueAt, now) : 0,
      };
    });
  const metCount = c.deadlines.filter((d) => d.status === 'met').length;
  return {
    deadlines,
    metCount,
    consents: c.consents.map((k) => ({
      scope: CONSENT_SCOPE_LABELS[k.scope],
      decision: CONSENT_DECISION_LABELS[k.decision],
      partner: [k.partnerName, k.purpose].filter(Boolean).join(' – ') || '–',
      recorded: `${formatDate(k.recordedAt)}, ${staff.name(k.recordedBy)}`,
      withdrawn: k.withdrawnAt ? `widerrufen am ${formatDate(k.withdrawnAt)}` : '',
    })),
    assessment: c.assessment
      ? {
          started: formatDate(c.assessment.startedAt),
          completed: c.assessment.completedAt ? formatDate(c.assessment.completedAt) : undefined,
          lifeAreas: c.assessment.lifeAreas.map((a) => ({ area: LIFE_AREA_LABELS[a.area], need: NEED_LABELS[a.need], high: a.need === 'high', situation: a.situation })),
        }
      : undefined,
    goals: c.goals.map((g) => ({ title: g.title, measure: g.measure, owner: g.owner, due: formatDate(g.dueDate), status: GOAL_STATUS_LABELS[g.status] })),
    referrals: c.referrals.map((r) => ({
      service: r.service,
      partner: r.partnerName ?? '–',
      sent: formatDate(r.sentAt),
      due: formatDate(r.dueDate),
      status: REFERRAL_STATUS_LABELS[r.status],
      reason: r.reason ?? '',
    })),
    contacts: {
      count: c.contacts.count,
      last: c.contacts.lastContactAt ? formatDate(c.contacts.lastContactAt) : undefined,
      byKind: CONTACT_KINDS.filter((k) => c.contacts.byKind[k] > 0).map((k) => ({ kind: CONTACT_KIND_LABELS[k], count: c.contacts.byKind[k] })),
      recent: [...c.contacts.items]
        .sort((a, b) => b.date.localeCompare(a.date))
        .slice(0, 10)
        .map((k) => ({ date: formatDate(k.date), kind: CONTACT_KIND_LABELS[k.kind], minutes: k.durationMinutes, note: k.note ?? '', by: staff.name(k.recordedBy) })),
    },
    reviews: c.reviews.map((r) => ({
      started: formatDate(r.startedAt),
      completed: r.completedAt ? formatDate(r.completedAt) : 'läuft',
      outcome: r.outcome ? REVIEW_OUTCOME_LABELS[r.outcome] : '–',
      notes: r.notes ?? '',
    })),
    closureRequest: c.closureRequest
      ? {
          reason: CLOSURE_REASON_LABELS[c.closureRequest.reason],
          attainment: GOAL_ATTAINMENT_LABELS[c.closureRequest.goalAttainment],
          at: formatDate(c.closureRequest.requestedAt),
          by: staff.name(c.closureRequest.requestedBy),
          note: c.closureRequest.note ?? '',
        }
      : undefined,
    closure: c.closure
      ? {
          reason: CLOSURE_REASON_LABELS[c.closure.reason],
          attainment: GOAL_ATTAINMENT_LABELS[c.closure.goalAttainment],
          at: formatDate(c.closure.closedAt),
          by: staff.name(c.closure.closedBy),
          approvedBy: c.closure.approvedBy ? staff.name(c.closure.approvedBy) : undefined,
        }
      : undefined,
  };
}

/** View model of the "Freigegebene Daten" page: only what the projection holds, in German. */
function sharedCaseModel(v: PartnerCaseView, orgName: (id: string) => string) {
  return {
    personName: v.person ? `${v.person.givenName} ${v.person.familyName}` : undefined,
    holder: orgName(v.organisationId),
    sharedWith: orgName(v.sharedWithOrganisationId),
    consents: v.consents.map((k) => ({
      recordedAt: formatDate(k.recordedAt),
      partnerName: k.partnerName,
      purpose: k.purpose ?? '–',
      categories: k.dataCategories.map((c) => SHARING_CATEGORY_LABELS[c]).join(', ') || 'keine Daten',
    })),
    person: v.person
      ? {
          name: `${v.person.givenName} ${v.person.familyName}`,
          birthDate: formatDate(v.person.birthDate),
          municipality: v.person.municipality,
          languages: v.person.languages.length ? v.person.languages.join(', ') : '–',
        }
      : undefined,
    hasReferrals: v.referrals !== undefined,
    referrals: (v.referrals ?? []).map((r) => ({
      service: r.service,
      partnerName: r.partnerName,
      sentAt: formatDate(r.sentAt),
      dueDate: formatDate(r.dueDate),
      status: REFERRAL_STATUS_LABELS[r.status] ?? r.status,
    })),
    hasLifeAreas: v.lifeAreas !== undefined,
    lifeAreas: (v.lifeAreas ?? []).map((a) => ({ label: a.label, need: NEED_LABELS[a.need] ?? a.need, situation: a.situation })),
    hasGoals: v.goals !== undefined,
    goals: (v.goals ?? []).map((g) => ({
      title: g.title,
      measure: g.measure,
      dueDate: formatDate(g.dueDate),
      status: GOAL_STATUS_LABELS[g.status as keyof typeof GOAL_STATUS_LABELS] ?? g.status,
    })),
  };
}

function actionView(spec: ActionFormSpec, caseId: string, failure: ActionFailure | undefined, csrfToken: string | undefined) {
  const prefix = `aktion-${spec.action}`;
  const form = formView(spec, prefix, failure?.values, failure?.errors ?? {});
  return {
    id: prefix,
    label: ACTION_LABELS[spec.action],
    url: `/faelle/${encodeURIComponent(caseId)}/aktionen/${spec.action}`,
    intro: spec.intro,
    submit: spec.submit,
    open: spec.primary || Boolean(failure),
    form,
    // A refusal without field errors (409, 403) is shown as the form's message.
    message: failure && !form.hasErrors ? failure.message : undefined,
    failed: Boolean(failure),
    csrfToken,
    // Per rendering of the form: a double submit reaches the workflow with the same request id and runs once.
    requestId: randomUUID(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Router

export function pagesRouter(deps: PagesDependencies): Router {
  const { db } = deps;
  const router = Router();
  const css = readFileSync(join(repoRoot, 'templates', 'assets', 'kim.css'), 'utf8');

  router.get('/assets/kim.css', (_req, res) => {
    res.type('css').set('Cache-Control', 'public, max-age=300').send(css);
  });

  router.get('/', (req, res) => {
    res.redirect(303, req.user ? '/faelle' : '/anmelden');
  });

  // ----- Anmelden / Abmelden

  const renderLogin = (req: Request, res: Response, status: number, values?: FormValues, errors: FieldErrors = {}) => {
    const form = formView(loginForm, 'anmelden', values, errors);
    send(
      res,
      status,
      renderPage('login', {
        ...layout(req, 'Anmelden'),
        form,
        next: safeReturnPath(req.body?.weiter ?? req.query.weiter),
        loggedOut: req.query.abgemeldet === '1',
        // A browser with a still valid session must send its token (csrfProtection checks every session POST).
        formCsrf: req.authSession?.csrfToken,
      }),
    );
  };

  router.get('/anmelden', (req, res) => {
    if (req.user) return res.redirect(303, safeReturnPath(req.query.weiter));
    renderLogin(req, res, 200);
  });

  router.post('/anmelden', parseForm, async (req, res) => {
    const body = bodyOf(req);
    const values = formValues(loginForm, body);
    // Never show the password again.
    const shown = { ...values, password: '' };
    if (!sameOrigin(req)) return renderLogin(req, res, 403, shown, { body: 'Die Anmeldung muss von dieser Seite aus erfolgen.' });
    const refused = await signInWithApi(deps.signIn, req, res, { email: values.email ?? '', password: values.password ?? '' });
    if (!refused) return res.redirect(303, safeReturnPath(body.weiter));
    const fields = (refused.extra.fields as FieldErrors | undefined) ?? {};
    const errors: FieldErrors = Object.keys(fields).length ? fields : { email: refused.message };
    renderLogin(req, res, refused.status, shown, errors);
  });

  router.post('/abmelden', async (req, res) => {
    // CSRF was checked by csrfProtection (app-wide) for session requests.
    if (req.authSession) await db.session.deleteMany({ where: { id: req.authSession.id } });
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' });
    res.redirect(303, '/anmelden?abgemeldet=1');
  });

  // ----- Meine Fälle

  router.get('/faelle', requirePageUser, async (req, res) => {
    const user = signedInUser(req);
    const q = req.query;
    const pick = (v: unknown, allowed: readonly string[]) => (typeof v === 'string' && allowed.includes(v) ? v : undefined);
    const filters = {
      state: pick(q.status, CASE_STATES),
      municipality: pick(q.gemeinde, MUNICIPALITIES),
      overdue: q.ueberfaellig === '1',
      mine: q.zugewiesen === 'ich',
      search: typeof q.suche === 'string' ? q.suche.trim().slice(0, 200) : '',
      page: Math.max(1, Number.parseInt(typeof q.seite === 'string' ? q.seite : '1', 10) || 1),
    };
    const list = await listCases(db, user, {
      ...(filters.state ? { state: filters.state } : {}),
      ...(filters.municipality ? { municipality: filters.municipality } : {}),
      ...(filters.overdue ? { overdue: 'true' } : {}),
      ...(filters.mine ? { assignee: 'me' } : {}),
      ...(filters.search ? { q: filters.search } : {}),
      page: String(filters.page),
      pageSize: String(PAGE_SIZE),
    });
    const [orgs, staff] = await Promise.all([organisationNames(db), staffDirectory(db)]);
    const items = list.items.map((item) => {
      if ('access' in item) {
        return { id: item.id, stateOnly: true, state: CASE_STATE_LABELS[item.state as CaseState] ?? item.state, organisation: orgs.short(item.organisationId) };
      }
      return {
        id: item.id,
        name: `${item.person.familyName}, ${item.person.givenName}`,
        state: CASE_STATE_LABELS[item.state as CaseState] ?? item.state,
        onHold: item.onHold,
        municipality: item.municipality,
        organisation: orgs.short(item.organisationId),
        assignee: item.assignee ? staff.name(item.assignee) : '–',
        next: item.nextDeadline
          ? `${DEADLINE_LABELS[item.nextDeadline.kind as keyof typeof DEADLINE_LABELS] ?? item.nextDeadline.kind}, ${formatDate(item.nextDeadline.dueAt)}`
          : '–',
        overdue: item.overdue,
      };
    });
    // Cases other organisations shared with this one (consent-bound sharing): a list of its own, unfiltered.
    const shared = await listSharedCases(db, req, user, { pageSize: '200' }, 'page');
    const sharedItems = shared.items.map((item) => ({
      id: item.id,
      name: item.person ? `${item.person.familyName}, ${item.person.givenName}` : undefined,
      holder: orgs.short(item.organisationId),
      purposes: item.consents.map((k) => k.purpose ?? '–').join('; '),
      since: formatDate(item.consents[0]?.recordedAt ?? ''),
    }));
    const pageCount = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
    const link = (page: number) => {
      const params = new URLSearchParams();
      if (filters.state) params.set('status', filters.state);
      if (filters.municipality) params.set('gemeinde', filters.municipality);
      if (filters.overdue) params.set('ueberfaellig', '1');
      if (filters.mine) params.set('zugewiesen', 'ich');
      if (filters.search) params.set('suche', filters.search);
      params.set('seite', String(page));
      return `/faelle?${params.toString()}`;
    };
    send(
      res,
      200,
      renderPage('cases', {
        ...layout(req, 'Meine Fälle', 'faelle'),
        items,
        total: list.total,
        stateOptions: CASE_STATES.map((s) => ({ value: s, label: CASE_STATE_LABELS[s], selected: s === filters.state })),
        municipalityOptions: MUNICIPALITIES.map((m) => ({ value: m, label: m, selected: m === filters.municipality })),
        filters,
        filtered: Boolean(filters.state || filters.municipality || filters.overdue || filters.mine || filters.search),
        page: filters.page,
        pageCount,
        prev: filters.page > 1 ? link(filters.page - 1) : undefined,
        next: filters.page < pageCount ? link(filters.page + 1) : undefined,
        canOpenCases: canOpenCase(user),
        sharedItems,
        sharedTotal: shared.total,
      }),
    );
  });

  // ----- Neuer Fall

  const renderIntake = (req: Request, res: Response, status: number, values?: FormValues, errors: FieldErrors = {}) => {
    send(
      res,
      status,
      renderPage('case-new', { ...layout(req, 'Neuer Fall', 'neu'), form: formView(intakeForm, 'neu', values, errors), requestId: randomUUID() }),
    );
  };

  router.get('/faelle/neu', requirePageUser, (req, res) => {
    if (!canOpenCase(signedInUser(req))) return errorPage(req, res, 403, 'Keine Berechtigung', 'Ihre Rolle darf keine Fälle anlegen.');
    renderIntake(req, res, 200);
  });

  router.post('/faelle/neu', requirePageUser, parseForm, async (req, res) => {
    const user = signedInUser(req);
    if (!canOpenCase(user)) return errorPage(req, res, 403, 'Keine Berechtigung', 'Ihre Rolle darf keine Fälle anlegen.');
    const values = formValues(intakeForm, bodyOf(req));
    const { payload } = formPayload(intakeForm, values);
    let created: Awaited<ReturnType<typeof openCase>>;
    try {
      created = await openCase(deps, user, payload);
    } catch (error) {
      if (!(error instanceof ApiError) || ![422, 503].includes(error.status)) throw error;
      const fields = (error.extra.fields as FieldErrors | undefined) ?? {};
      return renderIntake(req, res, error.status, values, Object.keys(fields).length ? fields : { body: error.message });
    }
    // Usually the case lands at the creator's own organisation; when the proposal names another provider, the creator
    // may not open it any more — then this page is the last they see of it, with the proposal.
    if (caseAccess(user, { organisationId: created.organisationId }) === 'full') {
      return res.redirect(303, `/faelle/${encodeURIComponent(created.id)}?angelegt=1`);
    }
    const orgs = await organisationNames(db);
    send(
      res,
      201,
      renderPage('case-created', {
        ...layout(req, 'Fall angelegt', 'neu'),
        personName: `${created.person.givenName} ${created.person.familyName}`,
        provider: orgs.short(created.proposedProvider.organisationId),
        reason: created.proposedProvider.reason,
      }),
    );
  });

  // ----- Fallseite

  /** The case row if the user sees its content; `state_only` for a counsellor's handed-over case; null → 404. */
  async function visibleCase(user: AuthenticatedUser, id: string) {
    const row = await loadCaseRow(db, id);
    if (!row) return null;
    const access = caseAccess(user, row, { handedOverBy: await isHandedOverBy(db, user, row.id) });
    return access === 'none' ? null : { row, access };
  }

  router.get('/faelle/:id', requirePageUser, async (req, res) => {
    const found = await resolveCaseRead(deps, req, signedInUser(req), req.params.id as string, 'page');
    if (!found) return notFoundPage(req, res);
    if (found.access === 'partner') {
      // Consent-bound sharing: the "Freigegebene Daten" view only (the read is logged by resolveCaseRead).
      const orgs = await organisationNames(db);
      return send(res, 200, renderPage('case-shared', { ...layout(req, 'Freigegebene Daten', 'faelle'), ...sharedCaseModel(found.view, orgs.short) }));
    }
    if (found.access === 'state_only') {
      const orgs = await organisationNames(db);
      const r = found.row;
      return send(
        res,
        200,
        renderPage('case-state-only', {
          ...layout(req, 'Stand des Falls', 'faelle'),
          state: CASE_STATE_LABELS[r.state as CaseState] ?? r.state,
          onHold: r.onHold,
          organisation: orgs.short(r.organisationId),
          opened: formatDate(r.openedAt),
          closed: r.closedAt ? formatDate(r.closedAt) : undefined,
        }),
      );
    }
    await logAccess(db, req, signedInUser(req), { action: 'read_case', caseId: found.row.id, channel: 'page' });
    await renderCasePage(deps, req, res, found.row);
  });

  router.post('/faelle/:id/aktionen/:action', requirePageUser, parseForm, async (req, res) => {
    const user = signedInUser(req);
    const action = req.params.action as string;
    const id = req.params.id as string;
    const found = await visibleCase(user, id);
    if (!found || !isCaseAction(action)) return notFoundPage(req, res);
    if (found.access !== 'full') return errorPage(req, res, 403, 'Keine Berechtigung', 'Sie sehen bei diesem Fall nur den Stand, nicht die Inhalte.');

    // The form as it was rendered for this case (the choices depend on its consents, goals, …).
    const view = await queryCaseView(deps.temporal, found.row);
    if (!view) {
      return errorPage(req, res, 409, 'Aktion nicht möglich', 'Dieser Fall wird derzeit nicht von der Prozess-Engine geführt; Aktionen sind nicht möglich.');
    }
    // Only the field names matter for reading the form, not the choices offered.
    const spec = actionForm(action, { c: view, today: todayInGermany(), userId: user.id, assignees: [], organisations: [] });
    const body = bodyOf(req);
    const values = formValues(spec, body);
    const { payload, errorKey } = formPayload(spec, values);
    if (typeof body.requestId === 'string' && body.requestId) payload.requestId = body.requestId;
    try {
      await runCaseAction(deps, user, id, action, payload);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 404) return notFoundPage(req, res);
      if (![403, 409, 422, 503].includes(error.status)) throw error;
      const fields = (error.extra.fields as FieldErrors | undefined) ?? {};
      const errors = Object.fromEntries(Object.entries(fields).map(([k, v]) => [errorKey(k), v]));
      const row = (await loadCaseRow(db, id)) ?? found.row;
      return renderCasePage(deps, req, res, row, { status: error.status, failure: { action, values, errors, message: error.message } });
    }
    res.redirect(303, `/faelle/${encodeURIComponent(id)}?erledigt=${action}`);
  });

  // ----- Fallverlauf (Fallrekonstruktion): the whole history, a "Stand am" view, the engine cross-check, printable

  router.get('/faelle/:id/verlauf', requirePageUser, async (req, res) => {
    const user = signedInUser(req);
    const found = await visibleCase(user, req.params.id as string);
    if (!found) return notFoundPage(req, res);
    if (found.access !== 'full') return errorPage(req, res, 403, 'Keine Berechtigung', 'Sie sehen bei diesem Fall nur den Stand, nicht die Inhalte.');
    const row = found.row;
    const stichtag = typeof req.query.stichtag === 'string' && req.query.stichtag ? req.query.stichtag : undefined;
    let asOf: Date | undefined;
    let stichtagError: string | undefined;
    try {
      asOf = parseAsOf(stichtag);
    } catch {
      stichtagError = 'Bitte einen gültigen Stichtag (TT.MM.JJJJ) wählen.';
    }
    await logAccess(db, req, user, { action: 'read_history', caseId: row.id, channel: 'page' });
    const [history, orgs, check] = await Promise.all([
      caseHistory(db, row.id, asOf),
      organisationNames(db),
      // Only coordinators see the engine cross-check: it is for quality assurance, and costs a history read.
      user.role === 'coordinator' ? checkCaseHistory(db, deps.temporal, row).catch(() => null) : Promise.resolve(null),
    ]);
    const snap = (history as { case?: Record<string, unknown> | null }).case as
      | (Pick<CaseData, 'state' | 'onHold' | 'organisationId' | 'goals' | 'consents'> & {
          openDeadlines: CaseData['deadlines'];
          contacts: { count: number };
        })
      | null
      | undefined;
    send(
      res,
      200,
      renderPage('case-history', {
        ...layout(req, 'Fallverlauf', 'faelle'),
        caseId: row.id,
        personName: `${row.person.givenName} ${row.person.familyName}`,
        stateLabel: CASE_STATE_LABELS[row.state as CaseState] ?? row.state,
        opened: formatDate(row.openedAt),
        eventCount: history.events.length,
        stichtag: stichtag ?? '',
        stichtagError,
        asOf: asOf
          ? {
              label: formatDate(asOf),
              case: snap
                ? {
                    state: CASE_STATE_LABELS[snap.state] ?? snap.state,
                    onHold: snap.onHold,
                    organisation: orgs.short(snap.organisationId),
                    deadlines: snap.openDeadlines.map((d) => ({
                      label: DEADLINE_LABELS[d.kind] ?? d.kind,
                      due: formatDate(d.dueAt),
                      status: DEADLINE_STATUS_LABELS[d.status] ?? d.status,
                    })),
                    goals: snap.goals.map((g) => ({ title: g.title, status: GOAL_STATUS_LABELS[g.status] ?? g.status })),
                    consents: snap.consents.map((c) => ({
                      scope: CONSENT_SCOPE_LABELS[c.scope] ?? c.scope,
                      decision: CONSENT_DECISION_LABELS[c.decision] ?? c.decision,
                      withdrawn: Boolean(c.withdrawnAt),
                    })),
                    contacts: String(snap.contacts.count),
                  }
                : null,
            }
          : undefined,
        check: check
          ? {
              available: check.engine.available,
              agrees: check.agrees,
              runs: check.engine.runs,
              missingInDatabase: check.missingInDatabase,
              missingInEngine: check.missingInEngine,
              missingInDatabaseText: check.missingInDatabase.join(', '),
              missingInEngineText: check.missingInEngine.join(', '),
              typeMismatches: check.typeMismatches,
            }
          : undefined,
        temporalLink:
          user.role === 'coordinator' && deps.temporalUiUrl
            ? `${deps.temporalUiUrl}/namespaces/default/workflows/${encodeURIComponent(row.workflowId)}`
            : undefined,
        events: history.events.map((e) => ({
          seq: e.seq,
          at: formatDateTime(e.at),
          actor: e.actorName ?? (e.actor ? 'unbekannt' : 'System (Frist/Engine)'),
          summary: e.summary,
          kind: e.type.startsWith('deadline_') || e.type.endsWith('_sent') ? 'deadline' : 'step',
        })),
      }),
    );
  });

  // ----- Koordination: Übersicht (dashboard)

  router.get('/koordination', requirePageUser, async (req, res) => {
    const user = signedInUser(req);
    if (user.role !== 'coordinator') {
      return errorPage(req, res, 403, 'Keine Berechtigung', 'Diese Übersicht ist der KIM-Koordination vorbehalten.');
    }
    const now = new Date();
    const figures = await dashboardFigures(db, now);
    send(
      res,
      200,
      renderPage('dashboard', {
        ...layout(req, 'Übersicht Koordination', 'uebersicht'),
        figures,
        chart: barChartSvg(figures.months, 'Neue Fälle je Monat'),
        asOf: formatDateTime(now),
      }),
    );
  });

  // ----- Koordination: Jahresbericht (Förderprogrammcontrolling)

  router.get('/koordination/jahresbericht', requirePageUser, async (req, res) => {
    const user = signedInUser(req);
    if (user.role !== 'coordinator') {
      return errorPage(req, res, 403, 'Keine Berechtigung', 'Der Jahresbericht ist der KIM-Koordination vorbehalten.');
    }
    const now = new Date();
    const asked = Number(req.query.jahr);
    const year = Number.isInteger(asked) && asked >= 2020 && asked <= 2100 ? asked : now.getUTCFullYear();
    const report = await annualReport(db, year);
    await logAccess(db, req, user, { action: 'export_report', channel: 'page' });
    send(res, 200, renderPage('annual-report', { ...layout(req, `Jahresbericht ${year}`, 'uebersicht'), report, asOf: formatDateTime(now) }));
  });

  // ----- Koordination: überfällige Fristen

  router.get('/koordination/fristen', requirePageUser, async (req, res) => {
    const user = signedInUser(req);
    if (user.role !== 'coordinator') {
      return errorPage(req, res, 403, 'Keine Berechtigung', 'Diese Übersicht ist der KIM-Koordination vorbehalten.');
    }
    const now = new Date();
    const organisation = typeof req.query.traeger === 'string' && req.query.traeger ? req.query.traeger : undefined;
    // The CaseDeadline read model, with the criteria of GET /api/v1/deadlines?status=overdue: reminded, escalated or
    // missed, or still open past its due time. Coordinators see every case, so no case filter applies.
    const overdue = await db.caseDeadline.findMany({
      where: { OR: [{ status: { in: ['reminded', 'escalated', 'missed'] } }, { status: 'open', dueAt: { lt: now } }], kind: { not: 'retention' } },
      orderBy: { dueAt: 'asc' },
      take: 500,
    });
    const cases = await db.case.findMany({
      where: { id: { in: [...new Set(overdue.map((d) => d.caseId))] }, closedAt: null, ...(organisation ? { organisationId: organisation } : {}) },
      include: { person: true },
    });
    const caseById = new Map(cases.map((c) => [c.id, c]));
    const [orgs, staff] = await Promise.all([organisationNames(db), staffDirectory(db)]);
    const items = overdue.flatMap((d) => {
      const r = caseById.get(d.caseId);
      if (!r) return [];
      return [
        {
          id: r.id,
          name: `${r.person.familyName}, ${r.person.givenName}`,
          organisation: orgs.short(r.organisationId),
          municipality: r.municipality,
          state: CASE_STATE_LABELS[r.state as CaseState] ?? r.state,
          deadline: DEADLINE_LABELS[d.kind as keyof typeof DEADLINE_LABELS] ?? d.kind,
          status: DEADLINE_STATUS_LABELS[d.status as keyof typeof DEADLINE_STATUS_LABELS] ?? d.status,
          due: formatDate(d.dueAt),
          days: daysOverdue(d.dueAt, now),
          assignee: staff.name(r.assigneeId),
        },
      ];
    });
    send(
      res,
      200,
      renderPage('deadlines', {
        ...layout(req, 'Überfällige Fristen', 'fristen'),
        items,
        organisationOptions: orgs.rows
          .filter((o) => o.kind !== 'jobcenter')
          .map((o) => ({ value: o.id, label: o.shortName, selected: o.id === organisation })),
        asOf: formatDateTime(now),
        temporalUiUrl: deps.temporalUiUrl,
      }),
    );
  });

  return router;
}

// ---------------------------------------------------------------------------------------------------------------
// Fallbacks for page paths (the JSON API keeps its own 404 / error shape)

function isPagePath(req: Request): boolean {
  return !req.path.startsWith('/api/') && req.path !== '/healthz';
}

/** Mount before notFoundHandler: unknown page paths get a German 404 page. */
export const pageNotFoundHandler: RequestHandler = (req, res, next) => {
  if (!isPagePath(req) || (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST')) return next();
  notFoundPage(req, res);
};

/** Mount before errorHandler: errors on page paths (failed CSRF check, unexpected faults) as German pages. */
export const pageErrorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (!isPagePath(req) || res.headersSent) return next(error);
  if (error instanceof ApiError) {
    if (error.status === 401) return res.redirect(303, '/anmelden');
    if (error.code === 'csrf_failed') {
      return errorPage(req, res, 403, 'Sicherheitsprüfung fehlgeschlagen', 'Das Formular war veraltet oder wurde nicht von dieser Anwendung gesendet. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.');
    }
    if (error.status === 404) return notFoundPage(req, res);
    if (error.status < 500) return errorPage(req, res, error.status, 'Anfrage nicht möglich', error.message);
  }
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return errorPage(req, res, status, 'Anfrage nicht möglich', 'Die Anfrage konnte nicht verarbeitet werden.');
  }
  console.error('[pages] unexpected error', error);
  errorPage(req, res, 500, 'Ein Fehler ist aufgetreten', 'Die Seite konnte nicht angezeigt werden. Bitte versuchen Sie es später erneut.');
};
