// The event store and the engine's histories agree, across continue-as-new runs; a lost row is shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../domain/index.js';
import { caseActionUpdate } from '../workflows/case-messages.js';
import { login, type SignedIn } from '../harness/auth.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let cm: Actor;
let coordinator: SignedIn;

beforeAll(async () => {
  h = await startHarness();
  cm = await demoActor(h.db, 'cm.drk@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
});
afterAll(async () => {
  await h?.close();
});

async function check(caseId: string) {
  const res = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/history/check`, { headers: coordinator.headers(false) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('GET /api/v1/cases/:id/history/check', () => {
  it('finds every stored event in the engine histories of all runs, and shows a lost one', async () => {
    const open = await openCaseRows(h.db, { assigneeId: cm.id });
    const handle = await startCase(h.client, h.taskQueue, open, { continueAsNewAfterEvents: 30 });
    for (let i = 0; i < 12; i++) {
      await handle.executeUpdate(caseActionUpdate, {
        args: [{ action: 'record-contact', payload: { kind: 'phone', date: new Date().toISOString(), durationMinutes: i }, actor: cm }],
      });
    }
    // Visibility (the list of runs) is eventually consistent on the dev server.
    const result = await eventually(() => check(open.caseId), (r) => r.body.agrees && r.body.engine.runs > 1, 'engine history with several runs agreeing');
    expect(result.status).toBe(200);
    expect(result.body.engine.runs).toBeGreaterThan(1);
    expect(result.body).toMatchObject({ agrees: true, missingInDatabase: [], missingInEngine: [], typeMismatches: [] });
    expect(result.body.database.events).toBe(result.body.engine.toSeq);

    await h.db.caseEvent.delete({ where: { caseId_seq: { caseId: open.caseId, seq: 5 } } });
    const broken = await check(open.caseId);
    expect(broken.body.agrees).toBe(false);
    expect(broken.body.missingInDatabase).toEqual([5]);
  });

  it('is for those who may read the case content', async () => {
    const open = await openCaseRows(h.db, { organisationId: 'drk' });
    await startCase(h.client, h.taskQueue, open);
    const other = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');
    const res = await fetch(`${h.baseUrl}/api/v1/cases/${open.caseId}/history/check`, { headers: other.headers(false) });
    expect(res.status).toBe(404);
  });
});
