// Retention after closure (time-skipping server): three years after a case is closed, the person's data is
// anonymised, the event skeleton stays, and the case workflow ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseActionUpdate } from '../workflows/definitions.js';
import type { CaseWorkflowResult } from '../workflows/case-state.js';
import { demoActor, openCaseRows, startCase } from './support/cases.js';
import { startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping.js';

let stack: TimeSkippingStack;
let env: TimeSkippingStack['env'];
let db: TimeSkippingStack['db'];

beforeAll(async () => {
  stack = await startTimeSkippingStack('retention');
  ({ env, db } = stack);
});

afterAll(async () => {
  await stack?.close();
});

describe('retention after closure', () => {
  it('anonymises the person three years after closure and keeps the event skeleton', async () => {
    const coordinator = await demoActor(db, 'koordination@kim.example');
    const open = await openCaseRows(db, { openedAt: new Date(await env.currentTimeMs()).toISOString() });
    const handle = await startCase(env.client, 'retention', open);
    const closed = await handle.executeUpdate(caseActionUpdate, {
      args: [{ action: 'close', payload: { reason: 'moved_away', goalAttainment: 'not_achieved' }, actor: coordinator }],
    });
    const retention = closed.deadlines.find((d) => d.kind === 'retention' && d.status === 'open');
    expect(retention).toBeDefined();

    await env.sleep('1000 days');
    const person = async () => (await db.case.findUniqueOrThrow({ where: { id: open.caseId }, include: { person: true } })).person;
    expect((await person()).familyName).toBe('Person');

    await env.sleep('200 days');
    const result = (await handle.result()) as CaseWorkflowResult;
    expect(result).toMatchObject({ caseId: open.caseId, state: 'closed', personalDataErased: true });
    expect(await person()).toMatchObject({ givenName: '–', familyName: '(anonymisiert)', languages: [] });
    const events = await db.caseEvent.findMany({ where: { caseId: open.caseId }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['case_opened', 'case_closed', 'retention_period_elapsed']));
    const row = await db.case.findUniqueOrThrow({ where: { id: open.caseId } });
    expect(row.state).toBe('closed');
  });
});
