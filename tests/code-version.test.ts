// Version 11 (workflows/case-patches.ts): runs carry the code version they were started for, so a new case's first
// task records no patch markers (and none of the `TemporalChangeVersion` upserts Core adds for each), and a case
// started with its search attributes upserts them only when they change. Runs started before keep asking
// `patched()` and move onto the new shape when they continue as new. Real dev server, PostgreSQL and HTTP.
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../domain/index.js';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { caseActionUpdate, caseWorkflowId, type CaseActionRequest } from '../workflows/case-messages.js';
import { caseMunicipalityKey, caseNextDeadlineKey, caseOrganisationKey, caseStateKey } from '../workflows/search-attributes.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = (await import('@temporalio/proto')).temporal.api.enums.v1;

let h: Harness;
let drk: SignedIn;
let cm: Actor;

beforeAll(async () => {
  h = await startHarness();
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  cm = await demoActor(h.db, 'cm.drk@kim.example');
});
afterAll(async () => {
  await h?.close();
});

const contact = (durationMinutes: number) => ({ kind: 'phone', date: new Date().toISOString(), durationMinutes });
const patchMarkers = (events: HistoryEvent[]) =>
  events.filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.markerName === 'core_patch');
const upserts = (events: HistoryEvent[]) => events.filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);

async function historyOf(caseId: string, runId?: string): Promise<HistoryEvent[]> {
  return (await h.client.workflow.getHandle(caseWorkflowId(caseId), runId).fetchHistory()).events ?? [];
}

/** The case's search attributes as the server holds them, and as the read model says they should be. */
async function attributesAndReadModel(caseId: string) {
  const described = await h.client.workflow.getHandle(caseWorkflowId(caseId)).describe();
  const row = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
  const sa = described.typedSearchAttributes;
  return {
    server: [sa.get(caseStateKey), sa.get(caseOrganisationKey), sa.get(caseMunicipalityKey), sa.get(caseNextDeadlineKey)?.toISOString() ?? null],
    readModel: [row.state, row.organisationId, row.municipality, row.nextDeadlineAt?.toISOString() ?? null],
  };
}

describe('runs started for code version 11', () => {
  it('a case opened through the API records no patch marker and no search-attribute upsert in its first task', async () => {
    const created = await apiCall(h.baseUrl, drk, 'POST', '/api/v1/cases', {
      person: { givenName: 'Vera', familyName: 'Neumann', birthDate: '1991-03-03', municipality: 'Kall', languages: [] },
      source: 'self',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    await eventually(() => h.db.case.findUniqueOrThrow({ where: { id } }), (row) => row.lastEventSeq > 0, 'the opening record');
    // The record is written inside the first task; the task's commands reach history when it completes.
    const events = await eventually(() => historyOf(id), (e) => e.some((x) => x.eventType === EventType.EVENT_TYPE_TIMER_STARTED), 'the first task completed');
    expect(patchMarkers(events)).toEqual([]);
    expect(upserts(events)).toEqual([]);
    // The opening record's local activity marker and the first deadline's timer: nothing else in the first task.
    const commands = events.slice(4).map((e) => EventType[e.eventType!]);
    expect(commands).toEqual(['EVENT_TYPE_MARKER_RECORDED', 'EVENT_TYPE_TIMER_STARTED']);
    // The start carried the attributes the opening write would have upserted, the first deadline included.
    const { server, readModel } = await attributesAndReadModel(id);
    expect(readModel[3]).not.toBeNull();
    expect(server).toEqual(readModel);
  });

  it('actions upsert the search attributes exactly when state, owner, municipality or next deadline change', async () => {
    const open = await openCaseRows(h.db, { organisationId: 'drk', openedBy: cm.id, assigneeId: cm.id });
    await startCase(h.client, h.taskQueue, open);
    const id = open.caseId;
    const handle = h.client.workflow.getHandle(caseWorkflowId(id));
    const act = (action: string, payload: unknown, n: number) =>
      handle.executeUpdate(caseActionUpdate, { args: [{ action, payload, actor: cm, requestId: `cv-${id}-${n}` } as CaseActionRequest] });
    const steps: Array<[string, unknown]> = [
      ['record-contact', contact(10)],
      ['confirm-provider', { organisationId: 'drk' }],
      ['record-consent', { scope: 'data_processing', decision: 'given' }],
      ['start-assessment', {}],
      ['put-on-hold', { reason: 'Kur' }],
      ['record-contact', contact(5)],
      ['resume', {}],
    ];
    await eventually(() => h.db.case.findUniqueOrThrow({ where: { id } }), (row) => row.lastEventSeq > 0, 'the opening record');
    let changes = 0;
    let before = (await attributesAndReadModel(id)).readModel;
    expect(upserts(await historyOf(id))).toEqual([]);
    for (const [n, [action, payload]] of steps.entries()) {
      await act(action, payload, n);
      const { server, readModel } = await attributesAndReadModel(id);
      expect(server, `after ${action}`).toEqual(readModel);
      if (JSON.stringify(readModel) !== JSON.stringify(before)) changes++;
      before = readModel;
      expect(upserts(await historyOf(id)).length, `upserts after ${action}`).toBe(changes);
    }
    // The steps include both kinds, so the count above was tested both ways.
    expect(changes).toBeGreaterThan(0);
    expect(changes).toBeLessThan(steps.length);
    expect(patchMarkers(await historyOf(id))).toEqual([]);
  });

  it('a run started before version 11 asks patched() as recorded, and its next run follows the new code', async () => {
    const open = await openCaseRows(h.db, { organisationId: 'drk', openedBy: cm.id, assigneeId: cm.id });
    const first = await startCase(h.client, h.taskQueue, open, { asBefore: true, continueAsNewAfterEvents: 30 });
    const id = open.caseId;
    for (let n = 0; ; n++) {
      const described = await h.client.workflow.getHandle(caseWorkflowId(id)).describe();
      if (described.runId !== first.firstExecutionRunId) break;
      expect(n, 'the first run continues as new').toBeLessThan(40);
      await first.executeUpdate(caseActionUpdate, {
        args: [{ action: 'record-contact', payload: contact(5 + (n % 20)), actor: cm, requestId: `old-${id}-${n}` }],
      });
    }
    const firstRun = await historyOf(id, first.firstExecutionRunId);
    const names = patchMarkers(firstRun).map((e) => Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!).toString());
    expect(names.join()).toContain('"case-rules-11"');
    expect(upserts(firstRun).length).toBeGreaterThan(patchMarkers(firstRun).length); // the markers' and the case's own
    const ended = firstRun[firstRun.length - 1]!;
    expect(EventType[ended.eventType!]).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');

    // The next run: no markers; its attributes were inherited, so a contact that changes none of them upserts nothing.
    const handle = h.client.workflow.getHandle(caseWorkflowId(id));
    await handle.executeUpdate(caseActionUpdate, {
      args: [{ action: 'record-contact', payload: contact(30), actor: cm, requestId: `new-${id}` }],
    });
    const nextRun = await historyOf(id);
    expect(patchMarkers(nextRun)).toEqual([]);
    expect(upserts(nextRun)).toEqual([]);
    const { server, readModel } = await attributesAndReadModel(id);
    expect(server).toEqual(readModel);
    // Every event of both runs reached the record once, in order.
    const rows = await h.db.caseEvent.findMany({ where: { caseId: id }, orderBy: { seq: 'asc' }, select: { seq: true } });
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
  });
});
