// Request bodies of the case API (api.md "Action bodies" and POST /api/v1/cases). Every action accepts an optional
// `requestId` (idempotency is handled by the caller/workflow, which stores answers per requestId). Unknown extra fields
// are stripped, so clients may send more than listed.
import { z } from 'zod';
import { datePart, isIsoDate } from './dates.js';
import {
  CASE_SOURCES,
  CLOSURE_REASONS,
  CONSENT_DECISIONS,
  CONSENT_SCOPES,
  CONTACT_KINDS,
  GOAL_ATTAINMENTS,
  GOAL_STATUSES,
  LIFE_AREAS,
  NEED_LEVELS,
  REFERRAL_OUTCOMES,
  REVIEW_OUTCOMES,
  type CaseAction,
} from './case-model.js';
import { SHARING_CATEGORIES } from './consent-sharing.js';
import { CRITERION_IDS, CRITERION_RATINGS, LISTED_CRITERIA, MAX_SUCCESS_CRITERIA } from './progress.js';
import { MUNICIPALITIES } from './organisations.js';
import { CATALOGUE_CODE_MESSAGE, CATALOGUE_CODE_PATTERN } from './referral-catalogue.js';
import { INTEGRATION_ACHIEVEMENTS, OUTCOME_NOTE_MAX, RESIDENCE_OUTCOMES, RESIDENCE_TITLES, TITLE_TEXT_MAX } from './residence-track.js';
import {
  JSON_SCHEMA_PATTERNS,
  MSG,
  id,
  inRecordRange,
  isoDate,
  isoDateOrTimestamp,
  optionalText,
  parseWith,
  requestIdField,
  text,
  type ParseResult,
} from './validation.js';

const body = <T extends z.ZodRawShape>(shape: T) => z.object({ ...shape, ...requestIdField });
/** A code of the referral catalogue (domain/referral-catalogue.ts), or `sonstiges`. */
const catalogueCode = () => z.string().trim().regex(CATALOGUE_CODE_PATTERN, CATALOGUE_CODE_MESSAGE);

// Measured progress (process rules 7, domain/progress.ts): a rating names the areas and criteria it re-rates.
/** An object whose keys are all optional and each takes one of `values` (unknown keys are dropped). */
function optionalKeys<const K extends string, const V extends readonly [string, ...string[]]>(keys: readonly K[], values: V) {
  return z.object(Object.fromEntries(keys.map((k) => [k, z.enum(values).optional()])) as { [P in K]: z.ZodOptional<z.ZodEnum<{ [Q in V[number]]: Q }>> });
}
const ratingFields = {
  needs: optionalKeys(LIFE_AREAS, NEED_LEVELS).optional(),
  criteria: optionalKeys(CRITERION_IDS, CRITERION_RATINGS).optional(),
};

const closureFields = {
  reason: z.enum(CLOSURE_REASONS),
  goalAttainment: z.enum(GOAL_ATTAINMENTS),
  note: optionalText(),
  ...ratingFields,
};

const schemas = {
  'confirm-provider': body({ organisationId: id(), overrideReason: optionalText() }),
  assign: body({ assigneeId: id() }),
  'record-consent': body({
    scope: z.enum(CONSENT_SCOPES),
    decision: z.enum(CONSENT_DECISIONS),
    partnerOrganisationId: id().optional(),
    partnerName: optionalText(300),
    purpose: optionalText(),
    // share_with_partner: what the partner may see (domain/consent-sharing.ts); absent = DEFAULT_SHARING_CATEGORIES.
    dataCategories: z
      .array(z.enum(SHARING_CATEGORIES))
      .min(1)
      .max(SHARING_CATEGORIES.length)
      .refine((c) => new Set(c).size === c.length, { message: 'Jede Kategorie darf nur einmal vorkommen' })
      .meta({ uniqueItems: true })
      .optional(),
  }).superRefine((v, ctx) => {
    if (v.dataCategories && v.scope !== 'share_with_partner') {
      ctx.addIssue({ code: 'custom', path: ['dataCategories'], message: 'Datenkategorien gibt es nur bei Weitergabe an Partner' });
    }
    // Sharing consent must name whom the data goes to and what for (domain.md: "passing data to named partners").
    if (v.scope !== 'share_with_partner') return;
    if (!v.partnerOrganisationId && !v.partnerName) {
      ctx.addIssue({ code: 'custom', path: ['partnerName'], message: 'Partnerorganisation oder Partnername angeben' });
    }
    if (!v.purpose) ctx.addIssue({ code: 'custom', path: ['purpose'], message: 'Pflichtfeld bei Weitergabe an Partner' });
  }).meta({
    // The superRefine above as JSON Schema (the OpenAPI document).
    if: { properties: { scope: { const: 'share_with_partner' } }, required: ['scope'] },
    then: { required: ['purpose'], anyOf: [{ required: ['partnerOrganisationId'] }, { required: ['partnerName'] }] },
    else: { not: { required: ['dataCategories'] } },
  }),
  'withdraw-consent': body({ consentId: id() }),
  'start-assessment': body({}),
  // A draft: any life areas written down so far, situation and need each optional (completed later).
  'save-assessment-draft': body({
    lifeAreas: z
      .array(z.object({ area: z.enum(LIFE_AREAS), situation: optionalText(4000), need: z.enum(NEED_LEVELS).optional() }))
      .max(LIFE_AREAS.length)
      .refine((areas) => new Set(areas.map((a) => a.area)).size === areas.length, {
        message: 'Jeder Lebensbereich darf nur einmal vorkommen',
      })
      .meta({ allOf: LIFE_AREAS.map((area) => ({ contains: { properties: { area: { const: area } }, required: ['area'] }, minContains: 0, maxContains: 1 })) }),
  }),
  'complete-assessment': body({
    lifeAreas: z
      .array(z.object({ area: z.enum(LIFE_AREAS), situation: text(4000), need: z.enum(NEED_LEVELS) }))
      .min(1)
      .refine((areas) => new Set(areas.map((a) => a.area)).size === areas.length, {
        message: 'Jeder Lebensbereich darf nur einmal vorkommen',
      })
      // The refine as JSON Schema: each area at most once.
      .meta({ allOf: LIFE_AREAS.map((area) => ({ contains: { properties: { area: { const: area } }, required: ['area'] }, minContains: 0, maxContains: 1 })) }),
    // What success means for this case: listed criteria and own ones, together at most MAX_SUCCESS_CRITERIA.
    successCriteria: z
      .array(z.enum(LISTED_CRITERIA))
      .max(MAX_SUCCESS_CRITERIA)
      .refine((c) => new Set(c).size === c.length, { message: 'Jedes Kriterium darf nur einmal vorkommen' })
      .meta({ uniqueItems: true })
      .optional(),
    successCriteriaText: z.array(text(300)).max(MAX_SUCCESS_CRITERIA).optional(),
  }).superRefine((v, ctx) => {
    if ((v.successCriteria?.length ?? 0) + (v.successCriteriaText?.length ?? 0) > MAX_SUCCESS_CRITERIA) {
      ctx.addIssue({ code: 'custom', path: ['successCriteriaText'], message: `Höchstens ${MAX_SUCCESS_CRITERIA} Erfolgskriterien insgesamt` });
    }
  }),
  'agree-goals': body({
    goals: z
      .array(z.object({ title: text(300), measure: text(2000), owner: text(200), dueDate: isoDate() }))
      .min(1),
  }),
  'update-goal': body({ goalId: id(), status: z.enum(GOAL_STATUSES), dueDate: isoDate().optional() }),
  refer: body({
    service: text(300),
    partnerName: optionalText(300),
    dueDate: isoDate().optional(),
    consentId: id().optional(),
    // Issue 14: catalogue codes, resolved to the names above by the API (api/operations/referral-catalogue.ts).
    serviceCode: catalogueCode().optional(),
    partnerCode: catalogueCode().optional(),
  }),
  'record-referral-outcome': body({ referralId: id(), outcome: z.enum(REFERRAL_OUTCOMES), reason: optionalText() }),
  'start-review': body({}),
  'complete-review': body({
    outcome: z.enum(REVIEW_OUTCOMES),
    notes: optionalText(4000),
    // Only with outcome `close`: the closure data that `request-closure`/`close` would carry.
    closureReason: z.enum(CLOSURE_REASONS).optional(),
    goalAttainment: z.enum(GOAL_ATTAINMENTS).optional(),
    ...ratingFields,
  }).superRefine((v, ctx) => {
    if (v.outcome !== 'close') return;
    if (!v.closureReason) ctx.addIssue({ code: 'custom', path: ['closureReason'], message: 'Pflichtfeld bei Ergebnis „Abschluss“' });
    if (!v.goalAttainment) ctx.addIssue({ code: 'custom', path: ['goalAttainment'], message: 'Pflichtfeld bei Ergebnis „Abschluss“' });
  }).meta({
    if: { properties: { outcome: { const: 'close' } }, required: ['outcome'] },
    then: { required: ['closureReason', 'goalAttainment'] },
  }),
  'record-contact': body({
    kind: z.enum(CONTACT_KINDS),
    date: isoDateOrTimestamp(),
    durationMinutes: z.number().int().min(0).max(24 * 60),
    note: optionalText(4000),
  }),
  'put-on-hold': body({ reason: text() }),
  resume: body({ note: optionalText() }),
  transfer: body({
    organisationId: id(),
    assigneeId: id().optional(),
    reason: text(),
    // Set only by the takeover of a handover into an existing case (the API refuses it from staff).
    continueFromHandover: z
      .object({
        handoverId: id(),
        consentRecordedAt: isoDateOrTimestamp(),
        residenceLaw: z.object({ permits: z.array(text(200)).max(20), notes: z.string().max(4000).refine((v) => !v.includes('\u0000'), 'Unzulässiges Steuerzeichen (NUL)') }),
      })
      .optional()
      .meta({ description: 'Nur bei der Fallübernahme einer Übergabe (intern); von der API abgewiesen' }),
  }),
  'request-closure': body(closureFields),
  // confirmChanges: approving a request although the case changed since (domain/case-closure.ts).
  'approve-closure': body({ note: optionalText(), confirmChanges: z.boolean().optional() }),
  'return-closure': body({ reason: text() }),
  'withdraw-closure': body({ note: optionalText() }),
  close: body(closureFields),
  reopen: body({ reason: text() }),
  // Process rules 9 (domain/residence-track.ts): the shape here; what needs today or other fields, in the handler.
  'set-residence-track': body({
    currentTitle: z.enum(RESIDENCE_TITLES),
    currentTitleText: optionalText(TITLE_TEXT_MAX),
    expiresOn: isoDate().optional(),
    targetTitle: z.enum(RESIDENCE_TITLES).optional(),
    targetTitleText: optionalText(TITLE_TEXT_MAX),
    achievements: z.array(z.enum(INTEGRATION_ACHIEVEMENTS)).max(INTEGRATION_ACHIEVEMENTS.length).meta({ uniqueItems: true }).optional(),
    outcome: z.enum(RESIDENCE_OUTCOMES).optional(),
    outcomeOn: isoDate().optional(),
    outcomeNote: optionalText(OUTCOME_NOTE_MAX),
  }),
} satisfies Record<CaseAction, z.ZodType>;

export type ActionPayloadSchemas = typeof schemas;
export const actionPayloadSchemas: ActionPayloadSchemas = schemas;
export type ActionPayload<A extends CaseAction> = z.output<ActionPayloadSchemas[A]>;
/** `{ action, payload }` with the payload type matching the action. */
export type TypedCaseCommand = { [A in CaseAction]: { action: A; payload: ActionPayload<A> } }[CaseAction];

export function parseActionPayload<A extends CaseAction>(action: A, input: unknown): ParseResult<ActionPayload<A>> {
  return parseWith(actionPayloadSchemas[action], input) as ParseResult<ActionPayload<A>>;
}

// ---------------------------------------------------------------------------------------------------------------
// POST /api/v1/cases

const EARLIEST_BIRTH_DATE = '1900-01-01';

/** Person master data (case creation and ABH handover of a person without a case yet). */
export const personSchema = z.object({
  givenName: text(200),
  familyName: text(200),
  // Not isoDate(): its range message would come first; a birth date before 1900 has its own.
  birthDate: z
    .string()
    .refine(isIsoDate, { message: MSG.invalidDate })
    .refine((d) => !isIsoDate(d) || d >= EARLIEST_BIRTH_DATE, {
      message: 'Geburtsdatum vor 1900 ist nicht plausibel',
    })
    .refine(inRecordRange, { message: MSG.outOfRange })
    .meta({ pattern: JSON_SCHEMA_PATTERNS.recordDate, description: 'JJJJ-MM-TT, ab 1900-01-01 und nicht in der Zukunft' }),
  municipality: z.enum(MUNICIPALITIES, {
    error: (issue) =>
      issue.input === undefined ? 'Pflichtfeld' : `Unbekannte Gemeinde (zulässig: ${MUNICIPALITIES.join(', ')})`,
  }),
  languages: z.array(text(100)).max(20).default([]),
});

/** Structure of the create-case body (without the "not in the future" check, which needs today's date). */
export const createCaseSchema = z.object({
  person: personSchema,
  source: z.enum(CASE_SOURCES),
  note: optionalText(4000),
  /** Who holds the new case (domain/case-opening.ts); absent: the rule's default for the opening person. */
  organisationId: z.string().trim().min(1).max(100).optional(),
  /** `true`: open the case although the duplicate check answered 409 `possible_existing_case` (issue 16; recorded). */
  confirmNewCase: z.boolean().optional(),
  ...requestIdField,
});
export type CreateCaseBody = z.output<typeof createCaseSchema>;

/** Create-case body schema including "birth date not in the future" relative to `today` (date or timestamp). */
export function makeCreateCaseSchema(today: string) {
  const day = datePart(today);
  return createCaseSchema.superRefine((v, ctx) => {
    if (v.person.birthDate > day) {
      ctx.addIssue({ code: 'custom', path: ['person', 'birthDate'], message: 'Geburtsdatum liegt in der Zukunft' });
    }
  });
}

export type PersonBody = z.output<typeof personSchema>;

export function parseCreateCase(input: unknown, today: string): ParseResult<CreateCaseBody> {
  return parseWith(makeCreateCaseSchema(today), input);
}
