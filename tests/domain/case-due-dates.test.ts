// Calendar due dates in the case (process rules 7): a goal or referral date is due at the end of that day in Germany,
// "today" is the German day, and a date a person entered stays that date across a pause. Runs recorded under rules 6
// keep their end of day in UTC (their histories replay as recorded; the pages read those instants as the same day).
import { describe, expect, it } from 'vitest';
import { caseTimers, formatDateDe, onDeadlineFired } from '../../domain/index.js';
import { CaseDriver, goal, toGoalPlanning, withConsents } from './helpers.js';

function atGoalPlanning(rules?: 6 | 7): CaseDriver {
  const d = new CaseDriver();
  if (rules) d.rules = rules;
  withConsents(d);
  toGoalPlanning(d);
  return d;
}

describe('due dates are days in Germany (rules 7)', () => {
  it('a goal due 31.01.2027 is due at the end of 31.01.2027 in Berlin and reads as that day', () => {
    const d = atGoalPlanning();
    d.do('agree-goals', { goals: [goal('A', '2027-01-31'), goal('B', '2027-07-31')] });
    const [a, b] = d.c.goals;
    expect(d.deadline('goal_due', a!.id)?.dueAt).toBe('2027-01-31T22:59:59.999Z');
    expect(d.deadline('goal_due', b!.id)?.dueAt).toBe('2027-07-31T21:59:59.999Z');
    expect(formatDateDe(d.deadline('goal_due', a!.id)!.dueAt)).toBe('31.01.2027');
    expect(d.events.at(-3)?.summary).toBe('Frist gesetzt: Zieltermin (fällig 31.01.2027)');
    d.do('update-goal', { goalId: a!.id, status: 'open', dueDate: '2027-03-28' });
    expect(d.deadline('goal_due', a!.id)?.dueAt).toBe('2027-03-28T21:59:59.999Z'); // the day summer time starts
  });

  it('runs recorded under rules 6 keep the end of the day in UTC, which still reads as the day entered', () => {
    const d = atGoalPlanning(6);
    d.do('agree-goals', { goals: [goal('A', '2027-01-31')] });
    const due = d.deadline('goal_due', d.c.goals[0]!.id)!.dueAt;
    expect(due).toBe('2027-01-31T23:59:59.999Z');
    expect(formatDateDe(due)).toBe('31.01.2027');
  });

  it('a referral follow-up on an entered date is due at its end in Berlin; the default one is 14 days on', () => {
    const d = atGoalPlanning();
    const share = d.c.consents.find((k) => k.scope === 'share_with_partner')!.id;
    d.do('agree-goals', { goals: [goal()] });
    d.do('refer', { service: 'Schuldnerberatung', consentId: share, dueDate: '2026-12-16' });
    d.now = '2025-12-02T23:30:00.000Z'; // 00:30 on 03.12. in Germany
    d.do('refer', { service: 'Jobcenter' });
    const [entered, computed] = d.c.referrals;
    expect(d.deadline('referral_follow_up', entered!.id)?.dueAt).toBe('2026-12-16T22:59:59.999Z');
    expect(entered).toMatchObject({ dueDate: '2026-12-16', dueDateEntered: true });
    // 14 days after 00:30 on 03.12. in Germany is 17.12., not the UTC day 16.12.
    expect(computed).toMatchObject({ dueDate: '2025-12-17' });
    expect(computed!.dueDateEntered).toBeUndefined();
  });

  it('"today" is the day in Germany: just after midnight there, yesterday is in the past', () => {
    const d = atGoalPlanning();
    d.now = '2025-12-02T23:30:00.000Z';
    const refused = d.try('agree-goals', { goals: [goal('A', '2025-12-02')] });
    expect(refused.ok).toBe(false);
    const old = atGoalPlanning(6);
    old.now = '2025-12-02T23:30:00.000Z';
    expect(old.try('agree-goals', { goals: [goal('A', '2025-12-02')] }).ok).toBe(true);
  });
});

describe('a pause does not move a date a person entered (rules 7)', () => {
  it('the goal stays due on its date, computed deadlines get their remaining time back', () => {
    const d = atGoalPlanning();
    d.do('agree-goals', { goals: [goal('A', '2027-01-31')] });
    const g = d.c.goals[0]!;
    const review = d.deadline('periodic_review')!.dueAt;
    d.do('put-on-hold', { reason: 'Krankenhaus' });
    const events = d.advance(10).do('resume');
    expect(d.deadline('goal_due', g.id)).toMatchObject({ status: 'open', dueAt: '2027-01-31T22:59:59.999Z' });
    expect(Date.parse(d.deadline('periodic_review')!.dueAt) - Date.parse(review)).toBe(10 * 86_400_000);
    expect(events.map((e) => e.summary)).toContain('Frist läuft wieder (Termin bleibt): Zieltermin (fällig 31.01.2027)');
  });

  it('an entered referral date stays, a computed follow-up moves with the pause', () => {
    const d = atGoalPlanning();
    const share = d.c.consents.find((k) => k.scope === 'share_with_partner')!.id;
    d.do('agree-goals', { goals: [goal()] });
    d.do('refer', { service: 'Schuldnerberatung', consentId: share, dueDate: '2025-05-30' });
    d.do('refer', { service: 'Jobcenter' });
    const [entered, computed] = d.c.referrals;
    const before = d.deadline('referral_follow_up', computed!.id)!.dueAt;
    d.do('put-on-hold', { reason: 'Krankenhaus' });
    d.advance(5).do('resume');
    expect(d.deadline('referral_follow_up', entered!.id)?.dueAt).toBe('2025-05-30T21:59:59.999Z');
    expect(Date.parse(d.deadline('referral_follow_up', computed!.id)!.dueAt) - Date.parse(before)).toBe(5 * 86_400_000);
  });

  it('a goal date that passed during the pause is overdue at once when the case resumes', () => {
    const d = atGoalPlanning();
    d.do('agree-goals', { goals: [goal('A', '2025-03-20')] });
    const g = d.c.goals[0]!;
    d.do('put-on-hold', { reason: 'Krankenhaus' });
    d.advance(20).do('resume');
    const timer = caseTimers(d.c).find((t) => t.kind === 'goal_due')!;
    expect(timer.at).toBe('2025-03-20T22:59:59.999Z');
    d.c = onDeadlineFired(d.c, timer.deadlineId, 'reminder', d.now).next;
    expect(d.c.deadlines.find((x) => x.refId === g.id)?.status).toBe('missed');
  });

  it('rules 6 moved the goal deadline by the pause (the history of such runs replays so)', () => {
    const d = atGoalPlanning(6);
    d.do('agree-goals', { goals: [goal('A', '2027-01-31')] });
    d.do('put-on-hold', { reason: 'Krankenhaus' });
    d.advance(10).do('resume');
    expect(d.deadline('goal_due', d.c.goals[0]!.id)?.dueAt).toBe('2027-02-10T23:59:59.999Z');
  });
});
