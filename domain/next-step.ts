// Where a case stands, in the words of the case page's header: its phase, what is pending (closure request, hold,
// consent), the next step of the work and the steps already done. Pure: the page passes the case, who looks and the
// actions allowed to them now; nothing here decides what is allowed (case-lifecycle.ts does).
import { hasEffectiveConsent } from './case-lifecycle.js';
import { CASE_STATE_LABELS, CLOSURE_REASON_LABELS, type CaseAction, type CaseData } from './case-model.js';
import { formatDateDe } from './dates.js';
import { isOverdue } from './deadlines.js';
import { GOAL_ATTAINMENT_LABELS } from './labels.js';

export type StandingKind = 'closure_request' | 'closure_returned' | 'hold' | 'consent_missing' | 'overdue' | 'closed';

export interface Standing {
  kind: StandingKind;
  text: string;
}

export interface NextStep {
  /** German, imperative: "Einwilligung erfassen, dann Assessment beginnen". */
  text: string;
  /** The action that does it, when the viewer may run it now. */
  action?: CaseAction;
}

export interface CaseStanding {
  phase: string;
  /** Pending states, most important first. */
  standing: Standing[];
  /** Null when nothing is to be done in the case (closed). */
  next: NextStep | null;
  /** Steps done, oldest first, with their day ("Einwilligung Datenverarbeitung erfasst am 02.12.2026"). */
  done: string[];
}

/** Who looks at the case: coordination decides closure requests, everyone else works the case. */
export type Viewer = 'coordination' | 'worker';

const offer = (text: string, action: CaseAction, allowed: readonly CaseAction[]): NextStep =>
  allowed.includes(action) ? { text, action } : { text };

/** The next step of the work in the case's phase (pending requests and holds come first). */
export function nextStep(c: CaseData, viewer: Viewer, allowed: readonly CaseAction[]): NextStep | null {
  if (c.state === 'closed') return null;
  if (c.closureRequest) {
    return viewer === 'coordination'
      ? offer('Abschlussantrag prüfen: freigeben oder mit Begründung zurückgeben', 'approve-closure', allowed)
      : { text: 'Freigabe des Abschlussantrags durch die KIM-Koordination abwarten (oder den Antrag zurückziehen)' };
  }
  if (c.onHold) return offer('Fall fortsetzen, sobald die Person wieder erreichbar ist', 'resume', allowed);
  switch (c.state) {
    case 'intake': {
      const consent = hasEffectiveConsent(c, 'data_processing');
      if (!c.providerConfirmed) {
        return offer(consent ? 'Träger bestätigen, dann Assessment beginnen' : 'Träger bestätigen, dann Einwilligung erfassen', 'confirm-provider', allowed);
      }
      if (!consent) return offer('Einwilligung erfassen, dann Assessment beginnen', 'record-consent', allowed);
      return offer('Assessment beginnen', 'start-assessment', allowed);
    }
    case 'assessment':
      return c.assessment?.draft
        ? offer(`Entwurf vom ${formatDateDe(c.assessment.draft.savedAt)} vervollständigen und Assessment abschließen`, 'complete-assessment', allowed)
        : offer('Lebensbereiche bewerten und Assessment abschließen', 'complete-assessment', allowed);
    case 'goal_planning':
      return c.goals.some((g) => g.status === 'open')
        ? offer('An ein Angebot vermitteln oder die Überprüfung beginnen', 'refer', allowed)
        : offer('Ziele mit der Person vereinbaren', 'agree-goals', allowed);
    case 'referral':
      return c.referrals.some((r) => r.status === 'sent')
        ? offer('Nachfragen, ob die Person beim Angebot angekommen ist, und das Ergebnis erfassen', 'record-referral-outcome', allowed)
        : offer('Überprüfung beginnen', 'start-review', allowed);
    case 'review':
      return offer('Überprüfung mit der Person abschließen', 'complete-review', allowed);
  }
}

/** What is pending in the case, for the header's badges and lines. */
export function caseStandings(c: CaseData, now: string): Standing[] {
  const out: Standing[] = [];
  if (c.closure) {
    out.push({ kind: 'closed', text: `Abgeschlossen am ${formatDateDe(c.closure.closedAt)}: ${CLOSURE_REASON_LABELS[c.closure.reason]}` });
  }
  if (c.closureRequest) {
    const r = c.closureRequest;
    out.push({
      kind: 'closure_request',
      text: `Abschluss beantragt am ${formatDateDe(r.requestedAt)} (${CLOSURE_REASON_LABELS[r.reason]}, Ziele ${GOAL_ATTAINMENT_LABELS[r.goalAttainment]}) – Freigabe durch die KIM-Koordination steht aus; die Fristen ruhen`,
    });
  } else if (c.closureReturn) {
    out.push({ kind: 'closure_returned', text: `Abschlussantrag am ${formatDateDe(c.closureReturn.at)} zurückgegeben: ${c.closureReturn.reason}` });
  }
  if (c.onHold) out.push({ kind: 'hold', text: `Pausiert${c.hold ? ` seit ${formatDateDe(c.hold.since)}: ${c.hold.reason}` : ''} – die Fristen ruhen` });
  if (c.state !== 'closed' && !hasEffectiveConsent(c, 'data_processing')) {
    const withdrawn = c.consents.some((k) => k.scope === 'data_processing' && k.withdrawnAt);
    const refused = c.consents.some((k) => k.scope === 'data_processing' && k.decision === 'refused' && !k.withdrawnAt);
    out.push({
      kind: 'consent_missing',
      text: withdrawn
        ? 'Einwilligung zur Datenverarbeitung widerrufen'
        : refused
          ? 'Einwilligung zur Datenverarbeitung verweigert'
          : 'Keine Einwilligung zur Datenverarbeitung erfasst',
    });
  }
  const overdue = c.deadlines.filter((d) => d.kind !== 'retention' && (isOverdue(d) || (d.status === 'open' && Date.parse(d.dueAt) < Date.parse(now))));
  if (overdue.length > 0) out.push({ kind: 'overdue', text: `${overdue.length} ${overdue.length === 1 ? 'Frist' : 'Fristen'} überfällig` });
  return out;
}

/** The steps done so far, oldest first (collapsed on the page). */
export function doneSteps(c: CaseData): string[] {
  const steps: Array<{ at: string; text: string }> = [];
  const on = (at: string) => `am ${formatDateDe(at)}`;
  steps.push({ at: c.openedAt, text: `Fall eröffnet ${on(c.openedAt)}` });
  if (c.providerConfirmation) steps.push({ at: c.providerConfirmation.at, text: `Träger bestätigt ${on(c.providerConfirmation.at)}` });
  for (const k of c.consents) {
    const scope = k.scope === 'data_processing' ? 'Datenverarbeitung' : k.scope === 'handover' ? 'Übergabe' : `Weitergabe${k.partnerName ? ` an ${k.partnerName}` : ''}`;
    steps.push({ at: k.recordedAt, text: `Einwilligung (${scope}) ${k.decision === 'given' ? 'erteilt' : 'verweigert'} ${on(k.recordedAt)}` });
  }
  if (c.assessment) {
    steps.push({ at: c.assessment.startedAt, text: `Assessment begonnen ${on(c.assessment.startedAt)}` });
    if (c.assessment.completedAt) steps.push({ at: c.assessment.completedAt, text: `Assessment abgeschlossen ${on(c.assessment.completedAt)}` });
  }
  const agreed = new Map<string, number>();
  for (const g of c.goals) agreed.set(g.agreedAt, (agreed.get(g.agreedAt) ?? 0) + 1);
  for (const [at, n] of agreed) steps.push({ at, text: `${n} ${n === 1 ? 'Ziel' : 'Ziele'} vereinbart ${on(at)}` });
  for (const r of c.referrals) steps.push({ at: r.sentAt, text: `Vermittelt an ${r.service} ${on(r.sentAt)}` });
  for (const r of c.reviews) if (r.completedAt) steps.push({ at: r.completedAt, text: `Überprüfung abgeschlossen ${on(r.completedAt)}` });
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).map((s) => s.text);
}

/**
 * The actions the page offers, the next step's first: a step already done is not offered again ("Träger bestätigen"
 * after the provider was confirmed — changing the provider then is a transfer).
 */
export function offeredActions(c: CaseData, allowed: readonly CaseAction[], next: NextStep | null): CaseAction[] {
  // The draft is the assessment form's second button, not a form of its own.
  const offered = allowed.filter((a) => !(a === 'confirm-provider' && c.providerConfirmed) && a !== 'save-assessment-draft');
  const first = next?.action;
  return first && offered.includes(first) ? [first, ...offered.filter((a) => a !== first)] : offered;
}

/** Everything the header says, in one call. */
export function caseStanding(c: CaseData, viewer: Viewer, allowed: readonly CaseAction[], now: string): CaseStanding {
  return { phase: CASE_STATE_LABELS[c.state], standing: caseStandings(c, now), next: nextStep(c, viewer, allowed), done: doneSteps(c) };
}

// ---------------------------------------------------------------------------------------------------------------
// Feedback after an action: what changed, from the events the action recorded.

export interface ActionFeedback {
  /** What was done, in the history's words ("Assessment abgeschlossen (2 Lebensbereiche, 1 mit hohem Bedarf)"). */
  headline: string;
  /** Deadline changes, one line each ("Neue Frist: Zielvereinbarung (fällig 20.12.2026)"). */
  changes: string[];
}

const DEADLINE_LINE: Record<string, [prefix: string, label: string]> = {
  deadline_set: ['Frist gesetzt: ', 'Neue Frist: '],
  deadline_met: ['Frist erfüllt', 'Erledigt'],
  deadline_moved: ['Frist verschoben', 'Verschoben'],
  deadline_cancelled: ['Frist aufgehoben', 'Aufgehoben'],
};

/** What an action changed, from its events (type and German summary, in order); `fallback` names the action. */
export function actionFeedback(events: ReadonlyArray<{ type: string; summary: string }>, fallback: string): ActionFeedback {
  const main = events.filter((e) => !e.type.startsWith('deadline_') && !e.type.endsWith('_sent'));
  const changes: string[] = [];
  let suspended = 0;
  let rearmed = 0;
  for (const e of events) {
    if (e.type === 'deadline_suspended') suspended += 1;
    else if (e.type === 'deadline_rearmed') rearmed += 1;
    const line = DEADLINE_LINE[e.type];
    if (line) changes.push(e.summary.startsWith(line[0]) ? `${line[1]}${e.summary.slice(line[0].length)}` : e.summary);
  }
  if (suspended) changes.push(`${suspended} ${suspended === 1 ? 'Frist ruht' : 'Fristen ruhen'} jetzt`);
  if (rearmed) changes.push(`${rearmed} ${rearmed === 1 ? 'Frist läuft' : 'Fristen laufen'} wieder`);
  return { headline: main.map((e) => e.summary).join('; ') || fallback, changes };
}
