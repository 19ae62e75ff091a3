// Issue 12 part 3 on the time-skipping server: while a closure request waits, the case's work deadlines pause (no
// phase reminders) and coordination's decision deadline reminds, then escalates — each through the notification
// outbox; coordination is mailed the request, the requester the return.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { caseActionUpdate } from '../workflows/case-messages.js';
import { eventually } from './support/eventually.js';
import { startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping.js';

const QUEUE = 'closure-loop-time-skipping';
let stack: TimeSkippingStack;

beforeAll(async () => {
  stack = await startTimeSkippingStack(QUEUE);
});
afterAll(async () => {
  await stack?.close();
});

describe('closure decision deadline', () => {
  it('reminds and escalates to coordination while no phase reminder goes out; a return mails the requester', async () => {
    const { env, db } = stack;
    const startedAt = await env.currentTimeMs();
    const cm = await demoActor(db, 'cm.drk@kim.example');
    const coordinator = await demoActor(db, 'koordination@kim.example');
    const open = await openCaseRows(db, { openedAt: new Date(startedAt).toISOString(), assigneeId: cm.id });
    const handle = await startCase(env.client, QUEUE, open);
    const act = (action: string, payload: unknown, actor = cm) => handle.executeUpdate(caseActionUpdate, { args: [{ action: action as never, payload, actor }] });
    await act('record-consent', { scope: 'data_processing', decision: 'given' });
    await act('start-assessment', {});
    await act('complete-assessment', { lifeAreas: [{ area: 'language', situation: 'A2', need: 'low' }] });
    await act('agree-goals', { goals: [{ title: 'B1', measure: 'Kurs', owner: 'Klient', dueDate: new Date(startedAt + 200 * 86_400_000).toISOString().slice(0, 10) }] });
    await act('request-closure', { reason: 'goals_achieved', goalAttainment: 'achieved' });

    const rows = (where: object) => db.notification.findMany({ where: { caseId: open.caseId, ...where } });
    await eventually(async () => (await rows({ kind: 'closure_requested' })).length === 1, (met) => met, 'closure request mailed');
    expect((await rows({ kind: 'closure_requested' }))[0]).toMatchObject({ recipientRole: 'coordination', deadlineKind: 'closure_decision' });

    // Day 7: reminder to coordination; day 14: escalation.
    await env.sleep('15 days');
    await eventually(async () => (await rows({ deadlineKind: 'closure_decision', kind: 'escalation' })).length === 1, (met) => met, 'decision deadline escalated');
    expect(await rows({ deadlineKind: 'closure_decision', kind: 'reminder' })).toEqual([expect.objectContaining({ recipientRole: 'coordination', recipientUserId: null })]);

    // Day 65: the no-contact reminder (day 56) would have gone out; it is paused while the request waits.
    await env.sleep('50 days');
    const decisionEscalated = await db.caseDeadline.findMany({ where: { caseId: open.caseId, kind: 'closure_decision' } });
    expect(decisionEscalated.map((d) => d.status)).toEqual(['escalated']);
    expect(await rows({ kind: { in: ['reminder', 'escalation'] }, NOT: { deadlineKind: 'closure_decision' } })).toEqual([]);

    await act('return-closure', { reason: 'Bitte die Vermittlung nachhalten' }, coordinator);
    await eventually(async () => (await rows({ kind: 'closure_returned' })).length === 1, (met) => met, 'return mailed');
    expect((await rows({ kind: 'closure_returned' }))[0]).toMatchObject({ recipientRole: 'assignee', recipientUserId: cm.id });
    await eventually(async () => (await db.caseDeadline.count({ where: { caseId: open.caseId, kind: 'no_contact', status: 'open' } })) === 1, (met) => met, 'no-contact deadline open again');
  });
});
