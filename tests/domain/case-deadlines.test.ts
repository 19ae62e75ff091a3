import { describe, expect, it } from 'vitest';
import {
  addDays,
  caseTimers,
  deadlineSettingsSchema,
  defaultCaseSettings,
  defaultDeadlineSettings,
  nextDeadline,
  onDeadlineFired,
} from '../../domain/index.js';
import { CaseDriver, T0, coordinator, goal, toGoalPlanning, withConsents } from './helpers.js';

describe('deadline settings', () => {
  it('has the defaults of domain.md and validates configured values', () => {
    expect(defaultDeadlineSettings).toMatchObject({
      firstAssessmentDays: 14,
      escalationGraceDays: 7,
      assessmentCompletionDays: 28,
      goalAgreementDays: 14,
      referralFollowUpDays: 14,
      reviewIntervalDays: 90,
      noContactReminderDays: 56,
      noContactEscalationDays: 84,
      handoverConsentDays: 14,
      handoverMeetingDays: 21,
      retentionYears: 3,
    });
    expect(defaultCaseSettings).toMatchObject({ closureNeedsApproval: true, reopenWithinDays: 90 });
    expect(deadlineSettingsSchema.safeParse(defaultDeadlineSettings).success).toBe(true);
    expect(deadlineSettingsSchema.safeParse({ ...defaultDeadlineSettings, firstAssessmentDays: 0 }).success).toBe(false);
    expect(deadlineSettingsSchema.safeParse({ ...defaultDeadlineSettings, noContactEscalationDays: 50 }).success).toBe(false);
  });
});

describe('case deadlines', () => {
  it('intake arms first assessment (14 d + 7 d escalation) and no-contact (56/84 d)', () => {
    const d = new CaseDriver();
    expect(d.deadline('first_assessment')).toMatchObject({
      status: 'open',
      dueAt: '2025-03-17T09:00:00.000Z',
      escalateAt: '2025-03-24T09:00:00.000Z',
    });
    expect(d.deadline('no_contact')).toMatchObject({ dueAt: addDays(T0, 56), escalateAt: addDays(T0, 84) });
    expect(d.events.filter((e) => e.type === 'deadline_set')).toHaveLength(2);
    expect(nextDeadline(d.c)).toMatchObject({ kind: 'first_assessment', dueAt: '2025-03-17T09:00:00.000Z' });
    expect(caseTimers(d.c).map((t) => [t.kind, t.phase])).toEqual([
      ['first_assessment', 'reminder'],
      ['first_assessment', 'escalation'],
      ['no_contact', 'reminder'],
      ['no_contact', 'escalation'],
    ]);
  });

  it('start-assessment meets first assessment and arms assessment completion (28 d)', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    const events = d.advance(3).do('start-assessment');
    expect(d.deadlines('first_assessment')[0]!.status).toBe('met');
    expect(d.deadline('assessment_completion')?.dueAt).toBe(addDays(d.now, 28));
    expect(events.map((e) => e.type)).toEqual(['assessment_started', 'deadline_met', 'deadline_set']);
  });

  it('complete-assessment arms goal agreement; agree-goals meets it and arms goal due + periodic review', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    expect(d.deadlines('assessment_completion')[0]!.status).toBe('met');
    expect(d.deadline('goal_agreement')?.dueAt).toBe(addDays(d.now, 14));
    d.advance(2).do('agree-goals', { goals: [goal('A', '2025-06-30')] });
    expect(d.deadlines('goal_agreement')[0]!.status).toBe('met');
    expect(d.deadline('goal_due', d.c.goals[0]!.id)?.dueAt).toBe('2025-06-30T21:59:59.999Z');
    expect(d.deadline('periodic_review')?.dueAt).toBe(addDays(d.now, 90));
  });

  it('on hold suspends deadlines; resume re-arms them with the remaining time', () => {
    const d = new CaseDriver();
    d.advance(4).do('put-on-hold', { reason: 'nicht erreichbar' });
    expect(d.c.deadlines.map((x) => x.status)).toEqual(['suspended', 'suspended']);
    expect(nextDeadline(d.c)).toBeNull();
    expect(caseTimers(d.c)).toEqual([]);
    d.advance(20).do('resume');
    // 10 of 14 days were left → due 10 days after resume; escalation 7 days later as before.
    expect(d.deadline('first_assessment')).toMatchObject({
      status: 'open',
      dueAt: addDays(d.now, 10),
      escalateAt: addDays(d.now, 17),
    });
    expect(d.deadline('no_contact')?.dueAt).toBe(addDays(d.now, 52));
    expect(d.events.filter((e) => e.type === 'deadline_rearmed')).toHaveLength(2);
  });

  it('a reminded deadline stays reminded across a pause and only its escalation moves', () => {
    const d = new CaseDriver();
    const fa = d.deadline('first_assessment')!;
    d.c = onDeadlineFired(d.c, fa.id, 'reminder', fa.dueAt).next;
    d.now = addDays(fa.dueAt, 2);
    d.do('put-on-hold', { reason: 'Krankenhaus' });
    d.advance(10).do('resume');
    expect(d.deadline('first_assessment')).toMatchObject({ status: 'reminded', escalateAt: addDays(fa.escalateAt!, 10) });
  });

  it('record-contact restarts the no-contact deadline; an older back-dated contact does not', () => {
    const d = new CaseDriver();
    d.advance(30).do('record-contact', { kind: 'outreach', date: d.now, durationMinutes: 60 });
    const nc = d.deadline('no_contact')!;
    expect(nc).toMatchObject({ dueAt: addDays(d.now, 56), escalateAt: addDays(d.now, 84), status: 'open' });
    expect(d.deadlines('no_contact')[0]!.status).toBe('met');
    d.advance(1).do('record-contact', { kind: 'phone', date: '2025-03-10', durationMinutes: 5 });
    expect(d.deadline('no_contact')!.id).toBe(nc.id);
    expect(d.c.contacts).toMatchObject({ count: 2, byKind: { outreach: 1, phone: 1 }, lastContactAt: addDays(T0, 30) });
  });

  it('a contact while on hold creates a suspended no-contact deadline that starts on resume', () => {
    const d = new CaseDriver();
    d.advance(2).do('put-on-hold', { reason: 'unbekannt verzogen' });
    d.advance(5).do('record-contact', { kind: 'phone', date: d.now, durationMinutes: 5 });
    expect(d.deadline('no_contact')?.status).toBe('suspended');
    d.advance(3).do('resume');
    expect(d.deadline('no_contact')?.dueAt).toBe(addDays(d.now, 56));
  });

  it('changing a goal due date moves its deadline; achieving meets it; dropping cancels it', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal('A', '2025-06-30'), goal('B', '2025-07-31')] });
    const [a, b] = d.c.goals;
    const before = d.deadline('goal_due', a!.id)!;
    const ev = d.do('update-goal', { goalId: a!.id, status: 'open', dueDate: '2025-09-30' });
    expect(d.deadline('goal_due', a!.id)).toMatchObject({ id: before.id, dueAt: '2025-09-30T21:59:59.999Z', status: 'open' });
    expect(ev.map((e) => e.type)).toEqual(['goal_updated', 'deadline_moved']);
    d.do('update-goal', { goalId: a!.id, status: 'achieved' });
    expect(d.c.deadlines.find((x) => x.id === before.id)?.status).toBe('met');
    d.do('update-goal', { goalId: b!.id, status: 'dropped' });
    expect(d.c.deadlines.find((x) => x.refId === b!.id)?.status).toBe('cancelled');
    // Re-opening an achieved goal arms a fresh deadline.
    d.do('update-goal', { goalId: a!.id, status: 'open', dueDate: '2025-12-31' });
    expect(d.deadline('goal_due', a!.id)).toMatchObject({ status: 'open', dueAt: '2025-12-31T22:59:59.999Z' });
  });

  it('a moved goal deadline ignores the timer of its old due date', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal('A', '2025-04-30')] });
    const g = d.c.goals[0]!;
    const dl = d.deadline('goal_due', g.id)!;
    d.do('update-goal', { goalId: g.id, status: 'open', dueDate: '2025-05-31' });
    const fired = onDeadlineFired(d.c, dl.id, 'reminder', '2025-04-30T21:59:59.999Z');
    expect(fired.events).toEqual([]);
    expect(fired.next).toBe(d.c);
  });

  it('referral follow-up: +14 d by default or the given date; met by an outcome', () => {
    const d = new CaseDriver();
    const share = withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    d.do('refer', { service: 'Jobcenter' });
    d.do('refer', { service: 'Schuldnerberatung', consentId: share, dueDate: '2025-05-02' });
    const [r1, r2] = d.c.referrals;
    expect(d.deadline('referral_follow_up', r1!.id)).toMatchObject({ dueAt: addDays(d.now, 14) });
    expect(d.deadline('referral_follow_up', r2!.id)).toMatchObject({ dueAt: '2025-05-02T21:59:59.999Z' });
    expect(r2!.dueDate).toBe('2025-05-02');
    d.do('record-referral-outcome', { referralId: r1!.id, outcome: 'not_reached', reason: 'Termin verpasst' });
    expect(d.c.deadlines.find((x) => x.refId === r1!.id)?.status).toBe('met');
  });

  it('consent withdrawal stops pending referrals relying on it and cancels their follow-ups', () => {
    const d = new CaseDriver();
    const share = withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    d.do('refer', { service: 'Schuldnerberatung', consentId: share });
    d.do('refer', { service: 'Sprachkurs' });
    const [shared, other] = d.c.referrals;
    const events = d.advance(2).do('withdraw-consent', { consentId: share });
    expect(events.map((e) => e.type)).toEqual(['consent_withdrawn', 'referral_stopped', 'deadline_cancelled']);
    expect(d.c.referrals.find((r) => r.id === shared!.id)).toMatchObject({ status: 'stopped', reason: 'Einwilligung widerrufen' });
    expect(d.c.referrals.find((r) => r.id === other!.id)?.status).toBe('sent');
    expect(d.c.deadlines.find((x) => x.refId === shared!.id)?.status).toBe('cancelled');
    expect(d.c.deadlines.find((x) => x.refId === other!.id)?.status).toBe('open');
    // A referral can no longer use the withdrawn consent.
    const r = d.try('refer', { service: 'Schuldnerberatung', consentId: share });
    expect(r).toMatchObject({ ok: false, error: { code: 'validation_failed', fields: { consentId: expect.any(String) } } });
  });

  it('onDeadlineFired: reminder → assignee, escalation → coordination; met/cancelled deadlines are ignored', () => {
    const d = new CaseDriver();
    const fa = d.deadline('first_assessment')!;
    const early = onDeadlineFired(d.c, fa.id, 'reminder', addDays(fa.dueAt, -1));
    expect(early.events).toEqual([]);

    const r = onDeadlineFired(d.c, fa.id, 'reminder', fa.dueAt);
    expect(r.events.map((e) => e.type)).toEqual(['deadline_missed', 'reminder_sent']);
    expect(r.notifications).toEqual([
      expect.objectContaining({ kind: 'reminder', deadlineKind: 'first_assessment', to: 'assignee', caseId: 'case-1', dueAt: fa.dueAt }),
    ]);
    const twice = onDeadlineFired(r.next, fa.id, 'reminder', fa.dueAt);
    expect(twice.events).toEqual([]);
    const esc = onDeadlineFired(r.next, fa.id, 'escalation', fa.escalateAt!);
    expect(esc.notifications).toEqual([expect.objectContaining({ kind: 'escalation', to: 'coordination' })]);
    expect(esc.next.deadlines.find((x) => x.id === fa.id)?.status).toBe('escalated');
    expect(nextDeadline(esc.next)).toMatchObject({ kind: 'first_assessment', status: 'escalated' });

    // Meeting it late still marks it met; a late timer afterwards does nothing.
    d.c = esc.next;
    d.now = addDays(fa.escalateAt!, 1);
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    const ev = d.do('start-assessment');
    expect(ev.find((e) => e.type === 'deadline_met')?.summary).toMatch(/verspätet/);
    const late = onDeadlineFired(d.c, fa.id, 'escalation', d.now);
    expect(late.events).toEqual([]);
    expect(late.notifications).toEqual([]);
    expect(onDeadlineFired(d.c, 'unknown', 'reminder', d.now).events).toEqual([]);
  });

  it('reminder-only deadlines become missed; suspended ones ignore timers', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    d.do('refer', { service: 'Jobcenter' });
    const fu = d.deadline('referral_follow_up')!;
    const fired = onDeadlineFired(d.c, fu.id, 'reminder', fu.dueAt);
    expect(fired.next.deadlines.find((x) => x.id === fu.id)?.status).toBe('missed');
    expect(onDeadlineFired(fired.next, fu.id, 'escalation', addDays(fu.dueAt, 30)).events).toEqual([]);
    d.do('put-on-hold', { reason: 'x' });
    const suspended = onDeadlineFired(d.c, fu.id, 'reminder', fu.dueAt);
    expect(suspended.events).toEqual([]);
  });

  it('reminders go to coordination when nobody is assigned', () => {
    const d = new CaseDriver();
    d.do('transfer', { organisationId: 'kja', reason: 'jung' }, coordinator);
    const nc = d.deadline('no_contact')!;
    expect(onDeadlineFired(d.c, nc.id, 'reminder', nc.dueAt).notifications[0]?.to).toBe('coordination');
  });

  it('the periodic review cycle: reminder, then completed review meets it and arms the next one', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    const pr = d.deadline('periodic_review')!;
    d.c = onDeadlineFired(d.c, pr.id, 'reminder', pr.dueAt).next;
    expect(d.deadline('periodic_review')?.status).toBe('reminded');
    d.now = addDays(pr.dueAt, 2);
    d.do('start-review');
    d.do('complete-review', { outcome: 'refer' });
    expect(d.c.state).toBe('referral');
    expect(d.c.deadlines.find((x) => x.id === pr.id)?.status).toBe('met');
    const next = d.deadline('periodic_review')!;
    expect(next.id).not.toBe(pr.id);
    expect(next.dueAt).toBe(addDays(d.now, 90));
    // replan → goal planning, with a new goal-agreement deadline
    d.advance(10).do('start-review');
    d.do('complete-review', { outcome: 'replan' });
    expect(d.c.state).toBe('goal_planning');
    expect(d.deadline('goal_agreement')?.dueAt).toBe(addDays(d.now, 14));
  });

  it('closure cancels all deadlines and arms retention; the fired retention tells the caller to erase', () => {
    const d = new CaseDriver();
    d.do('close', { reason: 'moved_away', goalAttainment: 'not_achieved' }, coordinator);
    expect(d.c.deadlines.filter((x) => x.kind !== 'retention').every((x) => x.status === 'cancelled')).toBe(true);
    const ret = d.deadline('retention')!;
    expect(ret.dueAt).toBe('2028-03-03T09:00:00.000Z');
    const fired = onDeadlineFired(d.c, ret.id, 'reminder', ret.dueAt);
    expect(fired.retentionElapsed).toBe(true);
    expect(fired.events.map((e) => e.type)).toEqual(['retention_period_elapsed']);
    expect(fired.next.deadlines.find((x) => x.id === ret.id)?.status).toBe('met');
  });

  it('reopen with goals starts a review, re-arms periodic review and no-contact, cancels retention', () => {
    const d = new CaseDriver();
    withConsents(d);
    toGoalPlanning(d);
    d.do('agree-goals', { goals: [goal()] });
    d.do('refer', { service: 'Jobcenter' });
    d.do('close', { reason: 'goals_achieved', goalAttainment: 'achieved' }, coordinator);
    d.advance(30).do('reopen', { reason: 'Neue Schulden' });
    expect(d.c.state).toBe('review');
    expect(d.c.reviews.at(-1)).toMatchObject({ viaReopen: true, returnTo: 'referral' });
    expect(d.deadline('periodic_review')?.dueAt).toBe(addDays(d.now, 90));
    expect(d.deadline('no_contact')?.dueAt).toBe(addDays(d.now, 56));
    expect(d.deadlines('retention')[0]!.status).toBe('cancelled');
    d.do('complete-review', { outcome: 'continue' });
    expect(d.c.state).toBe('referral');
  });
});
