// The case page's header: where the case stands (phase, pending request/hold/consent), the next step with its form,
// the steps done (collapsed), and after an action what it changed. The decisions are domain/next-step.ts's.
import type { Request } from 'express';
import { ACTION_LABELS, actionFeedback, caseStanding, isCaseAction, nextStep, offeredActions, type CaseAction, type CaseData, type Viewer } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { canApproveClosure, type AccessUser } from '../operations/access-policy.js';
import { eventsOfAction } from '../operations/case-lookup.js';

export const viewerOf = (user: AccessUser): Viewer => (canApproveClosure(user) ? 'coordination' : 'worker');

/** The header's view model and the order of the action forms (the next step's first, done steps not offered). */
export function caseHeader(c: CaseData, user: AccessUser, allowed: readonly CaseAction[], now: Date) {
  const standing = caseStanding(c, viewerOf(user), allowed, now.toISOString());
  return {
    header: {
      phase: standing.phase,
      standing: standing.standing,
      closureRequested: c.closureRequest !== undefined,
      next: standing.next ? { text: standing.next.text } : undefined,
      done: standing.done,
    },
    nextAction: standing.next?.action,
    offered: offeredActions(c, allowed, standing.next),
  };
}

/**
 * What the last action changed, from the query its redirect carried (`erledigt`, and `von`/`bis`: the case's event
 * numbers before and after it); undefined without one.
 */
export async function actionFeedbackOf(db: Database, req: Request, c: CaseData | null, caseId: string, user: AccessUser, allowed: readonly CaseAction[]) {
  const action = typeof req.query.erledigt === 'string' && isCaseAction(req.query.erledigt) ? req.query.erledigt : undefined;
  if (!action) return undefined;
  const from = Number(req.query.von);
  const to = Number(req.query.bis);
  const events = await eventsOfAction(db, caseId, from, to);
  const feedback = actionFeedback(events, `„${ACTION_LABELS[action]}“ ist erledigt.`);
  const next = c ? nextStep(c, viewerOf(user), allowed) : null;
  return { ...feedback, next: next?.text };
}

/** Where the page goes after an action: the case, with what the feedback needs (erledigt stays last). */
export function afterActionUrl(caseId: string, action: CaseAction, fromSeq: number, result: object): string {
  const to = 'seq' in result && typeof result.seq === 'number' ? result.seq : undefined;
  const range = to !== undefined && to > fromSeq ? `von=${fromSeq}&bis=${to}&` : '';
  return `/faelle/${encodeURIComponent(caseId)}?${range}erledigt=${action}`;
}
