// A case carried over by an earlier version (its state with the contact list and resolved deadlines, recorded by
// the recordCaseEvents activity) continues on this version: compacted, its older contact notes kept, new actions
// recorded by the batch local activity. (Running cases of earlier versions replay: tests/replay.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCase, decide, defaultCaseSettings, type Actor, type CaseData } from '../domain/index.js';
import { caseActionUpdate, caseViewQuery, caseWorkflowId, type CaseWorkflowInput } from '../workflows/case-messages.js';
import { caseAfter, demoActor, openCaseRows } from '../harness/cases.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let cm: Actor;
beforeAll(async () => {
  h = await startHarness({ withApp: false });
  cm = await demoActor(h.db, 'cm.drk@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('a case of version 4 continues on version 5', () => {
  it('drops resolved deadlines, keeps its older contacts with their notes, and records new actions in batches', async () => {
    const open = await openCaseRows(h.db, { assigneeId: cm.id });
    // The state as version 4 carried it into a new run: a contact in the list, a met deadline.
    let n = 0;
    const ctx = (at: string) => ({ now: at, actor: cm, newId: (p: string) => `${p}-v4-${++n}` });
    const created = createCase({ ...open, newId: ctx(open.openedAt).newId });
    const contacted = decide(created.next, { action: 'record-consent', payload: { scope: 'data_processing', decision: 'given' } }, ctx(open.openedAt));
    if (!contacted.ok) throw new Error('consent refused');
    const assessing = decide(contacted.next, { action: 'start-assessment', payload: {} }, ctx(open.openedAt));
    if (!assessing.ok) throw new Error('assessment refused');
    const legacyContact = { id: 'contact-v4-1', kind: 'phone' as const, date: open.openedAt.slice(0, 10), durationMinutes: 15, note: 'Notiz aus Version 4', recordedBy: cm.id, recordedAt: open.openedAt };
    const carried: CaseData = {
      ...assessing.next,
      contacts: { ...assessing.next.contacts, count: 1, byKind: { ...assessing.next.contacts.byKind, phone: 1 }, items: [legacyContact] },
    };
    const met = carried.deadlines.filter((d) => d.status === 'met');
    expect(met.length).toBeGreaterThan(0);
    const seq = created.events.length + contacted.events.length + assessing.events.length;
    const input: CaseWorkflowInput = { settings: defaultCaseSettings, continued: { data: carried, seq, settings: defaultCaseSettings, recentRequestIds: [] } };
    const handle = await h.client.workflow.start('caseWorkflow', { taskQueue: h.taskQueue, workflowId: caseWorkflowId(open.caseId), args: [input] });

    const result = await handle.executeUpdate(caseActionUpdate, {
      args: [{ action: 'record-contact', payload: { kind: 'counselling', date: new Date().toISOString().slice(0, 10), durationMinutes: 45, note: 'Notiz aus Version 5' }, actor: cm }],
    });
    expect(result.seq).toBeGreaterThan(seq);

    const state = await handle.query(caseViewQuery);
    expect(state.deadlines.filter((d) => d.status === 'met')).toEqual([]);
    expect(state.contacts).toMatchObject({ count: 2, items: [legacyContact] });
    const view = await caseAfter(h.db, h.client, result);
    expect(view.contacts.items.map((c) => c.note)).toEqual(['Notiz aus Version 4', 'Notiz aus Version 5']);
    const recorded = await h.db.caseEvent.findMany({ where: { caseId: open.caseId }, orderBy: { seq: 'asc' } });
    expect(recorded.map((e) => e.seq)[0]).toBe(seq + 1);

    // Written by the local activity of version 5, behind its patch marker.
    const history = JSON.stringify((await handle.fetchHistory()).events);
    expect(history).toContain('core_local_activity');
    expect(history).not.toContain('recordCaseEvents');
  });
});
