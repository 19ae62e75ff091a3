// ABH → KIM case management handover: the request bodies (POST /api/v1/handovers and the handover actions) and the
// receiving organisation of a proposal (domain/handover.ts is the public entry).
import { z } from 'zod';
import { personSchema } from './case-actions.js';
import { datePart } from './dates.js';
import type { HandoverAction } from './handover-model.js';
import { proposeProvider, defaultRoutingRules, type RoutingRules } from './routing.js';
import { JSON_SCHEMA_PATTERNS, id, isoTimestamp, optionalText, parseWith, requestIdField, text, type ParseResult } from './validation.js';

export const residenceLawSchema = z.object({
  permits: z.array(text(200)).max(20).default([]),
  notes: z
    .string()
    .trim()
    .max(4000)
    .refine((v) => !v.includes('\u0000'), 'Unzulässiges Steuerzeichen (NUL)')
    .meta({ pattern: JSON_SCHEMA_PATTERNS.noNul })
    .default(''),
});

/** POST /api/v1/handovers — exactly one of `caseId` and `person`. */
export const createHandoverSchema = z
  .object({
    caseId: id().optional(),
    person: personSchema.optional(),
    residenceLaw: residenceLawSchema,
    reason: text(4000),
    proposedOrganisationId: id().optional(),
    ...requestIdField,
  })
  .superRefine((v, ctx) => {
    if (!v.caseId === !v.person) {
      ctx.addIssue({ code: 'custom', path: ['caseId'], message: 'Entweder „caseId“ oder „person“ angeben' });
    }
  })
  // The superRefine as JSON Schema: exactly one of the two.
  .meta({ oneOf: [{ required: ['caseId'] }, { required: ['person'] }] });
export type CreateHandoverBody = z.output<typeof createHandoverSchema>;

export function parseCreateHandover(input: unknown, today: string): ParseResult<CreateHandoverBody> {
  const parsed = parseWith(createHandoverSchema, input);
  if (parsed.ok && parsed.payload.person && parsed.payload.person.birthDate > datePart(today)) {
    return { ok: false, fields: { 'person.birthDate': 'Geburtsdatum liegt in der Zukunft' } };
  }
  return parsed;
}

const hbody = <T extends z.ZodRawShape>(shape: T) => z.object({ ...shape, ...requestIdField });
const handoverSchemas = {
  'record-consent': hbody({ decision: z.enum(['given', 'refused']) }),
  'schedule-meeting': hbody({ at: isoTimestamp(), participants: z.array(text(200)).min(1).max(20) }),
  'complete-meeting': hbody({ heldAt: isoTimestamp().optional(), notes: optionalText(4000) }),
  accept: hbody({ assigneeId: id().optional() }),
  cancel: hbody({ reason: text() }),
  'withdraw-consent': hbody({ note: optionalText() }),
} satisfies Record<HandoverAction, z.ZodType>;
export const handoverActionSchemas = handoverSchemas;
export type HandoverActionPayload<A extends HandoverAction> = z.output<(typeof handoverSchemas)[A]>;

export function parseHandoverActionPayload<A extends HandoverAction>(action: A, input: unknown): ParseResult<HandoverActionPayload<A>> {
  return parseWith(handoverSchemas[action], input) as ParseResult<HandoverActionPayload<A>>;
}

/**
 * Receiving organisation: the counsellor's proposal, else the routing proposal for the person, else (existing case
 * without a proposal) null — the caller then uses the case's routing.
 */
export function resolveReceivingOrganisation(
  body: CreateHandoverBody,
  today: string,
  rules: RoutingRules = defaultRoutingRules,
): string | null {
  if (body.proposedOrganisationId) return body.proposedOrganisationId;
  if (!body.person) return null;
  const proposal = proposeProvider({ municipality: body.person.municipality, birthDate: body.person.birthDate, on: today }, rules);
  return proposal.ok ? proposal.organisationId : null;
}
