// A coordinator's change of the deadline settings (operations/case-settings.ts, the operation behind the Fristen page
// and PUT /api/v1/settings/case) reaches a case that is already waiting: on the time-skipping test server the case's
// next deadline fires, the workflow re-reads the settings, and the deadline it arms afterwards has the new period —
// while the deadline that was already waiting kept its date, as the page says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../api/operations/caller.js';
import { getCaseSettings, updateCaseSettings } from '../api/operations/case-settings.js';
import { caseAfter, demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { caseActionUpdate } from '../workflows/case-messages.js';
import { eventually } from './support/eventually.js';
import { startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping.js';

let stack: TimeSkippingStack;

beforeAll(async () => {
  stack = await startTimeSkippingStack('settings-time-skipping');
});
afterAll(async () => {
  await stack?.close();
});

const DAY = 24 * 3600 * 1000;

async function coordinatorCaller(): Promise<Caller> {
  const u = await stack.db.user.findUniqueOrThrow({ where: { email: 'koordination@kim.example' } });
  return { user: { id: u.id, email: u.email, name: u.name, role: u.role, organisationId: u.organisationId, via: 'session' }, channel: 'page', purpose: 'Fallbearbeitung' };
}

describe('deadline settings changed while a case waits', () => {
  it('the waiting deadline keeps its date; the deadline armed after the next one fired uses the new period', async () => {
    const { env, db } = stack;
    const startedAt = await env.currentTimeMs();
    const cm = await demoActor(db, 'cm.drk@kim.example');
    const open = await openCaseRows(db, { openedAt: new Date(startedAt).toISOString(), assigneeId: cm.id });
    const handle = await startCase(env.client, 'settings-time-skipping', open);
    // The record activity has written the case's deadlines: first assessment and no contact wait.
    await eventually(async () => (await db.caseDeadline.count({ where: { caseId: open.caseId, status: 'open' } })) >= 2, (met) => met, 'opening deadlines recorded');
    const caller = await coordinatorCaller();
    const current = await getCaseSettings(db, caller);
    const view = await updateCaseSettings(db, caller, {
      ...current.settings,
      deadlines: { ...current.settings.deadlines, noContactReminderDays: 30, noContactEscalationDays: 40 },
    });
    // What the page shows: the waiting no-contact deadline, which keeps its date.
    expect(view.fields.find((f) => f.key === 'noContactReminderDays')).toMatchObject({ value: 30, default: 56, waiting: 1 });
    expect(view.waitingCases).toBe(1);

    await env.sleep('15 days'); // the first-assessment reminder fires at day 14: the workflow re-reads the settings
    const contactAt = new Date(await env.currentTimeMs()).toISOString();
    const after = await caseAfter(
      db,
      env.client,
      await handle.executeUpdate(caseActionUpdate, {
        args: [{ action: 'record-contact', payload: { kind: 'phone', date: contactAt, durationMinutes: 5 }, actor: cm }],
      }),
    );
    const firstAssessment = after.deadlines.find((d) => d.kind === 'first_assessment')!;
    expect(Math.round((Date.parse(firstAssessment.dueAt) - startedAt) / DAY)).toBe(14);
    const noContact = after.deadlines.filter((d) => d.kind === 'no_contact' && d.status === 'open');
    expect(noContact).toHaveLength(1);
    expect(Math.round((Date.parse(noContact[0]!.dueAt) - Date.parse(contactAt)) / DAY)).toBe(30);

    // Recorded with who and when: before → after of the changed periods only.
    const audit = await db.adminAudit.findMany({ where: { entity: 'case_settings' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorId: caller.user.id,
      action: 'updated',
      before: { noContactReminderDays: 56, noContactEscalationDays: 84 },
      after: { noContactReminderDays: 30, noContactEscalationDays: 40 },
    });
    expect((await db.setting.findUniqueOrThrow({ where: { key: 'case' } })).updatedById).toBe(caller.user.id);
  });
});
