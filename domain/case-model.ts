// The case as the workflow holds it: plain JSON (Temporal payloads, continue-as-new). Personal master data (names,
// birth date) is deliberately NOT part of it — it lives in the database; the workflow only needs what drives decisions.
import type { Deadline } from './deadlines.js';
import type { ActorRole } from './organisations.js';
import type { ResidenceTrack } from './residence-track.js';

/** Lifecycle after Claus Reis (domain.md "Case lifecycle"). */
export const CASE_STATES = ['intake', 'assessment', 'goal_planning', 'referral', 'review', 'closed'] as const;
export type CaseState = (typeof CASE_STATES)[number];
export const OPEN_CASE_STATES = ['intake', 'assessment', 'goal_planning', 'referral', 'review'] as const;

export const CASE_STATE_LABELS: Record<CaseState, string> = {
  intake: 'Erstberatung/Zugang',
  assessment: 'Assessment/Situationsanalyse',
  goal_planning: 'Zielvereinbarung/Hilfeplanung',
  referral: 'Vermittlung/Verweisberatung',
  review: 'Monitoring/Überprüfung',
  closed: 'Abschluss',
};

/** Kebab-case action names of api.md. */
export const CASE_ACTIONS = [
  'confirm-provider',
  'assign',
  'record-consent',
  'withdraw-consent',
  'start-assessment',
  'save-assessment-draft',
  'complete-assessment',
  'agree-goals',
  'update-goal',
  'refer',
  'record-referral-outcome',
  'start-review',
  'complete-review',
  'record-contact',
  'put-on-hold',
  'resume',
  'transfer',
  'request-closure',
  'approve-closure',
  'return-closure',
  'withdraw-closure',
  'close',
  'reopen',
  'set-residence-track',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export function isCaseAction(value: string): value is CaseAction {
  return (CASE_ACTIONS as readonly string[]).includes(value);
}

/** Access channels (Zugangsweg, issue 16): who sent the person, or how they came. */
export const CASE_SOURCES = [
  'self',
  'outreach',
  'jobcenter',
  'abh',
  'youth_office',
  'social_psychiatric_service',
  'volunteers',
  'other',
] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];

export const CONSENT_SCOPES = ['data_processing', 'share_with_partner', 'handover'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];
export const CONSENT_DECISIONS = ['given', 'refused'] as const;
export type ConsentDecision = (typeof CONSENT_DECISIONS)[number];

export const LIFE_AREAS = [
  'residence_law',
  'language',
  'education',
  'work',
  'housing',
  'health',
  'family',
  'finances',
  'social_participation',
] as const;
export type LifeArea = (typeof LIFE_AREAS)[number];
export const LIFE_AREA_LABELS: Record<LifeArea, string> = {
  residence_law: 'Aufenthaltsrecht',
  language: 'Sprache',
  education: 'Bildung',
  work: 'Arbeit',
  housing: 'Wohnen',
  health: 'Gesundheit',
  family: 'Familie',
  finances: 'Finanzen/Schulden',
  social_participation: 'Soziale Teilhabe',
};
export const NEED_LEVELS = ['none', 'low', 'high'] as const;
export type NeedLevel = (typeof NEED_LEVELS)[number];

export const GOAL_STATUSES = ['open', 'achieved', 'partly', 'not_achieved', 'dropped'] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];

export const REFERRAL_STATUSES = ['sent', 'accepted', 'declined', 'completed', 'not_reached', 'stopped'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export const REFERRAL_OUTCOMES = ['accepted', 'declined', 'completed', 'not_reached'] as const;
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];
/** Suggested target services (domain.md "referral"); `service` stays free text so new services need no release. */
export const REFERRAL_SERVICE_SUGGESTIONS: Record<string, string> = {
  jobcenter: 'Jobcenter',
  debt_counselling: 'Schuldnerberatung',
  psychological_help: 'Psychologische Hilfe',
  language_course: 'Sprachkurs',
  housing_search: 'Wohnungssuche',
  recognition: 'Anerkennung von Qualifikationen',
  youth_migration_service: 'Jugendmigrationsdienst',
};

/** `joint_first_appointment` (process rules 7): first appointment together with the referring institution
 *  (seed section 3, "gemeinsamer Ersttermin"). */
export const CONTACT_KINDS = ['counselling', 'accompaniment', 'outreach', 'phone', 'digital', 'joint_first_appointment'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];
export const CONTACT_KIND_LABELS: Record<ContactKind, string> = {
  counselling: 'Beratung',
  accompaniment: 'Begleitung',
  outreach: 'Aufsuchend/Hausbesuch',
  phone: 'Telefon',
  digital: 'Digital',
  joint_first_appointment: 'Gemeinsamer Ersttermin mit der zuweisenden Stelle',
};

export const REVIEW_OUTCOMES = ['continue', 'replan', 'refer', 'close'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export const CLOSURE_REASONS = [
  'goals_achieved',
  'moved_away',
  'no_contact',
  'handed_to_regular_service',
  'client_request',
  'other',
] as const;
export type ClosureReason = (typeof CLOSURE_REASONS)[number];
export const CLOSURE_REASON_LABELS: Record<ClosureReason, string> = {
  goals_achieved: 'Ziele erreicht',
  moved_away: 'Weggezogen',
  no_contact: 'Kein Kontakt mehr',
  handed_to_regular_service: 'An Regeldienst übergeben',
  client_request: 'Auf Wunsch der Person',
  other: 'Sonstiges',
};
export const GOAL_ATTAINMENTS = ['achieved', 'partly', 'not_achieved'] as const;
export type GoalAttainment = (typeof GOAL_ATTAINMENTS)[number];

export interface Actor {
  id: string;
  role: ActorRole;
  organisationId: string;
}

export interface Consent {
  id: string;
  scope: ConsentScope;
  decision: ConsentDecision;
  partnerOrganisationId?: string;
  partnerName?: string;
  purpose?: string;
  /** share_with_partner: the data categories the partner may see (domain/consent-sharing.ts); absent = default set. */
  dataCategories?: string[];
  recordedBy: string;
  recordedAt: string;
  withdrawnAt?: string;
  withdrawnBy?: string;
}

export interface LifeAreaAssessment {
  area: LifeArea;
  situation: string;
  need: NeedLevel;
}

/** A life area as far as it was written down before the assessment is completed (a draft). */
export interface LifeAreaDraft {
  area: LifeArea;
  situation?: string;
  need?: NeedLevel;
}

export interface Assessment {
  startedAt: string;
  startedBy: string;
  completedAt?: string;
  completedBy?: string;
  lifeAreas: LifeAreaAssessment[];
  /** The assessment written down so far (save-assessment-draft); dropped when it is completed. */
  draft?: { lifeAreas: LifeAreaDraft[]; savedAt: string; savedBy: string };
}

/** A success criterion agreed with the client: a code of SUCCESS_CRITERIA (domain/progress.ts), `other` with text. */
export interface SuccessCriterion {
  /** `k1` … `k10`, by position: ratings name criteria by it. */
  id: string;
  code: string;
  /** Free text (code `other`, or a note to a listed criterion); erased with the case. */
  text?: string;
}

export interface Goal {
  id: string;
  title: string;
  measure: string;
  owner: string;
  /** `YYYY-MM-DD` */
  dueDate: string;
  status: GoalStatus;
  agreedAt: string;
  updatedAt?: string;
}

export interface Referral {
  id: string;
  service: string;
  /** Rules 10: the catalogue entry of the service (domain/referral-catalogue.ts); absent for "Sonstiges" and before. */
  serviceCode?: string;
  partnerName?: string;
  /** Rules 10: the catalogue entry of the partner institution, if one was chosen. */
  partnerCode?: string;
  consentId?: string;
  sentAt: string;
  sentBy: string;
  /** `YYYY-MM-DD` of the follow-up (payload.dueDate, or the day of sentAt + referralFollowUpDays). */
  dueDate: string;
  /** Rules 7: the follow-up date was entered by a person (it then stays that date across a pause). */
  dueDateEntered?: true;
  status: ReferralStatus;
  outcomeAt?: string;
  /** Outcome reason, or the stop reason ("Einwilligung widerrufen"). */
  reason?: string;
}

export interface Contact {
  id: string;
  kind: ContactKind;
  /** When the contact happened (date or timestamp as given). */
  date: string;
  durationMinutes: number;
  note?: string;
  recordedBy: string;
  recordedAt: string;
}

export interface ContactsSummary {
  count: number;
  byKind: Record<ContactKind, number>;
  lastContactAt?: string;
  /** When the latest contact was recorded (rules 11): what the closure check compares with the request. */
  lastRecordedAt?: string;
  /** Contacts recorded before version 5 only (their notes live nowhere else); newer ones live in their events. */
  items: Contact[];
}

export interface Review {
  id: string;
  startedAt: string;
  startedBy: string;
  /** State to return to on outcome `continue` (the phase the review interrupted). */
  returnTo: 'goal_planning' | 'referral';
  /** Started automatically by `reopen`. */
  viaReopen?: boolean;
  completedAt?: string;
  completedBy?: string;
  outcome?: ReviewOutcome;
  notes?: string;
}

export interface ClosureRequest {
  reason: ClosureReason;
  goalAttainment: GoalAttainment;
  note?: string;
  requestedAt: string;
  requestedBy: string;
}

/** A closure request coordination sent back, with its reason (shown on the case, mailed to the requester). */
export interface ClosureReturn {
  reason: string;
  at: string;
  by: string;
  request: ClosureRequest;
}

export interface Closure {
  reason: ClosureReason;
  goalAttainment: GoalAttainment;
  note?: string;
  closedAt: string;
  closedBy: string;
  approvedBy?: string;
  requestedBy?: string;
  /** Phase the case was in when it was closed (used by reopen). */
  fromState: Exclude<CaseState, 'closed'>;
}

export interface Reopening {
  at: string;
  by: string;
  reason: string;
  previousClosure: Closure;
  toState: Exclude<CaseState, 'closed'>;
}

/**
 * The residence-law situation of the case: the facts a handover brought (permits, notes) and the track staff keep
 * (process rules 9, domain/residence-track.ts: current title and expiry, target title, integration achievements,
 * outcome). One model: a handover's facts and the track sit side by side, neither copies the other.
 */
export interface CaseResidenceLaw {
  permits: string[];
  notes: string;
  /** The handover that brought the facts; absent when staff set the track on a case that came without one. */
  handoverId?: string;
  recordedAt: string;
  track?: ResidenceTrack;
}

export interface CaseData {
  schemaVersion: 1;
  id: string;
  state: CaseState;
  onHold: boolean;
  hold?: { reason: string; since: string; by: string };
  organisationId: string;
  assigneeId?: string;
  municipality: string;
  source?: CaseSource;
  handoverId?: string;
  /** From the handover that opened the case (rules 6) and the track staff keep (rules 9); erased with the case. */
  residenceLaw?: CaseResidenceLaw;
  proposedProvider: { organisationId: string; reason: string };
  providerConfirmed: boolean;
  providerConfirmation?: { organisationId: string; overrideReason?: string; at: string; by: string };
  consents: Consent[];
  assessment?: Assessment;
  /** What success means for this case (process rules 7, domain/progress.ts): at most MAX_SUCCESS_CRITERIA, fixed with
   *  the assessment. Their ratings live only in `progress_rated` events, so this stays constant-size. */
  successCriteria?: SuccessCriterion[];
  goals: Goal[];
  referrals: Referral[];
  contacts: ContactsSummary;
  reviews: Review[];
  closureRequest?: ClosureRequest;
  /** The last request coordination returned (until a new request is filed). */
  closureReturn?: ClosureReturn;
  closure?: Closure;
  reopenings: Reopening[];
  openedAt: string;
  /** Every deadline ever armed (resolved ones stay for the record); `status` tells which are live. */
  deadlines: Deadline[];
}
