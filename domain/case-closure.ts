// The closure approval loop (shared/domain.md "Closure decision", process rules 6): a case manager requests closure;
// coordination approves or returns it with a reason; the case manager can withdraw it. While a request waits, the
// case's work deadlines pause and a decision deadline for coordination runs (reminder, then escalation); coordination
// is mailed the request, the requester the return. Approving a request although the case changed since needs a
// confirmation. Runs on rules 5 (recorded before) know nothing of it: request and approval as then.
import { CLOSURE_REASON_LABELS, type CaseData, type ClosureRequest } from './case-model.js';
import { formatDateDe, toMs } from './dates.js';
import { armDeadline, cancelDeadlines, closureDecisionDays, dueIn, isPending, rearmDeadlines, suspendDeadlines } from './deadlines.js';
import { armPeriodicReview, fail, keepsEnteredDate, ofKind, type HandlerContext, type Handlers } from './case-decide-context.js';

/** Deadlines that keep running while a request waits: coordination's decision, the retention period and a residence
 *  title's expiry (rules 9; no run before has one). */
const keepsRunning = (d: { kind: string }) => d.kind === 'closure_decision' || d.kind === 'retention' || d.kind === 'residence_expiry';

/** Rules 6: a request was filed — work deadlines pause, coordination's decision deadline runs, coordination is mailed. */
export function awaitClosureDecision(h: HandlerContext, replaced: boolean): void {
  if (h.rules < 6) return;
  const { c } = h;
  suspendDeadlines(c.deadlines, h.ops, 'Abschlussantrag liegt vor', keepsRunning);
  if (replaced) cancelDeadlines(c.deadlines, ofKind('closure_decision'), 'Antrag ersetzt', h.ops);
  const d = h.settings.deadlines;
  armDeadline(c.deadlines, { kind: 'closure_decision', ...dueIn(h.now, closureDecisionDays(d), d.escalationGraceDays) }, { ...h.ops, paused: false });
  const decision = c.deadlines[c.deadlines.length - 1]!;
  h.notify({ kind: 'closure_requested', deadlineKind: 'closure_decision', to: 'coordination', caseId: c.id, dueAt: decision.dueAt, organisationId: c.organisationId });
}

/** The request is off the table (returned or withdrawn): the decision deadline ends, the work deadlines run again. */
function endClosureRequest(h: HandlerContext, why: string): ClosureRequest {
  const { c } = h;
  const request = c.closureRequest!;
  delete c.closureRequest;
  cancelDeadlines(c.deadlines, ofKind('closure_decision'), why, { ...h.ops, paused: false });
  if (!c.onHold) {
    rearmDeadlines(c.deadlines, { ...h.ops, paused: false }, keepsEnteredDate(h));
    // A request filed by a review (outcome close) left no review deadline: the 90-day cycle starts again.
    if (c.goals.length > 0 && !c.deadlines.some((d) => d.kind === 'periodic_review' && isPending(d))) {
      armPeriodicReview(c, h.now, h.settings, { ...h.ops, paused: false });
    }
  }
  return request;
}

/** The process rules from which a contact counts by when it was recorded (case-decide-context.ts CASE_RULES 11). */
export const CONTACTS_BY_RECORDING = 11;

/**
 * What changed since the request (German, for the confirmation); empty when nothing did. Rules 11: a contact by when it
 * was recorded (a case continued from older rules has that only from its next contact on; until then its date).
 */
export function changesSinceRequest(c: CaseData, rules: number = CONTACTS_BY_RECORDING): string[] {
  const request = c.closureRequest;
  if (!request) return [];
  const after = (at: string | undefined) => at !== undefined && toMs(at) > toMs(request.requestedAt);
  const changes: string[] = [];
  const referrals = c.referrals.filter((r) => after(r.sentAt)).length;
  if (referrals > 0) changes.push(`${referrals} neue Vermittlung(en)`);
  const contact = rules >= CONTACTS_BY_RECORDING ? (c.contacts.lastRecordedAt ?? c.contacts.lastContactAt) : c.contacts.lastContactAt;
  if (after(contact)) changes.push('neuer Kontakt');
  const consents = c.consents.filter((k) => after(k.recordedAt)).length;
  if (consents > 0) changes.push(`${consents} neue Einwilligung(en)`);
  const goals = c.goals.filter((g) => after(g.updatedAt) || after(g.agreedAt)).length;
  if (goals > 0) changes.push(`${goals} geänderte(s) Ziel(e)`);
  return changes;
}

/** Rules 6: approving a request the case has outgrown needs `confirmChanges`. Field errors, or null. */
export function staleApprovalError(h: HandlerContext, confirmed: boolean | undefined) {
  if (h.rules < 6 || confirmed) return null;
  const changes = changesSinceRequest(h.c, h.rules);
  if (changes.length === 0) return null;
  const since = formatDateDe(h.c.closureRequest!.requestedAt);
  return fail('confirmChanges', `Seit dem Antrag vom ${since} hat sich der Fall geändert (${changes.join(', ')}). Bitte prüfen und die Freigabe ausdrücklich bestätigen.`);
}

export const closureHandlers = {
  'return-closure'(h, p) {
    const request = endClosureRequest(h, 'Abschlussantrag zurückgegeben');
    h.c.closureReturn = { reason: p.reason, at: h.now, by: h.actor.id, request };
    h.emit('closure_returned', `Abschlussantrag zurückgegeben (${CLOSURE_REASON_LABELS[request.reason]}): ${p.reason}`, {
      reason: p.reason,
      requestedBy: request.requestedBy,
      requestedAt: request.requestedAt,
    });
    h.notify({
      kind: 'closure_returned',
      deadlineKind: 'closure_decision',
      to: 'assignee',
      caseId: h.c.id,
      dueAt: h.now,
      assigneeId: request.requestedBy,
      organisationId: h.c.organisationId,
    });
  },

  'withdraw-closure'(h, p) {
    const request = endClosureRequest(h, 'Abschlussantrag zurückgezogen');
    h.emit('closure_withdrawn', `Abschlussantrag zurückgezogen (${CLOSURE_REASON_LABELS[request.reason]})`, {
      requestedBy: request.requestedBy,
      requestedAt: request.requestedAt,
      ...(p.note ? { note: p.note } : {}),
    });
  },
} satisfies Partial<Handlers>;
