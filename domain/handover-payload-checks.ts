// The handover action bodies checked in plain code (payload-check.ts): the twin of `handoverActionSchemas` in
// handover-requests.ts, for the handover workflow (no zod in its bundle). tests/domain/payload-checks.test.ts holds both
// to the same answers.
import type { HandoverAction } from './handover-model.js';
import type { HandoverActionPayload } from './handover-requests.js';
import {
  actionBody as body,
  array,
  checkWith,
  id,
  isoTimestamp,
  maxLength,
  minLength,
  oneOf,
  optional,
  optionalText,
  text,
  type Checker,
  type ParseResult,
} from './payload-check.js';

/** The checker of each action's body, made when it is used. */
const checkers: { [A in HandoverAction]: () => Checker<HandoverActionPayload<A>> } = {
  'record-consent': () => body({ decision: oneOf(['given', 'refused'] as const) }),
  'schedule-meeting': () => body({ at: isoTimestamp(), participants: array(text(200), minLength(1), maxLength(20)) }),
  'complete-meeting': () => body({ heldAt: optional(isoTimestamp()), notes: optionalText(4000) }),
  accept: () => body({ assigneeId: optional(id()) }),
  cancel: () => body({ reason: text() }),
  'withdraw-consent': () => body({ note: optionalText() }),
};

/** The body of a handover action as `parseHandoverActionPayload` (handover-requests.ts) would parse it, without zod. */
export function checkHandoverActionPayload<A extends HandoverAction>(action: A, input: unknown): ParseResult<HandoverActionPayload<A>> {
  return checkWith(checkers[action](), input);
}
