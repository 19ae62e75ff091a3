// Issue 12 part 3: closure approval as a loop (domain/case-closure.ts, process rules 6).
import { describe, expect, it } from 'vitest';
import { addDays, caseTimers, decide, onDeadlineFired, type CaseData } from '../../domain/index.js';
import { CaseDriver, cmDrk, coordinator, goal, toGoalPlanning, withConsents } from './helpers.js';

const CLOSURE = { reason: 'goals_achieved', goalAttainment: 'achieved' };

/** A case in referral with goals, a referral and a contact: every work deadline armed. */
function working(): CaseDriver {
  const d = new CaseDriver();
  const share = withConsents(d);
  toGoalPlanning(d);
  d.advance(1).do('agree-goals', { goals: [goal()] });
  d.do('refer', { service: 'Schuldnerberatung', consentId: share });
  d.do('assign', { assigneeId: cmDrk.id });
  d.do('record-contact', { kind: 'phone', date: d.now, durationMinutes: 10 });
  return d;
}

const pendingKinds = (c: CaseData) => caseTimers(c).map((t) => t.kind);

describe('a closure request waits for coordination', () => {
  it('pauses the work deadlines, arms the decision deadline and mails coordination', () => {
    const d = working();
    expect(pendingKinds(d.c)).toEqual(expect.arrayContaining(['no_contact', 'periodic_review', 'referral_follow_up', 'goal_due']));
    const r = d.advance(1).try('request-closure', CLOSURE);
    if (!r.ok) expect.fail(JSON.stringify(r.error));
    d.c = r.next;
    // No phase reminders while pending: only coordination's decision has timers.
    expect(new Set(pendingKinds(d.c))).toEqual(new Set(['closure_decision']));
    const decision = d.deadline('closure_decision')!;
    expect(decision.dueAt).toBe(addDays(d.now, 7));
    expect(decision.escalateAt).toBe(addDays(d.now, 14));
    expect(r.notifications).toEqual([expect.objectContaining({ kind: 'closure_requested', to: 'coordination', deadlineKind: 'closure_decision' })]);
    expect(r.events.filter((e) => e.type === 'deadline_suspended').every((e) => /Abschlussantrag liegt vor/.test(e.summary))).toBe(true);
  });

  it('the decision deadline reminds coordination (not the assignee), then escalates', () => {
    const d = working();
    d.advance(1).do('request-closure', CLOSURE);
    const decision = d.deadline('closure_decision')!;
    const reminded = onDeadlineFired(d.c, decision.id, 'reminder', decision.dueAt);
    expect(reminded.notifications).toEqual([expect.objectContaining({ kind: 'reminder', to: 'coordination', deadlineKind: 'closure_decision' })]);
    expect(reminded.notifications[0]!.assigneeId).toBeUndefined();
    const escalated = onDeadlineFired(reminded.next, decision.id, 'escalation', decision.escalateAt!);
    expect(escalated.notifications).toEqual([expect.objectContaining({ kind: 'escalation', to: 'coordination' })]);
  });

  it('a resume while the request waits keeps the work deadlines paused', () => {
    const d = working();
    d.advance(1).do('put-on-hold', { reason: 'im Krankenhaus' });
    d.do('request-closure', CLOSURE);
    expect(d.deadline('closure_decision')!.status).toBe('open');
    d.advance(1).do('resume');
    expect(new Set(pendingKinds(d.c))).toEqual(new Set(['closure_decision']));
  });
});

describe('return, withdraw, approve', () => {
  it('coordination returns a request with a reason: the CM sees why and is mailed; the deadlines run again', () => {
    const d = working();
    d.advance(1).do('request-closure', CLOSURE);
    expect(d.try('return-closure', { reason: 'x' }, cmDrk)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const r = d.advance(2).try('return-closure', { reason: 'Bitte erst die Vermittlung nachhalten' }, coordinator);
    if (!r.ok) expect.fail(JSON.stringify(r.error));
    d.c = r.next;
    expect(d.c.closureRequest).toBeUndefined();
    expect(d.c.closureReturn).toMatchObject({ reason: 'Bitte erst die Vermittlung nachhalten', by: coordinator.id, request: { requestedBy: cmDrk.id } });
    expect(r.notifications).toEqual([expect.objectContaining({ kind: 'closure_returned', to: 'assignee', assigneeId: cmDrk.id })]);
    expect(d.c.deadlines.find((x) => x.kind === 'closure_decision')!.status).toBe('cancelled');
    expect(pendingKinds(d.c)).toEqual(expect.arrayContaining(['no_contact', 'periodic_review', 'referral_follow_up']));
    expect(r.events.find((e) => e.type === 'closure_returned')!.summary).toBe('Abschlussantrag zurückgegeben (Ziele erreicht): Bitte erst die Vermittlung nachhalten');
    // A new request clears the return.
    d.do('request-closure', CLOSURE);
    expect(d.c.closureReturn).toBeUndefined();
  });

  it('the CM withdraws a request: work goes on, nobody is mailed', () => {
    const d = working();
    d.advance(1).do('request-closure', CLOSURE);
    const r = d.advance(1).try('withdraw-closure', {});
    if (!r.ok) expect.fail(JSON.stringify(r.error));
    d.c = r.next;
    expect(d.c.closureRequest).toBeUndefined();
    expect(r.notifications).toBeUndefined();
    expect(pendingKinds(d.c)).not.toContain('closure_decision');
    expect(pendingKinds(d.c)).toContain('no_contact');
    expect(d.try('withdraw-closure', {})).toMatchObject({ ok: false, error: { code: 'transition_not_allowed', message: 'Es liegt kein Abschlussantrag vor.' } });
  });

  it('approving a request the case has outgrown (new referral, contact) needs a confirmation', () => {
    const d = working();
    d.advance(1).do('request-closure', CLOSURE);
    d.advance(1).do('refer', { service: 'Sprachkurs' });
    d.do('record-contact', { kind: 'counselling', date: d.now, durationMinutes: 30 });
    const warned = d.try('approve-closure', {}, coordinator);
    expect(warned.ok).toBe(false);
    if (!warned.ok && warned.error.code === 'validation_failed') {
      expect(warned.error.fields.confirmChanges).toMatch(/Seit dem Antrag vom .* geändert \(1 neue Vermittlung\(en\), neuer Kontakt\)/);
    } else expect.fail('expected validation_failed');
    d.do('approve-closure', { confirmChanges: true }, coordinator);
    expect(d.c.state).toBe('closed');
  });

  it('an unchanged request is approved without confirmation', () => {
    const d = working();
    d.advance(1).do('request-closure', CLOSURE);
    d.advance(3).do('approve-closure', {}, coordinator);
    expect(d.c.state).toBe('closed');
    expect(d.c.deadlines.find((x) => x.kind === 'closure_decision')!.status).toBe('cancelled');
  });
});

describe('review outcome close', () => {
  it('files the request without re-arming phase deadlines; a withdrawal starts the review cycle again', () => {
    const d = working();
    d.advance(1).do('start-review');
    d.do('complete-review', { outcome: 'close', closureReason: 'goals_achieved', goalAttainment: 'achieved' });
    expect(d.c.closureRequest).toBeDefined();
    expect(new Set(pendingKinds(d.c))).toEqual(new Set(['closure_decision']));
    expect(d.c.deadlines.filter((x) => x.kind === 'periodic_review' && x.status !== 'met' && x.status !== 'cancelled')).toEqual([]);
    d.advance(1).do('withdraw-closure', {});
    expect(pendingKinds(d.c)).toContain('periodic_review');
  });
});

describe('runs on the rules of version 5', () => {
  it('a request changes no deadline and mails nobody', () => {
    const d = working();
    d.advance(1);
    const r = decide(d.c, { action: 'request-closure', payload: CLOSURE }, { now: d.now, actor: cmDrk, newId: d.newId, rules: 5 });
    if (!r.ok) expect.fail(JSON.stringify(r.error));
    expect(r.notifications).toBeUndefined();
    expect(r.next.deadlines).toEqual(d.c.deadlines);
  });
});
