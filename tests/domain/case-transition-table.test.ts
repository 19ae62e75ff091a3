// Exhaustive check of the case transition table: every (state × onHold × action) pair, against a matrix written
// here by hand. Fixtures satisfy every precondition (consents, goals, a pending referral, a closure request), so
// what is refused here is refused by the state table alone.
import { describe, expect, it } from 'vitest';
import {
  CASE_ACTIONS,
  CASE_STATES,
  allowedActions,
  decide,
  defaultCaseSettings,
  type Actor,
  type CaseAction,
  type CaseData,
  type CaseState,
} from '../../domain/index.js';
import { CaseDriver, cmDrk, coordinator, goal, withConsents } from './helpers.js';

// Columns: I=intake A=assessment G=goal_planning R=referral V=review C=closed; "h" = same state on hold.
// Closed cases are never on hold, so there are 11 columns. After closure, the outcome of an accepted referral can be
// recorded (documentation, within the reopen window).
const COLUMNS = ['I', 'Ih', 'A', 'Ah', 'G', 'Gh', 'R', 'Rh', 'V', 'Vh', 'C'] as const;
// prettier-ignore
const MATRIX: Record<CaseAction, string> = {
  //                          I Ih A Ah G Gh R Rh V Vh C
  'confirm-provider':        'x .  . .  . .  . .  . .  .',
  'assign':                  'x x  x x  x x  x x  x x  .',
  'record-consent':          'x x  x x  x x  x x  x x  .',
  'withdraw-consent':        'x x  x x  x x  x x  x x  x',
  'start-assessment':        'x .  . .  . .  . .  . .  .',
  'save-assessment-draft':   '. .  x .  . .  . .  . .  .',
  'complete-assessment':     '. .  x .  . .  . .  . .  .',
  'agree-goals':             '. .  . .  x .  . .  . .  .',
  'update-goal':             '. .  . .  x .  x .  x .  .',
  'refer':                   '. .  . .  x .  x .  . .  .',
  'record-referral-outcome': '. .  . .  x .  x .  x .  x',
  'start-review':            '. .  . .  x .  x .  . .  .',
  'complete-review':         '. .  . .  . .  . .  x .  .',
  'record-contact':          'x x  x x  x x  x x  x x  .',
  'put-on-hold':             'x .  x .  x .  x .  x .  .',
  'resume':                  '. x  . x  . x  . x  . x  .',
  'transfer':                'x x  x x  x x  x x  x x  .',
  'request-closure':         'x x  x x  x x  x x  x x  .',
  'approve-closure':         'x x  x x  x x  x x  x x  .',
  'return-closure':          'x x  x x  x x  x x  x x  .',
  'withdraw-closure':        'x x  x x  x x  x x  x x  .',
  'close':                   'x x  x x  x x  x x  x x  .',
  'reopen':                  '. .  . .  . .  . .  . .  x',
  'set-residence-track':     'x x  x x  x x  x x  x x  .',
};

const COLUMN_STATE: Record<(typeof COLUMNS)[number], [CaseState, boolean]> = {
  I: ['intake', false], Ih: ['intake', true], A: ['assessment', false], Ah: ['assessment', true],
  G: ['goal_planning', false], Gh: ['goal_planning', true], R: ['referral', false], Rh: ['referral', true],
  V: ['review', false], Vh: ['review', true], C: ['closed', false],
};

function expectedAllowed(column: (typeof COLUMNS)[number]): CaseAction[] {
  const idx = COLUMNS.indexOf(column);
  return CASE_ACTIONS.filter((a) => {
    const cells = MATRIX[a].split(/\s+/);
    expect(cells).toHaveLength(COLUMNS.length);
    return cells[idx] === 'x';
  });
}

/** A case in the given state whose content satisfies every precondition. */
function caseIn(state: CaseState, onHold: boolean): { driver: CaseDriver; shareConsentId: string } {
  const d = new CaseDriver();
  const shareConsentId = withConsents(d);
  if (state !== 'intake') d.advance(1).do('start-assessment');
  if (['goal_planning', 'referral', 'review', 'closed'].includes(state)) {
    d.advance(7).do('complete-assessment', { lifeAreas: [{ area: 'language', situation: 'A1', need: 'high' }] });
    d.advance(3).do('agree-goals', { goals: [goal()] });
    d.advance(1).do('refer', { service: 'Schuldnerberatung', partnerName: 'SKM', consentId: shareConsentId });
    if (state === 'goal_planning') {
      d.advance(1).do('start-review');
      d.do('complete-review', { outcome: 'replan' });
    }
    if (state === 'review') d.advance(1).do('start-review');
  }
  if (state === 'closed') {
    // An accepted referral: it keeps its outcome through the closure (its result can be recorded afterwards).
    d.advance(1).do('record-referral-outcome', { referralId: d.c.referrals[0]!.id, outcome: 'accepted' });
    d.advance(1).do('close', { reason: 'goals_achieved', goalAttainment: 'achieved' }, coordinator);
  } else {
    d.advance(1).do('request-closure', { reason: 'moved_away', goalAttainment: 'partly' });
    if (onHold) d.advance(1).do('put-on-hold', { reason: 'Telefonisch nicht erreichbar' });
  }
  expect(d.c.state).toBe(state);
  expect(d.c.onHold).toBe(onHold);
  d.advance(1);
  return { driver: d, shareConsentId };
}

function samplePayload(action: CaseAction, c: CaseData, now: string, shareConsentId: string): unknown {
  const pendingReferral = c.referrals.find((r) => r.status === 'sent' || r.status === 'accepted');
  const closure = { reason: 'goals_achieved', goalAttainment: 'achieved' };
  const payloads: Record<CaseAction, unknown> = {
    'confirm-provider': { organisationId: c.proposedProvider.organisationId },
    assign: { assigneeId: 'u-cm-drk-2' },
    'record-consent': { scope: 'data_processing', decision: 'given' },
    'withdraw-consent': { consentId: shareConsentId },
    'start-assessment': {},
    'save-assessment-draft': { lifeAreas: [{ area: 'housing', situation: 'Sammelunterkunft' }] },
    'complete-assessment': { lifeAreas: [{ area: 'housing', situation: 'Sammelunterkunft', need: 'high' }] },
    'agree-goals': { goals: [goal('Wohnung finden', '2026-06-30')] },
    'update-goal': { goalId: c.goals[0]?.id, status: 'achieved' },
    refer: { service: 'Sprachkurs' },
    'record-referral-outcome': { referralId: pendingReferral?.id, outcome: 'completed' },
    'start-review': {},
    'complete-review': { outcome: 'continue' },
    'record-contact': { kind: 'phone', date: now, durationMinutes: 15 },
    'put-on-hold': { reason: 'nicht erreichbar' },
    resume: {},
    transfer: { organisationId: 'caritas-eifel', reason: 'Umzug nach Mechernich' },
    'request-closure': closure,
    'approve-closure': {},
    'return-closure': { reason: 'Bitte die Zielerreichung dokumentieren' },
    'withdraw-closure': {},
    close: closure,
    reopen: { reason: 'Erneuter Unterstützungsbedarf' },
    'set-residence-track': { currentTitle: 'duldung', expiresOn: '2030-01-31', targetTitle: 'p25b', achievements: ['language'] },
  };
  return payloads[action];
}

/** Expected state/onHold after an allowed action (written from the concept, not from the implementation). */
function expectedAfter(action: CaseAction, state: CaseState, onHold: boolean): { state: CaseState; onHold: boolean } {
  switch (action) {
    case 'start-assessment': return { state: 'assessment', onHold };
    case 'complete-assessment': return { state: 'goal_planning', onHold };
    case 'refer': return { state: 'referral', onHold };
    case 'start-review': return { state: 'review', onHold };
    case 'complete-review': return { state: 'referral', onHold }; // continue → back to the interrupted phase
    case 'put-on-hold': return { state, onHold: true };
    case 'resume': return { state, onHold: false };
    case 'approve-closure':
    case 'close': return { state: 'closed', onHold: false };
    case 'reopen': return { state: 'review', onHold: false }; // goals were agreed → reopen starts with a review
    default: return { state, onHold };
  }
}

describe('case transition table (coordinator, all preconditions met)', () => {
  for (const column of COLUMNS) {
    const [state, onHold] = COLUMN_STATE[column];
    describe(`${state}${onHold ? ' (on hold)' : ''}`, () => {
      const expected = expectedAllowed(column);

      it('allowedActions matches the matrix', () => {
        const { driver } = caseIn(state, onHold);
        expect(allowedActions(driver.c, coordinator, { now: driver.now })).toEqual(expected);
      });

      for (const action of CASE_ACTIONS) {
        const isAllowed = expected.includes(action);
        it(`${action} → ${isAllowed ? 'allowed' : 'transition_not_allowed'}`, () => {
          const { driver, shareConsentId } = caseIn(state, onHold);
          const payload = samplePayload(action, driver.c, driver.now, shareConsentId);
          const r = decide(driver.c, { action, payload }, { now: driver.now, actor: coordinator, newId: driver.newId });
          if (isAllowed) {
            if (!r.ok) expect.fail(JSON.stringify(r.error));
            expect(r.events.length).toBeGreaterThan(0);
            expect(r.events.every((e) => e.at === driver.now && e.summary.length > 0)).toBe(true);
            expect({ state: r.next.state, onHold: r.next.onHold }).toEqual(expectedAfter(action, state, onHold));
            // Input is never mutated (pure function).
            expect(driver.c.state).toBe(state);
          } else {
            expect(r.ok).toBe(false);
            if (r.ok) return;
            expect(r.error.code).toBe('transition_not_allowed');
            if (r.error.code === 'transition_not_allowed') {
              expect(r.error.allowed).toEqual(expected);
              expect(r.error.message).toMatch(/nicht möglich/);
            }
          }
        });
      }
    });
  }

  it('covers every state and action', () => {
    expect(new Set(Object.values(COLUMN_STATE).map(([s]) => s))).toEqual(new Set(CASE_STATES));
    expect(Object.keys(MATRIX).sort()).toEqual([...CASE_ACTIONS].sort());
  });
});

describe('allowed actions per role', () => {
  it('a case manager never sees approve-closure, and close only when approval is switched off', () => {
    const { driver } = caseIn('referral', false);
    const cm = allowedActions(driver.c, cmDrk, { now: driver.now });
    expect(cm).not.toContain('approve-closure');
    expect(cm).not.toContain('close');
    expect(cm).toContain('request-closure');
    const noApproval = { ...defaultCaseSettings, closureNeedsApproval: false };
    expect(allowedActions(driver.c, cmDrk, { now: driver.now, settings: noApproval })).toContain('close');
  });

  it('other organisations and admins get nothing', () => {
    const { driver } = caseIn('referral', false);
    const other: Actor = { id: 'u-x', role: 'case_manager', organisationId: 'kja' };
    expect(allowedActions(driver.c, other)).toEqual([]);
    expect(allowedActions(driver.c, { id: 'a', role: 'admin', organisationId: 'drk' })).toEqual([]);
  });
});
