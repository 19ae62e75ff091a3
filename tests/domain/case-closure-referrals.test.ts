// Issue 12 part 4: closing a case stops only referrals still waiting; accepted ones keep their outcome and can get it
// recorded after closure (documentation, within the reopen window). Every summary is German.
import { describe, expect, it } from 'vitest';
import {
  CONSENT_SCOPES,
  GOAL_STATUSES,
  REFERRAL_OUTCOMES,
  REVIEW_OUTCOMES,
  decide,
  readableSummary,
  type DomainEvent,
} from '../../domain/index.js';
import { CaseDriver, cmDrk, coordinator, goal, toGoalPlanning, withConsents } from './helpers.js';

/** A case in referral with two referrals: one accepted, one still waiting (`sent`). */
function twoReferrals(): { d: CaseDriver; accepted: string; waiting: string } {
  const d = new CaseDriver();
  const share = withConsents(d);
  toGoalPlanning(d);
  d.advance(1).do('agree-goals', { goals: [goal()] });
  d.advance(1).do('refer', { service: 'Schuldnerberatung', consentId: share });
  d.do('refer', { service: 'Sprachkurs' });
  const [accepted, waiting] = d.c.referrals.map((r) => r.id) as [string, string];
  d.advance(1).do('record-referral-outcome', { referralId: accepted, outcome: 'accepted' });
  return { d, accepted, waiting };
}

describe('closure and referrals', () => {
  it('closing stops only the waiting referral; the accepted one keeps its outcome', () => {
    const { d, accepted, waiting } = twoReferrals();
    const events = d.advance(1).do('close', { reason: 'goals_achieved', goalAttainment: 'achieved' }, coordinator);
    expect(d.c.referrals.find((r) => r.id === accepted)!.status).toBe('accepted');
    expect(d.c.referrals.find((r) => r.id === waiting)).toMatchObject({ status: 'stopped', reason: 'Fall abgeschlossen' });
    const stopped = events.filter((e) => e.type === 'referral_stopped');
    expect(stopped.map((e) => e.data?.referralId)).toEqual([waiting]);
  });

  it('the outcome of an accepted referral can be recorded after closure; the case stays closed', () => {
    const { d, accepted, waiting } = twoReferrals();
    d.advance(1).do('close', { reason: 'goals_achieved', goalAttainment: 'achieved' }, coordinator);
    const events = d.advance(10).do('record-referral-outcome', { referralId: accepted, outcome: 'completed' });
    expect(d.c.state).toBe('closed');
    expect(d.c.referrals.find((r) => r.id === accepted)!.status).toBe('completed');
    expect(events[0]).toMatchObject({ type: 'referral_outcome_recorded', summary: 'Vermittlung Schuldnerberatung: abgeschlossen (nach Abschluss nachgetragen)' });
    // The stopped one cannot, nor the accepted one twice: nothing accepted is left.
    const again = d.try('record-referral-outcome', { referralId: waiting, outcome: 'completed' });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.message).toMatch(/keine angenommene Vermittlung/);
  });

  it('after closure only an accepted referral takes an outcome', () => {
    const { d, accepted, waiting } = twoReferrals();
    d.advance(1).do('close', { reason: 'goals_achieved', goalAttainment: 'achieved' }, coordinator);
    const r = d.try('record-referral-outcome', { referralId: waiting, outcome: 'completed' });
    expect(r.ok).toBe(false);
    if (!r.ok && r.error.code === 'validation_failed') expect(r.error.fields.referralId).toMatch(/bereits abgeschlossen|angenommenen/);
    expect(d.try('record-referral-outcome', { referralId: accepted, outcome: 'not_reached' }).ok).toBe(true);
  });

  it('past the reopen window the outcome can no longer be recorded, with the date in the message', () => {
    const { d, accepted } = twoReferrals();
    d.advance(1).do('close', { reason: 'goals_achieved', goalAttainment: 'achieved' }, coordinator);
    d.advance(91);
    const r = d.try('record-referral-outcome', { referralId: accepted, outcome: 'completed' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('transition_not_allowed');
      expect(r.error.message).toMatch(/nur bis 90 Tage nach Abschluss nachgetragen werden \(bis \d\d\.\d\d\.\d{4}\)/);
    }
  });

  it('runs on the rules of version 5 (recorded before) still stop accepted referrals at closure', () => {
    const { d, accepted } = twoReferrals();
    const r = decide(d.c, { action: 'close', payload: { reason: 'other', goalAttainment: 'partly' } }, { now: d.now, actor: coordinator, newId: d.newId, rules: 5 });
    if (!r.ok) expect.fail(JSON.stringify(r.error));
    expect(r.next.referrals.find((x) => x.id === accepted)!.status).toBe('stopped');
  });
});

// Codes of every enum a summary could name; none may reach people.
const CODES = [...GOAL_STATUSES, ...REFERRAL_OUTCOMES, ...REVIEW_OUTCOMES, ...CONSENT_SCOPES, 'given', 'refused', 'not_reached', 'not_achieved'];
const CODE_PATTERN = new RegExp(`\\b(${CODES.join('|')})\\b`);

describe('every summary is German', () => {
  it('goal updates, consents, referral outcomes and review outcomes name their values in German', () => {
    const all: DomainEvent[] = [];
    for (const scope of CONSENT_SCOPES) {
      const d = new CaseDriver();
      const partner = scope === 'share_with_partner' ? { partnerName: 'Tafel', purpose: 'Vermittlung' } : {};
      all.push(...d.do('record-consent', { scope, decision: 'given', ...partner }), ...d.do('record-consent', { scope, decision: 'refused', ...partner }));
    }
    for (const status of GOAL_STATUSES.filter((s) => s !== 'open')) {
      const d = new CaseDriver();
      withConsents(d);
      toGoalPlanning(d);
      d.advance(1).do('agree-goals', { goals: [goal('Anerkennung')] });
      all.push(...d.do('update-goal', { goalId: d.c.goals[0]!.id, status }));
      if (status !== 'dropped') all.push(...d.do('update-goal', { goalId: d.c.goals[0]!.id, status: 'open', dueDate: '2027-01-31' }));
    }
    for (const outcome of REFERRAL_OUTCOMES) {
      const { d, waiting } = twoReferrals();
      all.push(...d.do('record-referral-outcome', { referralId: waiting, outcome }));
    }
    for (const outcome of REVIEW_OUTCOMES) {
      const { d } = twoReferrals();
      d.advance(1).do('start-review');
      all.push(...d.do('complete-review', { outcome, closureReason: 'moved_away', goalAttainment: 'partly' }, cmDrk));
    }
    expect(all.length).toBeGreaterThan(20);
    const withCodes = all.filter((e) => CODE_PATTERN.test(e.summary)).map((e) => e.summary);
    expect(withCodes).toEqual([]);
    expect(all.map((e) => e.summary)).toContain('Ziel aktualisiert: Anerkennung (erreicht)');
  });

  it('goal updates recorded with a status code are shown with the German label', () => {
    expect(readableSummary('goal_updated', 'Ziel aktualisiert: Anerkennung (achieved)')).toBe('Ziel aktualisiert: Anerkennung (erreicht)');
    expect(readableSummary('goal_updated', 'Ziel aktualisiert: B1 (open, neuer Termin 31.01.2027)')).toBe('Ziel aktualisiert: B1 (offen, neuer Termin 31.01.2027)');
    expect(readableSummary('goal_updated', 'Ziel aktualisiert: B1 (erreicht)')).toBe('Ziel aktualisiert: B1 (erreicht)');
    expect(readableSummary('case_put_on_hold', 'Fall pausiert: (achieved)')).toBe('Fall pausiert: (achieved)');
  });
});
