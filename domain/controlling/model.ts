// What the controlling report is made of: its groupings, figure names and limits, and the shapes of its input
// (event rows) and output (rows of figures). See domain/controlling.ts for the rules behind the figures.
import { OPEN_CASE_STATES } from '../case-model.js';
import type { DeadlineKind } from '../deadlines.js';

/** `ageBand`, `channel` (the case's access channel) and `post` (county post or provider) are the target-group views
 *  of issue 16: age band and channel are fixed per case (like the municipality), the post follows the organisation
 *  that holds the case at the moment (like the organisation). */
export const CONTROLLING_GROUP_BY = ['organisation', 'municipality', 'month', 'ageBand', 'channel', 'post'] as const;
export type ControllingGroupBy = (typeof CONTROLLING_GROUP_BY)[number];

/** Groupings whose row follows the organisation holding the case at the moment of a figure. */
export const byOrganisation = (groupBy: ControllingGroupBy | 'total'): boolean => groupBy === 'organisation' || groupBy === 'post';

/** The row key of a figure of an organisation (`organisation`: its id; `post`: its kind of post). */
export function organisationKey(input: Pick<ControllingInput, 'groupBy' | 'postOfOrganisation'>, orgId: string): string {
  if (input.groupBy !== 'post') return orgId;
  return input.postOfOrganisation?.[orgId] ?? UNASSIGNED_GROUP;
}

/** The row key of a case under a grouping fixed per case (municipality, age band, channel). */
export function caseGroupKey(input: Pick<ControllingInput, 'groupBy' | 'caseGroups'>, caseId: string, municipality: string): string {
  if (input.groupBy === 'ageBand') return input.caseGroups?.[caseId]?.ageBand ?? UNASSIGNED_GROUP;
  if (input.groupBy === 'channel') return input.caseGroups?.[caseId]?.channel ?? UNASSIGNED_GROUP;
  return municipality;
}

/** Cells concerning fewer persons than this are suppressed (issue 5: "fewer than 3 persons"). */
export const MIN_PERSONS = 3;
export const REPORT_TIME_ZONE = 'Europe/Berlin';
/** Group key for figures that cannot be attributed (e.g. a refused handover has no case, so no municipality). */
export const UNASSIGNED_GROUP = 'ohne-zuordnung';
export const TOTAL_GROUP = 'gesamt';
/** Referral targets used by fewer than MIN_PERSONS persons in the whole period are pooled under this name: the
 *  target is free text, and a rare one (a named therapist, a small association) could itself identify someone. */
export const OTHER_SERVICES = 'Sonstige Dienste';

export const REFERRAL_OUTCOMES = ['accepted', 'declined', 'completed', 'not_reached', 'stopped'] as const;
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];

export const HANDOVER_FIGURES = ['requested', 'handedOver', 'refused', 'lapsed', 'cancelled'] as const;
export type HandoverFigure = (typeof HANDOVER_FIGURES)[number];
export const HANDOVER_EVENT_FIGURE: Record<string, HandoverFigure> = {
  handover_requested: 'requested',
  handover_accepted: 'handedOver',
  handover_consent_refused: 'refused',
  handover_lapsed: 'lapsed',
  handover_cancelled: 'cancelled',
  // Withdrawn handover consent ends the handover as `cancelled` too.
  handover_consent_withdrawn: 'cancelled',
};

/** Case deadlines that are work deadlines; retention is bookkeeping, handover deadlines are counted as handovers. */
export const CONTROLLED_DEADLINE_KINDS = [
  'first_assessment',
  'assessment_completion',
  'goal_agreement',
  'goal_due',
  'referral_follow_up',
  'periodic_review',
  'no_contact',
] as const satisfies readonly DeadlineKind[];
export const DEADLINE_FIGURES = ['metOnTime', 'metLate', 'missed', 'escalated', 'overdueAtEnd'] as const;
export type DeadlineFigure = (typeof DEADLINE_FIGURES)[number];

export const PHASES = [...OPEN_CASE_STATES, 'on_hold'] as const;
export type Phase = (typeof PHASES)[number];

/** Header label of the group column per grouping. */
export const GROUP_BY_LABELS: Record<ControllingGroupBy, string> = {
  organisation: 'Organisation',
  municipality: 'Gemeinde',
  month: 'Monat',
  ageBand: 'Altersgruppe',
  channel: 'Zugangsweg',
  post: 'Kreis-Stelle / Träger',
};

// ---------------------------------------------------------------------------------------------------------------
// Input and output

export interface ControllingCaseEvent {
  caseId: string;
  seq: number;
  type: string;
  at: Date | string;
  data: unknown;
}

export interface ControllingHandoverEvent {
  handoverId: string;
  seq: number;
  type: string;
  at: Date | string;
  data: unknown;
}

export interface ControllingInput {
  /** Every event of the cases concerned (older events give the state at the start of the period). */
  caseEvents: readonly ControllingCaseEvent[];
  handoverEvents?: readonly ControllingHandoverEvent[];
  /** `YYYY-MM-DD`, both inclusive. */
  from: string;
  to: string;
  groupBy: ControllingGroupBy;
  /** Case id → person id (Case.personId; cases coordination linked to one person share one, issue 16): a person with
   *  two cases is one person — in the figures and in the small-cell suppression. Default: the case. */
  personOfCase?: Readonly<Record<string, string>>;
  /** Case id → its age band at opening and its access channel (groupings `ageBand`, `channel`); absent: unassigned. */
  caseGroups?: Readonly<Record<string, { ageBand: string; channel: string }>>;
  /** Organisation id → its kind of post (grouping `post`, e.g. `county`, `provider`); absent: unassigned. */
  postOfOrganisation?: Readonly<Record<string, string>>;
  /** Handover id → case id (Handover.caseId) where the events do not name the case. */
  caseOfHandover?: Readonly<Record<string, string>>;
  /** Groups listed even without figures (all organisations / municipalities), in this order, with German labels. */
  groups?: readonly { key: string; label: string }[];
  timeZone?: string;
  minPersons?: number;
  /** The referral catalogue (every entry, active or not): referrals are counted by code, free text of before under the
   *  entry whose name matches once normalised (domain/referral-catalogue.ts). Absent: by normalised text only. */
  referralCatalogue?: readonly { code: string; name: string }[];
}

/** A figure: `value: null` with `suppressed: true` = small cell; `value: null` alone = not defined (no data). */
export interface Cell {
  value: number | null;
  suppressed?: true;
}
export interface FigureTree {
  [key: string]: Cell | FigureTree;
}

export interface ControllingColumn {
  /** Path into `figures`, e.g. ["contacts", "byKind", "phone"]. */
  path: string[];
  /** German column header. */
  label: string;
  unit: 'count' | 'days';
}

export interface ControllingRow {
  key: string;
  label: string;
  figures: FigureTree;
}

export interface ControllingReport {
  period: { from: string; to: string; timeZone: string; startsAt: string; endsBefore: string };
  groupBy: ControllingGroupBy;
  minPersons: number;
  columns: ControllingColumn[];
  groups: ControllingRow[];
  total: ControllingRow;
}
