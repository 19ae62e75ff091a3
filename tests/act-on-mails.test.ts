// Mails for the events that ask someone to act (issue 14 item 2), at a real SMTP server (harness/smtp.ts) on the dev
// server: a handover proposed, consented and its meeting scheduled each give exactly one mail to the receiving
// organisation's case management, through the outbox; the dispatcher run again, a retried record and a repeated
// delivery give none more; a closure request and its return each give one mail through the workflow's own delivery.
// A person with the daily digest gets no single mail but one digest, once; the outbox Schedule drives the dispatcher.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandoverRecordActivities } from '../activities/handover-records.js';
import { createNotificationActivities } from '../activities/notifications.js';
import { createOutboxDispatchActivities } from '../activities/outbox-dispatch.js';
import { berlinDayAndHour, DIGEST_HOUR, digestWindow, berlinOffsetMinutes } from '../domain/act-on-notifications.js';
import type { HandoverState } from '../domain/index.js';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';
import { ensureOutboxSchedule, outboxScheduleId } from '../worker.js';

let h: Harness;
let abh: SignedIn;
let drk: SignedIn;

const call = (who: SignedIn, method: string, path: string, body?: unknown) => apiCall(h.baseUrl, who, method, path, body);
const dispatch = () => h.client.workflow.execute('outboxDispatcherWorkflow', { taskQueue: h.taskQueue, workflowId: `outbox-test-${randomUUID()}` });
const mailsAbout = (ref: string, subject: RegExp) => h.smtp.mails.filter((m) => m.subject.includes(ref) && subject.test(m.subject));

async function propose(familyName: string) {
  const res = await call(abh, 'POST', '/api/v1/handovers', {
    person: { givenName: 'Amina', familyName, birthDate: '1990-04-12', municipality: 'Kall', languages: ['ar'] },
    residenceLaw: { permits: ['§25b'], notes: 'Duldung' },
    reason: 'Unterstützung bei Wohnung und Arbeit',
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const outboxRow = (handoverId: string, kind: string) =>
  eventually(() => h.db.notification.findMany({ where: { handoverId, kind } }), (rows) => rows.length > 0, `${kind} in the outbox`);

beforeAll(async () => {
  h = await startHarness();
  abh = await login(h.baseUrl, 'abh@kim.example');
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('act-on mails', () => {
  it('one mail per event to the receiving organisation; none more on a second run, a retried record or a repeated delivery', async () => {
    const id = await propose('Haddad');
    const ref = id.slice(0, 8);
    const [proposed] = await outboxRow(id, 'handover_proposed');
    expect(proposed).toMatchObject({ id: expect.stringMatching(new RegExp(`^act:handover:${id}:\\d+:receiving_organisation$`)), recipientRole: 'receiving_organisation', recipientOrganisationId: 'drk', status: 'pending' });
    await dispatch();
    const first = mailsAbout(ref, /Neue Übergabe/);
    expect(first).toHaveLength(1);
    expect(first[0]!.envelopeTo).toContain(drk.user.email);
    // No personal data of the client in the mail.
    expect(first[0]!.text + first[0]!.html).not.toMatch(/Haddad|Amina|1990-04-12|12.04.1990/);

    expect((await call(abh, 'POST', `/api/v1/handovers/${id}/actions/record-consent`, { decision: 'given' })).status).toBe(200);
    await outboxRow(id, 'handover_consent_given');
    await dispatch();
    expect(mailsAbout(ref, /Einwilligung erteilt/)).toHaveLength(1);

    const at = new Date(Date.now() + 3 * 86_400_000).toISOString();
    expect((await call(abh, 'POST', `/api/v1/handovers/${id}/actions/schedule-meeting`, { at, participants: ['Klientin', 'ABH', 'DRK'] })).status).toBe(200);
    const [meeting] = await outboxRow(id, 'handover_meeting_scheduled');
    // Scheduled by the counsellor: the receiving side is told, not the counsellor.
    expect(meeting!.recipientRole).toBe('receiving_organisation');
    await dispatch();
    const meetingMails = mailsAbout(ref, /Übergabegespräch geplant/);
    expect(meetingMails).toHaveLength(1);
    expect(meetingMails[0]!.envelopeTo).toContain(drk.user.email);

    const total = h.smtp.mails.length;
    // The dispatcher again: nothing pending, nothing mailed.
    await dispatch();
    // The record activity retried with the same events (as Temporal would after a lost answer): no new row, no mail.
    const events = await h.db.handoverEvent.findMany({ where: { handoverId: id }, orderBy: { seq: 'asc' } });
    const row = await h.db.handover.findUniqueOrThrow({ where: { id } });
    const rows = await h.db.notification.count({ where: { handoverId: id } });
    await createHandoverRecordActivities(h.db).recordHandoverEvents({
      handoverId: id,
      events: events.map((e) => ({ seq: e.seq, type: e.type as never, at: e.at.toISOString(), ...(e.actorId ? { actorId: e.actorId } : {}), summary: e.summary, data: e.data as Record<string, unknown> })),
      readModel: {
        state: row.state as HandoverState,
        caseId: row.caseId,
        receivingOrganisationId: row.receivingOrganisationId!,
        consentDueAt: row.consentDueAt?.toISOString() ?? null,
        meetingAt: row.meetingAt?.toISOString() ?? null,
        closedAt: row.closedAt?.toISOString() ?? null,
      },
      notifications: [],
    });
    expect(await h.db.notification.count({ where: { handoverId: id } })).toBe(rows);
    await dispatch();
    // A repeated delivery of a sent row (an activity retry): already sent.
    const again = await createNotificationActivities({ db: h.db, mailer: h.smtp.mailer() }).deliverNotification({ id: proposed!.id });
    expect(again.outcome).toBe('already_sent');
    expect(h.smtp.mails.length).toBe(total);
  });

  it('the daily digest: no single mail, one digest mail with the items, none more on the next runs', async () => {
    expect((await call(drk, 'PUT', '/api/v1/me/settings', { notificationMode: 'daily' })).status).toBe(200);
    const id = await propose('Nasser');
    const ref = id.slice(0, 8);
    const [row] = await outboxRow(id, 'handover_proposed');
    await dispatch();
    expect(mailsAbout(ref, /Neue Übergabe/)).toHaveLength(0);
    expect((await h.db.notification.findUniqueOrThrow({ where: { id: row!.id } })).status).toBe('digest');

    // The digest that covers the row: sent from 07:00 Berlin on the day its window ends.
    const { day, hour } = berlinDayAndHour(row!.createdAt);
    const digestDay = hour >= DIGEST_HOUR ? new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : day;
    const window = digestWindow(digestDay, berlinOffsetMinutes);
    expect(row!.createdAt >= window.from && row!.createdAt < window.to).toBe(true);
    const now = new Date(window.to.getTime() + 30 * 60_000).toISOString();
    const digests = createOutboxDispatchActivities({ db: h.db, mailer: h.smtp.mailer() });
    const sent = await digests.sendDailyDigests({ now });
    expect(sent).toMatchObject({ day: digestDay, sent: 1 });
    const digest = h.smtp.mails.filter((m) => /Tagesübersicht/.test(m.subject) && m.envelopeTo.includes(drk.user.email));
    expect(digest).toHaveLength(1);
    expect(digest[0]!.text).toContain(`Übergabe ${ref}`);
    expect(digest[0]!.text).not.toMatch(/Nasser|Amina/);

    expect((await digests.sendDailyDigests({ now })).sent).toBe(0);
    expect(h.smtp.mails.filter((m) => /Tagesübersicht/.test(m.subject))).toHaveLength(1);
    await call(drk, 'PUT', '/api/v1/me/settings', { notificationMode: 'immediate' });
  });

  it('runs from one Schedule per task queue: a triggered run mails what is pending', async () => {
    const scheduleId = outboxScheduleId(h.taskQueue);
    try {
      expect(await ensureOutboxSchedule(h.client, h.taskQueue)).toBe(true);
      expect(await ensureOutboxSchedule(h.client, h.taskQueue)).toBe(false);
      const schedule = h.client.schedule.getHandle(scheduleId);
      const described = await schedule.describe();
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'outboxDispatcherWorkflow', taskQueue: h.taskQueue });
      expect(described.policies.overlap).toBe('SKIP');

      const id = await propose('Karimi');
      await outboxRow(id, 'handover_proposed');
      await schedule.trigger();
      await h.smtp.waitFor((mails) => mails.some((m) => m.subject.includes(id.slice(0, 8)) && /Neue Übergabe/.test(m.subject)));
      expect(mailsAbout(id.slice(0, 8), /Neue Übergabe/)).toHaveLength(1);
    } finally {
      await h.client.schedule.getHandle(scheduleId).delete();
    }
  });

  it('closure requested → one mail to coordination, returned → one mail to the case manager; repeated deliveries add none', async () => {
    const coordinator = await login(h.baseUrl, 'koordination@kim.example');
    const created = await call(drk, 'POST', '/api/v1/cases', {
      person: { givenName: 'Nadia', familyName: 'Karimi', birthDate: '1990-09-09', municipality: 'Kall', languages: ['fa'] },
      source: 'self',
    });
    const caseId = created.body.id as string;
    const ref = caseId.slice(0, 8);
    for (const [action, body] of [
      ['record-consent', { scope: 'data_processing', decision: 'given' }],
      ['assign', { assigneeId: drk.user.id }],
      ['request-closure', { reason: 'moved_away', goalAttainment: 'partly' }],
    ] as const) {
      expect((await call(drk, 'POST', `/api/v1/cases/${caseId}/actions/${action}`, body)).status).toBe(200);
    }
    await h.smtp.waitFor((mails) => mails.some((m) => m.subject === `Abschlussantrag wartet auf Freigabe – Fall ${ref}`));
    expect((await call(coordinator, 'POST', `/api/v1/cases/${caseId}/actions/return-closure`, { reason: 'Bitte die neue Adresse dokumentieren' })).status).toBe(200);
    await h.smtp.waitFor((mails) => mails.some((m) => m.subject === `Abschlussantrag zurückgegeben – Fall ${ref}`));

    const rows = await h.db.notification.findMany({ where: { caseId, kind: { in: ['closure_requested', 'closure_returned'] } } });
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    const deliver = createNotificationActivities({ db: h.db, mailer: h.smtp.mailer() }).deliverNotification;
    for (const row of rows) expect((await deliver({ id: row.id })).outcome).toBe('already_sent');
    await dispatch();
    const requested = h.smtp.mails.filter((m) => m.subject === `Abschlussantrag wartet auf Freigabe – Fall ${ref}`);
    const returned = h.smtp.mails.filter((m) => m.subject === `Abschlussantrag zurückgegeben – Fall ${ref}`);
    expect(requested).toHaveLength(1);
    expect(requested[0]!.envelopeTo).toContain(coordinator.user.email);
    expect(returned).toHaveLength(1);
    expect(returned[0]!.envelopeTo).toEqual([drk.user.email]);
    expect(returned[0]!.text).not.toContain('neue Adresse');
  });
});
