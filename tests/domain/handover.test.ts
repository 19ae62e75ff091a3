import { describe, expect, it } from 'vitest';
import {
  HANDOVER_ACTIONS,
  TERMINAL_HANDOVER_STATES,
  addDays,
  allowedHandoverActions,
  consentDueAt,
  createCase,
  createHandover,
  decideHandover,
  handoverTimers,
  onHandoverDeadlineFired,
  parseCreateHandover,
  parseHandoverActionPayload,
  receiverView,
  resolveReceivingOrganisation,
  type Actor,
  type HandoverAction,
  type HandoverData,
} from '../../domain/index.js';
import { T0, cmDrk, cmEifel, coordinator, counsellor, idSource } from './helpers.js';

const body = {
  person: { givenName: 'Yusuf', familyName: 'Karimi', birthDate: '2004-05-01', municipality: 'Zülpich', languages: ['fa'] },
  residenceLaw: { permits: ['§25a', 'Duldung mit Ausbildung'], notes: 'Ausbildung seit 2024' },
  reason: 'Erhöhter Unterstützungsbedarf Wohnen und Schulden',
};

class HandoverDriver {
  h: HandoverData;
  now = T0;
  newId = idSource('h');
  constructor() {
    const parsed = parseCreateHandover(body, T0);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.fields));
    const receiving = resolveReceivingOrganisation(parsed.payload, T0)!;
    this.h = createHandover({ handoverId: 'ho-1', requestedAt: T0, requestedBy: counsellor, body: parsed.payload, receivingOrganisationId: receiving }).next;
  }
  try(action: HandoverAction, payload: unknown = {}, actor: Actor = counsellor) {
    return decideHandover(this.h, { action, payload }, { now: this.now, actor, newId: this.newId });
  }
  do(action: HandoverAction, payload: unknown = {}, actor: Actor = counsellor) {
    const r = this.try(action, payload, actor);
    if (!r.ok) expect.fail(`${action}: ${JSON.stringify(r.error)}`);
    this.h = r.next;
    return r.events;
  }
  advance(days: number) {
    this.now = addDays(this.now, days);
    return this;
  }
}

describe('handover', () => {
  it('is created awaiting consent with a 14-day consent deadline and routed receiver', () => {
    const d = new HandoverDriver();
    expect(d.h).toMatchObject({ state: 'awaiting_consent', receivingOrganisationId: 'drk', visibleToReceiver: false });
    expect(consentDueAt(d.h)).toBe(addDays(T0, 14));
    expect(handoverTimers(d.h)).toEqual([expect.objectContaining({ kind: 'handover_consent', phase: 'reminder', at: addDays(T0, 14) })]);
  });

  it('nothing about the person reaches the receiver before consent', () => {
    const d = new HandoverDriver();
    expect(receiverView(d.h)).toEqual({ id: 'ho-1', state: 'awaiting_consent', receivingOrganisationId: 'drk', visibleToReceiver: false });
    expect(allowedHandoverActions(d.h, cmDrk)).toEqual([]);
    d.do('record-consent', { decision: 'given' });
    expect(receiverView(d.h)).toMatchObject({ person: body.person, residenceLaw: body.residenceLaw });
  });

  it('given → meeting scheduled → held → handed over', () => {
    const d = new HandoverDriver();
    d.advance(3).do('record-consent', { decision: 'given' });
    expect(d.h.state).toBe('consent_given');
    const meeting = d.h.deadlines.find((x) => x.kind === 'handover_meeting')!;
    expect(meeting.dueAt).toBe(addDays(d.now, 21));
    expect(d.h.deadlines.find((x) => x.kind === 'handover_consent')?.status).toBe('met');
    d.advance(2).do('schedule-meeting', { at: '2025-03-14T10:00:00+01:00', participants: ['Klient', 'ABH', 'DRK'] }, cmDrk);
    expect(d.h.state).toBe('meeting_scheduled');
    // accept before the meeting was held is refused
    const early = d.try('accept', {}, cmDrk);
    expect(early).toMatchObject({ ok: false, error: { code: 'transition_not_allowed' } });
    d.do('schedule-meeting', { at: '2025-03-15T10:00:00+01:00', participants: ['Klient', 'ABH', 'DRK'] }); // reschedule
    d.advance(5).do('complete-meeting', { notes: 'Ziele besprochen' });
    expect(meeting.id && d.h.deadlines.find((x) => x.id === meeting.id)?.status).toBe('met');
    // only the receiving CM (or coordination) accepts
    expect(d.try('accept', {}, counsellor)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(d.try('accept', {}, cmEifel)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const events = d.do('accept', {}, cmDrk);
    expect(d.h).toMatchObject({ state: 'handed_over', acceptance: { by: cmDrk.id, assigneeId: cmDrk.id } });
    expect(events[0]).toMatchObject({ type: 'handover_accepted', data: { receivingOrganisationId: 'drk', assigneeId: cmDrk.id } });
    expect(handoverTimers(d.h)).toEqual([]);

    // The receiving side opens the case from the handover: provider confirmed, handover consent carried over.
    const c = createCase({
      caseId: 'case-h',
      openedAt: d.now,
      openedBy: cmDrk.id,
      organisationId: 'drk',
      proposedProvider: { organisationId: 'drk', reason: 'Übergabe ABH' },
      municipality: 'Zülpich',
      source: 'abh',
      assigneeId: cmDrk.id,
      fromHandover: { handoverId: d.h.id, consentRecordedAt: d.h.consent!.recordedAt, counsellorId: counsellor.id },
    }).next;
    expect(c).toMatchObject({ state: 'intake', providerConfirmed: true, handoverId: 'ho-1' });
    expect(c.consents).toEqual([expect.objectContaining({ scope: 'handover', decision: 'given', recordedBy: counsellor.id })]);
  });

  it('withdrawn consent before the takeover ends the handover and hides everything from the receiver again', () => {
    const d = new HandoverDriver();
    // Nothing to withdraw while consent is outstanding.
    expect(d.try('withdraw-consent')).toMatchObject({ ok: false, error: { code: 'transition_not_allowed' } });
    d.advance(1).do('record-consent', { decision: 'given' });
    d.do('schedule-meeting', { at: '2025-03-14T10:00:00+01:00', participants: ['Klient', 'ABH', 'DRK'] }, cmDrk);
    expect(allowedHandoverActions(d.h, counsellor)).toContain('withdraw-consent');
    expect(allowedHandoverActions(d.h, cmDrk)).not.toContain('withdraw-consent');
    // The receiving side cannot withdraw in the client's name.
    expect(d.try('withdraw-consent', {}, cmDrk)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(d.try('withdraw-consent', { note: 'x'.repeat(3000) })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const events = d.advance(2).do('withdraw-consent', { note: 'Klient ruft an' });
    expect(d.h).toMatchObject({
      state: 'cancelled',
      visibleToReceiver: false,
      cancellation: { reason: 'Einwilligung widerrufen', at: d.now, by: counsellor.id },
      consentWithdrawal: { at: d.now, by: counsellor.id, note: 'Klient ruft an' },
    });
    expect(events.map((e) => e.type)).toEqual(['handover_consent_withdrawn', 'deadline_cancelled']);
    expect(receiverView(d.h)).toEqual({ id: 'ho-1', state: 'cancelled', receivingOrganisationId: 'drk', visibleToReceiver: false });
    expect(handoverTimers(d.h)).toEqual([]);
    expect(allowedHandoverActions(d.h)).toEqual([]);
    expect(TERMINAL_HANDOVER_STATES).toContain(d.h.state);
  });

  it('withdrawal is possible for coordination, and not after the takeover', () => {
    const d = new HandoverDriver();
    d.do('record-consent', { decision: 'given' });
    expect(d.try('withdraw-consent', {}, coordinator)).toMatchObject({ ok: true, next: { state: 'cancelled' } });
    d.do('schedule-meeting', { at: '2025-03-14T10:00:00+01:00', participants: ['Klient'] });
    d.do('complete-meeting');
    d.do('accept', {}, cmDrk);
    expect(d.try('withdraw-consent')).toMatchObject({ ok: false, error: { code: 'transition_not_allowed' } });
  });

  it('refused ends the handover', () => {
    const d = new HandoverDriver();
    const events = d.do('record-consent', { decision: 'refused' });
    expect(d.h).toMatchObject({ state: 'refused', visibleToReceiver: false });
    expect(events.map((e) => e.type)).toEqual(['deadline_met', 'handover_consent_refused']);
    expect(handoverTimers(d.h)).toEqual([]);
  });

  it('lapses when the consent deadline fires; counsellor notified', () => {
    const d = new HandoverDriver();
    const dl = d.h.deadlines[0]!;
    expect(onHandoverDeadlineFired(d.h, dl.id, 'reminder', addDays(dl.dueAt, -1)).events).toEqual([]);
    const r = onHandoverDeadlineFired(d.h, dl.id, 'reminder', dl.dueAt);
    expect(r.next).toMatchObject({ state: 'lapsed', lapsedAt: dl.dueAt });
    expect(r.events.map((e) => e.type)).toEqual(['deadline_missed', 'handover_lapsed']);
    expect(r.notifications).toEqual([expect.objectContaining({ kind: 'lapsed', to: 'counsellor', userId: counsellor.id, handoverId: 'ho-1' })]);
  });

  it('a consent timer after consent was given is harmless', () => {
    const d = new HandoverDriver();
    const dl = d.h.deadlines[0]!;
    d.do('record-consent', { decision: 'given' });
    const r = onHandoverDeadlineFired(d.h, dl.id, 'reminder', dl.dueAt);
    expect(r.events).toEqual([]);
    expect(r.next.state).toBe('consent_given');
  });

  it('meeting deadline reminds both sides', () => {
    const d = new HandoverDriver();
    d.do('record-consent', { decision: 'given' });
    const dl = d.h.deadlines.find((x) => x.kind === 'handover_meeting')!;
    const r = onHandoverDeadlineFired(d.h, dl.id, 'reminder', dl.dueAt);
    expect(r.notifications.map((n) => [n.to, n.organisationId])).toEqual([
      ['counsellor', 'abh'],
      ['receiver', 'drk'],
    ]);
    expect(r.next.state).toBe('consent_given');
  });

  it('cancel ends it from any open state and cancels the deadlines', () => {
    const d = new HandoverDriver();
    d.do('record-consent', { decision: 'given' });
    d.do('cancel', { reason: 'Person ist verzogen' });
    expect(d.h).toMatchObject({ state: 'cancelled', cancellation: { reason: 'Person ist verzogen' } });
    expect(d.h.deadlines.every((x) => x.status === 'met' || x.status === 'cancelled')).toBe(true);
  });

  it('refuses every action in terminal states', () => {
    const terminal: Record<string, (d: HandoverDriver) => void> = {
      refused: (d) => d.do('record-consent', { decision: 'refused' }),
      cancelled: (d) => d.do('cancel', { reason: 'x' }),
      lapsed: (d) => {
        d.h = onHandoverDeadlineFired(d.h, d.h.deadlines[0]!.id, 'reminder', addDays(T0, 14)).next;
      },
      handed_over: (d) => {
        d.do('record-consent', { decision: 'given' });
        d.do('schedule-meeting', { at: '2025-03-10T10:00:00Z', participants: ['Klient'] });
        d.do('complete-meeting');
        d.do('accept', {}, cmDrk);
      },
    };
    expect(Object.keys(terminal).sort()).toEqual([...TERMINAL_HANDOVER_STATES].sort());
    for (const [state, reach] of Object.entries(terminal)) {
      const d = new HandoverDriver();
      reach(d);
      expect(d.h.state).toBe(state);
      expect(allowedHandoverActions(d.h, coordinator)).toEqual([]);
      for (const action of HANDOVER_ACTIONS) {
        const r = d.try(action, {}, coordinator);
        expect(r).toMatchObject({ ok: false, error: { code: 'transition_not_allowed', allowed: [] } });
      }
    }
  });

  it('role rules: consent and cancel by the counsellor; admins nothing', () => {
    const d = new HandoverDriver();
    expect(d.try('record-consent', { decision: 'given' }, cmDrk)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(d.try('cancel', { reason: 'x' }, { id: 'a', role: 'admin', organisationId: 'abh' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(allowedHandoverActions(d.h, counsellor)).toEqual(['record-consent', 'cancel']);
    expect(d.try('record-consent', { decision: 'given' }, coordinator).ok).toBe(true);
  });

  it('validates bodies', () => {
    const noTarget = parseCreateHandover({ residenceLaw: { permits: [] }, reason: 'x' }, T0);
    expect(noTarget).toMatchObject({ ok: false, fields: { caseId: 'Entweder „caseId“ oder „person“ angeben' } });
    const both = parseCreateHandover({ ...body, caseId: 'c-1' }, T0);
    expect(both.ok).toBe(false);
    const byCase = parseCreateHandover({ caseId: 'c-1', residenceLaw: { permits: ['§104c'] }, reason: 'Bedarf' }, T0);
    expect(byCase).toMatchObject({ ok: true, payload: { caseId: 'c-1', residenceLaw: { permits: ['§104c'], notes: '' } } });
    const missing = parseCreateHandover({ caseId: 'c-1' }, T0);
    expect(missing).toMatchObject({ ok: false, fields: { residenceLaw: 'Pflichtfeld', reason: 'Pflichtfeld' } });
    const future = parseCreateHandover({ ...body, person: { ...body.person, birthDate: '2030-01-01' } }, T0);
    expect(future).toMatchObject({ ok: false, fields: { 'person.birthDate': 'Geburtsdatum liegt in der Zukunft' } });
    expect(parseHandoverActionPayload('schedule-meeting', { at: '2025-02-30T10:00:00Z', participants: [] })).toMatchObject({
      ok: false,
      fields: { at: expect.stringMatching(/Ungültiger Zeitpunkt/), participants: 'Mindestens ein Eintrag' },
    });
    expect(parseHandoverActionPayload('record-consent', {})).toMatchObject({ ok: false, fields: { decision: 'Pflichtfeld' } });
    const d = new HandoverDriver();
    expect(d.try('record-consent', { decision: 'maybe' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('the receiver comes from the counsellor proposal or from routing', () => {
    const parsed = parseCreateHandover({ ...body, proposedOrganisationId: 'kja' }, T0);
    expect(parsed.ok && resolveReceivingOrganisation(parsed.payload, T0)).toBe('kja');
    const byCase = parseCreateHandover({ caseId: 'c', residenceLaw: { permits: [] }, reason: 'r' }, T0);
    expect(byCase.ok && resolveReceivingOrganisation(byCase.payload, T0)).toBeNull();
  });
});
