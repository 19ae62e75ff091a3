// E-mail notifications end to end: deadlines fire on the time-skipping server, the workflow starts the send activity,
// and the mail arrives at a real SMTP server on loopback (harness/smtp.ts) — no mocks. Also: an SMTP outage
// delays mail and loses none, the same notification is mailed at most once, and the sink page of `npm start`.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createActivities } from '../activities/index.js';
import { createNotificationActivities } from '../activities/notifications.js';
import type { Actor } from '../domain/index.js';
import { createDatabase, type Database } from '../platform/database.js';
import { deployMigrations } from '../platform/migrations.js';
import { seedDatabase } from '../platform/seed.js';
import { mailInboxRouter } from '../api/pages/mail-inbox.js';
import { startSmtpSink, type ReceivedMail } from '../platform/smtp-sink.js';
import { createMailer, type Mailer } from '../platform/mailer.js';
import { registerSearchAttributes } from '../platform/temporal.js';
import { caseSearchAttributes } from '../workflows/search-attributes.js';
import { handoverActionUpdate } from '../workflows/handover-messages.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { demoPerson, proposeHandoverRows, startHandover } from '../harness/handovers.js';
import { startTestSmtpServer, type TestSmtpServer } from '../harness/smtp.js';
import { createTimeSkippingEnv, resultOnceCompleted } from './support/time-skipping.js';

const TASK_QUEUE = 'notifications';
const COORDINATION = 'kim-koordination@kreis-euskirchen.example';
const APP_URL = 'http://kim.test';
/** A client whose name must never appear in a mail. */
const CLIENT = { givenName: 'Zeynep', familyName: 'Özdemir-Karaca' };

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let db: Database;
let smtp: TestSmtpServer;
let mailer: Mailer;
let worker: Worker;
let running: Promise<void>;
let cm: Actor;
let counsellor: Actor;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  await registerSearchAttributes(env.connection, 'default', caseSearchAttributes);
  database = await createTestDatabase();
  await deployMigrations({ databaseUrl: database.url });
  db = createDatabase(database.url);
  await seedDatabase(db, { demoPassword: 'x', production: false });
  cm = await demoActor(db, 'cm.drk@kim.example');
  counsellor = await demoActor(db, 'abh@kim.example');
  smtp = await startTestSmtpServer();
  mailer = smtp.mailer({ appUrl: APP_URL });
  // One worker for the whole file: a worker stopped between tests would leave workflow tasks on its sticky queue,
  // and the test server does not skip time while a workflow task is outstanding.
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: createActivities({ db, mailer, coordinationEmail: COORDINATION }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await smtp?.close();
  await db?.$disconnect();
  await database?.drop();
  await env?.teardown();
});

const notificationIdOf = (m: ReceivedMail) => m.headers['x-kim-notification-id'] ?? '';
const mailsFor = (prefix: string) => smtp.mails.filter((m) => notificationIdOf(m).startsWith(prefix));

/** A case with a client whose name is known, assigned to the DRK case manager. */
async function openCase() {
  const open = await openCaseRows(db, { openedAt: new Date(await env.currentTimeMs()).toISOString(), assigneeId: cm.id });
  const row = await db.case.findUniqueOrThrow({ where: { id: open.caseId } });
  await db.person.update({ where: { id: row.personId }, data: CLIENT });
  const handle = await startCase(env.client, TASK_QUEUE, open);
  return { open, handle };
}

async function waitForRow(id: string, predicate: (row: { status: string; attempts: number }) => boolean, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const row = await db.notification.findUniqueOrThrow({ where: { id } });
    if (predicate(row)) return row;
    if (Date.now() > until) throw new Error(`notification ${id} stayed ${row.status} (attempts ${row.attempts})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const DAY_MS = 86_400_000;

/** Rows once there are `count` of them (written by the record activity shortly after the timer fired). */
async function eventuallyRows<T>(read: () => Promise<T[]>, count: number, timeoutMs = 20_000): Promise<T[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await read();
    if (rows.length >= count) return rows;
    if (Date.now() > until) throw new Error(`only ${rows.length} of ${count} rows after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function expectNoPersonalData(mail: ReceivedMail, names: string[]) {
  for (const name of names) {
    for (const part of [mail.subject, mail.text, mail.html, mail.raw]) expect(part).not.toContain(name);
  }
}

describe('deadline mails (time-skipping server, real SMTP on loopback)', () => {
  it('an untouched case: reminder to the case manager at day 14, escalation to coordination at day 21', async () => {
    const { open, handle } = await openCase();
    await env.sleep('15 days');

    const [reminder] = await smtp.waitFor(() => mailsFor(`${open.caseId}:`).length >= 1).then(() => mailsFor(`${open.caseId}:`));
    expect(reminder!.envelopeTo).toEqual(['cm.drk@kim.example']);
    expect(reminder!.subject).toMatch(/^Erinnerung: Erster Assessment-Schritt fällig seit \d{2}\.\d{2}\.\d{4} – Fall /);
    expect(reminder!.subject).toContain(open.caseId.slice(0, 8));
    expect(reminder!.headers.from).toBe('KIM Casework <kim@kreis-euskirchen.example>');
    expect(reminder!.text).toContain(`${APP_URL}/faelle/${open.caseId}`);
    expect(reminder!.text).toContain('als fallführende Person');
    expect(reminder!.html).toContain(`href="${APP_URL}/faelle/${open.caseId}"`);
    expect(reminder!.html).toContain('Erster Assessment-Schritt');
    expectNoPersonalData(reminder!, [CLIENT.givenName, CLIENT.familyName, 'Zeynep', 'Karaca']);

    const reminderRow = await waitForRow(notificationIdOf(reminder!), (r) => r.status === 'sent');
    expect(reminderRow).toMatchObject({ kind: 'reminder', recipientRole: 'assignee', attempts: 1, lastError: null });
    expect(reminderRow.sentAt).toBeInstanceOf(Date);
    // The Message-ID comes from the notification id: the same notification is recognisable as the same mail anywhere.
    expect(reminder!.messageId).toBe(`<${reminderRow.id.replaceAll(':', '.')}@kreis-euskirchen.example>`);

    await env.sleep('7 days');
    await smtp.waitFor(() => mailsFor(`${open.caseId}:`).length >= 2);
    const escalation = mailsFor(`${open.caseId}:`)[1]!;
    expect(escalation.envelopeTo).toEqual([COORDINATION]);
    expect(escalation.subject).toMatch(/^Eskalation: Erster Assessment-Schritt seit \d{2}\.\d{2}\.\d{4} überschritten – Fall /);
    expect(escalation.text).toContain('als KIM-Koordination');
    expectNoPersonalData(escalation, [CLIENT.givenName, CLIENT.familyName]);
    const escalationRow = await waitForRow(notificationIdOf(escalation), (r) => r.status === 'sent');
    expect(escalationRow).toMatchObject({ kind: 'escalation', recipientRole: 'coordination', attempts: 1 });
    expect(mailsFor(`${open.caseId}:`)).toHaveLength(2);
    // Day 14 and day 21, not a day earlier: the timers' own record of when they fired, in the workflow's time.
    const openedAt = Date.parse(open.openedAt);
    const fired = await eventuallyRows(() =>
      db.caseEvent.findMany({ where: { caseId: open.caseId, type: { in: ['reminder_sent', 'escalation_sent'] } }, orderBy: { seq: 'asc' } }),
    2);
    expect(fired.map((e) => [e.type, Math.floor((e.at.getTime() - openedAt) / DAY_MS)])).toEqual([
      ['reminder_sent', 14],
      ['escalation_sent', 21],
    ]);
    await handle.terminate('test done');
  });

  it('SMTP outage when the deadline fires: the notification stays pending and is mailed once the server is back', async () => {
    const { open, handle } = await openCase();
    await smtp.stop();
    try {
      await env.sleep('14 days');
      await env.sleep('1 minute'); // the send activity retries against the closed port meanwhile
      const row = await db.notification.findFirstOrThrow({ where: { caseId: open.caseId } });
      const failing = await waitForRow(row.id, (r) => r.attempts > 0 && r.status === 'pending');
      expect(failing.lastError).toMatch(/ECONNREFUSED|connect/i);
      expect(failing.sentAt).toBeNull();
      expect(mailsFor(`${open.caseId}:`)).toHaveLength(0);
    } finally {
      await smtp.start();
    }
    await env.sleep('1 hour'); // the next retry comes within the maximum interval of 10 minutes
    await smtp.waitFor(() => mailsFor(`${open.caseId}:`).length >= 1);
    const row = await waitForRow(notificationIdOf(mailsFor(`${open.caseId}:`)[0]!), (r) => r.status === 'sent');
    expect(row.attempts).toBeGreaterThan(1);
    expect(row.lastError).toBeNull();
    // Later retries or timers add nothing: exactly one mail for it.
    await env.sleep('1 hour');
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsFor(row.id)).toHaveLength(1);
    await handle.terminate('test done');
  });

  it('a lapsed handover mails the counsellor; a missed handover meeting mails both sides — without the person', async () => {
    const proposed = await proposeHandoverRows(db, counsellor, { requestedAt: new Date(await env.currentTimeMs()).toISOString() });
    const lapsing = await startHandover(env.client, TASK_QUEUE, proposed);
    const other = await proposeHandoverRows(db, counsellor, { requestedAt: new Date(await env.currentTimeMs()).toISOString() });
    const meeting = await startHandover(env.client, TASK_QUEUE, other);
    await env.sleep('1 day');
    await meeting.executeUpdate(handoverActionUpdate, {
      args: [{ action: 'record-consent', payload: { decision: 'given' }, actor: counsellor }],
    });
    await env.sleep('14 days');
    expect((await resultOnceCompleted<{ state: string }>(env, lapsing)).state).toBe('lapsed');
    const [lapsed] = await smtp.waitFor(() => mailsFor(`handover:${proposed.handoverId}:`).length >= 1).then(() =>
      mailsFor(`handover:${proposed.handoverId}:`),
    );
    expect(lapsed!.envelopeTo).toEqual(['abh@kim.example']);
    expect(lapsed!.subject).toContain('Übergabe verfallen');
    expect(lapsed!.text).toContain(`${APP_URL}/uebergaben/${proposed.handoverId}`);
    expectNoPersonalData(lapsed!, [demoPerson.givenName, demoPerson.familyName]);

    await env.sleep('8 days'); // meeting deadline: 21 days after consent
    await smtp.waitFor(() => mailsFor(`handover:${other.handoverId}:`).length >= 2);
    const reminders = mailsFor(`handover:${other.handoverId}:`);
    expect(reminders.map((m) => m.envelopeTo).sort()).toEqual([['abh@kim.example'], ['cm.drk@kim.example']]);
    for (const m of reminders) {
      expect(m.subject).toContain('Übergabegespräch');
      expectNoPersonalData(m, [demoPerson.givenName, demoPerson.familyName]);
    }
    // The workflow's own rows; the act-on rows (`act:…`, consent given) are the outbox dispatcher's (tests/act-on-mails.test.ts).
    const rows = await db.notification.findMany({ where: { handoverId: other.handoverId, NOT: { id: { startsWith: 'act:' } } } });
    await Promise.all(rows.map((r) => waitForRow(r.id, (x) => x.status === 'sent')));
    await meeting.terminate('test done');
  });
});

describe('deliverNotification (the activity, run directly)', () => {
  async function outboxRow(data: Partial<Parameters<Database['notification']['create']>[0]['data']> = {}) {
    const caseId = randomUUID();
    return db.notification.create({
      data: {
        id: `${caseId}:7:0`,
        caseId,
        kind: 'reminder',
        deadlineKind: 'periodic_review',
        recipientRole: 'assignee',
        recipientUserId: cm.id,
        recipientOrganisationId: 'drk',
        subject: 'Erinnerung: Wiedervorlage fällig',
        payload: { caseId, dueAt: '2026-03-02T09:00:00.000Z', deadlineKind: 'periodic_review' },
        ...data,
      },
    });
  }

  it('the same notification delivered twice (also concurrently) is mailed once', async () => {
    const { deliverNotification } = createNotificationActivities({ db, mailer, coordinationEmail: COORDINATION });
    const row = await outboxRow();
    const outcomes = await Promise.all([deliverNotification({ id: row.id }), deliverNotification({ id: row.id })]);
    const again = await deliverNotification({ id: row.id });
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['claimed', 'sent']);
    expect(again.outcome).toBe('already_sent');
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsFor(row.id)).toHaveLength(1);
    expect(mailsFor(row.id)[0]!.subject).toBe(`Erinnerung: Regelmäßige Überprüfung fällig seit 02.03.2026 – Fall ${row.caseId!.slice(0, 8)}`);
    const after = await db.notification.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('coordination defaults to the active coordinators; an inactive assignee falls back to coordination', async () => {
    const { deliverNotification } = createNotificationActivities({ db, mailer });
    const toCoordination = await outboxRow({ recipientRole: 'coordination', recipientUserId: null, kind: 'escalation' });
    expect(await deliverNotification({ id: toCoordination.id })).toEqual({ outcome: 'sent', to: ['koordination@kim.example'] });

    const leaver = await db.user.create({
      data: { email: 'ausgeschieden@kim.example', name: 'Ausgeschieden', role: 'case_manager', organisationId: 'drk', passwordHash: 'x', active: false },
    });
    const toLeaver = await outboxRow({ recipientUserId: leaver.id });
    expect(await deliverNotification({ id: toLeaver.id })).toEqual({ outcome: 'sent', to: ['koordination@kim.example'] });
    await smtp.waitFor(() => mailsFor(toLeaver.id).length === 1);
    expect(mailsFor(toLeaver.id)[0]!.text).toContain('nicht (mehr) aktiv');
  });

  it('without a mailer nothing is claimed: the row stays pending for a worker that has one', async () => {
    const { deliverNotification } = createNotificationActivities({ db });
    const row = await outboxRow();
    expect(await deliverNotification({ id: row.id })).toEqual({ outcome: 'no_mailer' });
    expect(await db.notification.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'pending', attempts: 0 });
  });
});

describe('local SMTP sink of npm start', () => {
  it('keeps received mails and shows them at GET /mail', async () => {
    const sink = await startSmtpSink({ port: 0, keep: 2 });
    const sinkMailer = createMailer({ host: sink.host, port: sink.port, secure: false, ignoreTLS: true, from: 'KIM Casework <kim@kreis-euskirchen.example>', appUrl: APP_URL });
    // Signed in as coordination (the inbox needs it; tests/http-hardening.test.ts checks that through the real sign-in).
    const coordinator = { id: 'u', email: 'k@kim.example', name: 'Koordination', role: 'coordinator' as const, organisationId: 'kreis', via: 'session' as const };
    const app = express()
      .use((req, _res, next) => {
        req.user = coordinator;
        next();
      })
      .use(mailInboxRouter(sink));
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      for (const n of [1, 2, 3]) {
        await sinkMailer.send({
          to: ['cm.drk@kim.example'],
          subject: `Erinnerung Nr. ${n}: Überprüfung fällig`,
          text: `Text ${n} – äöü`,
          html: `<p>HTML ${n} &amp; mehr</p>`,
          messageId: sinkMailer.messageIdFor(`case-x:${n}:0`),
        });
      }
      expect(sink.mails().map((m) => m.subject)).toEqual(['Erinnerung Nr. 2: Überprüfung fällig', 'Erinnerung Nr. 3: Überprüfung fällig']);
      expect(sink.mails()[1]!.text.trim()).toBe('Text 3 – äöü');
      const page = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mail`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Posteingang (lokale Test-Mails)');
      expect(html.indexOf('Erinnerung Nr. 3')).toBeLessThan(html.indexOf('Erinnerung Nr. 2'));
      expect(html).not.toContain('Erinnerung Nr. 1');
    } finally {
      sinkMailer.close();
      await new Promise((resolve) => server.close(resolve));
      await sink.stop();
    }
  });
});
