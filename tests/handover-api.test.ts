// ABH handovers over HTTP (api.md "ABH handovers"): the counsellor proposes, the client consents, the meeting is held,
// the receiving case manager takes the case over — with who-sees-what along the way, refusals in the contract's
// shape, repeated requests, the ended handover answered from its record, and the engine being away at creation.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createApp } from '../api/app.js';
import { logger } from '../platform/logger.js';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { openCaseRows, startCase } from '../harness/cases.js';
import { startHarness, type Harness } from './support/harness.js';

const DAY = 86_400_000;
let h: Harness;
let abh: SignedIn;
let drk: SignedIn;
let caritas: SignedIn;
let coordinator: SignedIn;
let admin: SignedIn;

const person = { givenName: 'Amina', familyName: 'Haddad', birthDate: '1990-04-12', municipality: 'Kall', languages: ['ar', 'de'] };
const proposal = {
  residenceLaw: { permits: ['§25b'], notes: 'Duldung seit 2019, Beschäftigung in Aussicht' },
  reason: 'Erhöhter Unterstützungsbedarf: Wohnung, Arbeit, Anerkennung',
};
const participants = ['Klientin', 'Sozialberatung ABH', 'Case Management DRK'];
const meetingAt = () => new Date(Date.now() + 3 * DAY).toISOString();

const call = (who: { headers(json?: boolean): Record<string, string> } | null, method: string, path: string, body?: unknown, baseUrl = h.baseUrl) =>
  apiCall(baseUrl, who, method, path, body);

const act = (who: SignedIn, id: string, action: string, body: Record<string, unknown> = {}) =>
  call(who, 'POST', `/api/v1/handovers/${id}/actions/${action}`, body);

/** A new handover for a new person in Kall (→ DRK), proposed by the counsellor. */
async function propose(overrides: Record<string, unknown> = {}) {
  const res = await call(abh, 'POST', '/api/v1/handovers', { person, ...proposal, ...overrides });
  expect(res.status).toBe(201);
  return res.body as { id: string; state: string; consentDueAt: string; requestedAt: string };
}

beforeAll(async () => {
  h = await startHarness();
  abh = await login(h.baseUrl, 'abh@kim.example');
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  caritas = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  admin = await login(h.baseUrl, 'admin@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('POST /api/v1/handovers', () => {
  it('lets the counsellor propose a handover for a new person: 201, awaiting consent, consent due in 14 days', async () => {
    const res = await call(abh, 'POST', '/api/v1/handovers', { person, ...proposal });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      state: 'awaiting_consent',
      caseId: null,
      receivingOrganisationId: 'drk',
      counsellorId: abh.user.id,
      person: { familyName: 'Haddad' },
      residenceLaw: proposal.residenceLaw,
      meeting: null,
      deadlines: [{ kind: 'handover_consent', dueAt: res.body.consentDueAt, status: 'open' }],
    });
    expect(Date.parse(res.body.consentDueAt) - Date.parse(res.body.requestedAt)).toBe(14 * DAY);

    // The row holds the proposal (no personal data), the workflow runs and agrees on the deadline.
    const row = await h.db.handover.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row).toMatchObject({ state: 'awaiting_consent', counsellorId: abh.user.id, receivingOrganisationId: 'drk', caseId: null });
    expect(row.proposal).toEqual({ residenceLaw: proposal.residenceLaw, reason: proposal.reason });
    expect(row.consentDueAt?.toISOString()).toBe(res.body.consentDueAt);
    const read = await call(abh, 'GET', `/api/v1/handovers/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ stateSource: 'workflow', state: 'awaiting_consent', consentDueAt: res.body.consentDueAt, person: { familyName: 'Haddad' } });
    expect(read.body.allowedActions).toEqual(['record-consent', 'cancel']);
  });

  it('is for ABH counsellors only', async () => {
    for (const who of [drk, coordinator, admin]) {
      const res = await call(who, 'POST', '/api/v1/handovers', { person, ...proposal });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await call(null, 'POST', '/api/v1/handovers', { person, ...proposal })).status).toBe(401);
  });

  it('answers 422 with German field messages for bad bodies', async () => {
    const empty = await call(abh, 'POST', '/api/v1/handovers', {});
    expect(empty.status).toBe(422);
    expect(empty.body.error.code).toBe('validation_failed');
    expect(Object.keys(empty.body.error.fields)).toEqual(expect.arrayContaining(['residenceLaw', 'reason']));
    const both = await call(abh, 'POST', '/api/v1/handovers', { caseId: 'x', person, ...proposal });
    expect(both.body.error.fields.caseId).toBe('Entweder „caseId“ oder „person“ angeben');
    const place = await call(abh, 'POST', '/api/v1/handovers', { person: { ...person, municipality: 'Köln' }, ...proposal });
    expect(place.status).toBe(422);
    expect(place.body.error.fields['person.municipality']).toMatch(/Unbekannte Gemeinde/);
    const county = await call(abh, 'POST', '/api/v1/handovers', { person, ...proposal, proposedOrganisationId: 'jobcenter' });
    expect(county.status).toBe(422);
    expect(county.body.error.fields.proposedOrganisationId).toBeDefined();
    expect((await call(abh, 'POST', '/api/v1/handovers', { person, ...proposal, proposedOrganisationId: 'nirgendwo' })).status).toBe(422);
  });

  it('hands over an existing case of the ABH; unknown cases and cases of others are 404, a second open handover 409', async () => {
    const own = await openCaseRows(h.db, { organisationId: 'abh', proposedProvider: { organisationId: 'drk', reason: 'Wohnort Kall' }, source: 'abh' });
    await startCase(h.client, h.taskQueue, own);
    const created = await call(abh, 'POST', '/api/v1/handovers', { caseId: own.caseId, ...proposal, proposedOrganisationId: 'drk' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ caseId: own.caseId, receivingOrganisationId: 'drk', state: 'awaiting_consent' });
    const again = await call(abh, 'POST', '/api/v1/handovers', { caseId: own.caseId, ...proposal, proposedOrganisationId: 'drk' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('handover_in_progress');

    const foreign = await openCaseRows(h.db, { organisationId: 'caritas-eifel', municipality: 'Schleiden' });
    for (const caseId of [foreign.caseId, 'no-such-case']) {
      const res = await call(abh, 'POST', '/api/v1/handovers', { caseId, ...proposal, proposedOrganisationId: 'drk' });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await act(abh, created.body.id, 'cancel', { reason: 'Test beendet' })).body.handover.state).toBe('cancelled');
  });

  it('answers 503 and leaves no row behind when the engine cannot be reached', async () => {
    // An app whose Temporal client has lost its connection: the start fails, the row must go again.
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const broken = new Client({ connection });
    await connection.close();
    const app = createApp({ db: h.db, temporal: broken, taskQueue: h.taskQueue });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const before = await h.db.handover.count();
      const res = await call(abh, 'POST', '/api/v1/handovers', { person, ...proposal }, baseUrl);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('temporal_unavailable');
      expect(await h.db.handover.count()).toBe(before);
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ handoverId: expect.any(String) }), 'could not start handover workflow');
    } finally {
      logged.mockRestore();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a handover from proposal to takeover', () => {
  it('shows the receiving side nothing before consent, then consent → meeting → acceptance opens the case', async () => {
    const created = await propose();
    const id = created.id;

    // Receiving CM before consent: that a handover exists, and its state — no person, no residence-law facts.
    const early = await call(drk, 'GET', `/api/v1/handovers/${id}`);
    expect(early.status).toBe(200);
    expect(early.body).toEqual({ id, state: 'awaiting_consent', receivingOrganisationId: 'drk', visibleToReceiver: false, access: 'state_only', stateSource: 'workflow' });
    const listed = await call(drk, 'GET', '/api/v1/handovers?state=awaiting_consent');
    const item = listed.body.items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({ id, state: 'awaiting_consent', access: 'state_only' });
    expect(JSON.stringify(listed.body)).not.toMatch(/Haddad|§25b|Duldung/);
    // Other providers, admins: not found, as for an unknown id.
    for (const who of [caritas, admin]) {
      expect((await call(who, 'GET', `/api/v1/handovers/${id}`)).status).toBe(404);
      expect((await act(who, id, 'schedule-meeting', { at: meetingAt(), participants })).status).toBe(404);
    }
    expect((await call(caritas, 'GET', '/api/v1/handovers')).body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await call(abh, 'GET', '/api/v1/handovers/no-such-handover')).status).toBe(404);

    // Refusals in the contract's shape.
    const tooEarly = await act(drk, id, 'accept');
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.error).toMatchObject({ code: 'transition_not_allowed', allowed: [] });
    const notHers = await act(drk, id, 'record-consent', { decision: 'given' });
    expect(notHers.status).toBe(403);
    expect(notHers.body.error.code).toBe('forbidden');
    const badDecision = await act(abh, id, 'record-consent', { decision: 'vielleicht' });
    expect(badDecision.status).toBe(422);
    expect(Object.keys(badDecision.body.error.fields)).toEqual(['decision']);
    expect((await act(abh, id, 'fly-away')).status).toBe(404);

    // Consent, sent twice with the same requestId: applied once, the same answer both times.
    const consent = await act(abh, id, 'record-consent', { decision: 'given', requestId: 'consent-1' });
    expect(consent.status).toBe(200);
    expect(consent.body.handover).toMatchObject({ state: 'consent_given', visibleToReceiver: true, consent: { decision: 'given', recordedBy: abh.user.id } });
    const consentAgain = await act(abh, id, 'record-consent', { decision: 'given', requestId: 'consent-1' });
    expect(consentAgain.status).toBe(200);
    expect(consentAgain.body.handover.consent).toEqual(consent.body.handover.consent);
    expect(consentAgain.body.handover.deadlines).toEqual(consent.body.handover.deadlines);
    expect(await h.db.handoverEvent.count({ where: { handoverId: id, type: 'handover_consent_given' } })).toBe(1);

    // Now the receiving CM sees the proposal and the person.
    const after = await call(drk, 'GET', `/api/v1/handovers/${id}`);
    expect(after.body).toMatchObject({ access: 'full', person: { familyName: 'Haddad' }, residenceLaw: proposal.residenceLaw });
    expect(after.body.deadlines.map((d: { kind: string; status: string }) => [d.kind, d.status])).toEqual([
      ['handover_consent', 'met'],
      ['handover_meeting', 'open'],
    ]);

    const at = meetingAt();
    const scheduled = await act(drk, id, 'schedule-meeting', { at, participants });
    expect(scheduled.body.handover).toMatchObject({ state: 'meeting_scheduled', meeting: { at, participants } });
    expect((await act(drk, id, 'schedule-meeting', { at: 'morgen', participants: [] })).status).toBe(422);
    expect((await act(abh, id, 'complete-meeting', { notes: 'Ziele besprochen' })).body.handover.meeting.heldAt).toBeDefined();
    const accepted = await act(drk, id, 'accept', { requestId: 'accept-1' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.handover).toMatchObject({ state: 'handed_over', acceptance: { by: drk.user.id, assigneeId: drk.user.id } });
    const caseId: string = accepted.body.handover.caseId;
    expect(caseId).toMatch(/^[0-9a-f-]{36}$/);

    // The case exists in the receiving organisation; the counsellor follows its state only.
    const full = await call(drk, 'GET', `/api/v1/cases/${caseId}`);
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ organisationId: 'drk', assignee: drk.user.id, source: 'abh', person: { familyName: 'Haddad' } });
    // Issue 12: the case continues at assessment; the residence-law facts are part of it (page, history) and it links
    // to its handover.
    expect(full.body).toMatchObject({ state: 'assessment', handoverId: id, residenceLaw: { permits: ['§25b'], notes: proposal.residenceLaw.notes } });
    expect(full.body.consents.map((k: { scope: string }) => k.scope)).toEqual(['handover', 'data_processing']);
    const casePage = await (await fetch(`${h.baseUrl}/faelle/${caseId}`, { headers: drk.headers(false) })).text();
    expect(casePage).toContain('Aufenthaltsrechtliche Angaben aus der Übergabe');
    expect(casePage).toContain('§ 25b AufenthG');
    expect(casePage).toContain(`/uebergaben/${id}`);
    const caseHistory = await call(drk, 'GET', `/api/v1/cases/${caseId}/history`);
    expect(caseHistory.body.events.map((e: { type: string }) => e.type)).toContain('residence_law_recorded');
    const stateOnly = await call(abh, 'GET', `/api/v1/cases/${caseId}`);
    expect(stateOnly.status).toBe(200);
    expect(stateOnly.body).toEqual({
      id: caseId,
      state: 'assessment',
      onHold: false,
      organisationId: 'drk',
      openedAt: expect.any(String),
      closedAt: null,
      access: 'state_only',
    });

    // The handover has ended: read from its record, actions refused with 409 (not a 500).
    const ended = await call(abh, 'GET', `/api/v1/handovers/${id}`);
    expect(ended.body).toMatchObject({ state: 'handed_over', caseId, stateSource: 'read_model', meeting: { at, participants }, allowedActions: [] });
    expect(ended.body.closedAt).toBe(accepted.body.handover.acceptance.at);
    expect((await call(drk, 'GET', `/api/v1/handovers/${id}`)).body).toMatchObject({ access: 'full', caseId });
    const late = await act(abh, id, 'cancel', { reason: 'zu spät' });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'transition_not_allowed', allowed: [] });
    expect((await act(drk, id, 'accept')).status).toBe(409);
    // The acceptance repeated with its requestId after the workflow ended: the engine still knows that update and
    // gives its first answer; a new requestId on the ended handover is a 409 like any other action.
    const repeated = await act(drk, id, 'accept', { requestId: 'accept-1' });
    expect(repeated.status).toBe(200);
    expect(repeated.body.handover).toEqual(accepted.body.handover);
    expect((await act(drk, id, 'accept', { requestId: 'accept-2' })).status).toBe(409);
    expect(await h.db.case.count({ where: { source: 'abh', person: { familyName: 'Haddad' } } })).toBe(1);
  });
});

describe('handovers that end without a takeover', () => {
  it('ends on refused consent: the receiver never sees the person, nothing more can happen', async () => {
    const { id } = await propose();
    const refused = await act(abh, id, 'record-consent', { decision: 'refused' });
    expect(refused.status).toBe(200);
    expect(refused.body.handover).toMatchObject({ state: 'refused', visibleToReceiver: false, consent: { decision: 'refused' } });
    const receiver = await call(drk, 'GET', `/api/v1/handovers/${id}`);
    expect(receiver.body).toMatchObject({ state: 'refused', access: 'state_only' });
    expect(JSON.stringify(receiver.body)).not.toMatch(/Haddad|§25b/);
    expect((await act(abh, id, 'record-consent', { decision: 'given' })).status).toBe(409);
    const record = await call(coordinator, 'GET', `/api/v1/handovers/${id}`);
    expect(record.body).toMatchObject({ state: 'refused', stateSource: 'read_model', consent: { decision: 'refused', recordedBy: abh.user.id } });
  });

  it('is cancelled by the counsellor; a cancel after consent leaves the receiver the facts it already had', async () => {
    const first = await propose();
    const cancelled = await act(abh, first.id, 'cancel', { reason: 'Klientin zieht nach Köln' });
    expect(cancelled.body.handover).toMatchObject({ state: 'cancelled', cancellation: { reason: 'Klientin zieht nach Köln' } });
    expect((await call(drk, 'GET', `/api/v1/handovers/${first.id}`)).body.access).toBe('state_only');
    expect((await act(abh, first.id, 'cancel', { reason: 'noch einmal' })).status).toBe(409);

    const second = await propose();
    await act(abh, second.id, 'record-consent', { decision: 'given' });
    expect((await act(drk, second.id, 'cancel', { reason: 'x' })).status).toBe(403);
    expect((await act(abh, second.id, 'cancel', {})).status).toBe(422);
    expect((await act(abh, second.id, 'cancel', { reason: 'Bedarf entfallen' })).status).toBe(200);
    const receiver = await call(drk, 'GET', `/api/v1/handovers/${second.id}`);
    expect(receiver.body).toMatchObject({ state: 'cancelled', access: 'full', visibleToReceiver: true, stateSource: 'read_model' });
    expect(receiver.body.deadlines).toEqual([expect.objectContaining({ kind: 'handover_consent', status: 'met' })]);
  });

  it('ends when the client withdraws the consent before the takeover: the receiver loses the proposal at once', async () => {
    const { id } = await propose();
    // Nothing to withdraw before consent.
    expect((await act(abh, id, 'withdraw-consent')).status).toBe(409);
    await act(abh, id, 'record-consent', { decision: 'given' });
    await act(drk, id, 'schedule-meeting', { at: meetingAt(), participants });
    const seen = await call(drk, 'GET', `/api/v1/handovers/${id}`);
    expect(seen.body).toMatchObject({ access: 'full', person: { familyName: 'Haddad' }, allowedActions: expect.not.arrayContaining(['withdraw-consent']) });
    expect((await call(abh, 'GET', `/api/v1/handovers/${id}`)).body.allowedActions).toContain('withdraw-consent');
    // Only the ABH side (or coordination) records the client's withdrawal.
    expect((await act(drk, id, 'withdraw-consent')).status).toBe(403);

    const withdrawn = await act(abh, id, 'withdraw-consent', { note: 'Klientin am Telefon' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.handover).toMatchObject({
      state: 'cancelled',
      visibleToReceiver: false,
      cancellation: { reason: 'Einwilligung widerrufen', by: abh.user.id },
      consentWithdrawal: { by: abh.user.id, note: 'Klientin am Telefon' },
    });
    // The very next request of the receiving side: state only, no person, no residence-law facts, no actions.
    const receiver = await call(drk, 'GET', `/api/v1/handovers/${id}`);
    expect(receiver.status).toBe(200);
    expect(receiver.body).toEqual({ id, state: 'cancelled', receivingOrganisationId: 'drk', visibleToReceiver: false, access: 'state_only', stateSource: 'read_model' });
    const listed = await call(drk, 'GET', '/api/v1/handovers?state=cancelled');
    expect(listed.body.items.find((i: { id: string }) => i.id === id)).toMatchObject({ access: 'state_only' });
    expect(JSON.stringify(listed.body.items.filter((i: { id: string }) => i.id === id))).not.toMatch(/Haddad|§25b|Duldung/);
    expect((await act(drk, id, 'accept')).status).toBe(409);
    expect((await act(abh, id, 'withdraw-consent')).status).toBe(409);

    // Recorded as a handover event, in the counsellor's name; the ABH side still sees what happened.
    const events = await h.db.handoverEvent.findMany({ where: { handoverId: id }, orderBy: { seq: 'asc' } });
    const event = events.find((e) => e.type === 'handover_consent_withdrawn');
    expect(event).toMatchObject({ actorId: abh.user.id, data: { handoverId: id, receivingOrganisationId: 'drk' } });
    expect(events.filter((e) => e.seq > event!.seq).map((e) => e.type)).toEqual(['deadline_cancelled']);
    const own = await call(abh, 'GET', `/api/v1/handovers/${id}`);
    expect(own.body).toMatchObject({ state: 'cancelled', access: 'full', visibleToReceiver: false, consentWithdrawnAt: expect.any(String) });
  });

  it('lets coordination record the withdrawal too', async () => {
    const { id } = await propose();
    await act(abh, id, 'record-consent', { decision: 'given' });
    expect((await call(drk, 'GET', `/api/v1/handovers/${id}`)).body.access).toBe('full');
    expect((await act(coordinator, id, 'withdraw-consent')).status).toBe(200);
    expect((await call(drk, 'GET', `/api/v1/handovers/${id}`)).body.access).toBe('state_only');
  });
});

describe('GET /api/v1/handovers', () => {
  it('lists what the caller may see, filtered by state and paginated', async () => {
    const mine = await call(abh, 'GET', '/api/v1/handovers?state=cancelled');
    expect(mine.status).toBe(200);
    expect(mine.body.total).toBeGreaterThanOrEqual(3);
    expect(mine.body.items.every((i: { state: string; access: string }) => i.state === 'cancelled' && i.access === 'full')).toBe(true);
    const page = await call(abh, 'GET', '/api/v1/handovers?pageSize=2&page=2');
    expect(page.body).toMatchObject({ page: 2, pageSize: 2 });
    expect(page.body.items).toHaveLength(2);
    const all = await call(coordinator, 'GET', '/api/v1/handovers');
    expect(all.body.total).toBe((await call(abh, 'GET', '/api/v1/handovers')).body.total);
    expect((await call(admin, 'GET', '/api/v1/handovers')).body).toMatchObject({ items: [], total: 0 });
    expect((await call(caritas, 'GET', '/api/v1/handovers')).body.total).toBe(0);
    expect((await call(abh, 'GET', '/api/v1/handovers?state=unterwegs')).status).toBe(422);
    expect((await call(abh, 'GET', '/api/v1/handovers?pageSize=0')).status).toBe(422);
  });
});
