// The case action bodies checked in plain code (payload-check.ts): the twin of `actionPayloadSchemas` in
// case-actions.ts, field for field and rule for rule, for the case workflow (no zod in its bundle). The API and the
// OpenAPI document keep using the zod schemas; tests/domain/payload-checks.test.ts holds both to the same answers.
import type { ActionPayload } from './case-actions.js';
import {
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
import { INTEGRATION_ACHIEVEMENTS, OUTCOME_NOTE_MAX, RESIDENCE_OUTCOMES, RESIDENCE_TITLES, TITLE_TEXT_MAX } from './residence-track.js';
import { CRITERION_IDS, CRITERION_RATINGS, LISTED_CRITERIA, MAX_SUCCESS_CRITERIA } from './progress.js';
import { CATALOGUE_CODE_MESSAGE, CATALOGUE_CODE_PATTERN } from './referral-catalogue.js';
import {
  actionBody as body,
  array,
  boolean,
  checkWith,
  id,
  integer,
  isoDate,
  isoDateOrTimestamp,
  maxLength,
  minLength,
  object,
  oneOf,
  optional,
  optionalText,
  NUL_MESSAGE,
  noNul,
  refine,
  refineObject,
  string,
  text,
  trim,
  type Checker,
  type ParseResult,
} from './payload-check.js';

/** Twin of case-actions.ts catalogueCode(). */
const catalogueCode = () => string(trim, refine((v: string) => CATALOGUE_CODE_PATTERN.test(v), CATALOGUE_CODE_MESSAGE));

/** Twin of case-actions.ts optionalKeys(): every key optional, each one of `values`. */
function optionalKeys<const K extends string, const V extends readonly string[]>(keys: readonly K[], values: V) {
  return object(Object.fromEntries(keys.map((k) => [k, optional(oneOf(values))])) as { [P in K]: Checker<V[number] | undefined> & { readonly optional: true } });
}
const ratingFields = () => ({ needs: optional(optionalKeys(LIFE_AREAS, NEED_LEVELS)), criteria: optional(optionalKeys(CRITERION_IDS, CRITERION_RATINGS)) });

const closureFields = () => ({ reason: oneOf(CLOSURE_REASONS), goalAttainment: oneOf(GOAL_ATTAINMENTS), note: optionalText(), ...ratingFields() });

interface ConsentFields {
  scope: string;
  partnerOrganisationId?: string | undefined;
  partnerName?: string | undefined;
  purpose?: string | undefined;
  dataCategories?: string[] | undefined;
}

const recordConsent = () =>
  body(
    {
      scope: oneOf(CONSENT_SCOPES),
      decision: oneOf(CONSENT_DECISIONS),
      partnerOrganisationId: optional(id()),
      partnerName: optionalText(300),
      purpose: optionalText(),
      dataCategories: optional(
        array(
          oneOf(SHARING_CATEGORIES),
          minLength(1),
          maxLength(SHARING_CATEGORIES.length),
          refine((c: string[]) => new Set(c).size === c.length, 'Jede Kategorie darf nur einmal vorkommen'),
        ),
      ),
    },
    refineObject<ConsentFields>((v, add) => {
      if (v.dataCategories && v.scope !== 'share_with_partner') add('dataCategories', 'Datenkategorien gibt es nur bei Weitergabe an Partner');
      if (v.scope !== 'share_with_partner') return;
      if (!v.partnerOrganisationId && !v.partnerName) add('partnerName', 'Partnerorganisation oder Partnername angeben');
      if (!v.purpose) add('purpose', 'Pflichtfeld bei Weitergabe an Partner');
    }),
  );

const completeAssessment = () =>
  body(
  {
    lifeAreas: array(
      object({ area: oneOf(LIFE_AREAS), situation: text(4000), need: oneOf(NEED_LEVELS) }),
      minLength(1),
      refine((areas: Array<{ area: string }>) => new Set(areas.map((a) => a.area)).size === areas.length, 'Jeder Lebensbereich darf nur einmal vorkommen'),
    ),
    successCriteria: optional(
      array(oneOf(LISTED_CRITERIA), maxLength(MAX_SUCCESS_CRITERIA), refine((c: string[]) => new Set(c).size === c.length, 'Jedes Kriterium darf nur einmal vorkommen')),
    ),
    successCriteriaText: optional(array(text(300), maxLength(MAX_SUCCESS_CRITERIA))),
  },
  refineObject<{ successCriteria?: string[] | undefined; successCriteriaText?: string[] | undefined }>((v, add) => {
    if ((v.successCriteria?.length ?? 0) + (v.successCriteriaText?.length ?? 0) > MAX_SUCCESS_CRITERIA) {
      add('successCriteriaText', `Höchstens ${MAX_SUCCESS_CRITERIA} Erfolgskriterien insgesamt`);
    }
  }));

const saveAssessmentDraft = () =>
  body({
    lifeAreas: array(
      object({ area: oneOf(LIFE_AREAS), situation: optionalText(4000), need: optional(oneOf(NEED_LEVELS)) }),
      maxLength(LIFE_AREAS.length),
      refine((areas: Array<{ area: string }>) => new Set(areas.map((a) => a.area)).size === areas.length, 'Jeder Lebensbereich darf nur einmal vorkommen'),
    ),
  });

const completeReview = () =>
  body(
    {
      outcome: oneOf(REVIEW_OUTCOMES),
      notes: optionalText(4000),
      closureReason: optional(oneOf(CLOSURE_REASONS)),
      goalAttainment: optional(oneOf(GOAL_ATTAINMENTS)),
      ...ratingFields(),
    },
    refineObject<{ outcome: string; closureReason?: string | undefined; goalAttainment?: string | undefined }>((v, add) => {
      if (v.outcome !== 'close') return;
      if (!v.closureReason) add('closureReason', 'Pflichtfeld bei Ergebnis „Abschluss“');
      if (!v.goalAttainment) add('goalAttainment', 'Pflichtfeld bei Ergebnis „Abschluss“');
    }),
  );

/** The checker of each action's body, made when it is used. */
const checkers: { [A in CaseAction]: () => Checker<ActionPayload<A>> } = {
  'confirm-provider': () => body({ organisationId: id(), overrideReason: optionalText() }),
  assign: () => body({ assigneeId: id() }),
  'record-consent': recordConsent,
  'withdraw-consent': () => body({ consentId: id() }),
  'start-assessment': () => body({}),
  'save-assessment-draft': saveAssessmentDraft,
  'complete-assessment': completeAssessment,
  'agree-goals': () =>
    body({ goals: array(object({ title: text(300), measure: text(2000), owner: text(200), dueDate: isoDate() }), minLength(1)) }),
  'update-goal': () => body({ goalId: id(), status: oneOf(GOAL_STATUSES), dueDate: optional(isoDate()) }),
  refer: () =>
    body({
      service: text(300),
      partnerName: optionalText(300),
      dueDate: optional(isoDate()),
      consentId: optional(id()),
      serviceCode: optional(catalogueCode()),
      partnerCode: optional(catalogueCode()),
    }),
  'record-referral-outcome': () => body({ referralId: id(), outcome: oneOf(REFERRAL_OUTCOMES), reason: optionalText() }),
  'start-review': () => body({}),
  'complete-review': completeReview,
  'record-contact': () =>
    body({ kind: oneOf(CONTACT_KINDS), date: isoDateOrTimestamp(), durationMinutes: integer(0, 24 * 60), note: optionalText(4000) }),
  'put-on-hold': () => body({ reason: text() }),
  resume: () => body({ note: optionalText() }),
  transfer: () =>
    body({
      organisationId: id(),
      assigneeId: optional(id()),
      reason: text(),
      // Set only by the takeover of a handover into an existing case (the API refuses it from staff).
      continueFromHandover: optional(
        object({
          handoverId: id(),
          consentRecordedAt: isoDateOrTimestamp(),
          residenceLaw: object({ permits: array(text(200), maxLength(20)), notes: string(maxLength(4000), refine(noNul, NUL_MESSAGE)) }),
        }),
      ),
    }),
  'request-closure': () => body(closureFields()),
  'approve-closure': () => body({ note: optionalText(), confirmChanges: optional(boolean()) }),
  'return-closure': () => body({ reason: text() }),
  'withdraw-closure': () => body({ note: optionalText() }),
  close: () => body(closureFields()),
  reopen: () => body({ reason: text() }),
  'set-residence-track': () =>
    body({
      currentTitle: oneOf(RESIDENCE_TITLES),
      currentTitleText: optionalText(TITLE_TEXT_MAX),
      expiresOn: optional(isoDate()),
      targetTitle: optional(oneOf(RESIDENCE_TITLES)),
      targetTitleText: optionalText(TITLE_TEXT_MAX),
      achievements: optional(array(oneOf(INTEGRATION_ACHIEVEMENTS), maxLength(INTEGRATION_ACHIEVEMENTS.length))),
      outcome: optional(oneOf(RESIDENCE_OUTCOMES)),
      outcomeOn: optional(isoDate()),
      outcomeNote: optionalText(OUTCOME_NOTE_MAX),
    }),
};

/** The body of a case action as `parseActionPayload` (case-actions.ts) would parse it, without zod. */
export function checkActionPayload<A extends CaseAction>(action: A, input: unknown): ParseResult<ActionPayload<A>> {
  return checkWith(checkers[action](), input);
}
