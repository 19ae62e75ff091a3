// View models of the case page: facts, deadlines, consents, goals, referrals, contacts, the action forms allowed now,
// and the partner's "Freigegebene Daten" view — all in German, from the workflow's view of the case.
import { residenceTrackFacts } from './residence-forms.js';
import type { Request, Response } from 'express';
import {
  ACTION_LABELS,
  ACTIVE_DEADLINE_STATUSES,
  CASE_STATE_LABELS,
  CONTACT_KINDS,
  CONTACT_KIND_LABELS,
  DEADLINE_LABELS,
  KNOWN_RESIDENCE_PERMITS,
  LIFE_AREA_LABELS,
  CLOSURE_REASON_LABELS,
  SHARING_CATEGORY_LABELS,
  allowedActions,
  type CaseAction,
  type CaseData,
  type CaseProgress,
  type CaseState,
  type PartnerCaseView,
} from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { contactModel, documentsModel, type CaseFile, type ContactFailure, type DocumentFailure } from './case-file-view.js';
import { loadCaseSettings } from '../../platform/settings.js';
import { canReadAccessLog } from '../operations/access-policy.js';
import type { CaseRow } from '../operations/case-lookup.js';
import { organisationNames, staffDirectory, type StaffDirectory } from '../operations/directory.js';
import { caseProgressOf } from '../operations/progress.js';
import { caseProgressModel } from './case-progress-view.js';
import { CONSENT_FORMS, actionForm, consentForm, referralCatalogueOptions, type ActionFormContext } from './case-action-forms.js';
import { catalogueEntries } from '../operations/referral-catalogue.js';
import { caseLinksModel, type LinkFailure } from './case-links.js';
import { actionFeedbackOf, caseHeader } from './case-header.js';
import { actionView, type ActionFailure as GenericActionFailure } from './forms.js';
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
  todayInGermany,
} from './labels.js';
import { layout, send, signedInUser } from './kit.js';
import { renderPage } from './views.js';

/** What the page shows after a failed action: the submitted values, the API's field errors, its message. */
export type ActionFailure = GenericActionFailure<CaseAction>;

function isActive(status: string): boolean {
  return (ACTIVE_DEADLINE_STATUSES as readonly string[]).includes(status);
}

type Organisations = Awaited<ReturnType<typeof organisationNames>>;

function caseFacts(row: CaseRow, view: CaseData | null, staff: StaffDirectory, orgs: Organisations) {
  const p = row.person;
  const state = (view?.state ?? row.state) as CaseState;
  const onHold = view?.onHold ?? row.onHold;
  return [
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
}

/** The case page (status 200, or the status of a refused action with its form reopened and its errors). */
export async function renderCasePage(
  db: Database,
  req: Request,
  res: Response,
  row: CaseRow,
  view: CaseData | null,
  options: { status?: number; failure?: ActionFailure; documentFailure?: DocumentFailure; contactFailure?: ContactFailure; linkFailure?: LinkFailure } & Partial<CaseFile> = {},
): Promise<void> {
  const user = signedInUser(req);
  const now = new Date();
  const [staff, orgs, settings] = await Promise.all([staffDirectory(db), organisationNames(db), loadCaseSettings(db)]);
  const p = row.person;
  const personName = `${p.givenName} ${p.familyName}`;
  const state = (view?.state ?? row.state) as CaseState;
  const onHold = view?.onHold ?? row.onHold;
  const failure = options.failure;
  const facts = caseFacts(row, view, staff, orgs);

  let details: Record<string, unknown> = {};
  let actions: Array<ReturnType<typeof actionView>> = [];
  let header: ReturnType<typeof caseHeader>['header'] | undefined;
  let nextAction: ReturnType<typeof actionView> | undefined;
  let refusal: string | undefined;
  let progress: ReturnType<typeof caseProgressModel> | undefined;
  let allowed: CaseAction[] = [];
  if (view) {
    details = caseDetails(view, staff, now);
    const caseProgress = await caseProgressOf(db, row.id);
    progress = caseProgressModel(caseProgress, view.successCriteria);
    const actor = { id: user.id, role: user.role, organisationId: user.organisationId };
    allowed = allowedActions(view, actor, { now: now.toISOString(), settings });
    const head = caseHeader(view, user, allowed, now);
    header = head.header;
    // The refer form chooses from the referral catalogue (issue 14): read only when it is offered.
    const referralCatalogue = allowed.includes('refer') ? referralCatalogueOptions(await catalogueEntries(db)) : undefined;
    actions = caseActionViews(view, head, allowed, { row, user, staff, orgs, now, failure, csrfToken: req.authSession?.csrfToken, progress: caseProgress, referralCatalogue });
    // The next step's form stands in the header, before everything else (on a phone too).
    if (head.nextAction && actions[0]?.id === `aktion-${head.nextAction}`) nextAction = actions.shift();
    // A refused action whose form is gone (the state moved on meanwhile) is reported above the remaining forms.
    if (failure && !allowed.includes(failure.action)) refusal = `„${ACTION_LABELS[failure.action]}“ wurde nicht ausgeführt: ${failure.message}`;
  }

  const feedback = options.failure ? undefined : await actionFeedbackOf(db, req, view, row.id, user, allowed);
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
      isCoordinator: canReadAccessLog(user),
      noView: !view,
      erasedOn: row.erasedAt ? formatDate(row.erasedAt) : undefined,
      feedback,
      header,
      nextAction,
      created: created ? { provider: orgs.short(row.proposedOrganisationId), reason: row.proposalReason } : undefined,
      ...details,
      progress,
      actions,
      hasActions: actions.length > 0,
      refusal,
      documents: options.documents ? documentsModel(row, options.documents, staff, options.documentFailure) : undefined,
      contact: options.contact ? contactModel(row, options.contact, staff, options.contactFailure) : undefined,
      // Related persons' own cases (issue 14): shown with the case file, to callers with full access.
      links: options.contact ? await caseLinksModel(db, user, row, options.linkFailure) : undefined,
    }),
  );
}

/** The forms of the actions offered now (the next step's open), each with a refused attempt's values and errors. */
function caseActionViews(
  view: CaseData,
  head: ReturnType<typeof caseHeader>,
  allowed: readonly CaseAction[],
  p: {
    row: CaseRow;
    user: { id: string };
    staff: StaffDirectory;
    orgs: Organisations;
    now: Date;
    failure: ActionFailure | undefined;
    csrfToken: string | undefined;
    progress: CaseProgress;
    referralCatalogue: ActionFormContext['referralCatalogue'];
  },
) {
  const { row, staff, orgs, failure, csrfToken } = p;
  const ctx = {
    c: view,
    today: todayInGermany(p.now),
    userId: p.user.id,
    assignees: staff.assignees(view.organisationId),
    organisations: orgs.rows.filter((o) => o.kind !== 'jobcenter').map((o) => ({ value: o.id, label: o.shortName })),
    partners: orgs.rows.filter((o) => o.id !== view.organisationId).map((o) => ({ value: o.id, label: o.shortName })),
    // The ratings so far: the rating fields start from the latest (issue 16).
    progress: p.progress,
    ...(p.referralCatalogue ? { referralCatalogue: p.referralCatalogue } : {}),
  };
  const base = `/faelle/${encodeURIComponent(row.id)}/aktionen`;
  return head.offered.flatMap((action) => {
    const url = `${base}/${action}`;
    if (action === 'record-consent') {
      // One form per scope: partner, purpose and categories only where data is passed on.
      return CONSENT_FORMS.map(({ scope, label, idSuffix }) => {
        const spec = { ...consentForm(scope, ctx), primary: action === head.nextAction && scope === 'data_processing' };
        const failed = failure?.action === action && (failure.values.scope || 'data_processing') === scope ? failure : undefined;
        return actionView(spec, { label, submit: spec.submit, url, id: `aktion-record-consent${idSuffix}`, hidden: { scope } }, failed, csrfToken);
      });
    }
    // Only the next step's form is open; the others wait collapsed (a refused one reopens with its errors).
    const spec = { ...actionForm(action, ctx), primary: action === head.nextAction };
    // A refused draft reopens the assessment form it was sent from.
    const failed = failure?.action === action || (action === 'complete-assessment' && failure?.action === 'save-assessment-draft') ? failure : undefined;
    const secondary =
      action === 'complete-assessment' && allowed.includes('save-assessment-draft')
        ? { label: ACTION_LABELS['save-assessment-draft'], url: `${base}/save-assessment-draft` }
        : undefined;
    return [actionView(spec, { label: ACTION_LABELS[spec.action], submit: spec.submit, url, ...(secondary ? { secondary } : {}) }, failed, csrfToken)];
  });
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
    ...closureModel(c, staff),
    handoverId: c.handoverId,
    // The handover's facts only where a handover brought them; the track (rules 9) beside them.
    residenceLaw: c.residenceLaw?.handoverId
      ? { permits: c.residenceLaw.permits.map((p) => KNOWN_RESIDENCE_PERMITS[p] ?? p), notes: c.residenceLaw.notes }
      : undefined,
    residenceTrack: residenceTrackFacts(c.residenceLaw?.track),
  };
}

/** Closure request, its return and the closure, in German. */
function closureModel(c: CaseData, staff: StaffDirectory) {
  return {
    closureRequest: c.closureRequest
      ? {
          reason: CLOSURE_REASON_LABELS[c.closureRequest.reason],
          attainment: GOAL_ATTAINMENT_LABELS[c.closureRequest.goalAttainment],
          at: formatDate(c.closureRequest.requestedAt),
          by: staff.name(c.closureRequest.requestedBy),
          note: c.closureRequest.note ?? '',
        }
      : undefined,
    closureReturn: c.closureReturn
      ? { reason: c.closureReturn.reason, at: formatDate(c.closureReturn.at), by: staff.name(c.closureReturn.by) }
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
export function sharedCaseModel(v: PartnerCaseView, orgName: (id: string) => string) {
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
    // Shared only under a consent covering it (issue 16): absent otherwise, "noch nicht erfasst" when covered but empty.
    hasResidenceTrack: v.residenceTrack !== undefined,
    residenceTrack: v.residenceTrack ? residenceTrackFacts({ ...v.residenceTrack, setBy: '' }) : null,
  };
}


