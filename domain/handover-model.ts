// ABH → KIM case management handover: states, actions, their labels and transitions, the handover's data
// (domain/handover.ts is the public entry and holds the decisions).
import type { PersonBody } from './case-actions.js';
import type { Deadline } from './deadlines.js';

export const HANDOVER_STATES = [
  'awaiting_consent',
  'consent_given',
  'meeting_scheduled',
  'handed_over',
  'refused',
  'lapsed',
  'cancelled',
] as const;
export type HandoverState = (typeof HANDOVER_STATES)[number];
export const TERMINAL_HANDOVER_STATES: readonly HandoverState[] = ['handed_over', 'refused', 'lapsed', 'cancelled'];

export const HANDOVER_STATE_LABELS: Record<HandoverState, string> = {
  awaiting_consent: 'Einwilligung ausstehend',
  consent_given: 'Einwilligung erteilt',
  meeting_scheduled: 'Übergabegespräch geplant',
  handed_over: 'Übergeben',
  refused: 'Einwilligung verweigert',
  lapsed: 'Verfallen (keine Einwilligung)',
  cancelled: 'Abgebrochen',
};

/** The state as people read it: once the meeting was held the handover waits for the takeover — no longer "geplant". */
export function handoverStateLabel(state: HandoverState, meetingHeld: boolean): string {
  return state === 'meeting_scheduled' && meetingHeld ? 'Übergabegespräch geführt – Übernahme ausstehend' : HANDOVER_STATE_LABELS[state];
}

export const HANDOVER_ACTIONS = ['record-consent', 'schedule-meeting', 'complete-meeting', 'accept', 'cancel', 'withdraw-consent'] as const;
export type HandoverAction = (typeof HANDOVER_ACTIONS)[number];

export const HANDOVER_ACTION_LABELS: Record<HandoverAction, string> = {
  'record-consent': 'Einwilligung erfassen',
  'schedule-meeting': 'Übergabegespräch planen',
  'complete-meeting': 'Übergabegespräch durchgeführt',
  accept: 'Fall übernehmen',
  cancel: 'Übergabe abbrechen',
  'withdraw-consent': 'Einwilligung widerrufen',
};

// prettier-ignore
export const HANDOVER_TRANSITIONS: Record<HandoverAction, { from: readonly HandoverState[]; to: string }> = {
  'record-consent':   { from: ['awaiting_consent'],                                    to: 'given → consent_given | refused → refused' },
  'schedule-meeting': { from: ['consent_given', 'meeting_scheduled'],                  to: 'meeting_scheduled (neu planen, solange nicht gehalten)' },
  'complete-meeting': { from: ['meeting_scheduled'],                                   to: '= (Gespräch gehalten)' },
  'accept':           { from: ['meeting_scheduled'],                                   to: 'handed_over (nach gehaltenem Gespräch)' },
  'cancel':           { from: ['awaiting_consent', 'consent_given', 'meeting_scheduled'], to: 'cancelled' },
  'withdraw-consent': { from: ['consent_given', 'meeting_scheduled'],                  to: 'cancelled (Einwilligung widerrufen, vor der Fallübernahme)' },
};

/** Residence-law titles the seed names (3.3); free text is accepted as well. */
export const KNOWN_RESIDENCE_PERMITS: Record<string, string> = {
  '§25a': '§ 25a AufenthG – gut integrierte Jugendliche und junge Volljährige',
  '§25b': '§ 25b AufenthG – nachhaltige Integration',
  '§104c': '§ 104c AufenthG – Chancen-Aufenthaltsrecht',
  '§19d': '§ 19d AufenthG – qualifizierte Geduldete zur Beschäftigung',
  '§60c': '§ 60c AufenthG – Ausbildungsduldung',
  '§60d': '§ 60d AufenthG – Beschäftigungsduldung',
  '§16g': '§ 16g AufenthG – Berufsausbildung für Geduldete',
  '§10 Abs. 3': '§ 10 Abs. 3 AufenthG – Titelerteilung nach Asylablehnung',
  niederlassungserlaubnis: 'Niederlassungserlaubnis (NE)',
  einbuergerung: 'Einbürgerung',
};

export interface HandoverData {
  schemaVersion: 1;
  id: string;
  state: HandoverState;
  /** Existing case being handed over, or absent when the person has no case yet (`person` then holds the data). */
  caseId?: string;
  person?: PersonBody;
  residenceLaw: { permits: string[]; notes: string };
  reason: string;
  requestedAt: string;
  requestedBy: string;
  counsellorOrganisationId: string;
  proposedOrganisationId?: string;
  receivingOrganisationId: string;
  /** False until the client consented: the receiving side sees no personal data before. */
  visibleToReceiver: boolean;
  consent?: { decision: 'given' | 'refused'; recordedAt: string; recordedBy: string };
  meeting?: {
    at: string;
    participants: string[];
    scheduledAt: string;
    scheduledBy: string;
    heldAt?: string;
    heldBy?: string;
    notes?: string;
  };
  acceptance?: { at: string; by: string; assigneeId?: string };
  cancellation?: { reason: string; at: string; by: string };
  /** The client withdrew the handover consent before the takeover: the handover ended `cancelled`, nothing more is shown. */
  consentWithdrawal?: { at: string; by: string; note?: string };
  lapsedAt?: string;
  deadlines: Deadline[];
}
