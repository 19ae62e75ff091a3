// Pure decision function of the case workflow: (state, command, context) → next state + events, or a typed refusal.
// Deterministic: time (`ctx.now`) and ids (`ctx.newId`) come from the caller (Temporal: workflow time + uuid4()).
import { parseActionPayload, type ActionPayload } from './case-actions.js';
import {
  ACTION_LABELS,
  allowedActions,
  canCloseDirectly,
  guardError,
  permissionError,
  stateAllows,
  stateLabel,
} from './case-lifecycle.js';
import {
  CASE_STATE_LABELS,
  CLOSURE_REASON_LABELS,
  CONTACT_KINDS,
  CONTACT_KIND_LABELS,
  isCaseAction,
  type Actor,
  type CaseAction,
  type CaseData,
  type CaseSource,
  type CaseState,
  type ClosureReason,
  type GoalAttainment,
  type Referral,
} from './case-model.js';
import { addDays, addMs, addYears, datePart, endOfDayUtc, formatDateDe, isIsoDate, toMs } from './dates.js';
import {
  DEADLINE_LABELS,
  applyFire,
  armDeadline,
  cancelDeadlines,
  defaultCaseSettings,
  dueIn,
  earliestActive,
  isPending,
  meetDeadlines,
  moveDeadline,
  pendingTimers,
  rearmDeadlines,
  suspendDeadlines,
  type CaseSettings,
  type DeadlineKind,
  type DeadlineOpsContext,
  type DeadlineStatus,
  type FirePhase,
  type PendingTimer,
} from './deadlines.js';
import { eventCollector, type DomainEvent, type EmitFn } from './events.js';
import { organisationShortName } from './organisations.js';
import type { FieldErrors } from './validation.js';

export type DecideError =
  | { code: 'transition_not_allowed'; message: string; allowed: CaseAction[] }
  | { code: 'validation_failed'; message: string; fields: FieldErrors }
  | { code: 'forbidden'; message: string };

export type DecideResult<T = CaseData> = { ok: true; next: T; events: DomainEvent[] } | { ok: false; error: DecideError };

export interface CaseCommand {
  action: CaseAction;
  /** Raw request body; validated here with `actionPayloadSchemas[action]`. */
  payload?: unknown;
}

export interface DecideContext {
  now: string;
  actor: Actor;
  /** Deterministic id source (Temporal: `uuid4()` from @temporalio/workflow). Prefixes: consent, goal, ref, contact, review, dl. */
  newId: (prefix: string) => string;
  settings?: CaseSettings;
  /** Organisations a case may be confirmed/transferred to; unchecked when absent. */
  knownOrganisationIds?: readonly string[];
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function validationFailed(fields: FieldErrors): { ok: false; error: DecideError } {
  return { ok: false, error: { code: 'validation_failed', message: 'Die Eingaben sind unvollständig oder ungültig.', fields } };
}

// ---------------------------------------------------------------------------------------------------------------
// createCase

export interface CreateCaseInput {
  caseId: string;
  openedAt: string;
  /** Who opened it (actor id) — for the history. */
  openedBy: string;
  /** Owning organisation at creation (normally the proposed provider). */
  organisationId: string;
  proposedProvider: { organisationId: string; reason: string };
  municipality: string;
  source?: CaseSource;
  assigneeId?: string;
  /** Case created by an accepted ABH handover: provider already agreed, handover consent carried over. */
  fromHandover?: { handoverId: string; consentRecordedAt: string; counsellorId: string };
  /** Id source for the initial deadlines; defaults to ids derived from caseId (creation happens once per case). */
  newId?: (prefix: string) => string;
}

export function createCase(
  input: CreateCaseInput,
  settings: CaseSettings = defaultCaseSettings,
): { next: CaseData; events: DomainEvent[] } {
  let seq = 0;
  const newId = input.newId ?? ((prefix: string) => `${input.caseId}-${prefix}-${++seq}`);
  const { events, emit } = eventCollector(input.openedAt, input.openedBy);
  const c: CaseData = {
    schemaVersion: 1,
    id: input.caseId,
    state: 'intake',
    onHold: false,
    organisationId: input.organisationId,
    municipality: input.municipality,
    proposedProvider: { ...input.proposedProvider },
    providerConfirmed: false,
    consents: [],
    goals: [],
    referrals: [],
    contacts: { count: 0, byKind: Object.fromEntries(CONTACT_KINDS.map((k) => [k, 0])) as CaseData['contacts']['byKind'], items: [] },
    reviews: [],
    reopenings: [],
    openedAt: input.openedAt,
    deadlines: [],
    ...(input.source ? { source: input.source } : {}),
    ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
  };
  emit('case_opened', `Fall eröffnet (${input.municipality}), Trägervorschlag: ${organisationShortName(input.proposedProvider.organisationId)}`, {
    caseId: c.id,
    organisationId: c.organisationId,
    municipality: c.municipality,
    source: c.source,
    proposedProvider: c.proposedProvider,
    assigneeId: c.assigneeId,
  });
  if (input.fromHandover) {
    const h = input.fromHandover;
    c.handoverId = h.handoverId;
    c.providerConfirmed = true;
    c.providerConfirmation = { organisationId: c.organisationId, at: input.openedAt, by: input.openedBy };
    c.consents.push({
      id: newId('consent'),
      scope: 'handover',
      decision: 'given',
      partnerOrganisationId: c.organisationId,
      purpose: 'Übergabe aus der Ausländerbehörde in das KIM Case Management',
      recordedBy: h.counsellorId,
      recordedAt: h.consentRecordedAt,
    });
  }
  const d = settings.deadlines;
  const ops: DeadlineOpsContext = { now: input.openedAt, newId, emit };
  armDeadline(c.deadlines, { kind: 'first_assessment', ...dueIn(input.openedAt, d.firstAssessmentDays, d.escalationGraceDays) }, ops);
  armNoContact(c, input.openedAt, settings, ops);
  return { next: c, events };
}

/** No contact for 56 days → reminder, 84 days → escalation, counted from the last contact (or opening). */
function armNoContact(c: CaseData, since: string, settings: CaseSettings, ops: DeadlineOpsContext): void {
  const d = settings.deadlines;
  armDeadline(
    c.deadlines,
    { kind: 'no_contact', dueAt: addDays(since, d.noContactReminderDays), escalateAt: addDays(since, d.noContactEscalationDays) },
    ops,
  );
}

function armPeriodicReview(c: CaseData, from: string, settings: CaseSettings, ops: DeadlineOpsContext): void {
  const d = settings.deadlines;
  armDeadline(c.deadlines, { kind: 'periodic_review', ...dueIn(from, d.reviewIntervalDays, d.escalationGraceDays) }, ops);
}

const ofKind = (kind: DeadlineKind, refId?: string) => (d: { kind: DeadlineKind; refId?: string }) =>
  d.kind === kind && (refId === undefined || d.refId === refId);

// ---------------------------------------------------------------------------------------------------------------
// decide

interface HandlerContext {
  c: CaseData;
  now: string;
  actor: Actor;
  settings: CaseSettings;
  newId: (prefix: string) => string;
  emit: EmitFn;
  ops: DeadlineOpsContext;
  knownOrganisationIds?: readonly string[];
}

type HandlerOutcome = void | FieldErrors;
type Handlers = { [A in CaseAction]: (h: HandlerContext, p: ActionPayload<A>) => HandlerOutcome };

export function decide(caseData: CaseData, command: CaseCommand, ctx: DecideContext): DecideResult {
  const settings = ctx.settings ?? defaultCaseSettings;
  const { action } = command;
  if (!isCaseAction(action)) return validationFailed({ action: 'Unbekannte Aktion' });

  const forbidden = permissionError(caseData, action, ctx.actor, settings);
  if (forbidden) return { ok: false, error: { code: 'forbidden', message: forbidden } };

  const allowed = () => allowedActions(caseData, ctx.actor, { now: ctx.now, settings });
  if (!stateAllows(caseData, action)) {
    return {
      ok: false,
      error: {
        code: 'transition_not_allowed',
        message: `„${ACTION_LABELS[action]}“ ist im Status „${stateLabel(caseData)}“ nicht möglich.`,
        allowed: allowed(),
      },
    };
  }
  const guard = guardError(caseData, action, { now: ctx.now, settings });
  if (guard) return { ok: false, error: { code: 'transition_not_allowed', message: guard, allowed: allowed() } };

  const parsed = parseActionPayload(action, command.payload);
  if (!parsed.ok) return validationFailed(parsed.fields);

  const c = clone(caseData);
  const { events, emit } = eventCollector(ctx.now, ctx.actor.id);
  const h: HandlerContext = {
    c,
    now: ctx.now,
    actor: ctx.actor,
    settings,
    newId: ctx.newId,
    emit,
    ops: { now: ctx.now, newId: ctx.newId, emit, paused: c.onHold },
    ...(ctx.knownOrganisationIds ? { knownOrganisationIds: ctx.knownOrganisationIds } : {}),
  };
  const handler = handlers[action] as (h: HandlerContext, p: unknown) => HandlerOutcome;
  const fieldErrors = handler(h, parsed.payload);
  if (fieldErrors) return validationFailed(fieldErrors);
  return { ok: true, next: c, events };
}

function setState(h: HandlerContext, to: CaseState): void {
  h.c.state = to;
}

function stateChange(from: CaseState, to: CaseState): Record<string, unknown> {
  return from === to ? {} : { fromState: from, toState: to };
}

function unknownOrganisation(h: HandlerContext, organisationId: string): boolean {
  return h.knownOrganisationIds !== undefined && !h.knownOrganisationIds.includes(organisationId);
}

function closeCase(
  h: HandlerContext,
  closure: { reason: ClosureReason; goalAttainment: GoalAttainment; note?: string | undefined },
  extra: { approvedBy?: string; requestedBy?: string },
): void {
  const { c, now } = h;
  const from = c.state as Exclude<CaseState, 'closed'>;
  c.closure = {
    reason: closure.reason,
    goalAttainment: closure.goalAttainment,
    ...(closure.note ? { note: closure.note } : {}),
    closedAt: now,
    closedBy: h.actor.id,
    ...extra,
    fromState: from,
  };
  delete c.closureRequest;
  c.state = 'closed';
  c.onHold = false;
  delete c.hold;
  h.emit('case_closed', `Fall abgeschlossen: ${CLOSURE_REASON_LABELS[closure.reason]}`, {
    ...stateChange(from, 'closed'),
    ...c.closure,
  });
  for (const r of c.referrals) {
    if (r.status === 'sent' || r.status === 'accepted') stopReferral(h, r, 'Fall abgeschlossen');
  }
  // Closure cancels every running deadline; only the retention period runs on (domain.md: 3 years, then erase).
  cancelDeadlines(c.deadlines, () => true, 'Fall abgeschlossen', { ...h.ops, paused: false });
  armDeadline(c.deadlines, { kind: 'retention', dueAt: addYears(now, h.settings.deadlines.retentionYears) }, { ...h.ops, paused: false });
}

function stopReferral(h: HandlerContext, r: Referral, reason: string): void {
  r.status = 'stopped';
  r.outcomeAt = h.now;
  r.reason = reason;
  h.emit('referral_stopped', `Vermittlung gestoppt (${reason}): ${r.service}`, { referralId: r.id, service: r.service, reason });
  cancelDeadlines(h.c.deadlines, ofKind('referral_follow_up', r.id), reason, h.ops);
}

function fail(field: string, message: string): FieldErrors {
  return { [field]: message };
}

function dueDateInPast(h: HandlerContext, date: string): boolean {
  return date < datePart(h.now);
}

const handlers: Handlers = {
  'confirm-provider'(h, p) {
    const { c } = h;
    if (unknownOrganisation(h, p.organisationId)) return fail('organisationId', 'Unbekannte Organisation');
    const override = p.organisationId !== c.proposedProvider.organisationId;
    // domain.md: the proposal is confirmed or overridden *with a reason*.
    if (override && !p.overrideReason) return fail('overrideReason', 'Pflichtfeld, wenn vom Trägervorschlag abgewichen wird');
    const previous = c.organisationId;
    c.organisationId = p.organisationId;
    if (previous !== p.organisationId) delete c.assigneeId; // the assignee belonged to the other organisation
    c.providerConfirmed = true;
    c.providerConfirmation = {
      organisationId: p.organisationId,
      at: h.now,
      by: h.actor.id,
      ...(override && p.overrideReason ? { overrideReason: p.overrideReason } : {}),
    };
    const name = organisationShortName(p.organisationId);
    if (override) {
      h.emit('provider_overridden', `Träger abweichend vom Vorschlag festgelegt: ${name} (${p.overrideReason})`, {
        organisationId: p.organisationId,
        proposedOrganisationId: c.proposedProvider.organisationId,
        previousOrganisationId: previous,
        overrideReason: p.overrideReason,
      });
    } else {
      h.emit('provider_confirmed', `Trägervorschlag bestätigt: ${name}`, { organisationId: p.organisationId, previousOrganisationId: previous });
    }
  },

  assign(h, p) {
    const previous = h.c.assigneeId;
    h.c.assigneeId = p.assigneeId;
    h.emit('case_assigned', 'Fall zugewiesen', { assigneeId: p.assigneeId, previousAssigneeId: previous });
  },

  'record-consent'(h, p) {
    const consent = {
      id: h.newId('consent'),
      scope: p.scope,
      decision: p.decision,
      ...(p.partnerOrganisationId ? { partnerOrganisationId: p.partnerOrganisationId } : {}),
      ...(p.partnerName ? { partnerName: p.partnerName } : {}),
      ...(p.purpose ? { purpose: p.purpose } : {}),
      // Only when given: consents without it (all recorded before) mean the default set, read by consentCategories().
      ...(p.dataCategories ? { dataCategories: [...p.dataCategories] } : {}),
      recordedBy: h.actor.id,
      recordedAt: h.now,
    };
    h.c.consents.push(consent);
    const scopeLabel = { data_processing: 'Datenverarbeitung', share_with_partner: 'Weitergabe an Partner', handover: 'Übergabe' }[p.scope];
    const partner = p.partnerName ?? (p.partnerOrganisationId ? organisationShortName(p.partnerOrganisationId) : undefined);
    h.emit(
      'consent_recorded',
      `Einwilligung ${p.decision === 'given' ? 'erteilt' : 'verweigert'}: ${scopeLabel}${partner ? ` (${partner})` : ''}`,
      { ...consent },
    );
  },

  'withdraw-consent'(h, p) {
    const consent = h.c.consents.find((k) => k.id === p.consentId);
    if (!consent) return fail('consentId', 'Unbekannte Einwilligung');
    if (consent.decision !== 'given' || consent.withdrawnAt) return fail('consentId', 'Diese Einwilligung ist nicht (mehr) wirksam');
    consent.withdrawnAt = h.now;
    consent.withdrawnBy = h.actor.id;
    h.emit('consent_withdrawn', 'Einwilligung widerrufen', { consentId: consent.id, scope: consent.scope });
    // domain.md: withdrawal stops any sharing it covered → pending referrals that relied on it are stopped.
    for (const r of h.c.referrals) {
      if (r.consentId === consent.id && (r.status === 'sent' || r.status === 'accepted')) {
        stopReferral(h, r, 'Einwilligung widerrufen');
      }
    }
  },

  'start-assessment'(h) {
    const { c, settings } = h;
    c.assessment = { startedAt: h.now, startedBy: h.actor.id, lifeAreas: [] };
    setState(h, 'assessment');
    h.emit('assessment_started', 'Assessment begonnen', stateChange('intake', 'assessment'));
    meetDeadlines(c.deadlines, ofKind('first_assessment'), h.ops);
    const d = settings.deadlines;
    armDeadline(c.deadlines, { kind: 'assessment_completion', ...dueIn(h.now, d.assessmentCompletionDays, d.escalationGraceDays) }, h.ops);
  },

  'complete-assessment'(h, p) {
    const { c, settings } = h;
    const started = c.assessment ?? { startedAt: h.now, startedBy: h.actor.id, lifeAreas: [] };
    c.assessment = { ...started, completedAt: h.now, completedBy: h.actor.id, lifeAreas: p.lifeAreas };
    setState(h, 'goal_planning');
    const high = p.lifeAreas.filter((a) => a.need === 'high').length;
    h.emit('assessment_completed', `Assessment abgeschlossen (${p.lifeAreas.length} Lebensbereiche, ${high} mit hohem Bedarf)`, {
      ...stateChange('assessment', 'goal_planning'),
      lifeAreas: p.lifeAreas,
    });
    meetDeadlines(c.deadlines, ofKind('assessment_completion'), h.ops);
    const d = settings.deadlines;
    armDeadline(c.deadlines, { kind: 'goal_agreement', ...dueIn(h.now, d.goalAgreementDays, d.escalationGraceDays) }, h.ops);
  },

  'agree-goals'(h, p) {
    const { c } = h;
    const fields: Record<string, string> = {};
    p.goals.forEach((g, i) => {
      if (dueDateInPast(h, g.dueDate)) fields[`goals.${i}.dueDate`] = 'Zieltermin liegt in der Vergangenheit';
    });
    if (Object.keys(fields).length) return fields;
    const goals = p.goals.map((g) => ({ id: h.newId('goal'), ...g, status: 'open' as const, agreedAt: h.now }));
    c.goals.push(...goals);
    h.emit('goals_agreed', `${goals.length} Ziel(e) vereinbart`, { goals });
    meetDeadlines(c.deadlines, ofKind('goal_agreement'), h.ops);
    for (const g of goals) armDeadline(c.deadlines, { kind: 'goal_due', dueAt: endOfDayUtc(g.dueDate), refId: g.id }, h.ops);
    // The 90-day review cycle starts with the first goal agreement and runs while the case is open.
    if (!c.deadlines.some((d) => d.kind === 'periodic_review' && isPending(d))) armPeriodicReview(c, h.now, h.settings, h.ops);
  },

  'update-goal'(h, p) {
    const goal = h.c.goals.find((g) => g.id === p.goalId);
    if (!goal) return fail('goalId', 'Unbekanntes Ziel');
    if (p.dueDate && p.dueDate !== goal.dueDate && p.status === 'open' && dueDateInPast(h, p.dueDate)) {
      return fail('dueDate', 'Zieltermin liegt in der Vergangenheit');
    }
    const before = { status: goal.status, dueDate: goal.dueDate };
    goal.status = p.status;
    if (p.dueDate) goal.dueDate = p.dueDate;
    goal.updatedAt = h.now;
    h.emit('goal_updated', `Ziel aktualisiert: ${goal.title} (${goal.status}${before.dueDate !== goal.dueDate ? `, neuer Termin ${formatDateDe(goal.dueDate)}` : ''})`, {
      goalId: goal.id,
      status: goal.status,
      dueDate: goal.dueDate,
      previous: before,
    });
    const pending = h.c.deadlines.find((d) => d.kind === 'goal_due' && d.refId === goal.id && isPending(d));
    if (goal.status === 'dropped') {
      cancelDeadlines(h.c.deadlines, ofKind('goal_due', goal.id), 'Ziel verworfen', h.ops);
    } else if (goal.status !== 'open') {
      meetDeadlines(h.c.deadlines, ofKind('goal_due', goal.id), h.ops);
    } else if (!pending) {
      armDeadline(h.c.deadlines, { kind: 'goal_due', dueAt: endOfDayUtc(goal.dueDate), refId: goal.id }, h.ops);
    } else if (before.dueDate !== goal.dueDate) {
      moveDeadline(pending, endOfDayUtc(goal.dueDate), undefined, h.ops);
    }
  },

  refer(h, p) {
    const { c } = h;
    if (p.consentId) {
      const k = c.consents.find((x) => x.id === p.consentId);
      if (!k) return fail('consentId', 'Unbekannte Einwilligung');
      if (k.scope !== 'share_with_partner') return fail('consentId', 'Keine Einwilligung zur Weitergabe an Partner');
      if (k.decision !== 'given' || k.withdrawnAt) return fail('consentId', 'Diese Einwilligung ist nicht (mehr) wirksam');
    }
    if (p.dueDate && dueDateInPast(h, p.dueDate)) return fail('dueDate', 'Termin liegt in der Vergangenheit');
    const followUpAt = p.dueDate ? endOfDayUtc(p.dueDate) : addDays(h.now, h.settings.deadlines.referralFollowUpDays);
    const referral: Referral = {
      id: h.newId('ref'),
      service: p.service,
      ...(p.partnerName ? { partnerName: p.partnerName } : {}),
      ...(p.consentId ? { consentId: p.consentId } : {}),
      sentAt: h.now,
      sentBy: h.actor.id,
      dueDate: datePart(followUpAt),
      status: 'sent',
    };
    c.referrals.push(referral);
    const from = c.state;
    setState(h, 'referral');
    h.emit('referral_sent', `Vermittlung an ${p.service}${p.partnerName ? ` (${p.partnerName})` : ''}`, {
      ...stateChange(from, 'referral'),
      referral,
    });
    // domain.md: follow-up 14 days after each referral ("did the client arrive?"), reminder only.
    armDeadline(c.deadlines, { kind: 'referral_follow_up', dueAt: followUpAt, refId: referral.id }, h.ops);
  },

  'record-referral-outcome'(h, p) {
    const r = h.c.referrals.find((x) => x.id === p.referralId);
    if (!r) return fail('referralId', 'Unbekannte Vermittlung');
    if (r.status !== 'sent' && r.status !== 'accepted') return fail('referralId', 'Diese Vermittlung ist bereits abgeschlossen');
    if (r.status === p.outcome) return fail('outcome', 'Ergebnis ist bereits erfasst');
    r.status = p.outcome;
    r.outcomeAt = h.now;
    if (p.reason) r.reason = p.reason;
    const label = { accepted: 'angenommen', declined: 'abgelehnt', completed: 'abgeschlossen', not_reached: 'nicht angekommen' }[p.outcome];
    h.emit('referral_outcome_recorded', `Vermittlung ${r.service}: ${label}`, { referralId: r.id, outcome: p.outcome, reason: p.reason });
    meetDeadlines(h.c.deadlines, ofKind('referral_follow_up', r.id), h.ops);
  },

  'start-review'(h) {
    const from = h.c.state as 'goal_planning' | 'referral';
    const review = { id: h.newId('review'), startedAt: h.now, startedBy: h.actor.id, returnTo: from };
    h.c.reviews.push(review);
    setState(h, 'review');
    h.emit('review_started', 'Überprüfung begonnen', { ...stateChange(from, 'review'), reviewId: review.id });
  },

  'complete-review'(h, p) {
    const { c } = h;
    const review = [...c.reviews].reverse().find((r) => !r.completedAt);
    const returnTo = review?.returnTo ?? 'referral';
    if (review) {
      review.completedAt = h.now;
      review.completedBy = h.actor.id;
      review.outcome = p.outcome;
      if (p.notes) review.notes = p.notes;
    }
    // Outcome → next phase. `continue` goes back to the phase the review interrupted (monitoring goes on as before);
    // `close` closes at once when the actor may close, otherwise it files a closure request and work continues.
    const closesNow = p.outcome === 'close' && canCloseDirectly(h.actor, h.settings);
    const to: CaseState =
      p.outcome === 'replan' ? 'goal_planning' : p.outcome === 'refer' ? 'referral' : closesNow ? 'review' : returnTo;
    const label = { continue: 'weiter wie bisher', replan: 'neu planen', refer: 'weiter vermitteln', close: 'abschließen' }[p.outcome];
    h.emit('review_completed', `Überprüfung abgeschlossen: ${label}`, {
      ...stateChange('review', closesNow ? 'closed' : to),
      reviewId: review?.id,
      outcome: p.outcome,
      notes: p.notes,
    });
    meetDeadlines(c.deadlines, ofKind('periodic_review'), h.ops);
    const closure = { reason: p.closureReason ?? 'other', goalAttainment: p.goalAttainment ?? 'partly' } as const;
    if (closesNow) {
      closeCase(h, closure, {});
      return;
    }
    setState(h, to);
    armPeriodicReview(c, h.now, h.settings, h.ops);
    if (p.outcome === 'replan') {
      // Re-planning is a new goal agreement: same 14-day deadline as after the assessment.
      const d = h.settings.deadlines;
      armDeadline(c.deadlines, { kind: 'goal_agreement', ...dueIn(h.now, d.goalAgreementDays, d.escalationGraceDays) }, h.ops);
    }
    if (p.outcome === 'close') fileClosureRequest(h, closure);
  },

  'record-contact'(h, p) {
    const { c } = h;
    // Tolerances: a calendar date may be "today" anywhere on earth (UTC+14), a timestamp may run 5 minutes ahead
    // of the server clock.
    const future = isIsoDate(p.date)
      ? p.date > datePart(addMs(h.now, 14 * 3_600_000))
      : toMs(p.date) > toMs(h.now) + 5 * 60_000;
    if (future) return fail('date', 'Datum liegt in der Zukunft');
    const contact = {
      id: h.newId('contact'),
      kind: p.kind,
      date: p.date,
      durationMinutes: p.durationMinutes,
      ...(p.note ? { note: p.note } : {}),
      recordedBy: h.actor.id,
      recordedAt: h.now,
    };
    c.contacts.items.push(contact);
    c.contacts.count += 1;
    c.contacts.byKind[p.kind] += 1;
    const at = isIsoDate(p.date) ? `${p.date}T00:00:00.000Z` : p.date;
    const newer = !c.contacts.lastContactAt || toMs(at) > toMs(c.contacts.lastContactAt);
    h.emit('contact_recorded', `Kontakt erfasst: ${CONTACT_KIND_LABELS[p.kind]} am ${formatDateDe(p.date)} (${p.durationMinutes} Min.)`, {
      contactId: contact.id,
      kind: p.kind,
      date: p.date,
      durationMinutes: p.durationMinutes,
    });
    // Each (newer) contact restarts the no-contact clock; a back-dated older contact does not.
    if (newer) {
      c.contacts.lastContactAt = at;
      meetDeadlines(c.deadlines, ofKind('no_contact'), h.ops);
      armNoContact(c, at, h.settings, h.ops);
    }
  },

  'put-on-hold'(h, p) {
    h.c.onHold = true;
    h.c.hold = { reason: p.reason, since: h.now, by: h.actor.id };
    h.emit('case_put_on_hold', `Fall pausiert: ${p.reason}`, { reason: p.reason });
    suspendDeadlines(h.c.deadlines, h.ops);
  },

  resume(h, p) {
    const since = h.c.hold?.since;
    h.c.onHold = false;
    delete h.c.hold;
    h.emit('case_resumed', `Fall fortgesetzt${since ? ` (pausiert seit ${formatDateDe(since)})` : ''}`, { since, note: p.note });
    rearmDeadlines(h.c.deadlines, { ...h.ops, paused: false });
  },

  transfer(h, p) {
    const { c } = h;
    if (p.organisationId === c.organisationId) return fail('organisationId', 'Der Fall liegt bereits bei dieser Organisation (für Personenwechsel „Zuweisen“ nutzen)');
    if (unknownOrganisation(h, p.organisationId)) return fail('organisationId', 'Unbekannte Organisation');
    const from = { organisationId: c.organisationId, assigneeId: c.assigneeId };
    c.organisationId = p.organisationId;
    if (p.assigneeId) c.assigneeId = p.assigneeId;
    else delete c.assigneeId;
    h.emit('case_transferred', `Fall übertragen an ${organisationShortName(p.organisationId)}: ${p.reason}`, {
      fromOrganisationId: from.organisationId,
      previousAssigneeId: from.assigneeId,
      toOrganisationId: p.organisationId,
      assigneeId: p.assigneeId,
      reason: p.reason,
    });
  },

  'request-closure'(h, p) {
    fileClosureRequest(h, p);
  },

  'approve-closure'(h, p) {
    const request = h.c.closureRequest;
    if (!request) return fail('body', 'Kein Abschlussantrag'); // unreachable: guarded
    h.emit('closure_approved', `Abschluss freigegeben: ${CLOSURE_REASON_LABELS[request.reason]}`, { request, note: p.note });
    closeCase(h, request, { approvedBy: h.actor.id, requestedBy: request.requestedBy });
  },

  close(h, p) {
    closeCase(h, p, {});
  },

  reopen(h, p) {
    const { c } = h;
    const previousClosure = c.closure;
    if (!previousClosure) return fail('body', 'Fall ist nicht abgeschlossen'); // unreachable: guarded
    // Back to work: with agreed goals the case starts with a review (what changed since closure?); otherwise it
    // returns to the phase it was closed in and that phase's deadline runs again.
    const to: Exclude<CaseState, 'closed'> = c.goals.length > 0 ? 'review' : previousClosure.fromState;
    c.reopenings.push({ at: h.now, by: h.actor.id, reason: p.reason, previousClosure, toState: to });
    delete c.closure;
    c.state = to;
    h.emit('case_reopened', `Fall wiedereröffnet (${CASE_STATE_LABELS[to]}): ${p.reason}`, { ...stateChange('closed', to), reason: p.reason });
    cancelDeadlines(c.deadlines, ofKind('retention'), 'Fall wiedereröffnet', h.ops);
    const d = h.settings.deadlines;
    if (to === 'review') {
      const returnTo = previousClosure.fromState === 'goal_planning' ? 'goal_planning' : 'referral';
      const review = { id: h.newId('review'), startedAt: h.now, startedBy: h.actor.id, returnTo, viaReopen: true } as const;
      c.reviews.push({ ...review });
      armPeriodicReview(c, h.now, h.settings, h.ops);
    } else if (to === 'intake') {
      armDeadline(c.deadlines, { kind: 'first_assessment', ...dueIn(h.now, d.firstAssessmentDays, d.escalationGraceDays) }, h.ops);
    } else if (to === 'assessment') {
      armDeadline(c.deadlines, { kind: 'assessment_completion', ...dueIn(h.now, d.assessmentCompletionDays, d.escalationGraceDays) }, h.ops);
    } else if (to === 'goal_planning') {
      armDeadline(c.deadlines, { kind: 'goal_agreement', ...dueIn(h.now, d.goalAgreementDays, d.escalationGraceDays) }, h.ops);
    }
    armNoContact(c, h.now, h.settings, h.ops);
  },
};

function fileClosureRequest(
  h: HandlerContext,
  p: { reason: ClosureReason; goalAttainment: GoalAttainment; note?: string | undefined },
): void {
  const replaced = h.c.closureRequest !== undefined;
  h.c.closureRequest = {
    reason: p.reason,
    goalAttainment: p.goalAttainment,
    ...(p.note ? { note: p.note } : {}),
    requestedAt: h.now,
    requestedBy: h.actor.id,
  };
  h.emit('closure_requested', `Abschluss beantragt${replaced ? ' (ersetzt früheren Antrag)' : ''}: ${CLOSURE_REASON_LABELS[p.reason]}`, {
    ...h.c.closureRequest,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Timers

export interface DeadlineNotification {
  kind: 'reminder' | 'escalation';
  deadlineKind: DeadlineKind;
  to: 'assignee' | 'coordination';
  caseId: string;
  dueAt: string;
  /** Set when `to` is the assignee. */
  assigneeId?: string;
  organisationId: string;
}

export interface DeadlineFiredResult {
  next: CaseData;
  events: DomainEvent[];
  notifications: DeadlineNotification[];
  /** The retention period after closure is over: the caller erases/anonymises personal data. */
  retentionElapsed: boolean;
}

/**
 * A timer fired. Harmless when stale: deadlines that are met/cancelled/suspended, already in that phase, or moved to a
 * later time are ignored (result has no events and `next` equals the input).
 * Reminders go to the assignee (to coordination when nobody is assigned); escalations go to coordination.
 */
export function onDeadlineFired(caseData: CaseData, deadlineId: string, phase: FirePhase, now: string): DeadlineFiredResult {
  const none: DeadlineFiredResult = { next: caseData, events: [], notifications: [], retentionElapsed: false };
  const c = clone(caseData);
  const d = c.deadlines.find((x) => x.id === deadlineId);
  if (!d) return none;
  const outcome = applyFire(d, phase, now);
  if (!outcome) return none;
  const { events, emit } = eventCollector(now);
  const label = `${DEADLINE_LABELS[d.kind]} (fällig ${formatDateDe(d.dueAt)})`;
  const data = { deadlineId: d.id, kind: d.kind, dueAt: d.dueAt, refId: d.refId };
  const base = { deadlineKind: d.kind, caseId: c.id, dueAt: d.dueAt, organisationId: c.organisationId };

  if (d.kind === 'retention') {
    d.status = 'met';
    d.resolvedAt = now;
    delete d.remindedAt;
    emit('retention_period_elapsed', 'Aufbewahrungsfrist abgelaufen: personenbezogene Daten werden gelöscht bzw. anonymisiert', data);
    return {
      next: c,
      events,
      notifications: [{ kind: 'reminder', to: 'coordination', ...base }],
      retentionElapsed: true,
    };
  }
  if (outcome === 'escalated') {
    emit('escalation_sent', `Eskalation an die KIM-Koordination: ${label}`, { ...data, to: 'coordination' });
    return { next: c, events, notifications: [{ kind: 'escalation', to: 'coordination', ...base }], retentionElapsed: false };
  }
  const to = c.assigneeId ? 'assignee' : 'coordination';
  emit('deadline_missed', `Frist überschritten: ${label}`, { ...data, status: outcome });
  emit('reminder_sent', `Erinnerung an ${to === 'assignee' ? 'die fallführende Person' : 'die KIM-Koordination (niemand zugewiesen)'}: ${label}`, {
    ...data,
    to,
  });
  return {
    next: c,
    events,
    notifications: [{ kind: 'reminder', to, ...base, ...(c.assigneeId ? { assigneeId: c.assigneeId } : {}) }],
    retentionElapsed: false,
  };
}

/** Earliest active deadline (open or overdue), for the search attribute / read model. */
export function nextDeadline(caseData: CaseData): { id: string; kind: DeadlineKind; dueAt: string; status: DeadlineStatus } | null {
  const d = earliestActive(caseData.deadlines);
  return d ? { id: d.id, kind: d.kind, dueAt: d.dueAt, status: d.status } : null;
}

/** Timers the case workflow should have running (reminder at dueAt, escalation at escalateAt), earliest first. */
export function caseTimers(caseData: CaseData): PendingTimer[] {
  return pendingTimers(caseData.deadlines);
}

