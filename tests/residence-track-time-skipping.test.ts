// Issue 16 item 2 on the time-skipping server: a residence title's expiry date arms a deadline — the reminder goes to
// the case manager the configured lead time ahead (default 56 days), the escalation to coordination at the end of
// the expiry day; a pause of the case does not hold it back; a changed expiry date moves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, berlinDate, endOfDayBerlin } from '../domain/dates.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { caseActionUpdate } from '../workflows/case-messages.js';
import { eventually } from './support/eventually.js';
import { startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping.js';

const QUEUE = 'residence-track-time-skipping';
let stack: TimeSkippingStack;

beforeAll(async () => {
  stack = await startTimeSkippingStack(QUEUE);
});
afterAll(async () => {
  await stack?.close();
});

describe('expiry of a residence title', () => {
  it('reminds the case manager ahead of the expiry and escalates on the expiry day, also while the case is paused', async () => {
    const { env, db } = stack;
    const startedAt = await env.currentTimeMs();
    const today = berlinDate(startedAt);
    const cm = await demoActor(db, 'cm.drk@kim.example');
    const open = await openCaseRows(db, { openedAt: new Date(startedAt).toISOString(), assigneeId: cm.id });
    const handle = await startCase(env.client, QUEUE, open);
    const act = (action: string, payload: unknown) => handle.executeUpdate(caseActionUpdate, { args: [{ action: action as never, payload, actor: cm }] });
    // First 90 days out, then moved to 100: the reminder 56 days before the new date (day 44), escalation on day 100.
    await act('set-residence-track', { currentTitle: 'duldung', expiresOn: addDays(today, 90), targetTitle: 'p25b', achievements: ['language'] });
    await act('set-residence-track', { currentTitle: 'duldung', expiresOn: addDays(today, 100), targetTitle: 'p25b', achievements: ['language'] });
    await act('put-on-hold', { reason: 'nicht erreichbar' });

    const deadline = () => db.caseDeadline.findMany({ where: { caseId: open.caseId, kind: 'residence_expiry' } });
    await eventually(async () => (await deadline()).length === 1, (met) => met, 'expiry deadline recorded');
    expect((await deadline())[0]).toMatchObject({ status: 'open' });
    expect((await deadline())[0]!.dueAt.toISOString()).toBe(endOfDayBerlin(addDays(today, 44)));
    expect((await deadline())[0]!.escalateAt?.toISOString()).toBe(endOfDayBerlin(addDays(today, 100)));

    const rows = (where: object) => db.notification.findMany({ where: { caseId: open.caseId, deadlineKind: 'residence_expiry', ...where } });
    await env.sleep('43 days');
    expect(await rows({})).toEqual([]);
    await env.sleep('2 days');
    await eventually(async () => (await rows({ kind: 'reminder' })).length === 1, (met) => met, 'expiry reminder');
    expect((await rows({ kind: 'reminder' }))[0]).toMatchObject({ recipientRole: 'assignee', recipientUserId: cm.id });
    expect(await rows({ kind: 'escalation' })).toEqual([]);

    await env.sleep('56 days');
    await eventually(async () => (await rows({ kind: 'escalation' })).length === 1, (met) => met, 'expiry escalation');
    expect((await rows({ kind: 'escalation' }))[0]).toMatchObject({ recipientRole: 'coordination' });
    await eventually(async () => (await deadline())[0]?.status === 'escalated', (met) => met, 'deadline escalated');
  });
});
