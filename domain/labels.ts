// German labels of the case's coded values, in one place: the event summaries (history, Fallrekonstruktion, Art. 15
// export), the pages and the controlling report all take their wording from here, so no code reaches people.
import type {
  CaseSource,
  ConsentDecision,
  ConsentScope,
  GoalAttainment,
  GoalStatus,
  NeedLevel,
  ReferralOutcome,
  ReferralStatus,
  ReviewOutcome,
} from './case-model.js';
import type { DeadlineStatus } from './deadlines.js';

export const SOURCE_LABELS: Record<CaseSource, string> = {
  self: 'Selbstmelder*in',
  outreach: 'Aufsuchende Arbeit',
  jobcenter: 'Jobcenter / Integration Point',
  abh: 'Ausländerbehörde',
  youth_office: 'Jugendamt',
  social_psychiatric_service: 'Sozialpsychiatrischer Dienst',
  volunteers: 'Ehrenamt',
  other: 'Sonstiges',
};

export const CONSENT_SCOPE_LABELS: Record<ConsentScope, string> = {
  data_processing: 'Datenverarbeitung',
  share_with_partner: 'Weitergabe an Partner',
  handover: 'Übergabe aus der ABH',
};

export const CONSENT_DECISION_LABELS: Record<ConsentDecision, string> = { given: 'erteilt', refused: 'verweigert' };

export const NEED_LABELS: Record<NeedLevel, string> = { none: 'kein Bedarf', low: 'geringer Bedarf', high: 'hoher Bedarf' };

export const GOAL_STATUS_LABELS: Record<GoalStatus, string> = {
  open: 'offen',
  achieved: 'erreicht',
  partly: 'teilweise erreicht',
  not_achieved: 'nicht erreicht',
  dropped: 'verworfen',
};

export const REFERRAL_STATUS_LABELS: Record<ReferralStatus, string> = {
  sent: 'vermittelt',
  accepted: 'angenommen',
  declined: 'abgelehnt',
  completed: 'abgeschlossen',
  not_reached: 'nicht angekommen',
  stopped: 'gestoppt',
};

export const REFERRAL_OUTCOME_LABELS: Record<ReferralOutcome, string> = {
  accepted: 'angenommen',
  declined: 'abgelehnt',
  completed: 'abgeschlossen',
  not_reached: 'nicht angekommen',
};

export const REVIEW_OUTCOME_LABELS: Record<ReviewOutcome, string> = {
  continue: 'Weiter wie bisher',
  replan: 'Neu planen (Zielvereinbarung)',
  refer: 'Weiter vermitteln',
  close: 'Abschließen',
};

export const GOAL_ATTAINMENT_LABELS: Record<GoalAttainment, string> = {
  achieved: 'erreicht',
  partly: 'teilweise erreicht',
  not_achieved: 'nicht erreicht',
};

export const DEADLINE_STATUS_LABELS: Record<DeadlineStatus, string> = {
  open: 'offen',
  reminded: 'erinnert',
  escalated: 'eskaliert',
  met: 'erledigt',
  missed: 'versäumt',
  suspended: 'ausgesetzt (pausiert)',
  cancelled: 'entfallen',
};

const GOAL_UPDATED_CODE = /^(Ziel aktualisiert: .*)\((open|achieved|partly|not_achieved|dropped)(, neuer Termin [^)]*)?\)$/;

/**
 * The summary as people read it. Summaries recorded before the labels were used everywhere may end in a goal status
 * code (`Ziel aktualisiert: Anerkennung (achieved)`); those are shown with the German label.
 */
export function readableSummary(type: string, summary: string): string {
  if (type !== 'goal_updated') return summary;
  const m = GOAL_UPDATED_CODE.exec(summary);
  if (!m) return summary;
  return `${m[1]}(${GOAL_STATUS_LABELS[m[2] as GoalStatus]}${m[3] ?? ''})`;
}
