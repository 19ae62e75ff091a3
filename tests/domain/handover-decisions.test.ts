// The handover's decisions one by one (domain/handover.ts), with the exact data, events, messages and notifications
// each produces — handover.test.ts walks the paths; this file pins what every step writes, so a changed message, a
// lost field or a wrong role rule fails here and not only in the workflow tests on the dev server.
import { describe, expect, it } from 'vitest';
import {
  allowedHandoverActions,
  consentDueAt,
  createHandover,
  decideHandover,
  defaultDeadlineSettings,
  onHandoverDeadlineFired,
  receiverView,
  type Actor,
  type CreateHandoverBody,
  type HandoverAction,
  type HandoverData,
} from '../../domain/index.js';
import { T0, admin, cmDrk, cmEifel, coordinator, counsellor, idSource } from './helpers.js';

const DUE = '2025-03-17T09:00:00.000Z'; // T0 + 14 days
const body: CreateHandoverBody = {
  person: { givenName: 'Yusuf', familyName: 'Karimi', birthDate: '2004-05-01', municipality: 'Zülpich', languages: ['fa'] },
  residenceLaw: { permits: ['§25a'], notes: '' },
  reason: 'Wohnen',
} as CreateHandoverBody;

function created(): HandoverData {
  return createHandover({ handoverId: 'ho-1', requestedAt: T0, requestedBy: counsellor, body, receivingOrganisationId: 'drk' }).next;
}

function step(h: HandoverData, action: string, payload: unknown, actor: Actor, now = T0) {
  return decideHandover(h, { action: action as HandoverAction, payload }, { now, actor, newId: idSource('n') });
}

function ok(h: HandoverData, action: string, payload: unknown, actor: Actor = counsellor, now = T0) {
  const r = step(h, action, payload, actor, now);
  if (!r.ok) return expect.fail(`${action}: ${JSON.stringify(r.error)}`);
  return r;
}

function error(h: HandoverData, action: string, payload: unknown, actor: Actor) {
  const r = step(h, action, payload, actor);
  if (r.ok) return expect.fail(`${action} was accepted`);
  return r.error;
}

const AT = '2025-03-14T10:00:00+01:00';
const given = () => ok(created(), 'record-consent', { decision: 'given' }).next;
const scheduled = () => ok(given(), 'schedule-meeting', { at: AT, participants: ['Klient'] }).next;
const held = () => ok(scheduled(), 'complete-meeting', {}).next;

describe('handover creation', () => {
  it('writes exactly the requested handover and the consent deadline, with ids from the handover id', () => {
    const r = createHandover({ handoverId: 'ho-1', requestedAt: T0, requestedBy: counsellor, body, receivingOrganisationId: 'drk' });
    expect(r.next).toStrictEqual({
      schemaVersion: 1,
      id: 'ho-1',
      state: 'awaiting_consent',
      person: body.person,
      residenceLaw: { permits: ['§25a'], notes: '' },
      reason: 'Wohnen',
      requestedAt: T0,
      requestedBy: 'u-abh',
      counsellorOrganisationId: 'abh',
      receivingOrganisationId: 'drk',
      visibleToReceiver: false,
      deadlines: [{ id: 'ho-1-dl-1', kind: 'handover_consent', dueAt: DUE, status: 'open', setAt: T0 }],
    });
    expect(r.events).toStrictEqual([
      {
        type: 'handover_requested',
        at: T0,
        actorId: 'u-abh',
        summary: 'Übergabe ins KIM Case Management vorgeschlagen (an DRK)',
        data: { handoverId: 'ho-1', caseId: undefined, receivingOrganisationId: 'drk', permits: ['§25a'] },
      },
      {
        type: 'deadline_set',
        at: T0,
        actorId: 'u-abh',
        summary: 'Frist gesetzt: Einwilligung zur Übergabe (fällig 17.03.2025)',
        data: { deadlineId: 'ho-1-dl-1', kind: 'handover_consent', dueAt: DUE },
      },
    ]);
  });

  it('for an existing case: caseId and the proposed organisation kept, the settings and the id source used', () => {
    const r = createHandover(
      {
        handoverId: 'ho-2',
        requestedAt: T0,
        requestedBy: counsellor,
        body: { caseId: 'c-7', residenceLaw: { permits: [], notes: 'n' }, reason: 'r', proposedOrganisationId: 'kja' } as CreateHandoverBody,
        receivingOrganisationId: 'kja',
        newId: (p) => `own-${p}`,
      },
      { ...defaultDeadlineSettings, handoverConsentDays: 3 },
    );
    expect(r.next).toMatchObject({ caseId: 'c-7', proposedOrganisationId: 'kja', receivingOrganisationId: 'kja' });
    expect(r.next).not.toHaveProperty('person');
    expect(r.next.deadlines).toStrictEqual([{ id: 'own-dl', kind: 'handover_consent', dueAt: '2025-03-06T09:00:00.000Z', status: 'open', setAt: T0 }]);
    expect(r.events[0]).toMatchObject({ summary: 'Übergabe ins KIM Case Management vorgeschlagen (an KJA Bonn)', data: { caseId: 'c-7' } });
  });
});

describe('handover refusals', () => {
  it('an unknown action is a validation error naming the field', () => {
    expect(error(created(), 'merge', {}, coordinator)).toStrictEqual({
      code: 'validation_failed',
      message: 'Unbekannte Aktion',
      fields: { action: 'Unbekannte Aktion' },
    });
  });

  it('an action in the wrong state names action and state and lists what is allowed', () => {
    expect(error(created(), 'schedule-meeting', { at: AT, participants: ['K'] }, counsellor)).toStrictEqual({
      code: 'transition_not_allowed',
      message: '„Übergabegespräch planen“ ist im Status „Einwilligung ausstehend“ nicht möglich.',
      allowed: ['record-consent', 'cancel'],
    });
  });

  it('a bad body: validation_failed with the field messages, nothing changed', () => {
    const h = created();
    const before = structuredClone(h);
    const e = error(h, 'record-consent', { decision: 'vielleicht' }, counsellor);
    expect(e).toMatchObject({ code: 'validation_failed', message: 'Die Eingaben sind unvollständig oder ungültig.' });
    expect(e.code === 'validation_failed' && Object.keys(e.fields)).toEqual(['decision']);
    expect(h).toStrictEqual(before);
  });

  it('guards: the meeting once held cannot be planned or held again; no takeover before it', () => {
    const s = scheduled();
    expect(error(s, 'accept', {}, cmDrk)).toStrictEqual({
      code: 'transition_not_allowed',
      message: 'Der Fall kann erst nach dem Übergabegespräch übernommen werden.',
      allowed: ['schedule-meeting', 'complete-meeting'],
    });
    const h = held();
    expect(error(h, 'schedule-meeting', { at: AT, participants: ['K'] }, counsellor)).toStrictEqual({
      code: 'transition_not_allowed',
      message: 'Das Übergabegespräch hat bereits stattgefunden.',
      allowed: ['cancel', 'withdraw-consent'],
    });
    expect(error(h, 'complete-meeting', {}, cmDrk)).toStrictEqual({
      code: 'transition_not_allowed',
      message: 'Das Übergabegespräch ist bereits als gehalten erfasst.',
      allowed: ['accept'],
    });
  });

  it('guards on inconsistent data: no consent to withdraw, no meeting to complete', () => {
    const noConsent: HandoverData = { ...given() };
    delete noConsent.consent;
    expect(error(noConsent, 'withdraw-consent', {}, counsellor)).toStrictEqual({
      code: 'transition_not_allowed',
      message: 'Es liegt keine erteilte Einwilligung vor.',
      allowed: ['schedule-meeting', 'cancel'],
    });
    const noMeeting: HandoverData = { ...scheduled() };
    delete noMeeting.meeting;
    expect(error(noMeeting, 'complete-meeting', {}, counsellor)).toStrictEqual({
      code: 'transition_not_allowed',
      message: 'Kein Gespräch geplant.',
      allowed: ['schedule-meeting', 'complete-meeting', 'cancel', 'withdraw-consent'],
    });
  });

  it('inconsistent data does not throw: a takeover without a meeting is refused, one without consent has no consent time', () => {
    const noMeeting: HandoverData = { ...scheduled() };
    delete noMeeting.meeting;
    expect(error(noMeeting, 'accept', {}, cmDrk)).toMatchObject({
      code: 'transition_not_allowed',
      message: 'Der Fall kann erst nach dem Übergabegespräch übernommen werden.',
    });
    const noConsent: HandoverData = { ...held() };
    delete noConsent.consent;
    expect(ok(noConsent, 'accept', {}, cmDrk).events[0]?.data).toMatchObject({ handoverId: 'ho-1', consentRecordedAt: undefined });
  });

  it('the consent due date is the consent deadline wherever it is in the list, and absent without one', () => {
    const g = given();
    expect(consentDueAt({ ...g, deadlines: [...g.deadlines].reverse() })).toBe(DUE);
    expect(consentDueAt({ ...g, deadlines: [] })).toBeUndefined();
  });

  it('roles: who may do what, with the message for each refusal', () => {
    const ABH_ONLY = 'Nur die Sozialberatung der Ausländerbehörde kann das tun.';
    const PARTIES = 'Nur die Beteiligten der Übergabe können das tun.';
    const RECEIVER = 'Nur das Case Management der aufnehmenden Organisation kann den Fall übernehmen.';
    const otherCounsellor: Actor = { id: 'u-abh2', role: 'abh_counsellor', organisationId: 'drk' };
    const cmAtAbh: Actor = { id: 'u-cm-abh', role: 'case_manager', organisationId: 'abh' };
    const forbidden = (h: HandoverData, action: string, actor: Actor) => {
      const r = step(h, action, {}, actor);
      return !r.ok && r.error.code === 'forbidden' ? r.error.message : null;
    };
    const h = held();
    for (const action of ['record-consent', 'schedule-meeting', 'complete-meeting', 'accept', 'cancel', 'withdraw-consent']) {
      expect(forbidden(h, action, admin)).toBe('Die Verwaltung/IT hat keinen Zugriff auf Fallinhalte.');
      expect(forbidden(h, action, coordinator)).toBeNull();
    }
    const table: [string, Actor, string | null][] = [
      ['record-consent', counsellor, null],
      ['record-consent', cmDrk, ABH_ONLY],
      ['record-consent', cmAtAbh, ABH_ONLY],
      ['cancel', cmDrk, ABH_ONLY],
      ['cancel', otherCounsellor, ABH_ONLY],
      ['withdraw-consent', cmDrk, ABH_ONLY],
      ['withdraw-consent', counsellor, null],
      ['schedule-meeting', counsellor, null],
      ['schedule-meeting', cmDrk, null],
      ['schedule-meeting', cmEifel, PARTIES],
      ['schedule-meeting', otherCounsellor, PARTIES],
      ['complete-meeting', cmEifel, PARTIES],
      ['complete-meeting', cmAtAbh, PARTIES],
      ['accept', cmDrk, null],
      ['accept', counsellor, RECEIVER],
      ['accept', otherCounsellor, RECEIVER],
      ['accept', cmEifel, RECEIVER],
    ];
    for (const [action, actor, message] of table) expect([action, actor.id, forbidden(h, action, actor)]).toEqual([action, actor.id, message]);
  });

  it('allowed actions per state and actor', () => {
    const lists = (h: HandoverData) => [allowedHandoverActions(h, counsellor), allowedHandoverActions(h, cmDrk), allowedHandoverActions(h, coordinator)];
    expect(lists(created())).toEqual([['record-consent', 'cancel'], [], ['record-consent', 'cancel']]);
    expect(allowedHandoverActions(created())).toEqual(['record-consent', 'cancel']);
    expect(lists(given())).toEqual([['schedule-meeting', 'cancel', 'withdraw-consent'], ['schedule-meeting'], ['schedule-meeting', 'cancel', 'withdraw-consent']]);
    expect(lists(scheduled())).toEqual([
      ['schedule-meeting', 'complete-meeting', 'cancel', 'withdraw-consent'],
      ['schedule-meeting', 'complete-meeting'],
      ['schedule-meeting', 'complete-meeting', 'cancel', 'withdraw-consent'],
    ]);
    expect(lists(held())).toEqual([['cancel', 'withdraw-consent'], ['accept'], ['accept', 'cancel', 'withdraw-consent']]);
    expect(allowedHandoverActions(held())).toEqual(['accept', 'cancel', 'withdraw-consent']);
    expect(allowedHandoverActions(held(), admin)).toEqual([]);
  });
});

describe('handover steps', () => {
  const NOW = '2025-03-05T08:00:00.000Z';

  it('consent given: consent recorded, data released, the meeting deadline armed by the settings', () => {
    const h = created();
    const before = structuredClone(h);
    const r = decideHandover(h, { action: 'record-consent', payload: { decision: 'given' } }, {
      now: NOW,
      actor: counsellor,
      newId: idSource('n'),
      settings: { ...defaultDeadlineSettings, handoverMeetingDays: 5 },
    });
    if (!r.ok) return expect.fail(JSON.stringify(r.error));
    expect(h).toStrictEqual(before);
    expect(r.next).toMatchObject({ state: 'consent_given', visibleToReceiver: true });
    expect(r.next.consent).toStrictEqual({ decision: 'given', recordedAt: NOW, recordedBy: 'u-abh' });
    expect(r.next.deadlines).toStrictEqual([
      { id: 'ho-1-dl-1', kind: 'handover_consent', dueAt: DUE, status: 'met', setAt: T0, resolvedAt: NOW },
      { id: 'ndl-1', kind: 'handover_meeting', dueAt: '2025-03-10T08:00:00.000Z', status: 'open', setAt: NOW },
    ]);
    expect(r.events.map((e) => [e.type, e.summary, e.data])).toStrictEqual([
      ['deadline_met', 'Frist erfüllt: Einwilligung zur Übergabe (fällig 17.03.2025)', { deadlineId: 'ho-1-dl-1', kind: 'handover_consent', dueAt: DUE, late: false }],
      ['handover_consent_given', 'Einwilligung zur Übergabe erteilt – Daten für DRK freigegeben', { handoverId: 'ho-1', receivingOrganisationId: 'drk' }],
      ['deadline_set', 'Frist gesetzt: Übergabegespräch (fällig 10.03.2025)', { deadlineId: 'ndl-1', kind: 'handover_meeting', dueAt: '2025-03-10T08:00:00.000Z' }],
    ]);
    expect(r.events.every((e) => e.at === NOW && e.actorId === 'u-abh')).toBe(true);
  });

  it('consent given without settings: the 21-day default', () => {
    expect(ok(created(), 'record-consent', { decision: 'given' }, counsellor, NOW).next.deadlines[1]?.dueAt).toBe('2025-03-26T08:00:00.000Z');
  });

  it('consent refused: ended, nothing released, no meeting deadline', () => {
    const r = ok(created(), 'record-consent', { decision: 'refused' }, counsellor, NOW);
    expect(r.next).toMatchObject({ state: 'refused', visibleToReceiver: false });
    expect(r.next.consent).toStrictEqual({ decision: 'refused', recordedAt: NOW, recordedBy: 'u-abh' });
    expect(r.next.deadlines.map((d) => [d.kind, d.status])).toEqual([['handover_consent', 'met']]);
    expect(r.events.map((e) => [e.type, e.summary, e.data])).toStrictEqual([
      ['deadline_met', 'Frist erfüllt: Einwilligung zur Übergabe (fällig 17.03.2025)', { deadlineId: 'ho-1-dl-1', kind: 'handover_consent', dueAt: DUE, late: false }],
      ['handover_consent_refused', 'Einwilligung zur Übergabe verweigert – Übergabe beendet', { handoverId: 'ho-1' }],
    ]);
  });

  it('a meeting planned, then planned anew', () => {
    const first = ok(given(), 'schedule-meeting', { at: AT, participants: ['Klient', 'DRK'] }, cmDrk, NOW);
    expect(first.next.state).toBe('meeting_scheduled');
    expect(first.next.meeting).toStrictEqual({ at: AT, participants: ['Klient', 'DRK'], scheduledAt: NOW, scheduledBy: 'u-cm-drk' });
    expect(first.events).toStrictEqual([
      {
        type: 'handover_meeting_scheduled',
        at: NOW,
        actorId: 'u-cm-drk',
        summary: 'Übergabegespräch geplant am 14.03.2025',
        data: { handoverId: 'ho-1', at: AT, participants: ['Klient', 'DRK'], rescheduled: false },
      },
    ]);
    const again = ok(first.next, 'schedule-meeting', { at: '2025-03-20T09:00:00Z', participants: ['Klient'] }, counsellor, NOW);
    expect(again.next.meeting).toStrictEqual({ at: '2025-03-20T09:00:00Z', participants: ['Klient'], scheduledAt: NOW, scheduledBy: 'u-abh' });
    expect(again.events.map((e) => [e.summary, e.data.rescheduled])).toEqual([['Übergabegespräch neu geplant am 20.03.2025', true]]);
  });

  it('the meeting held: at the given time with notes, or now without; the meeting deadline met', () => {
    const s = scheduled();
    const withNotes = ok(s, 'complete-meeting', { heldAt: '2025-03-14T11:00:00+01:00', notes: 'Ziele besprochen' }, cmDrk, NOW);
    expect(withNotes.next.meeting).toStrictEqual({
      ...s.meeting,
      heldAt: '2025-03-14T11:00:00+01:00',
      heldBy: 'u-cm-drk',
      notes: 'Ziele besprochen',
    });
    expect(withNotes.next.state).toBe('meeting_scheduled');
    const meetingDeadline = s.deadlines[1]!;
    expect(withNotes.events.map((e) => [e.type, e.summary, e.data])).toStrictEqual([
      ['handover_meeting_held', 'Übergabegespräch geführt am 14.03.2025', { handoverId: 'ho-1', heldAt: '2025-03-14T11:00:00+01:00' }],
      ['deadline_met', 'Frist erfüllt: Übergabegespräch (fällig 24.03.2025)', { deadlineId: meetingDeadline.id, kind: 'handover_meeting', dueAt: meetingDeadline.dueAt, late: false }],
    ]);
    const plain = ok(s, 'complete-meeting', {}, counsellor, NOW);
    expect(plain.next.meeting).toStrictEqual({ ...s.meeting, heldAt: NOW, heldBy: 'u-abh' });
    expect(plain.events[0]?.summary).toBe('Übergabegespräch geführt am 05.03.2025');
  });

  it('accepted by the receiving case manager (assigned to them) or by coordination (assigned as given, or nobody)', () => {
    const h = held();
    const byCm = ok(h, 'accept', {}, cmDrk, NOW);
    expect(byCm.next.state).toBe('handed_over');
    expect(byCm.next.acceptance).toStrictEqual({ at: NOW, by: 'u-cm-drk', assigneeId: 'u-cm-drk' });
    expect(byCm.events).toStrictEqual([
      {
        type: 'handover_accepted',
        at: NOW,
        actorId: 'u-cm-drk',
        summary: 'Fall übernommen von DRK (Fallübernahme)',
        data: { handoverId: 'ho-1', caseId: undefined, receivingOrganisationId: 'drk', assigneeId: 'u-cm-drk', consentRecordedAt: T0 },
      },
    ]);
    expect(ok(h, 'accept', { assigneeId: 'u-cm-2' }, coordinator, NOW).next.acceptance).toStrictEqual({ at: NOW, by: 'u-coord', assigneeId: 'u-cm-2' });
    const unassigned = ok(h, 'accept', {}, coordinator, NOW);
    expect(unassigned.next.acceptance).toStrictEqual({ at: NOW, by: 'u-coord' });
    expect(unassigned.events[0]?.data.assigneeId).toBeUndefined();
  });

  it('accepting cancels whatever deadline is still pending', () => {
    const h = held();
    h.deadlines.push({ id: 'extra', kind: 'handover_meeting', dueAt: DUE, status: 'open', setAt: T0 });
    const r = ok(h, 'accept', {}, cmDrk, NOW);
    expect(r.next.deadlines.find((d) => d.id === 'extra')).toMatchObject({ status: 'cancelled', resolvedAt: NOW });
    expect(r.events.map((e) => [e.type, e.summary])).toEqual([
      ['handover_accepted', 'Fall übernommen von DRK (Fallübernahme)'],
      ['deadline_cancelled', 'Frist aufgehoben (Übergabe abgeschlossen): Übergabegespräch (fällig 17.03.2025)'],
    ]);
  });

  it('cancelled with a reason: every pending deadline cancelled', () => {
    const r = ok(created(), 'cancel', { reason: 'Person ist verzogen' }, counsellor, NOW);
    expect(r.next.state).toBe('cancelled');
    expect(r.next.cancellation).toStrictEqual({ reason: 'Person ist verzogen', at: NOW, by: 'u-abh' });
    expect(r.next.deadlines[0]).toMatchObject({ status: 'cancelled', resolvedAt: NOW });
    expect(r.events.map((e) => [e.type, e.summary, e.data])).toStrictEqual([
      ['handover_cancelled', 'Übergabe abgebrochen: Person ist verzogen', { handoverId: 'ho-1', reason: 'Person ist verzogen' }],
      [
        'deadline_cancelled',
        'Frist aufgehoben (Übergabe abgebrochen): Einwilligung zur Übergabe (fällig 17.03.2025)',
        { deadlineId: 'ho-1-dl-1', kind: 'handover_consent', dueAt: DUE, reason: 'Übergabe abgebrochen' },
      ],
    ]);
  });

  it('consent withdrawn without a note: no note stored, the meeting deadline cancelled', () => {
    const g = given();
    const r = ok(g, 'withdraw-consent', {}, counsellor, NOW);
    expect(r.next).toMatchObject({ state: 'cancelled', visibleToReceiver: false });
    expect(r.next.consentWithdrawal).toStrictEqual({ at: NOW, by: 'u-abh' });
    expect(r.next.cancellation).toStrictEqual({ reason: 'Einwilligung widerrufen', at: NOW, by: 'u-abh' });
    expect(r.events.map((e) => [e.type, e.summary, e.data])).toStrictEqual([
      [
        'handover_consent_withdrawn',
        'Einwilligung zur Übergabe widerrufen – Übergabe beendet, Daten nicht mehr freigegeben',
        { handoverId: 'ho-1', receivingOrganisationId: 'drk' },
      ],
      [
        'deadline_cancelled',
        'Frist aufgehoben (Einwilligung widerrufen): Übergabegespräch (fällig 24.03.2025)',
        { deadlineId: g.deadlines[1]!.id, kind: 'handover_meeting', dueAt: g.deadlines[1]!.dueAt, reason: 'Einwilligung widerrufen' },
      ],
    ]);
  });
});

describe('handover timers and the receiver view', () => {
  it('the consent deadline lapses the handover: exact events and the one notification', () => {
    const h = created();
    const r = onHandoverDeadlineFired(h, 'ho-1-dl-1', 'reminder', DUE);
    expect(h.state).toBe('awaiting_consent');
    expect(r.next).toMatchObject({ state: 'lapsed', lapsedAt: DUE });
    expect(r.next.deadlines[0]).toMatchObject({ status: 'missed', remindedAt: DUE });
    const data = { handoverId: 'ho-1', deadlineId: 'ho-1-dl-1', kind: 'handover_consent', dueAt: DUE };
    expect(r.events).toStrictEqual([
      { type: 'deadline_missed', at: DUE, summary: 'Frist überschritten: Einwilligung zur Übergabe (fällig 17.03.2025)', data },
      {
        type: 'handover_lapsed',
        at: DUE,
        summary: 'Übergabe verfallen: keine Einwilligung innerhalb der Frist – Sozialberatung informiert',
        data: { handoverId: 'ho-1' },
      },
    ]);
    expect(r.notifications).toStrictEqual([
      { kind: 'lapsed', deadlineKind: 'handover_consent', to: 'counsellor', handoverId: 'ho-1', dueAt: DUE, userId: 'u-abh', organisationId: 'abh' },
    ]);
  });

  it('the meeting deadline reminds both sides; the state stays', () => {
    const g = given();
    const d = g.deadlines[1]!;
    const r = onHandoverDeadlineFired(g, d.id, 'reminder', d.dueAt);
    expect(r.next.state).toBe('consent_given');
    const data = { handoverId: 'ho-1', deadlineId: d.id, kind: 'handover_meeting', dueAt: d.dueAt };
    expect(r.events).toStrictEqual([
      { type: 'deadline_missed', at: d.dueAt, summary: 'Frist überschritten: Übergabegespräch (fällig 24.03.2025)', data },
      {
        type: 'reminder_sent',
        at: d.dueAt,
        summary: 'Erinnerung an Sozialberatung und aufnehmendes Case Management: Übergabegespräch steht aus',
        data: { ...data, to: ['counsellor', 'receiver'] },
      },
    ]);
    expect(r.notifications).toStrictEqual([
      { kind: 'reminder', deadlineKind: 'handover_meeting', to: 'counsellor', handoverId: 'ho-1', dueAt: d.dueAt, userId: 'u-abh', organisationId: 'abh' },
      { kind: 'reminder', deadlineKind: 'handover_meeting', to: 'receiver', handoverId: 'ho-1', dueAt: d.dueAt, organisationId: 'drk' },
    ]);
  });

  it('an unknown deadline or an early timer changes nothing and returns the handover itself', () => {
    const h = created();
    for (const r of [onHandoverDeadlineFired(h, 'nope', 'reminder', DUE), onHandoverDeadlineFired(h, 'ho-1-dl-1', 'reminder', T0)]) {
      expect(r.next).toBe(h);
      expect(r.events).toEqual([]);
      expect(r.notifications).toEqual([]);
    }
  });

  it('after consent the receiver sees the handover itself', () => {
    const g = given();
    expect(receiverView(g)).toBe(g);
  });
});
