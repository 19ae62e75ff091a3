// What the handlers of the case decision function (domain/case-decide.ts) work with: the handler context and the
// steps several handlers share (closing, stopping a referral, arming the recurring deadlines, field errors).
import type { ActionPayload } from './case-actions.js';
import { CLOSURE_REASON_LABELS, type Actor, type CaseAction, type CaseData, type CaseState, type ClosureReason, type GoalAttainment, type Referral } from './case-model.js';
import { addDays, addYears, berlinDate, datePart, endOfDayBerlin, endOfDayUtc, toMs } from './dates.js';
import { armDeadline, cancelDeadlines, dueIn, type CaseSettings, type DeadlineKind, type DeadlineOpsContext } from './deadlines.js';
import type { EmitFn } from './events.js';
import type { DeadlineNotification } from './case-decide-timers.js';
import type { FieldErrors } from './payload-check.js';
import { awaitClosureDecision } from './case-closure.js';
import { agreeCriteria, criteriaSummary, ratingErrors, ratingSummary, type CriterionRatings, type NeedRatings } from './progress.js';

/**
 * Which version of the process rules a decision follows. 6: closure stops only referrals still waiting (accepted ones
 * keep their outcome). 7: a calendar date is due at the end of that day in Europe/Berlin (not 23:59:59.999 UTC, the
 * next day in Germany), "today" is the day in Germany, and a date a person entered (goal, referral follow-up) stays
 * that date across a pause. 8: measured progress (success criteria, ratings at review and closure, domain/progress.ts)
 * and the contact kind `joint_first_appointment` — see HandlerContext.progress. 9: the residence-law track
 * (`set-residence-track`, domain/residence-track.ts) with its expiry deadline — see HandlerContext.residenceTrack. A workflow run started before a
 * version decides by the one before until it continues as new, so its history replays as recorded.
 */
export const CASE_RULES = 11;
/** 10 (issue 14): a referral keeps the catalogue codes of its service and partner (HandlerContext.catalogue).
 *  11: a contact counts as a change since a closure request when it was recorded after the request, whatever day it
 *  is dated (before: when its date, read as midnight UTC, lay after the request's instant — a contact of today
 *  recorded after a morning request went unnoticed, one recorded before a request made after midnight in Germany
 *  was taken for new). */
export type CaseRulesVersion = 5 | 6 | 7 | 8 | 9 | 10 | 11;

export interface HandlerContext {
  rules: CaseRulesVersion;
  /** Measured progress (criteria, ratings, joint first appointment): rules 8, or a request the workflow let through
   *  on an older run (usesProgress) — independent of the rest of the rules. */
  progress: boolean;
  /** Referral catalogue codes kept on a referral: rules 10, or a refer with codes the workflow let through on an
   *  older run (domain/referral-catalogue.ts usesCatalogue). Without it a referral is written as before. */
  catalogue: boolean;
  /** The residence-law track: rules 9, or a request the workflow let through on an older run (usesResidenceTrack). */
  residenceTrack: boolean;
  c: CaseData;
  now: string;
  actor: Actor;
  settings: CaseSettings;
  newId: (prefix: string) => string;
  emit: EmitFn;
  /** Mail through the outbox (rules 6: closure requested/returned). */
  notify: (n: DeadlineNotification) => void;
  ops: DeadlineOpsContext;
  knownOrganisationIds?: readonly string[];
}

export type HandlerOutcome = void | FieldErrors;
export type Handlers = { [A in CaseAction]: (h: HandlerContext, p: ActionPayload<A>) => HandlerOutcome };

export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** No contact for 56 days → reminder, 84 days → escalation, counted from the last contact (or opening). */
export function armNoContact(c: CaseData, since: string, settings: CaseSettings, ops: DeadlineOpsContext): void {
  const d = settings.deadlines;
  armDeadline(
    c.deadlines,
    { kind: 'no_contact', dueAt: addDays(since, d.noContactReminderDays), escalateAt: addDays(since, d.noContactEscalationDays) },
    ops,
  );
}

export function armPeriodicReview(c: CaseData, from: string, settings: CaseSettings, ops: DeadlineOpsContext): void {
  const d = settings.deadlines;
  armDeadline(c.deadlines, { kind: 'periodic_review', ...dueIn(from, d.reviewIntervalDays, d.escalationGraceDays) }, ops);
}

export const ofKind = (kind: DeadlineKind, refId?: string) => (d: { kind: DeadlineKind; refId?: string }) =>
  d.kind === kind && (refId === undefined || d.refId === refId);

export function setState(h: HandlerContext, to: CaseState): void {
  h.c.state = to;
}

export function stateChange(from: CaseState, to: CaseState): Record<string, unknown> {
  return from === to ? {} : { fromState: from, toState: to };
}

export function unknownOrganisation(h: HandlerContext, organisationId: string): boolean {
  return h.knownOrganisationIds !== undefined && !h.knownOrganisationIds.includes(organisationId);
}

export function closeCase(
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
  delete c.closureReturn;
  c.state = 'closed';
  c.onHold = false;
  delete c.hold;
  h.emit('case_closed', `Fall abgeschlossen: ${CLOSURE_REASON_LABELS[closure.reason]}`, {
    ...stateChange(from, 'closed'),
    ...c.closure,
  });
  // Only referrals still waiting for an answer stop; an accepted one keeps its outcome (it can still be recorded
  // after closure, within the reopen window).
  for (const r of c.referrals) {
    if (r.status === 'sent' || (r.status === 'accepted' && h.rules < 6)) stopReferral(h, r, 'Fall abgeschlossen');
  }
  // Closure cancels every running deadline; only the retention period runs on (domain.md: 3 years, then erase).
  cancelDeadlines(c.deadlines, () => true, 'Fall abgeschlossen', { ...h.ops, paused: false });
  armDeadline(c.deadlines, { kind: 'retention', dueAt: addYears(now, h.settings.deadlines.retentionYears) }, { ...h.ops, paused: false });
}

export function stopReferral(h: HandlerContext, r: Referral, reason: string): void {
  r.status = 'stopped';
  r.outcomeAt = h.now;
  r.reason = reason;
  h.emit('referral_stopped', `Vermittlung gestoppt (${reason}): ${r.service}`, { referralId: r.id, service: r.service, reason });
  cancelDeadlines(h.c.deadlines, ofKind('referral_follow_up', r.id), reason, h.ops);
}

export function fileClosureRequest(
  h: HandlerContext,
  p: { reason: ClosureReason; goalAttainment: GoalAttainment; note?: string | undefined },
): void {
  const replaced = h.c.closureRequest !== undefined;
  delete h.c.closureReturn;
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
  awaitClosureDecision(h, replaced);
}

export function fail(field: string, message: string): FieldErrors {
  return { [field]: message };
}

/** Today as a calendar date: in Germany (rules 7), the UTC date before. */
export function todayOf(h: Pick<HandlerContext, 'rules' | 'now'>): string {
  return h.rules >= 7 ? berlinDate(toMs(h.now)) : datePart(h.now);
}

export function dueDateInPast(h: HandlerContext, date: string): boolean {
  return date < todayOf(h);
}

/** The instant a calendar due date is due: the end of that day in Germany (rules 7), 23:59:59.999 UTC before. */
export function dueAtOfDate(h: Pick<HandlerContext, 'rules'>, date: string): string {
  return h.rules >= 7 ? endOfDayBerlin(date) : endOfDayUtc(date);
}

/**
 * Deadlines whose date a person entered keep it when a pause ends (rules 7): the goal or referral still names that
 * date, so the reminder must come on it — an already passed one then fires at once as overdue.
 */
export function keepsEnteredDate(h: HandlerContext): ((d: { kind: DeadlineKind; refId?: string }) => boolean) | undefined {
  if (h.rules < 7) return undefined;
  return (d) => d.kind === 'goal_due' || (d.kind === 'referral_follow_up' && h.c.referrals.some((r) => r.id === d.refId && r.dueDateEntered === true));
}

// ---------------------------------------------------------------------------------------------------------------
// Measured progress (rules 8, domain/progress.ts): the criteria live in the case (at most ten), the ratings only in
// their `progress_rated` events — the workflow state does not grow with each review.

/** The success criteria of an assessment (replacing earlier ones), with their event. */
export function agreeSuccessCriteria(h: HandlerContext, p: { successCriteria?: string[] | undefined; successCriteriaText?: string[] | undefined }): void {
  if (!h.progress || (!p.successCriteria?.length && !p.successCriteriaText?.length)) return;
  const criteria = agreeCriteria(p.successCriteria ?? [], p.successCriteriaText ?? []);
  h.c.successCriteria = criteria;
  h.emit('success_criteria_agreed', criteriaSummary(criteria), { criteria });
}

/**
 * Whether a request uses measured progress (criteria, ratings, the joint first appointment). A run on older rules
 * decides such a request with `progress` (the workflow records a patch marker for it), so a running case can measure
 * progress without waiting for its next run; the rest of its rules stay as they were.
 */
export function usesProgress(action: string, payload: unknown): boolean {
  if (!payload || typeof payload !== 'object') return false;
  const p = payload as Record<string, unknown>;
  if (action === 'complete-assessment') return p.successCriteria !== undefined || p.successCriteriaText !== undefined;
  if (action === 'complete-review' || action === 'request-closure' || action === 'close') return p.needs !== undefined || p.criteria !== undefined;
  return action === 'record-contact' && p.kind === 'joint_first_appointment';
}

type Rating = { needs?: NeedRatings | undefined; criteria?: CriterionRatings | undefined };

/** Field errors of a rating (criteria the case has not agreed), or null. */
export function progressRatingErrors(h: HandlerContext, p: Rating): FieldErrors | null {
  if (!h.progress) return null;
  const fields = ratingErrors(h.c.successCriteria, p.criteria);
  return Object.keys(fields).length > 0 ? fields : null;
}

/** A rating given with a review or the closure, as its own event (nothing when nothing was rated). */
export function recordProgressRating(h: HandlerContext, p: Rating, occasion: 'review' | 'closure', extra: Record<string, unknown> = {}): void {
  if (!h.progress) return;
  const needs = definedOnly(p.needs);
  const criteria = definedOnly(p.criteria);
  if (Object.keys(needs).length === 0 && Object.keys(criteria).length === 0) return;
  const label = occasion === 'closure' ? 'Abschlussbewertung' : 'Bewertung bei der Überprüfung';
  h.emit('progress_rated', `${label}: ${ratingSummary(needs, criteria)}`, { occasion, needs, criteria, ...extra });
}

const definedOnly = <T extends Record<string, unknown>>(v: T | undefined): T =>
  Object.fromEntries(Object.entries(v ?? {}).filter(([, x]) => x !== undefined)) as T;
