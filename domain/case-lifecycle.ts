// THE transition table of a case, role rules and preconditions. Effects (what each action changes, which deadlines
// it arms/meets) are in case-decide.ts.
import {
  CASE_ACTIONS,
  CASE_STATE_LABELS,
  OPEN_CASE_STATES,
  type CaseAction,
  type CaseData,
  type CaseState,
  type Actor,
} from './case-model.js';
import { addDays, formatDateDe, toMs } from './dates.js';
import { defaultCaseSettings, type CaseSettings } from './deadlines.js';
import type { ActorRole } from './organisations.js';

export type HoldRule = 'not_on_hold' | 'on_hold' | 'either';
export interface TransitionRule {
  from: readonly CaseState[];
  hold: HoldRule;
  /** Resulting state, for people reading the table (the handler is authoritative). */
  to: string;
}

const OPEN = OPEN_CASE_STATES;
const ALL = [...OPEN_CASE_STATES, 'closed'] as const;

// While on hold (client unreachable) only what keeps the file correct is possible: document contacts and consents,
// reassign/transfer, resume, or close (typical closure reason `no_contact`). Phase work needs the client, so it waits.
// prettier-ignore
export const TRANSITIONS: Record<CaseAction, TransitionRule> = {
  'confirm-provider':        { from: ['intake'],                                hold: 'not_on_hold', to: '= (Organisation = bestätigter Träger)' },
  'assign':                  { from: OPEN,                                      hold: 'either',      to: '=' },
  'record-consent':          { from: OPEN,                                      hold: 'either',      to: '=' },
  // Withdrawal is the client's right at any time, also after closure (domain.md: it stops any sharing it covered).
  'withdraw-consent':        { from: ALL,                                       hold: 'either',      to: '= (stoppt Vermittlungen, die darauf beruhen)' },
  'start-assessment':        { from: ['intake'],                                hold: 'not_on_hold', to: 'assessment' },
  'save-assessment-draft':   { from: ['assessment'],                            hold: 'not_on_hold', to: '= (Entwurf gespeichert)' },
  'complete-assessment':     { from: ['assessment'],                            hold: 'not_on_hold', to: 'goal_planning' },
  'agree-goals':             { from: ['goal_planning'],                         hold: 'not_on_hold', to: '=' },
  'update-goal':             { from: ['goal_planning', 'referral', 'review'],   hold: 'not_on_hold', to: '=' },
  'refer':                   { from: ['goal_planning', 'referral'],             hold: 'not_on_hold', to: 'referral' },
  // After closure only as documentation: the outcome of an accepted referral, within the reopen window.
  'record-referral-outcome': { from: ['goal_planning', 'referral', 'review', 'closed'], hold: 'not_on_hold', to: '=' },
  'start-review':            { from: ['goal_planning', 'referral'],             hold: 'not_on_hold', to: 'review' },
  'complete-review':         { from: ['review'],                                hold: 'not_on_hold', to: 'continue→vorherige Phase | replan→goal_planning | refer→referral | close→closed/Antrag' },
  'record-contact':          { from: OPEN,                                      hold: 'either',      to: '=' },
  'put-on-hold':             { from: OPEN,                                      hold: 'not_on_hold', to: '= (onHold)' },
  'resume':                  { from: OPEN,                                      hold: 'on_hold',     to: '= (nicht mehr pausiert)' },
  'transfer':                { from: OPEN,                                      hold: 'either',      to: '= (andere Organisation)' },
  'request-closure':         { from: OPEN,                                      hold: 'either',      to: '= (Abschlussantrag)' },
  'approve-closure':         { from: OPEN,                                      hold: 'either',      to: 'closed' },
  'return-closure':          { from: OPEN,                                      hold: 'either',      to: '= (Antrag zurückgegeben, Fristen laufen wieder)' },
  'withdraw-closure':        { from: OPEN,                                      hold: 'either',      to: '= (Antrag zurückgezogen, Fristen laufen wieder)' },
  'close':                   { from: OPEN,                                      hold: 'either',      to: 'closed' },
  'reopen':                  { from: ['closed'],                                hold: 'not_on_hold', to: 'review (Ziele vorhanden) | Phase vor Abschluss' },
  // Rules 9: the residence-law situation is kept up to date in every open phase, also while paused.
  'set-residence-track':     { from: OPEN,                                      hold: 'either',      to: '= (Ablauffrist gesetzt/verschoben)' },
};

export const ACTION_LABELS: Record<CaseAction, string> = {
  'confirm-provider': 'Träger bestätigen',
  assign: 'Zuweisen',
  'record-consent': 'Einwilligung erfassen',
  'withdraw-consent': 'Einwilligung widerrufen',
  'start-assessment': 'Assessment beginnen',
  'save-assessment-draft': 'Als Entwurf speichern',
  'complete-assessment': 'Assessment abschließen',
  'agree-goals': 'Ziele vereinbaren',
  'update-goal': 'Ziel aktualisieren',
  refer: 'Vermitteln',
  'record-referral-outcome': 'Vermittlungsergebnis erfassen',
  'start-review': 'Überprüfung beginnen',
  'complete-review': 'Überprüfung abschließen',
  'record-contact': 'Kontakt erfassen',
  'put-on-hold': 'Pausieren',
  resume: 'Fortsetzen',
  transfer: 'Übertragen',
  'request-closure': 'Abschluss beantragen',
  'approve-closure': 'Abschluss freigeben',
  'return-closure': 'Abschlussantrag zurückgeben',
  'withdraw-closure': 'Abschlussantrag zurückziehen',
  close: 'Abschließen',
  reopen: 'Wiedereröffnen',
  'set-residence-track': 'Aufenthaltsrechtliche Situation erfassen',
};

export function stateAllows(c: Pick<CaseData, 'state' | 'onHold'>, action: CaseAction): boolean {
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(c.state)) return false;
  if (rule.hold === 'not_on_hold') return !c.onHold;
  if (rule.hold === 'on_hold') return c.onHold;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Roles (domain.md "Who works with the system")
//   case_manager:   cases of their own organisation.
//   abh_counsellor: like a case manager, but only for cases held by their own organisation (the ABH runs cases in
//                   its own KIM CM, seed 3.3 "Aufnahme ins eigene KIM CM"); other cases only via the handover.
//   coordinator:    every case, every action (Fachaufsicht); the only role that approves a closure.
//   admin:          no case content at all.

const CASE_WORKERS: readonly ActorRole[] = ['case_manager', 'abh_counsellor', 'coordinator'];
export const ACTION_ROLES: Record<CaseAction, readonly ActorRole[]> = {
  ...(Object.fromEntries(CASE_ACTIONS.map((a) => [a, CASE_WORKERS])) as Record<CaseAction, readonly ActorRole[]>),
  'approve-closure': ['coordinator'],
  'return-closure': ['coordinator'],
};

export function canCloseDirectly(actor: Actor, settings: CaseSettings): boolean {
  return actor.role === 'coordinator' || !settings.closureNeedsApproval;
}

/** German reason why the actor may not run the action on this case, or null. Checked before the state. */
export function permissionError(c: CaseData, action: CaseAction, actor: Actor, settings: CaseSettings): string | null {
  if (actor.role === 'admin') return 'Die Verwaltung/IT hat keinen Zugriff auf Fallinhalte.';
  if (!ACTION_ROLES[action].includes(actor.role)) {
    return `„${ACTION_LABELS[action]}“ ist der KIM-Koordination vorbehalten.`;
  }
  if (actor.role !== 'coordinator' && actor.organisationId !== c.organisationId) {
    return 'Nur Fälle der eigenen Organisation können bearbeitet werden.';
  }
  if (action === 'close' && !canCloseDirectly(actor, settings)) {
    return 'Ein Abschluss muss von der KIM-Koordination freigegeben werden – bitte „Abschluss beantragen“.';
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Preconditions that depend on the case's content rather than its state.

export function hasEffectiveConsent(c: CaseData, scope: 'data_processing' | 'share_with_partner' | 'handover'): boolean {
  return c.consents.some((k) => k.scope === scope && k.decision === 'given' && !k.withdrawnAt);
}

export function reopenDeadline(c: CaseData, settings: CaseSettings): string | null {
  return c.closure ? addDays(c.closure.closedAt, settings.reopenWithinDays) : null;
}

/** After closure an outcome can be recorded for an accepted referral, within the reopen window. */
function closedOutcomeError(c: CaseData, settings: CaseSettings, now: string | undefined): string | null {
  if (!c.referrals.some((r) => r.status === 'accepted')) return 'Der Fall ist abgeschlossen und hat keine angenommene Vermittlung, deren Ergebnis nachzutragen wäre.';
  const until = reopenDeadline(c, settings);
  if (until && now && toMs(now) > toMs(until)) {
    return `Ergebnisse angenommener Vermittlungen können nur bis ${settings.reopenWithinDays} Tage nach Abschluss nachgetragen werden (bis ${formatDateDe(until)}).`;
  }
  return null;
}

export interface GuardOptions {
  settings?: CaseSettings;
  /** Needed for the reopen window; without it the window is not checked (e.g. for a static button list). */
  now?: string;
}

/** German reason why the action's precondition fails, or null. */
export function guardError(c: CaseData, action: CaseAction, opts: GuardOptions = {}): string | null {
  const settings = opts.settings ?? defaultCaseSettings;
  switch (action) {
    case 'start-assessment':
      // Seed/domain: nothing is documented about the person without consent to data processing.
      return hasEffectiveConsent(c, 'data_processing')
        ? null
        : 'Das Assessment kann erst beginnen, wenn eine wirksame Einwilligung in die Datenverarbeitung vorliegt.';
    case 'update-goal':
    case 'refer':
    case 'start-review':
      return c.goals.length > 0 ? null : 'Es sind noch keine Ziele vereinbart.';
    case 'record-referral-outcome':
      if (c.state === 'closed') return closedOutcomeError(c, settings, opts.now);
      return c.referrals.some((r) => r.status === 'sent' || r.status === 'accepted')
        ? null
        : 'Es gibt keine offene Vermittlung.';
    case 'withdraw-consent':
      return c.consents.some((k) => k.decision === 'given' && !k.withdrawnAt)
        ? null
        : 'Es liegt keine wirksame Einwilligung vor, die widerrufen werden könnte.';
    case 'approve-closure':
    case 'return-closure':
    case 'withdraw-closure':
      return c.closureRequest ? null : 'Es liegt kein Abschlussantrag vor.';
    case 'reopen': {
      const until = reopenDeadline(c, settings);
      if (!until) return 'Der Fall hat keinen Abschluss.';
      if (opts.now && toMs(opts.now) > toMs(until)) {
        return `Eine Wiedereröffnung ist nur bis ${settings.reopenWithinDays} Tage nach Abschluss möglich (bis ${formatDateDe(until)}).`;
      }
      return null;
    }
    default:
      return null;
  }
}

/** Actions possible now: state table ∩ role rules (when an actor is given) ∩ preconditions. */
export function allowedActions(c: CaseData, actor?: Actor, opts: GuardOptions = {}): CaseAction[] {
  const settings = opts.settings ?? defaultCaseSettings;
  return CASE_ACTIONS.filter(
    (a) =>
      stateAllows(c, a) &&
      (!actor || permissionError(c, a, actor, settings) === null) &&
      guardError(c, a, { ...opts, settings }) === null,
  );
}

export function stateLabel(c: Pick<CaseData, 'state' | 'onHold'>): string {
  return `${CASE_STATE_LABELS[c.state]}${c.onHold ? ', pausiert' : ''}`;
}
