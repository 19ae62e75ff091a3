// The view models of the handover pages (templates handovers, handover-new, handover, handover-state-only): what the
// operations answered, in German, with the names of people and organisations. No I/O, no access decisions — what the
// caller may see has been decided by the operation; the policy only picks the list's wording.
import { randomUUID } from 'node:crypto';
import {
  ACTIVE_DEADLINE_STATUSES,
  DEADLINE_LABELS,
  HANDOVER_ACTION_LABELS,
  HANDOVER_STATES,
  HANDOVER_STATE_LABELS,
  handoverStateLabel,
  KNOWN_RESIDENCE_PERMITS,
  type DeadlineKind,
  type DeadlineStatus,
  type HandoverAction,
  type HandoverState,
} from '../../domain/index.js';
import { canProposeHandover, handoverSide } from '../operations/access-policy.js';
import type { AuthenticatedUser } from '../operations/caller.js';
import type { StaffDirectory, organisationNames } from '../operations/directory.js';
import type { HandoverListItem, HandoverView } from '../operations/handover-responses.js';
import { actionView, formView, type FieldErrors, type Option } from './forms.js';
import { actionForm, PERMITS, personForm, PREFIX, proposalDetailsForm, type ActionFailure, type SubmittedProposal } from './handover-forms.js';
import { CONSENT_DECISION_LABELS, DEADLINE_STATUS_LABELS, daysOverdue, formatDate, formatDateTime, todayInGermany } from './labels.js';

type Organisations = Awaited<ReturnType<typeof organisationNames>>;
type FullHandover = Extract<HandoverView, { access: 'full' }>;

export const stateLabel = (state: string, meetingHeld = false) =>
  state in HANDOVER_STATE_LABELS ? handoverStateLabel(state as HandoverState, meetingHeld) : state;
const meetingHeld = (view: object) => 'meeting' in view && Boolean((view.meeting as { heldAt?: string } | null)?.heldAt);

// ---------------------------------------------------------------------------------------------------------------
// Liste

const LIST_INTRO = {
  counsellor: 'Die Übergaben, die Sie ins KIM Case Management vorgeschlagen haben.',
  receiver: 'Übergaben aus der Ausländerbehörde an Ihre Organisation. Angaben zur Person sehen Sie erst nach der Einwilligung.',
  oversight: 'Alle Übergaben aus der Ausländerbehörde.',
};

function listRow(item: HandoverListItem, staff: StaffDirectory, organisations: Organisations, now: Date) {
  const base = {
    id: item.id,
    requested: formatDate(item.requestedAt),
    state: stateLabel(item.state, item.meetingHeld),
    organisation: organisations.short(item.receivingOrganisationId),
    stateOnly: item.access === 'state_only',
  };
  if (!('consentDueAt' in item)) return base;
  const overdue = item.state === 'awaiting_consent' && item.consentDueAt !== null && new Date(item.consentDueAt) < now;
  return {
    ...base,
    counsellor: staff.name(item.counsellorId),
    permits: item.permits.length ? item.permits.join(', ') : '–',
    consentDue: item.state === 'awaiting_consent' ? formatDate(item.consentDueAt) : '–',
    overdue,
    daysOverdue: overdue ? daysOverdue(item.consentDueAt!, now) : 0,
    meeting: item.meetingAt ? formatDateTime(item.meetingAt) : '–',
    caseId: item.caseId,
  };
}

export interface ListPage {
  items: HandoverListItem[];
  total: number;
  page: number;
  pageSize: number;
  state: string | undefined;
}

export function listPageModel(user: AuthenticatedUser, list: ListPage, staff: StaffDirectory, organisations: Organisations) {
  const now = new Date();
  const { state, page, total } = list;
  const pageCount = Math.max(1, Math.ceil(total / list.pageSize));
  const link = (n: number) => `/uebergaben?${new URLSearchParams({ ...(state ? { status: state } : {}), seite: String(n) }).toString()}`;
  return {
    items: list.items.map((item) => listRow(item, staff, organisations, now)),
    total,
    filtered: Boolean(state),
    stateOptions: HANDOVER_STATES.map((s) => ({ value: s, label: HANDOVER_STATE_LABELS[s], selected: s === state })),
    intro: LIST_INTRO[handoverSide(user)],
    canPropose: canProposeHandover(user),
    page,
    pageCount,
    prev: page > 1 ? link(page - 1) : undefined,
    next: page < pageCount ? link(page + 1) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Neue Übergabe

/** The proposal form; after a refusal with what was sent and each error once, at its place. */
export function proposalPageModel(organisations: Option[], submitted?: SubmittedProposal, errors: FieldErrors = {}) {
  // Person fields, the permit checkboxes, the rest (incl. errors of no field).
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
  return {
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
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Übergabeseite

export interface HandoverPageContext {
  user: AuthenticatedUser;
  staff: StaffDirectory;
  organisations: Organisations;
  /** ?erledigt=<action> after a successful action, ?angelegt=1 after the proposal. */
  done: HandoverAction | undefined;
  created: boolean;
  failure: ActionFailure | undefined;
  csrfToken: string | undefined;
}

function facts(h: FullHandover, ctx: HandoverPageContext, personName: string | undefined) {
  const { staff, organisations } = ctx;
  const person = h.person;
  const acceptance = 'acceptance' in h ? h.acceptance : null;
  const cancellation = 'cancellation' in h ? h.cancellation : null;
  const lapsedAt = 'lapsedAt' in h ? h.lapsedAt : null;
  return [
    { term: 'Status', value: stateLabel(h.state, meetingHeld(h)) },
    ...(person
      ? [
          { term: 'Person', value: personName! },
          { term: 'Geburtsdatum', value: formatDate(person.birthDate) },
          { term: 'Wohnort', value: person.municipality },
          { term: 'Sprachen', value: person.languages.length ? person.languages.join(', ') : '–' },
        ]
      : []),
    { term: 'Aufnehmende Organisation', value: organisations.short(h.receivingOrganisationId) },
    { term: 'Vorgeschlagen', value: `${formatDate(h.requestedAt)} von ${staff.name(h.counsellorId)}` },
    {
      term: 'Einwilligung',
      value: h.consent ? `${CONSENT_DECISION_LABELS[h.consent.decision]} am ${formatDate(h.consent.recordedAt)} (${staff.name(h.consent.recordedBy)})` : 'noch nicht erfasst',
    },
    ...(acceptance ? [{ term: 'Übernommen', value: `${formatDate(acceptance.at)} von ${staff.name(acceptance.by)}` }] : []),
    ...(cancellation ? [{ term: 'Abgebrochen', value: `${formatDate(cancellation.at)}: ${cancellation.reason}` }] : []),
    ...(lapsedAt ? [{ term: 'Verfallen', value: formatDate(lapsedAt) }] : []),
  ];
}

function meetingView(h: FullHandover) {
  if (!h.meeting) return undefined;
  return {
    at: formatDateTime(h.meeting.at),
    participants: h.meeting.participants.join(', ') || '–',
    held: h.meeting.heldAt ? formatDateTime(h.meeting.heldAt) : undefined,
    notes: 'notes' in h.meeting ? h.meeting.notes : undefined,
  };
}

function deadlineRows(h: FullHandover, now: Date) {
  return [...h.deadlines]
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
}

/** The forms of the actions the caller may take now; a refused one is shown again with what was sent. */
function actionViews(h: FullHandover, ctx: HandoverPageContext) {
  const assignees = ctx.staff.handoverAssignees(h.receivingOrganisationId ?? '');
  const formContext = {
    assignees,
    ...(assignees.some((a) => a.value === ctx.user.id) ? { defaultAssignee: ctx.user.id } : {}),
    participants: ['Klient*in', 'Sozialberatung ABH', `Case Management ${ctx.organisations.short(h.receivingOrganisationId)}`].join(', '),
    today: todayInGermany(),
  };
  const failure = ctx.failure;
  return h.allowedActions.map((action) => {
    const label = HANDOVER_ACTION_LABELS[action];
    const url = `/uebergaben/${encodeURIComponent(h.id)}/aktionen/${action}`;
    return actionView(actionForm(action, formContext), { label, submit: label, url }, failure?.action === action ? failure : undefined, ctx.csrfToken);
  });
}

function fullPageModel(h: FullHandover, ctx: HandoverPageContext) {
  const now = new Date();
  const personName = h.person ? `${h.person.givenName} ${h.person.familyName}` : undefined;
  const consentDue = h.state === 'awaiting_consent' && h.consentDueAt ? h.consentDueAt : undefined;
  const consentOverdue = consentDue !== undefined && new Date(consentDue) < now;
  const actions = actionViews(h, ctx);
  return {
    title: personName ? `Übergabe ${personName}` : 'Übergabe',
    heading: personName ? `Übergabe: ${personName}` : 'Übergabe',
    created: ctx.created ? { consentDue: formatDate(consentDue) } : undefined,
    caseId: h.caseId ?? undefined,
    // The receiving case manager after the takeover: the way to the new case.
    accepted: ctx.done === 'accept' && h.caseId ? { caseId: h.caseId } : undefined,
    facts: facts(h, ctx, personName),
    consentDue: consentDue ? { due: formatDate(consentDue), overdue: consentOverdue, daysOverdue: consentOverdue ? daysOverdue(consentDue, now) : 0 } : undefined,
    permits: h.residenceLaw.permits.map((p) => KNOWN_RESIDENCE_PERMITS[p] ?? p),
    notes: h.residenceLaw.notes,
    reason: h.reason,
    meeting: meetingView(h),
    deadlines: deadlineRows(h, now),
    actions,
    hasActions: actions.length > 0,
  };
}

/** The handover page: the template to render, its title, and its model (the layout is the router's). */
export function handoverPageModel(view: HandoverView, ctx: HandoverPageContext) {
  const failure = ctx.failure;
  const allowed: HandoverAction[] = view.access === 'full' ? view.allowedActions : [];
  // A refused action whose form is gone (the state moved on, or it never was this user's) is reported on its own.
  const refusal = failure && !allowed.includes(failure.action) ? `„${HANDOVER_ACTION_LABELS[failure.action]}“ wurde nicht ausgeführt: ${failure.message}` : undefined;
  const common = {
    handoverId: view.id,
    stateLabel: stateLabel(view.state, meetingHeld(view)),
    organisation: ctx.organisations.short(view.receivingOrganisationId),
    done: ctx.done ? HANDOVER_ACTION_LABELS[ctx.done] : undefined,
    refusal,
  };
  if (view.access !== 'full') return { template: 'handover-state-only', title: 'Stand der Übergabe', model: common };
  const { title, ...model } = fullPageModel(view, ctx);
  return { template: 'handover', title, model: { ...common, ...model } };
}
