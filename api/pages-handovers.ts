// The German handover pages (domain.md "ABH-to-CM handover"): the list of handovers, the proposal form of the ABH
// counsellor, and the handover page with its state, deadlines, meeting and only the actions allowed now.
//
// Like api/pages.ts for cases, these pages are a second face of the JSON API, not a second implementation. Proposing,
// reading and acting run the very handlers of /api/v1/handovers (api/handovers.ts) in process: the same validation,
// the same receiving-organisation check, the same view (the receiving case manager gets the API's state-only view
// before consent), the same workflow updates with the same request ids, the same access log. api/handovers.ts keeps
// that logic inside its router, so the pages call the router (as the sign-in page calls the session router) instead
// of copying it. The list reads the read model with the API's filter and projection (handoverListFilter, listItem).
import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import {
  ACTIVE_DEADLINE_STATUSES,
  DEADLINE_LABELS,
  HANDOVER_ACTIONS,
  HANDOVER_ACTION_LABELS,
  HANDOVER_STATES,
  HANDOVER_STATE_LABELS,
  KNOWN_RESIDENCE_PERMITS,
  type DeadlineKind,
  type DeadlineStatus,
  type HandoverAction,
  type HandoverState,
} from '../domain/index.js';
import type { Database } from '../platform/database.js';
import { handoverAccess, handoverListFilter } from './access.js';
import type { AuthenticatedUser } from './auth.js';
import { ApiError } from './errors.js';
import { handoversRouter, listItem, type fromRecord, type fromWorkflow } from './handovers.js';
import { formPayload, formValues, formView, intakeForm, type FieldErrors, type FormSpec, type FormValues, type Option } from './page-forms.js';
import { CONSENT_DECISION_LABELS, DEADLINE_STATUS_LABELS, daysOverdue, formatDate, formatDateTime, optionsOf } from './page-labels.js';
import { bodyOf, errorPage as kitErrorPage, layout as kitLayout, pageUserRequired, send, signedInUser } from './page-kit.js';
import { renderPage } from './views.js';

export interface HandoverPagesDependencies {
  db: Database;
  temporal: Client;
  taskQueue: string;
}

/** GET /api/v1/handovers/:id's answer (and the `handover` of an action's answer). */
type HandoverAnswer = ReturnType<typeof fromWorkflow> | ReturnType<typeof fromRecord>;
type FullHandover = Extract<HandoverAnswer, { access: 'full' }>;

const PAGE_SIZE = 25;
const PREFIX = 'uebergabe';
const parseForm = express.urlencoded({ extended: false, limit: '1mb' });
/** Organisation kinds that run KIM case management (the API checks the choice again). */
const RECEIVING_KINDS = ['provider', 'county'];
const TIME_ZONE = 'Europe/Berlin';

const isHandoverAction = (value: string): value is HandoverAction => (HANDOVER_ACTIONS as readonly string[]).includes(value);
const stateLabel = (state: string) => HANDOVER_STATE_LABELS[state as HandoverState] ?? state;

// ---------------------------------------------------------------------------------------------------------------
// Page plumbing (api/page-kit.ts)

const layout = (req: Request, title: string) => kitLayout(req, title, 'uebergaben');
const errorPage = (req: Request, res: Response, status: number, heading: string, message: string) =>
  kitErrorPage(req, res, status, heading, message, 'uebergaben');

function notFoundPage(req: Request, res: Response): void {
  errorPage(req, res, 404, 'Seite nicht gefunden', 'Diese Seite oder diese Übergabe existiert nicht, oder Sie haben keinen Zugriff darauf.');
}

const requirePageUser = pageUserRequired('/uebergaben');

/** Handovers are the work of counsellors, case managers and coordinators; admins see no case content. */
function worksHandovers(user: AuthenticatedUser): boolean {
  return user.role === 'abh_counsellor' || user.role === 'case_manager' || user.role === 'coordinator';
}

/**
 * Runs one request of the handover API's router on this request (same user, session, CSRF check already passed) and
 * captures its JSON answer instead of sending it. Refusals arrive as ApiError (rejected promise).
 */
function callApi<T>(api: Router, req: Request, res: Response, method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const saved = { url: req.url, method: req.method, body: req.body as unknown, params: req.params, baseUrl: req.baseUrl, next: req.next };
    const own = { status: res.status, location: res.location, json: res.json };
    let status = 200;
    const restore = () => {
      req.url = saved.url;
      req.method = saved.method;
      req.body = saved.body;
      req.params = saved.params;
      req.baseUrl = saved.baseUrl;
      req.next = saved.next;
      res.status = own.status;
      res.location = own.location;
      res.json = own.json;
    };
    req.url = url;
    req.method = method;
    req.body = body ?? {};
    res.status = ((code: number) => {
      status = code;
      return res;
    }) as Response['status'];
    res.location = (() => res) as Response['location'];
    res.json = ((answer: unknown) => {
      restore();
      resolve({ status, body: answer as T });
      return res;
    }) as Response['json'];
    api(req, res, (error?: unknown) => {
      restore();
      reject(error ?? new Error(`The handover API did not answer ${method} ${url}`));
    });
  });
}

interface Directory {
  name(id: string | null | undefined): string;
  organisation(id: string | null | undefined): string;
  organisations: { id: string; shortName: string; kind: string }[];
  caseManagers(organisationId: string | null | undefined): Option[];
}

async function directory(db: Database): Promise<Directory> {
  const [users, organisations] = await Promise.all([
    db.user.findMany({ select: { id: true, name: true, role: true, organisationId: true, active: true }, orderBy: { name: 'asc' } }),
    db.organisation.findMany({ orderBy: { name: 'asc' } }),
  ]);
  const byId = new Map(users.map((u) => [u.id, u]));
  return {
    name: (id) => (id ? (byId.get(id)?.name ?? (id === 'system' ? 'System' : 'Unbekannt')) : '–'),
    organisation: (id) => (id ? (organisations.find((o) => o.id === id)?.shortName ?? id) : '–'),
    organisations,
    caseManagers: (organisationId) =>
      users.filter((u) => u.active && u.role === 'case_manager' && u.organisationId === organisationId).map((u) => ({ value: u.id, label: u.name })),
  };
}

/** `YYYY-MM-DD` + `HH:MM` as wall-clock time in Germany → ISO timestamp; undefined when it is no valid time. */
export function germanWallTimeToIso(date: string, time: string): string | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const t = /^(\d{1,2})[:.](\d{2})$/.exec(time.trim());
  if (!d || !t) return undefined;
  const [year, month, day, hour, minute] = [d[1], d[2], d[3], t[1], t[2]].map(Number) as [number, number, number, number, number];
  if (hour > 23 || minute > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  if (new Date(wall).getUTCDate() !== day) return undefined; // 31.02. and the like
  const offset = (instant: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
        .formatToParts(new Date(instant))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute)) - instant;
  };
  // Twice: the offset at the wall time itself may differ from the offset at the instant (change to/from summer time).
  const first = wall - offset(wall);
  return new Date(wall - offset(first)).toISOString();
}

// ---------------------------------------------------------------------------------------------------------------
// Forms

const PERSON_FIELDS = intakeForm.fields.filter((f) => f.name.startsWith('person.'));
const PERMITS = 'residenceLaw.permits';

function proposalDetailsForm(organisations: Option[]): FormSpec {
  return {
    fields: [
      { name: 'residenceLaw.notes', label: 'Weitere aufenthaltsrechtliche Angaben', kind: 'textarea', hint: 'Zum Beispiel: Duldung seit 2019, Beschäftigung in Aussicht.' },
      { name: 'reason', label: 'Grund der Übergabe', kind: 'textarea', required: true, hint: 'Worin besteht der erhöhte Unterstützungsbedarf?' },
      {
        name: 'proposedOrganisationId',
        label: 'Aufnehmende Organisation',
        kind: 'select',
        emptyOption: 'Nach Zuständigkeit vorschlagen (Wohnort und Alter)',
        options: organisations,
        hint: 'Ohne Auswahl schlägt das System den zuständigen Träger nach Wohnort und Alter vor.',
      },
    ],
  };
}

const personForm: FormSpec = { fields: PERSON_FIELDS };

function submittedPermits(body: Record<string, unknown>): string[] {
  const raw = body[PERMITS];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

interface HandoverActionForm extends FormSpec {
  action: HandoverAction;
  intro?: string;
  /** Moves the handover on: shown open, the others folded. */
  primary: boolean;
}

function actionForm(action: HandoverAction, ctx: { assignees: Option[]; defaultAssignee?: string; participants: string }): HandoverActionForm {
  switch (action) {
    case 'record-consent':
      return {
        action,
        primary: true,
        intro: 'Ohne Einwilligung der Person wird nichts weitergegeben. Eine Verweigerung beendet die Übergabe.',
        fields: [{ name: 'decision', label: 'Entscheidung der Person', kind: 'select', required: true, options: optionsOf(CONSENT_DECISION_LABELS), default: 'given' }],
      };
    case 'schedule-meeting':
      return {
        action,
        primary: true,
        intro: 'Das Übergabegespräch führen Klient*in, Sozialberatung und aufnehmendes Case Management gemeinsam.',
        fields: [
          { name: 'meetingDate', label: 'Datum des Gesprächs', kind: 'date', required: true },
          { name: 'meetingTime', label: 'Uhrzeit', kind: 'text', required: true, hint: 'Zum Beispiel 10:30.', autocomplete: 'off' },
          { name: 'participants', label: 'Teilnehmende', kind: 'list', required: true, hint: 'Mehrere durch Komma trennen.', default: ctx.participants },
        ],
      };
    case 'complete-meeting':
      return {
        action,
        primary: true,
        intro: 'Erfasst das Übergabegespräch als heute geführt. Danach kann das Case Management den Fall übernehmen.',
        fields: [{ name: 'notes', label: 'Notizen zum Gespräch', kind: 'textarea' }],
      };
    case 'accept':
      return {
        action,
        primary: true,
        intro: 'Der Fall wird bei der aufnehmenden Organisation eröffnet und mit dem Assessment fortgeführt.',
        fields: [
          {
            name: 'assigneeId',
            label: 'Fallführende Person',
            kind: 'select',
            options: ctx.assignees,
            ...(ctx.defaultAssignee ? { default: ctx.defaultAssignee } : { emptyOption: 'Noch niemandem zuweisen' }),
          },
        ],
      };
    case 'cancel':
      return { action, primary: false, fields: [{ name: 'reason', label: 'Grund', kind: 'text', required: true }] };
    case 'withdraw-consent':
      return {
        action,
        primary: false,
        intro: 'Die Person widerruft ihre Einwilligung: Die Übergabe endet sofort, die aufnehmende Organisation sieht keine Daten mehr.',
        fields: [{ name: 'note', label: 'Bemerkung', kind: 'text' }],
      };
  }
}

/** The form's values as the API body of the action, and where the API's error paths land on the form. */
function actionPayload(spec: HandoverActionForm, values: FormValues) {
  const { payload, errorKey } = formPayload(spec, values);
  if (spec.action !== 'schedule-meeting') return { payload, errorKey };
  const date = values.meetingDate ?? '';
  const time = values.meetingTime ?? '';
  delete payload.meetingDate;
  delete payload.meetingTime;
  const at = germanWallTimeToIso(date, time);
  // Not a valid time: the API's own message ("ungültiger Zeitpunkt" / "Pflichtfeld") is shown at the field.
  if (at) payload.at = at;
  else if (date.trim() || time.trim()) payload.at = `${date.trim()}T${time.trim()}`;
  const timeIsBad = time.trim() !== '' && !/^\d{1,2}[:.]\d{2}$/.test(time.trim());
  return {
    payload,
    errorKey: (key: string) => (key === 'at' ? (timeIsBad || (date.trim() && !time.trim()) ? 'meetingTime' : 'meetingDate') : key.startsWith('participants') ? 'participants' : errorKey(key)),
  };
}

interface ActionFailure {
  action: HandoverAction;
  values: FormValues;
  errors: FieldErrors;
  message: string;
}

function actionView(spec: HandoverActionForm, handoverId: string, failure: ActionFailure | undefined, csrfToken: string | undefined) {
  const prefix = `aktion-${spec.action}`;
  const form = formView(spec, prefix, failure?.values, failure?.errors ?? {});
  return {
    id: prefix,
    label: HANDOVER_ACTION_LABELS[spec.action],
    url: `/uebergaben/${encodeURIComponent(handoverId)}/aktionen/${spec.action}`,
    intro: spec.intro,
    submit: HANDOVER_ACTION_LABELS[spec.action],
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

export function handoverPagesRouter(deps: HandoverPagesDependencies): Router {
  const { db } = deps;
  const router = Router();
  // The JSON API's own router: the pages run its handlers (see the top of this file).
  const api = handoversRouter(deps);

  /** The API's view of the handover for this user; null when it does not exist for them (→ 404 page). */
  async function readHandover(req: Request, res: Response, id: string): Promise<HandoverAnswer | null> {
    try {
      return (await callApi<HandoverAnswer>(api, req, res, 'GET', `/${encodeURIComponent(id)}`)).body;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  // ----- Liste

  router.get('/uebergaben', requirePageUser, async (req, res) => {
    const user = signedInUser(req);
    if (!worksHandovers(user)) return errorPage(req, res, 403, 'Keine Berechtigung', 'Ihre Rolle sieht keine Übergaben.');
    const q = req.query;
    const state = typeof q.status === 'string' && (HANDOVER_STATES as readonly string[]).includes(q.status) ? q.status : undefined;
    const page = Math.max(1, Number.parseInt(typeof q.seite === 'string' ? q.seite : '1', 10) || 1);
    const where = { AND: [handoverListFilter(user), state ? { state } : {}] };
    const [total, rows, dir] = await Promise.all([
      db.handover.count({ where }),
      db.handover.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: (page - 1) * PAGE_SIZE, take: PAGE_SIZE }),
      directory(db),
    ]);
    const now = new Date();
    const items = rows.flatMap((row) => {
      const access = handoverAccess(user, row);
      if (access === 'none') return [];
      const item = listItem(row, access);
      const base = {
        id: item.id,
        requested: formatDate(item.requestedAt),
        state: stateLabel(item.state),
        organisation: dir.organisation(item.receivingOrganisationId),
        stateOnly: item.access === 'state_only',
      };
      if (!('consentDueAt' in item)) return [base];
      const overdue = item.state === 'awaiting_consent' && item.consentDueAt !== null && new Date(item.consentDueAt) < now;
      return [
        {
          ...base,
          counsellor: dir.name(item.counsellorId),
          permits: item.permits.length ? item.permits.join(', ') : '–',
          consentDue: item.state === 'awaiting_consent' ? formatDate(item.consentDueAt) : '–',
          overdue,
          daysOverdue: overdue ? daysOverdue(item.consentDueAt!, now) : 0,
          meeting: item.meetingAt ? formatDateTime(item.meetingAt) : '–',
          caseId: item.caseId,
        },
      ];
    });
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const link = (n: number) => `/uebergaben?${new URLSearchParams({ ...(state ? { status: state } : {}), seite: String(n) }).toString()}`;
    send(
      res,
      200,
      renderPage('handovers', {
        ...layout(req, 'Übergaben'),
        items,
        total,
        filtered: Boolean(state),
        stateOptions: HANDOVER_STATES.map((s) => ({ value: s, label: HANDOVER_STATE_LABELS[s], selected: s === state })),
        intro:
          user.role === 'abh_counsellor'
            ? 'Die Übergaben, die Sie ins KIM Case Management vorgeschlagen haben.'
            : user.role === 'case_manager'
              ? 'Übergaben aus der Ausländerbehörde an Ihre Organisation. Angaben zur Person sehen Sie erst nach der Einwilligung.'
              : 'Alle Übergaben aus der Ausländerbehörde.',
        canPropose: user.role === 'abh_counsellor',
        page,
        pageCount,
        prev: page > 1 ? link(page - 1) : undefined,
        next: page < pageCount ? link(page + 1) : undefined,
      }),
    );
  });

  // ----- Neue Übergabe

  const renderProposal = async (req: Request, res: Response, status: number, submitted?: { values: FormValues; permits: string[] }, errors: FieldErrors = {}) => {
    const dir = await directory(db);
    const organisations = dir.organisations.filter((o) => RECEIVING_KINDS.includes(o.kind)).map((o) => ({ value: o.id, label: o.shortName }));
    // Each error once, at its place: person fields, the permit checkboxes, the rest (incl. errors of no field).
    const personErrors: FieldErrors = {};
    const detailErrors: FieldErrors = {};
    let permitsError: string | undefined;
    for (const [key, message] of Object.entries(errors)) {
      if (key.startsWith('person.')) personErrors[key] = message;
      else if (key.startsWith(PERMITS)) permitsError ??= message;
      else detailErrors[key] = message;
    }
    const person = formView(personForm, PREFIX, submitted?.values, personErrors);
    const details = formView(proposalDetailsForm(organisations), PREFIX, submitted?.values, detailErrors);
    const permitsId = `${PREFIX}-permits`;
    const summary = [
      ...person.summary,
      ...(permitsError ? [{ href: `#${permitsId}`, text: `Aufenthaltsrechtliche Grundlage: ${permitsError}` }] : []),
      ...details.summary,
    ];
    const chosen = new Set(submitted?.permits ?? []);
    send(
      res,
      status,
      renderPage('handover-new', {
        ...layout(req, 'Neue Übergabe'),
        summary: { summary, hasErrors: summary.length > 0 },
        person,
        details,
        permits: {
          id: permitsId,
          name: PERMITS,
          error: permitsError,
          errorId: `${permitsId}-fehler`,
          options: Object.entries(KNOWN_RESIDENCE_PERMITS).map(([value, label], i) => ({ id: `${permitsId}-${i}`, value, label, checked: chosen.has(value) })),
        },
        requestId: typeof submitted?.values.requestId === 'string' && submitted.values.requestId ? submitted.values.requestId : randomUUID(),
      }),
    );
  };

  const counsellorsOnly = (req: Request, res: Response): boolean => {
    if (signedInUser(req).role === 'abh_counsellor') return true;
    errorPage(req, res, 403, 'Keine Berechtigung', 'Übergaben schlägt die Sozialberatung der Ausländerbehörde vor.');
    return false;
  };

  router.get('/uebergaben/neu', requirePageUser, async (req, res) => {
    if (!counsellorsOnly(req, res)) return;
    await renderProposal(req, res, 200);
  });

  router.post('/uebergaben/neu', requirePageUser, parseForm, async (req, res) => {
    if (!counsellorsOnly(req, res)) return;
    const body = bodyOf(req);
    const spec: FormSpec = { fields: [...PERSON_FIELDS, ...proposalDetailsForm([]).fields] };
    const values = formValues(spec, body);
    const requestId = typeof body.requestId === 'string' ? body.requestId : '';
    const permits = submittedPermits(body);
    const { payload } = formPayload(spec, values);
    // The person's fields are always sent, so missing ones are reported each at its field.
    payload.person ??= {};
    const residenceLaw = (payload.residenceLaw ?? {}) as Record<string, unknown>;
    payload.residenceLaw = { ...residenceLaw, permits };
    if (requestId) payload.requestId = requestId;
    let created: { id: string };
    try {
      created = (await callApi<{ id: string }>(api, req, res, 'POST', '/', payload)).body;
    } catch (error) {
      if (!(error instanceof ApiError) || ![403, 422, 503].includes(error.status)) throw error;
      const fields = (error.extra.fields as FieldErrors | undefined) ?? {};
      return renderProposal(req, res, error.status, { values: { ...values, requestId }, permits }, Object.keys(fields).length ? fields : { body: error.message });
    }
    res.redirect(303, `/uebergaben/${encodeURIComponent(created.id)}?angelegt=1`);
  });

  // ----- Übergabeseite

  async function renderHandoverPage(req: Request, res: Response, view: HandoverAnswer, options: { status?: number; failure?: ActionFailure } = {}) {
    const user = signedInUser(req);
    const dir = await directory(db);
    const failure = options.failure;
    const allowed: HandoverAction[] = view.access === 'full' ? view.allowedActions : [];
    // A refused action whose form is gone (the state moved on, or it never was this user's) is reported on its own.
    const refusal = failure && !allowed.includes(failure.action) ? `„${HANDOVER_ACTION_LABELS[failure.action]}“ wurde nicht ausgeführt: ${failure.message}` : undefined;
    const doneAction = typeof req.query.erledigt === 'string' && isHandoverAction(req.query.erledigt) ? req.query.erledigt : undefined;
    const common = {
      handoverId: view.id,
      stateLabel: stateLabel(view.state),
      organisation: dir.organisation(view.receivingOrganisationId),
      done: doneAction ? HANDOVER_ACTION_LABELS[doneAction] : undefined,
      refusal,
    };
    if (view.access !== 'full') {
      return send(res, options.status ?? 200, renderPage('handover-state-only', { ...layout(req, 'Stand der Übergabe'), ...common }));
    }

    const h: FullHandover = view;
    const now = new Date();
    const person = h.person;
    const personName = person ? `${person.givenName} ${person.familyName}` : undefined;
    const consentDue = h.state === 'awaiting_consent' && h.consentDueAt ? h.consentDueAt : undefined;
    const consentOverdue = consentDue !== undefined && new Date(consentDue) < now;
    const acceptance = 'acceptance' in h ? h.acceptance : null;
    const cancellation = 'cancellation' in h ? h.cancellation : null;
    const lapsedAt = 'lapsedAt' in h ? h.lapsedAt : null;
    const facts = [
      { term: 'Status', value: stateLabel(h.state) },
      ...(person
        ? [
            { term: 'Person', value: personName! },
            { term: 'Geburtsdatum', value: formatDate(person.birthDate) },
            { term: 'Wohnort', value: person.municipality },
            { term: 'Sprachen', value: person.languages.length ? person.languages.join(', ') : '–' },
          ]
        : []),
      { term: 'Aufnehmende Organisation', value: dir.organisation(h.receivingOrganisationId) },
      { term: 'Vorgeschlagen', value: `${formatDate(h.requestedAt)} von ${dir.name(h.counsellorId)}` },
      {
        term: 'Einwilligung',
        value: h.consent ? `${CONSENT_DECISION_LABELS[h.consent.decision]} am ${formatDate(h.consent.recordedAt)} (${dir.name(h.consent.recordedBy)})` : 'noch nicht erfasst',
      },
      ...(acceptance ? [{ term: 'Übernommen', value: `${formatDate(acceptance.at)} von ${dir.name(acceptance.by)}` }] : []),
      ...(cancellation ? [{ term: 'Abgebrochen', value: `${formatDate(cancellation.at)}: ${cancellation.reason}` }] : []),
      ...(lapsedAt ? [{ term: 'Verfallen', value: formatDate(lapsedAt) }] : []),
    ];
    const meeting = h.meeting
      ? {
          at: formatDateTime(h.meeting.at),
          participants: h.meeting.participants.join(', ') || '–',
          held: h.meeting.heldAt ? formatDateTime(h.meeting.heldAt) : undefined,
          notes: 'notes' in h.meeting ? h.meeting.notes : undefined,
        }
      : undefined;
    const deadlines = [...h.deadlines]
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
      .map((d) => {
        const overdue = (ACTIVE_DEADLINE_STATUSES as readonly string[]).includes(d.status) && new Date(d.dueAt) < now;
        return {
          label: DEADLINE_LABELS[d.kind as DeadlineKind] ?? d.kind,
          due: formatDate(d.dueAt),
          status: DEADLINE_STATUS_LABELS[d.status as DeadlineStatus] ?? d.status,
          overdue,
          daysOverdue: overdue ? daysOverdue(d.dueAt, now) : 0,
        };
      });

    const assignees = dir.caseManagers(h.receivingOrganisationId);
    const ctx = {
      assignees,
      ...(assignees.some((a) => a.value === user.id) ? { defaultAssignee: user.id } : {}),
      participants: ['Klient*in', 'Sozialberatung ABH', `Case Management ${dir.organisation(h.receivingOrganisationId)}`].join(', '),
    };
    const actions = allowed.map((action) => actionView(actionForm(action, ctx), h.id, failure?.action === action ? failure : undefined, req.authSession?.csrfToken));

    send(
      res,
      options.status ?? 200,
      renderPage('handover', {
        ...layout(req, personName ? `Übergabe ${personName}` : 'Übergabe'),
        ...common,
        heading: personName ? `Übergabe: ${personName}` : 'Übergabe',
        created: req.query.angelegt === '1' ? { consentDue: formatDate(consentDue) } : undefined,
        caseId: h.caseId ?? undefined,
        // The receiving case manager after the takeover: the way to the new case.
        accepted: doneAction === 'accept' && h.caseId ? { caseId: h.caseId } : undefined,
        facts,
        consentDue: consentDue ? { due: formatDate(consentDue), overdue: consentOverdue, daysOverdue: consentOverdue ? daysOverdue(consentDue, now) : 0 } : undefined,
        permits: h.residenceLaw.permits.map((p) => KNOWN_RESIDENCE_PERMITS[p] ?? p),
        notes: h.residenceLaw.notes,
        reason: h.reason,
        meeting,
        deadlines,
        actions,
        hasActions: actions.length > 0,
      }),
    );
  }

  router.get('/uebergaben/:id', requirePageUser, async (req, res) => {
    if (!worksHandovers(signedInUser(req))) return notFoundPage(req, res);
    const view = await readHandover(req, res, req.params.id as string);
    if (!view) return notFoundPage(req, res);
    await renderHandoverPage(req, res, view);
  });

  router.post('/uebergaben/:id/aktionen/:action', requirePageUser, parseForm, async (req, res) => {
    const user = signedInUser(req);
    const id = req.params.id as string;
    const action = req.params.action as string;
    if (!worksHandovers(user) || !isHandoverAction(action)) return notFoundPage(req, res);
    const body = bodyOf(req);
    // Only the field names matter for reading the form, not the choices offered.
    const spec = actionForm(action, { assignees: [], participants: '' });
    const values = formValues(spec, body);
    const { payload, errorKey } = actionPayload(spec, values);
    if (typeof body.requestId === 'string' && body.requestId) payload.requestId = body.requestId;
    try {
      await callApi(api, req, res, 'POST', `/${encodeURIComponent(id)}/actions/${action}`, payload);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 404) return notFoundPage(req, res);
      if (![403, 409, 422, 503].includes(error.status)) throw error;
      const fields = (error.extra.fields as FieldErrors | undefined) ?? {};
      const errors = Object.fromEntries(Object.entries(fields).map(([k, v]) => [errorKey(k), v]));
      const view = await readHandover(req, res, id);
      if (!view) return notFoundPage(req, res);
      return renderHandoverPage(req, res, view, { status: error.status, failure: { action, values, errors, message: error.message } });
    }
    res.redirect(303, `/uebergaben/${encodeURIComponent(id)}?erledigt=${action}`);
  });

  return router;
}
