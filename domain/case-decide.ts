// Pure decision function of the case workflow: (state, command, context) → next state + events, or a typed refusal.
// Deterministic: time (`ctx.now`) and ids (`ctx.newId`) come from the caller (Temporal: workflow time + uuid4()).
//
// This module is the public entry; the parts:
//   case-decide-create.ts   createCase — the first state of a case
//   case-decide-context.ts  the handler context and the steps handlers share (closing, stopping referrals, …)
//   case-decide-work.ts     handlers for assessment, goals, referrals, reviews, contacts
//   case-decide-admin.ts    handlers for provider, assignment, consents, hold, transfer, closure, reopening
//   case-decide-timers.ts   onDeadlineFired and the deadline queries of the workflow
import { ACTION_LABELS, allowedActions, guardError, permissionError, stateAllows, stateLabel } from './case-lifecycle.js';
import { isCaseAction, type Actor, type CaseAction, type CaseData } from './case-model.js';
import { checkActionPayload } from './case-payload-checks.js';
import { defaultCaseSettings, type CaseSettings } from './deadlines.js';
import { eventCollector, type DomainEvent } from './events.js';
import type { FieldErrors } from './payload-check.js';
import { adminHandlers } from './case-decide-admin.js';
import { CASE_RULES, clone, type CaseRulesVersion, type HandlerContext, type HandlerOutcome, type Handlers } from './case-decide-context.js';
import { workHandlers } from './case-decide-work.js';
import { closureHandlers } from './case-closure.js';
import { residenceHandlers } from './case-decide-residence.js';
import type { DeadlineNotification } from './case-decide-timers.js';

export { CASE_RULES, usesProgress, type CaseRulesVersion } from './case-decide-context.js';
export { usesResidenceTrack } from './case-decide-residence.js';
export { createCase, type CreateCaseInput } from './case-decide-create.js';
export { caseTimers, nextDeadline, onDeadlineFired, type DeadlineFiredResult, type DeadlineNotification } from './case-decide-timers.js';

export type DecideError =
  | { code: 'transition_not_allowed'; message: string; allowed: CaseAction[] }
  | { code: 'validation_failed'; message: string; fields: FieldErrors }
  | { code: 'forbidden'; message: string };

export type DecideResult<T = CaseData> =
  | { ok: true; next: T; events: DomainEvent[]; notifications?: DeadlineNotification[] }
  | { ok: false; error: DecideError };

export interface CaseCommand {
  action: CaseAction;
  /** Raw request body; checked here as `actionPayloadSchemas[action]` (case-actions.ts) parses it (case-payload-checks.ts). */
  payload?: unknown;
}

export interface DecideContext {
  now: string;
  actor: Actor;
  /** Deterministic id source (Temporal: `uuid4()` from @temporalio/workflow). Prefixes: consent, goal, ref, contact, review, dl. */
  newId: (prefix: string) => string;
  settings?: CaseSettings;
  /** Process rules to decide by (case-decide-context.ts CASE_RULES); the current ones when absent. */
  rules?: CaseRulesVersion;
  /** Measured progress (HandlerContext.progress); by the rules (8 and later) when absent. */
  progress?: boolean;
  /** Referral catalogue codes (HandlerContext.catalogue); by the rules (10 and later) when absent. */
  catalogue?: boolean;
  /** The residence-law track (HandlerContext.residenceTrack); by the rules (9 and later) when absent. */
  residenceTrack?: boolean;
  /** Organisations a case may be confirmed/transferred to; unchecked when absent. */
  knownOrganisationIds?: readonly string[];
}

function validationFailed(fields: FieldErrors): { ok: false; error: DecideError } {
  return { ok: false, error: { code: 'validation_failed', message: 'Die Eingaben sind unvollständig oder ungültig.', fields } };
}

const handlers: Handlers = { ...adminHandlers, ...workHandlers, ...closureHandlers, ...residenceHandlers };

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

  const parsed = checkActionPayload(action, command.payload);
  if (!parsed.ok) return validationFailed(parsed.fields);

  const c = clone(caseData);
  const { events, emit } = eventCollector(ctx.now, ctx.actor.id);
  const rules = ctx.rules ?? CASE_RULES;
  const notifications: DeadlineNotification[] = [];
  const h: HandlerContext = {
    c,
    rules,
    progress: ctx.progress ?? rules >= 8,
    catalogue: ctx.catalogue ?? rules >= 10,
    residenceTrack: ctx.residenceTrack ?? rules >= 9,
    notify: (n) => notifications.push(n),
    now: ctx.now,
    actor: ctx.actor,
    settings,
    newId: ctx.newId,
    emit,
    // Rules 6: while a closure request waits, new work deadlines start paused too.
    ops: { now: ctx.now, newId: ctx.newId, emit, paused: c.onHold || (rules >= 6 && c.closureRequest !== undefined) },
    ...(ctx.knownOrganisationIds ? { knownOrganisationIds: ctx.knownOrganisationIds } : {}),
  };
  const handler = handlers[action] as (h: HandlerContext, p: unknown) => HandlerOutcome;
  const fieldErrors = handler(h, parsed.payload);
  if (fieldErrors) return validationFailed(fieldErrors);
  return { ok: true, next: c, events, ...(notifications.length > 0 ? { notifications } : {}) };
}
