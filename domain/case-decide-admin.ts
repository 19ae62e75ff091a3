// Handlers of the case decision function (domain/case-decide.ts) for who holds the case and on what terms: provider
// confirmation, assignment, consents, holds, transfers, closure and reopening.
import { CASE_STATE_LABELS, CLOSURE_REASON_LABELS, type CaseState } from './case-model.js';
import { formatDateDe } from './dates.js';
import { armDeadline, cancelDeadlines, dueIn, meetDeadlines, rearmDeadlines, suspendDeadlines } from './deadlines.js';
import type { ActionPayload } from './case-actions.js';
import { hasEffectiveConsent } from './case-lifecycle.js';
import { KNOWN_RESIDENCE_PERMITS } from './handover-model.js';
import { CONSENT_DECISION_LABELS, CONSENT_SCOPE_LABELS } from './labels.js';
import { organisationShortName } from './organisations.js';
import { staleApprovalError } from './case-closure.js';
import {
  armNoContact,
  armPeriodicReview,
  closeCase,
  fail,
  fileClosureRequest,
  keepsEnteredDate,
  ofKind,
  progressRatingErrors,
  recordProgressRating,
  stateChange,
  stopReferral,
  unknownOrganisation,
  type HandlerContext,
  type Handlers,
} from './case-decide-context.js';

/**
 * An existing case taken over through a handover (domain.md: the receiving CM "continues it from assessment"): the
 * residence-law facts become part of the case, and a case still in intake continues at assessment with the
 * handover's consent carried over for data processing — as a case the handover opens does (case-decide-create.ts).
 * A case further along keeps its phase.
 */
function continueAfterHandover(h: HandlerContext, from: NonNullable<ActionPayload<'transfer'>['continueFromHandover']>): void {
  const { c } = h;
  c.handoverId ??= from.handoverId;
  const { permits, notes } = from.residenceLaw;
  // A track staff keep (rules 9) stays beside the handover's facts (one model; no run before has one).
  const track = c.residenceLaw?.track;
  c.residenceLaw = { permits: [...permits], notes, handoverId: from.handoverId, recordedAt: h.now, ...(track ? { track } : {}) };
  const labels = permits.map((p) => KNOWN_RESIDENCE_PERMITS[p] ?? p);
  h.emit('residence_law_recorded', `Aufenthaltsrechtliche Angaben aus der Übergabe: ${labels.length > 0 ? labels.join('; ') : 'keine Titel angegeben'}`, {
    handoverId: from.handoverId,
    permits,
    notes,
  });
  if (c.state !== 'intake' || c.onHold) return;
  if (!hasEffectiveConsent(c, 'data_processing')) {
    const consent = {
      id: h.newId('consent'),
      scope: 'data_processing' as const,
      decision: 'given' as const,
      partnerOrganisationId: c.organisationId,
      purpose: 'Aus der Übergabe übernommen: Datenverarbeitung im aufnehmenden KIM Case Management',
      recordedBy: h.actor.id,
      recordedAt: from.consentRecordedAt,
    };
    c.consents.push(consent);
    h.emit('consent_recorded', 'Einwilligung erteilt: Datenverarbeitung (aus der Übergabe übernommen)', { ...consent });
  }
  c.assessment = { startedAt: h.now, startedBy: h.actor.id, lifeAreas: [] };
  c.state = 'assessment';
  h.emit('assessment_started', 'Assessment begonnen (Fortsetzung nach der Fallübernahme)', { ...stateChange('intake', 'assessment'), handoverId: from.handoverId });
  meetDeadlines(c.deadlines, ofKind('first_assessment'), h.ops);
  const d = h.settings.deadlines;
  armDeadline(c.deadlines, { kind: 'assessment_completion', ...dueIn(h.now, d.assessmentCompletionDays, d.escalationGraceDays) }, h.ops);
}

export const adminHandlers = {
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
    const scopeLabel = CONSENT_SCOPE_LABELS[p.scope];
    const partner = p.partnerName ?? (p.partnerOrganisationId ? organisationShortName(p.partnerOrganisationId) : undefined);
    h.emit(
      'consent_recorded',
      `Einwilligung ${CONSENT_DECISION_LABELS[p.decision]}: ${scopeLabel}${partner ? ` (${partner})` : ''}`,
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

  'put-on-hold'(h, p) {
    h.c.onHold = true;
    h.c.hold = { reason: p.reason, since: h.now, by: h.actor.id };
    h.emit('case_put_on_hold', `Fall pausiert: ${p.reason}`, { reason: p.reason });
    // A title's expiry does not wait for the client (no run before rules 9 has such a deadline).
    suspendDeadlines(h.c.deadlines, h.ops, 'Fall pausiert', (d) => d.kind === 'closure_decision' || d.kind === 'residence_expiry');
  },

  resume(h, p) {
    const since = h.c.hold?.since;
    h.c.onHold = false;
    delete h.c.hold;
    h.emit('case_resumed', `Fall fortgesetzt${since ? ` (pausiert seit ${formatDateDe(since)})` : ''}`, { since, note: p.note });
    // Rules 6: while a closure request waits, the work deadlines stay paused (they run again when it is decided).
    if (!(h.rules >= 6 && h.c.closureRequest)) rearmDeadlines(h.c.deadlines, { ...h.ops, paused: false }, keepsEnteredDate(h));
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
    if (p.continueFromHandover) continueAfterHandover(h, p.continueFromHandover);
  },

  'request-closure'(h, p) {
    const ratingErrors = progressRatingErrors(h, p);
    if (ratingErrors) return ratingErrors;
    recordProgressRating(h, p, 'closure');
    fileClosureRequest(h, p);
  },

  'approve-closure'(h, p) {
    const request = h.c.closureRequest;
    if (!request) return fail('body', 'Kein Abschlussantrag'); // unreachable: guarded
    const stale = staleApprovalError(h, p.confirmChanges);
    if (stale) return stale;
    cancelDeadlines(h.c.deadlines, ofKind('closure_decision'), 'Abschluss freigegeben', { ...h.ops, paused: false });
    h.emit('closure_approved', `Abschluss freigegeben: ${CLOSURE_REASON_LABELS[request.reason]}`, { request, note: p.note });
    closeCase(h, request, { approvedBy: h.actor.id, requestedBy: request.requestedBy });
  },

  close(h, p) {
    const ratingErrors = progressRatingErrors(h, p);
    if (ratingErrors) return ratingErrors;
    recordProgressRating(h, p, 'closure');
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
} satisfies Partial<Handlers>;
