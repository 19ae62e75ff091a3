// The closure loop's details (domain/case-closure.ts) beyond case-closure-loop.test.ts: exact events and
// notifications of return and withdrawal, what counts as a change since the request, the rules-6 boundary, a request
// returned while the case is on hold, and the review cycle after a withdrawal.
import { describe, expect, it } from 'vitest';
import { changesSinceRequest } from '../../domain/case-closure.js';
import { caseTimers, decide, formatDateDe, type CaseData, type CaseRulesVersion } from '../../domain/index.js';
import { CaseDriver, cmDrk, coordinator, goal, toGoalPlanning, withConsents } from './helpers.js';

const CLOSURE = { reason: 'moved_away', goalAttainment: 'partly' };

function working(): CaseDriver {
  const d = new CaseDriver();
  const share = withConsents(d);
  toGoalPlanning(d);
  d.advance(1).do('agree-goals', { goals: [goal()] });
  d.do('refer', { service: 'Schuldnerberatung', consentId: share });
  d.do('record-contact', { kind: 'phone', date: d.now, durationMinutes: 10 });
  return d;
}

const pendingKinds = (c: CaseData) => caseTimers(c).map((t) => t.kind);
const pendingReviews = (c: CaseData) => c.deadlines.filter((x) => x.kind === 'periodic_review' && ['open', 'reminded', 'suspended'].includes(x.status));

describe('return and withdrawal, exactly', () => {
  it('a return: the event, the cancelled decision deadline, the one mail to the requester', () => {
    const d = working();
    d.advance(1).do('request-closure', CLOSURE);
    const requestedAt = d.now;
    const decision = d.deadline('closure_decision')!;
    const r = d.advance(2).try('return-closure', { reason: 'Neue Adresse prüfen' }, coordinator);
    if (!r.ok) return expect.fail(JSON.stringify(r.error));
    const returned = r.events.find((e) => e.type === 'closure_returned')!;
    expect(returned.summary).toBe('Abschlussantrag zurückgegeben (Weggezogen): Neue Adresse prüfen');
    expect(returned.data).toStrictEqual({ reason: 'Neue Adresse prüfen', requestedBy: cmDrk.id, requestedAt });
    const cancelled = r.events.filter((e) => e.type === 'deadline_cancelled');
    expect(cancelled.map((e) => [e.data.deadlineId, e.data.reason])).toEqual([[decision.id, 'Abschlussantrag zurückgegeben']]);
    expect(r.notifications).toStrictEqual([
      { kind: 'closure_returned', deadlineKind: 'closure_decision', to: 'assignee', caseId: 'case-1', dueAt: d.now, assigneeId: cmDrk.id, organisationId: 'drk' },
    ]);
    expect(r.next.closureReturn).toStrictEqual({
      reason: 'Neue Adresse prüfen',
      at: d.now,
      by: coordinator.id,
      request: { reason: 'moved_away', goalAttainment: 'partly', requestedAt, requestedBy: cmDrk.id },
    });
  });

  it('a withdrawal with a note keeps the note; without one the event has none', () => {
    const d = working();
    d.advance(1).do('request-closure', CLOSURE);
    const requestedAt = d.now;
    const withNote = d.advance(1).try('withdraw-closure', { note: 'Person bleibt doch' });
    if (!withNote.ok) return expect.fail(JSON.stringify(withNote.error));
    const event = withNote.events.find((e) => e.type === 'closure_withdrawn')!;
    expect(event.summary).toBe('Abschlussantrag zurückgezogen (Weggezogen)');
    expect(event.data).toStrictEqual({ requestedBy: cmDrk.id, requestedAt, note: 'Person bleibt doch' });
    expect(withNote.events.filter((e) => e.type === 'deadline_cancelled').map((e) => e.data.reason)).toEqual(['Abschlussantrag zurückgezogen']);
    const plain = d.try('withdraw-closure', {});
    if (!plain.ok) return expect.fail(JSON.stringify(plain.error));
    expect(plain.events.find((e) => e.type === 'closure_withdrawn')!.data).toStrictEqual({ requestedBy: cmDrk.id, requestedAt });
  });

  it('a second request replaces the first: its decision deadline is cancelled as replaced, not paused', () => {
    const d = working();
    d.advance(1).do('request-closure', CLOSURE);
    const first = d.deadline('closure_decision')!;
    const events = d.advance(1).do('request-closure', { reason: 'no_contact', goalAttainment: 'not_achieved' });
    const aboutFirst = events.filter((e) => e.data.deadlineId === first.id).map((e) => [e.type, e.data.reason]);
    expect(aboutFirst).toEqual([['deadline_cancelled', 'Antrag ersetzt']]);
    expect(d.deadline('closure_decision')!.id).not.toBe(first.id);
  });

  it('after a withdrawal the pending review is kept, not doubled', () => {
    const d = working();
    expect(pendingReviews(d.c)).toHaveLength(1);
    d.advance(1).do('request-closure', CLOSURE);
    d.advance(1).do('withdraw-closure', {});
    expect(pendingReviews(d.c)).toHaveLength(1);
  });

  it('a case without goals gets no review cycle from a withdrawal', () => {
    const d = new CaseDriver();
    d.do('record-consent', { scope: 'data_processing', decision: 'given' });
    d.advance(1).do('request-closure', CLOSURE);
    d.advance(1).do('withdraw-closure', {});
    expect(pendingReviews(d.c)).toEqual([]);
  });

  it('a request returned while the case is on hold leaves the work deadlines paused', () => {
    const d = working();
    d.advance(1).do('put-on-hold', { reason: 'im Krankenhaus' });
    d.do('request-closure', CLOSURE);
    d.advance(1).do('return-closure', { reason: 'Erst nach der Rückkehr' }, coordinator);
    expect(pendingKinds(d.c)).toEqual([]);
    d.advance(1).do('resume');
    expect(pendingKinds(d.c)).toContain('no_contact');
  });
});

describe('changes since the request', () => {
  it('none without a request, even with dated records', () => {
    expect(changesSinceRequest(working().c)).toEqual([]);
  });

  it('new consents and changed goals count, older records do not', () => {
    const d = working();
    d.advance(1).do('request-closure', CLOSURE);
    expect(changesSinceRequest(d.c)).toEqual([]);
    d.advance(1).do('record-consent', { scope: 'share_with_partner', decision: 'given', partnerName: 'VHS', purpose: 'Sprachkurs' });
    expect(changesSinceRequest(d.c)).toEqual(['1 neue Einwilligung(en)']);
    d.do('update-goal', { goalId: d.c.goals[0]!.id, status: 'achieved' });
    expect(changesSinceRequest(d.c)).toEqual(['1 neue Einwilligung(en)', '1 geänderte(s) Ziel(e)']);
  });

  it('a goal updated after the request counts on its own (agreed before it)', () => {
    const d = working();
    d.advance(1).do('request-closure', CLOSURE);
    d.advance(1).do('update-goal', { goalId: d.c.goals[0]!.id, status: 'partly' });
    expect(changesSinceRequest(d.c)).toEqual(['1 geänderte(s) Ziel(e)']);
  });
});

describe('a contact since the request (rules 11: by when it was recorded)', () => {
  const requested = (rules?: CaseRulesVersion) => {
    const d = working();
    if (rules) d.rules = rules;
    d.advance(1).do('request-closure', CLOSURE);
    return d;
  };
  const day = (iso: string) => iso.slice(0, 10);

  it('a contact of today recorded after the request counts (its date, midnight UTC, lies before the request)', () => {
    const d = requested();
    d.advance(0.1).do('record-contact', { kind: 'phone', date: day(d.now), durationMinutes: 10 });
    expect(changesSinceRequest(d.c, 11)).toEqual(['neuer Kontakt']);
    expect(d.try('approve-closure', {}, coordinator)).toMatchObject({ ok: false, error: { fields: { confirmChanges: expect.stringContaining('neuer Kontakt') } } });
  });

  it('a contact recorded before the request does not, even dated after the request’s instant', () => {
    const d = working();
    // 23:30 UTC, 00:30 in Germany: the contact is dated today in Germany, the next day in UTC.
    d.advance(1);
    d.now = `${day(d.now)}T23:30:00.000Z`;
    d.do('record-contact', { kind: 'phone', date: day(new Date(Date.parse(d.now) + 3_600_000).toISOString()), durationMinutes: 10 });
    d.now = `${day(d.now)}T23:31:00.000Z`;
    d.do('request-closure', CLOSURE);
    expect(changesSinceRequest(d.c, 10)).toEqual(['neuer Kontakt']); // what rules 10 made of it
    expect(changesSinceRequest(d.c, 11)).toEqual([]);
    expect(d.try('approve-closure', {}, coordinator)).toMatchObject({ ok: true, next: { state: 'closed' } });
  });

  it('on rules 10 the date decides, as then', () => {
    const d = requested(10);
    d.advance(0.1).do('record-contact', { kind: 'phone', date: day(d.now), durationMinutes: 10 });
    expect(changesSinceRequest(d.c, 10)).toEqual([]);
    expect(d.try('approve-closure', {}, coordinator)).toMatchObject({ ok: true, next: { state: 'closed' } });
  });
});

describe('the rules-6 boundary', () => {
  const approveOutgrown = (rules: CaseRulesVersion) => {
    const d = working();
    d.rules = rules;
    d.advance(1).do('request-closure', CLOSURE);
    d.advance(1).do('record-contact', { kind: 'counselling', date: d.now, durationMinutes: 30 });
    return { d, r: d.try('approve-closure', {}, coordinator) };
  };

  it('on rules 6 an outgrown request needs the confirmation, with the date of the request', () => {
    const { d, r } = approveOutgrown(6);
    const since = formatDateDe(d.c.closureRequest!.requestedAt);
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        fields: { confirmChanges: `Seit dem Antrag vom ${since} hat sich der Fall geändert (neuer Kontakt). Bitte prüfen und die Freigabe ausdrücklich bestätigen.` },
      },
    });
  });

  it('on rules 5 it is approved as then', () => {
    expect(approveOutgrown(5).r).toMatchObject({ ok: true, next: { state: 'closed' } });
  });

  it('on rules 6 a request arms the decision deadline and mails coordination', () => {
    const d = working();
    d.advance(1);
    const r = decide(d.c, { action: 'request-closure', payload: CLOSURE }, { now: d.now, actor: cmDrk, newId: d.newId, rules: 6 });
    if (!r.ok) return expect.fail(JSON.stringify(r.error));
    expect(new Set(pendingKinds(r.next))).toEqual(new Set(['closure_decision']));
    expect(r.notifications).toEqual([expect.objectContaining({ kind: 'closure_requested', to: 'coordination' })]);
  });
});
