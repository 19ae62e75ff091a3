// Handlers of the case decision function (domain/case-decide.ts) for the work through the phases: assessment, goal
// agreement and goals, referrals, reviews and contacts.
import { CONTACTS_BY_RECORDING } from './case-closure.js';
import { canCloseDirectly } from './case-lifecycle.js';
import { CONTACT_KIND_LABELS, type Assessment, type CaseState, type Referral } from './case-model.js';
import { GOAL_STATUS_LABELS, REFERRAL_OUTCOME_LABELS, REVIEW_OUTCOME_LABELS } from './labels.js';
import { addDays, addMs, calendarDateOf, datePart, formatDateDe, isIsoDate, toMs } from './dates.js';
import { armDeadline, cancelDeadlines, dueIn, isPending, meetDeadlines, moveDeadline } from './deadlines.js';
import {
  agreeSuccessCriteria,
  armNoContact,
  armPeriodicReview,
  progressRatingErrors,
  recordProgressRating,
  closeCase,
  dueAtOfDate,
  dueDateInPast,
  fail,
  fileClosureRequest,
  ofKind,
  setState,
  stateChange,
  type Handlers,
} from './case-decide-context.js';

export const workHandlers = {
  'start-assessment'(h) {
    const { c, settings } = h;
    c.assessment = { startedAt: h.now, startedBy: h.actor.id, lifeAreas: [] };
    setState(h, 'assessment');
    h.emit('assessment_started', 'Assessment begonnen', stateChange('intake', 'assessment'));
    meetDeadlines(c.deadlines, ofKind('first_assessment'), h.ops);
    const d = settings.deadlines;
    armDeadline(c.deadlines, { kind: 'assessment_completion', ...dueIn(h.now, d.assessmentCompletionDays, d.escalationGraceDays) }, h.ops);
  },

  'save-assessment-draft'(h, p) {
    const { c } = h;
    const started = c.assessment ?? { startedAt: h.now, startedBy: h.actor.id, lifeAreas: [] };
    // Only what was written down: empty entries are dropped; the deadlines are untouched (the assessment goes on).
    const lifeAreas = p.lifeAreas.map((a) => ({ area: a.area, ...(a.situation ? { situation: a.situation } : {}), ...(a.need ? { need: a.need } : {}) }));
    c.assessment = { ...started, draft: { lifeAreas, savedAt: h.now, savedBy: h.actor.id } };
    h.emit('assessment_draft_saved', `Assessment-Entwurf gespeichert (${lifeAreas.length} Lebensbereiche)`, { lifeAreas });
  },

  'complete-assessment'(h, p) {
    const { c, settings } = h;
    const started: Assessment = { ...(c.assessment ?? { startedAt: h.now, startedBy: h.actor.id, lifeAreas: [] }) };
    delete started.draft; // the completed assessment replaces the draft
    c.assessment = { ...started, completedAt: h.now, completedBy: h.actor.id, lifeAreas: p.lifeAreas };
    setState(h, 'goal_planning');
    const high = p.lifeAreas.filter((a) => a.need === 'high').length;
    h.emit('assessment_completed', `Assessment abgeschlossen (${p.lifeAreas.length} Lebensbereiche, ${high} mit hohem Bedarf)`, {
      ...stateChange('assessment', 'goal_planning'),
      lifeAreas: p.lifeAreas,
    });
    agreeSuccessCriteria(h, p);
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
    for (const g of goals) armDeadline(c.deadlines, { kind: 'goal_due', dueAt: dueAtOfDate(h, g.dueDate), refId: g.id }, h.ops);
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
    h.emit('goal_updated', `Ziel aktualisiert: ${goal.title} (${GOAL_STATUS_LABELS[goal.status]}${before.dueDate !== goal.dueDate ? `, neuer Termin ${formatDateDe(goal.dueDate)}` : ''})`, {
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
      armDeadline(h.c.deadlines, { kind: 'goal_due', dueAt: dueAtOfDate(h, goal.dueDate), refId: goal.id }, h.ops);
    } else if (before.dueDate !== goal.dueDate) {
      moveDeadline(pending, dueAtOfDate(h, goal.dueDate), undefined, h.ops);
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
    const followUpAt = p.dueDate ? dueAtOfDate(h, p.dueDate) : addDays(h.now, h.settings.deadlines.referralFollowUpDays);
    const referral: Referral = {
      id: h.newId('ref'),
      service: p.service,
      ...(h.catalogue && p.serviceCode ? { serviceCode: p.serviceCode } : {}),
      ...(p.partnerName ? { partnerName: p.partnerName } : {}),
      ...(h.catalogue && p.partnerCode ? { partnerCode: p.partnerCode } : {}),
      ...(p.consentId ? { consentId: p.consentId } : {}),
      sentAt: h.now,
      sentBy: h.actor.id,
      dueDate: h.rules >= 7 ? (p.dueDate ?? calendarDateOf(followUpAt)) : datePart(followUpAt),
      ...(h.rules >= 7 && p.dueDate ? { dueDateEntered: true as const } : {}),
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
    const afterClosure = h.c.state === 'closed';
    if (afterClosure && r.status !== 'accepted') return fail('referralId', 'Nach dem Abschluss kann nur das Ergebnis einer angenommenen Vermittlung nachgetragen werden');
    r.status = p.outcome;
    r.outcomeAt = h.now;
    if (p.reason) r.reason = p.reason;
    const label = REFERRAL_OUTCOME_LABELS[p.outcome];
    h.emit('referral_outcome_recorded', `Vermittlung ${r.service}: ${label}${afterClosure ? ' (nach Abschluss nachgetragen)' : ''}`, {
      referralId: r.id,
      outcome: p.outcome,
      reason: p.reason,
      ...(afterClosure ? { afterClosure: true } : {}),
    });
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
    const ratingErrors = progressRatingErrors(h, p);
    if (ratingErrors) return ratingErrors;
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
    const label = REVIEW_OUTCOME_LABELS[p.outcome];
    h.emit('review_completed', `Überprüfung abgeschlossen: ${label}`, {
      ...stateChange('review', closesNow ? 'closed' : to),
      reviewId: review?.id,
      outcome: p.outcome,
      notes: p.notes,
    });
    // A review that ends the work gives the final rating.
    recordProgressRating(h, p, p.outcome === 'close' ? 'closure' : 'review', review ? { reviewId: review.id } : {});
    meetDeadlines(c.deadlines, ofKind('periodic_review'), h.ops);
    const closure = { reason: p.closureReason ?? 'other', goalAttainment: p.goalAttainment ?? 'partly' } as const;
    if (closesNow) {
      closeCase(h, closure, {});
      return;
    }
    setState(h, to);
    // Rules 6: a case the case manager considers finished gets no new review: the request pauses its deadlines and
    // coordination decides (a return or withdrawal starts the review cycle again, domain/case-closure.ts).
    const filesRequest = p.outcome === 'close' && h.rules >= 6;
    if (!filesRequest) armPeriodicReview(c, h.now, h.settings, h.ops);
    if (p.outcome === 'replan') {
      // Re-planning is a new goal agreement: same 14-day deadline as after the assessment.
      const d = h.settings.deadlines;
      armDeadline(c.deadlines, { kind: 'goal_agreement', ...dueIn(h.now, d.goalAgreementDays, d.escalationGraceDays) }, h.ops);
    }
    if (p.outcome === 'close') fileClosureRequest(h, closure);
  },

  'record-contact'(h, p) {
    const { c } = h;
    if (p.kind === 'joint_first_appointment' && !h.progress) return fail('kind', 'Diese Kontaktart gibt es in diesem Fall noch nicht');
    // Tolerances: a calendar date may be "today" anywhere on earth (UTC+14), a timestamp may run 5 minutes ahead
    // of the server clock.
    const future = isIsoDate(p.date)
      ? p.date > datePart(addMs(h.now, 14 * 3_600_000))
      : toMs(p.date) > toMs(h.now) + 5 * 60_000;
    if (future) return fail('date', 'Datum liegt in der Zukunft');
    // The contact lives on in its event (who and when are the event's actor and time); the case keeps counts.
    const contactId = h.newId('contact');
    c.contacts.count += 1;
    // A case opened before rules 8 has no count of the newer kinds yet.
    c.contacts.byKind[p.kind] = (c.contacts.byKind[p.kind] ?? 0) + 1;
    if (h.rules >= CONTACTS_BY_RECORDING) c.contacts.lastRecordedAt = h.now;
    const at = isIsoDate(p.date) ? `${p.date}T00:00:00.000Z` : p.date;
    const newer = !c.contacts.lastContactAt || toMs(at) > toMs(c.contacts.lastContactAt);
    h.emit('contact_recorded', `Kontakt erfasst: ${CONTACT_KIND_LABELS[p.kind]} am ${formatDateDe(p.date)} (${p.durationMinutes} Min.)`, {
      contactId,
      kind: p.kind,
      date: p.date,
      durationMinutes: p.durationMinutes,
      // Erased with the case (domain/erasure.ts).
      ...(p.note ? { note: p.note } : {}),
    });
    // Each (newer) contact restarts the no-contact clock; a back-dated older contact does not.
    if (newer) {
      c.contacts.lastContactAt = at;
      meetDeadlines(c.deadlines, ofKind('no_contact'), h.ops);
      armNoContact(c, at, h.settings, h.ops);
    }
  },
} satisfies Partial<Handlers>;
