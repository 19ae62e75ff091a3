// Long timers on the time-skipping test server (installed by `npm install` from PyPI): months of a case's
// deadlines pass in seconds, with the real activities writing to a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCaseSettings } from '../platform/settings.js';
import { defaultCaseSettings } from '../domain/index.js';
import { caseAfter, demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { caseActionUpdate } from '../workflows/case-messages.js';
import { startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping.js';

let stack: TimeSkippingStack;
let env: TimeSkippingStack['env'];
let db: TimeSkippingStack['db'];

beforeAll(async () => {
  stack = await startTimeSkippingStack('time-skipping');
  ({ env, db } = stack);
});

afterAll(async () => {
  await stack?.close();
});

const DAY = 24 * 3600 * 1000;


async function eventsOf(caseId: string) {
  return db.caseEvent.findMany({ where: { caseId }, orderBy: { seq: 'asc' } });
}

describe('case deadlines across months (time-skipping server)', () => {
  it('an untouched case: first-assessment reminder at 14 days, escalation at 21, no-contact at 56 and 84', async () => {
    const startedAt = await env.currentTimeMs();
    const open = await openCaseRows(db, { openedAt: new Date(startedAt).toISOString() });
    await startCase(env.client, 'time-skipping', open);
    await env.sleep('90 days');
    expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(90 * DAY);

    const fired = (await eventsOf(open.caseId))
      .filter((e) => ['reminder_sent', 'escalation_sent'].includes(e.type))
      .map((e) => [e.type, (e.data as { kind: string }).kind, Math.round((e.at.getTime() - startedAt) / DAY)]);
    expect(fired).toEqual([
      ['reminder_sent', 'first_assessment', 14],
      ['escalation_sent', 'first_assessment', 21],
      ['reminder_sent', 'no_contact', 56],
      ['escalation_sent', 'no_contact', 84],
    ]);
    // The deadline read model behind GET /api/v1/deadlines says the same.
    const rows = await db.caseDeadline.findMany({ where: { caseId: open.caseId }, orderBy: { dueAt: 'asc' } });
    expect(rows.map((d) => [d.kind, d.status])).toEqual([
      ['first_assessment', 'escalated'],
      ['no_contact', 'escalated'],
    ]);
    // Each reminder and escalation is in the outbox, once.
    const outbox = await db.notification.findMany({ where: { caseId: open.caseId }, orderBy: { createdAt: 'asc' } });
    expect(outbox.map((n) => [n.kind, n.deadlineKind, n.recipientRole])).toEqual([
      ['reminder', 'first_assessment', 'coordination'],
      ['escalation', 'first_assessment', 'coordination'],
      ['reminder', 'no_contact', 'coordination'],
      ['escalation', 'no_contact', 'coordination'],
    ]);
  });

  it('a met deadline never reminds; the periodic review repeats every 90 days', async () => {
    const startedAt = await env.currentTimeMs();
    const cm = await demoActor(db, 'cm.drk@kim.example');
    const open = await openCaseRows(db, { openedAt: new Date(startedAt).toISOString(), assigneeId: cm.id });
    const handle = await startCase(env.client, 'time-skipping', open);
    const act = (action: string, payload: unknown = {}) =>
      handle.executeUpdate(caseActionUpdate, { args: [{ action: action as never, payload, actor: cm }] });
    await act('record-consent', { scope: 'data_processing', decision: 'given' });
    await act('start-assessment');
    await act('complete-assessment', { lifeAreas: [{ area: 'language', situation: 'A2', need: 'high' }] });
    const due = new Date(startedAt + 400 * DAY).toISOString().slice(0, 10);
    await act('agree-goals', { goals: [{ title: 'B1-Kurs', measure: 'Anmeldung VHS', owner: 'Klientin', dueDate: due }] });
    const contact = async () =>
      act('record-contact', { kind: 'phone', date: new Date(await env.currentTimeMs()).toISOString(), durationMinutes: 15 });
    // Keep in contact so that only the review cycle reminds; review one day after the first reminder.
    await env.sleep('50 days');
    await contact();
    await env.sleep('41 days');
    await act('start-review');
    await act('complete-review', { outcome: 'continue', notes: 'Kurs läuft' });
    await contact();
    await env.sleep('50 days');
    await contact();
    await env.sleep('41 days');
    const events = await eventsOf(open.caseId);
    const firstAssessment = events.filter((e) => (e.data as { kind?: string }).kind === 'first_assessment');
    expect(firstAssessment.map((e) => e.type)).toEqual(['deadline_set', 'deadline_met']);
    const reviewReminders = events
      .filter((e) => e.type === 'reminder_sent' && (e.data as { kind: string }).kind === 'periodic_review')
      .map((e) => Math.round((e.at.getTime() - startedAt) / DAY));
    expect(reviewReminders).toEqual([90, 181]);
    expect(events.some((e) => e.type === 'reminder_sent' && (e.data as { kind: string }).kind === 'no_contact')).toBe(false);
  });

  it('re-reads the installation settings when a deadline fires (workflow version 2)', async () => {
    const startedAt = await env.currentTimeMs();
    const cm = await demoActor(db, 'cm.drk@kim.example');
    const open = await openCaseRows(db, { openedAt: new Date(startedAt).toISOString(), assigneeId: cm.id });
    const handle = await startCase(env.client, 'time-skipping', open);
    await saveCaseSettings(db, {
      ...defaultCaseSettings,
      deadlines: { ...defaultCaseSettings.deadlines, noContactReminderDays: 30, noContactEscalationDays: 40 },
    });
    try {
      await env.sleep('15 days'); // the first-assessment reminder fires at day 14
      const contactAt = new Date(await env.currentTimeMs()).toISOString();
      const after = await caseAfter(
        db,
        env.client,
        await handle.executeUpdate(caseActionUpdate, {
          args: [{ action: 'record-contact', payload: { kind: 'phone', date: contactAt, durationMinutes: 5 }, actor: cm }],
        }),
      );
      const noContact = after.deadlines.filter((d) => d.kind === 'no_contact' && d.status === 'open');
      expect(noContact).toHaveLength(1);
      expect(Math.round((Date.parse(noContact[0]!.dueAt) - Date.parse(contactAt)) / DAY)).toBe(30);
    } finally {
      await db.setting.deleteMany({});
    }
  });
});
