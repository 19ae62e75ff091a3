// The workflow sandbox stays lean (issue 11, "a lean workflow sandbox"): the SDK runs every workflow of a worker in one
// reused V8 context but gives each its own module cache, so whatever the workflow bundle pulls in is evaluated again
// for every workflow the worker holds. The bundle therefore carries no zod (the API parses; the workflows check payloads
// in plain code) and none of the domain modules that build zod schemas. And since the workflows share the context, two
// of them interleaved in one worker must not see each other's state — not even module-level data one of them changed.
import { randomBytes } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { defaultCaseSettings, type Actor, type CaseAction, type CaseData } from '../domain/index.js';
import { failureConverterPath } from '../platform/payload-codec.js';
import { MAX_CACHED_WORKFLOWS, workflowsPath } from '../worker.js';
import { caseActionUpdate, caseViewQuery, caseWorkflowId, type CaseBatchRecord, type CaseWorkflowInput } from '../workflows/case-messages.js';
import { releaseSignal, TAMPERED, tamperingOutcomeQuery } from './support/isolation-workflows.js';

const quiet = new DefaultLogger('WARN');

/** The module paths of a bundle, from its inline source map. */
function modulesOf(code: string): string[] {
  const map = /\/\/# sourceMappingURL=data:application\/json;[^,]*base64,([A-Za-z0-9+/=]+)/.exec(code);
  if (!map) throw new Error('bundle without inline source map');
  return (JSON.parse(Buffer.from(map[1]!, 'base64').toString('utf8')) as { sources: string[] }).sources;
}

describe('the workflow bundle', () => {
  it('holds no zod, no module that builds zod schemas, and no package but the SDK’s', async () => {
    // Built as the worker builds it (worker.ts: workflowsPath; the tests and scripts add the failure converter).
    const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quiet });
    const modules = modulesOf(code);
    const source = code.slice(0, code.lastIndexOf('//# sourceMappingURL='));

    expect(modules.filter((m) => m.includes('/node_modules/zod/'))).toEqual([]);
    for (const zodOnly of ['ZodError', '$ZodType', '$constructor(', 'node_modules/zod']) expect(source, zodOnly).not.toContain(zodOnly);
    // The zod side of domain/: request and settings schemas, their building blocks, and the index that exports them.
    const domain = modules.filter((m) => m.includes('/domain/')).map((m) => m.slice(m.lastIndexOf('/domain/') + 1));
    for (const api of ['domain/index.ts', 'domain/validation.ts', 'domain/case-actions.ts', 'domain/handover-requests.ts', 'domain/settings-schemas.ts']) {
      expect(domain, api).not.toContain(api);
    }
    expect(domain).toEqual(expect.arrayContaining(['domain/case-decide.ts', 'domain/handover.ts', 'domain/case-payload-checks.ts']));
    // Packages: the SDK and what it brings, nothing of ours (a new dependency here costs every workflow).
    const packages = new Set(modules.flatMap((m) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1] ?? []));
    expect([...packages].filter((p) => !['@temporalio/common', '@temporalio/workflow', 'long', 'ms', 'nexus-rpc'].includes(p))).toEqual([]);
    // Measured for the issue: before the split 1.25 MB of code (3.36 MB with the source map), 18 zod modules.
    expect(Buffer.byteLength(source)).toBeLessThan(1_000_000);
  });
});

describe('two workflows interleaved in one worker share no state (whatever is preloaded)', () => {
  const taskQueue = `kim-isolation-${randomBytes(4).toString('hex')}`;
  const records: CaseBatchRecord[] = [];
  const handles: WorkflowHandle[] = [];
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: new URL('./support/isolation-workflows.ts', import.meta.url).pathname, logger: quiet });
    const address = inject('temporalAddress');
    client = new Client({ connection: await Connection.connect({ address }) });
    worker = await Worker.create({
      connection: await NativeConnection.connect({ address }),
      taskQueue,
      workflowBundle: { code },
      activities: {
        recordCaseBatch: async (input: CaseBatchRecord) => {
          records.push(input);
          return { erased: false, recorded: [] };
        },
      },
      // One worker thread, one reused V8 context, the cache of the real worker: every workflow here shares them.
      workflowThreadPoolSize: 1,
      maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
    });
    running = worker.run();
  });

  afterAll(async () => {
    await Promise.allSettled(handles.map((h) => h.terminate('test over')));
    worker?.shutdown();
    await running;
  });

  const caseManager = (organisationId: string, id: string): Actor => ({ id, role: 'case_manager', organisationId });

  async function openCase(caseId: string, organisationId: string, municipality: string) {
    const input: CaseWorkflowInput = {
      settings: defaultCaseSettings,
      open: {
        caseId,
        openedAt: new Date().toISOString(),
        openedBy: 'u-intake',
        organisationId,
        proposedProvider: { organisationId, reason: `${municipality} → ${organisationId}` },
        municipality,
        source: 'self',
      },
    };
    const handle = await client.workflow.start('caseWorkflow', { taskQueue, workflowId: caseWorkflowId(caseId), args: [input] });
    handles.push(handle);
    let n = 0;
    // Answers with the case as the workflow then holds it; the action's own answer must name this case.
    const act = async (actor: Actor, action: CaseAction, payload: unknown): Promise<CaseData> => {
      const answer = await handle.executeUpdate(caseActionUpdate, { args: [{ action, payload, actor, requestId: `${caseId}-${++n}` }] });
      expect(answer.caseId).toBe(caseId);
      return handle.query(caseViewQuery);
    };
    return { handle, act };
  }

  const recordsOf = (caseId: string) => JSON.stringify(records.filter((r) => r.caseId === caseId));
  const today = new Date().toISOString().slice(0, 10);

  it('two case workflows acted on alternately each answer with their own case', async () => {
    const suffix = randomBytes(3).toString('hex');
    const [idA, idB] = [`iso-a-${suffix}`, `iso-b-${suffix}`];
    const a = await openCase(idA, 'drk', 'Zülpich');
    const b = await openCase(idB, 'caritas-eifel', 'Schleiden');
    const [cmA, cmB] = [caseManager('drk', 'u-cm-a'), caseManager('caritas-eifel', 'u-cm-b')];
    const consent = { scope: 'data_processing', decision: 'given' };
    // Each round sends one update to each case at once: their workflow tasks run interleaved in the one context.
    await Promise.all([a.act(cmA, 'record-consent', consent), b.act(cmB, 'record-consent', consent)]);
    await Promise.all([
      a.act(cmA, 'record-contact', { kind: 'phone', date: today, durationMinutes: 10, note: 'Kontakt A' }),
      b.act(cmB, 'record-contact', { kind: 'counselling', date: today, durationMinutes: 45, note: 'Kontakt B' }),
    ]);
    await Promise.all([a.act(cmA, 'assign', { assigneeId: 'u-cm-a' }), b.act(cmB, 'assign', { assigneeId: 'u-cm-b' })]);
    const [lastA, lastB] = await Promise.all([a.act(cmA, 'start-assessment', {}), b.act(cmB, 'put-on-hold', { reason: 'Pause B' })]);

    expect(lastA).toMatchObject({ id: idA, organisationId: 'drk', municipality: 'Zülpich', state: 'assessment', onHold: false, assigneeId: 'u-cm-a' });
    expect(lastB).toMatchObject({ id: idB, organisationId: 'caritas-eifel', municipality: 'Schleiden', state: 'intake', onHold: true, assigneeId: 'u-cm-b' });
    const contactsOf = (caseId: string) =>
      records
        .filter((r) => r.caseId === caseId)
        .flatMap((r) => r.events)
        .filter((e) => e.type === 'contact_recorded')
        .map((e) => [(e.data as { kind: string }).kind, (e.data as { note: string }).note]);
    expect(contactsOf(idA)).toEqual([['phone', 'Kontakt A']]);
    expect(contactsOf(idB)).toEqual([['counselling', 'Kontakt B']]);
    expect([lastA.contacts.count, lastB.contacts.count]).toEqual([1, 1]);
    expect(lastA.consents).toHaveLength(1);
    expect(lastB.consents).toHaveLength(1);
    expect(lastA.consents[0]!.id).not.toBe(lastB.consents[0]!.id);
    // The records each workflow wrote name only its own case.
    for (const [own, other] of [
      [idA, [idB, 'Kontakt B', 'u-cm-b', 'Pause B']],
      [idB, [idA, 'Kontakt A', 'u-cm-a']],
    ] as const) {
      expect(recordsOf(own)).toContain(own);
      for (const foreign of other) expect(recordsOf(own), `${own} ∌ ${foreign}`).not.toContain(foreign);
    }
  });

  it('a workflow that changes the domain’s module-level data changes nothing for a case started after it', async () => {
    const tampering = await client.workflow.start('tamperingWorkflow', { taskQueue, workflowId: `tampering-${randomBytes(4).toString('hex')}` });
    handles.push(tampering);
    let outcome: string[] | undefined;
    for (let tries = 0; !outcome; tries++) {
      outcome = await tampering.query(tamperingOutcomeQuery).catch((error: unknown) => {
        if (tries > 100) throw error;
        return new Promise<undefined>((r) => setTimeout(() => r(undefined), 100));
      });
    }
    // Each change took effect in the tampering workflow's own modules — or was refused (frozen, shared modules).
    for (const attempt of outcome.slice(0, 4)) expect(attempt).toMatch(/: (changed|refused)$/);
    const changed = outcome[0]!.endsWith('changed');
    expect(outcome[4]).toBe(`record-contact allowed in ${changed ? 0 : 5} states`);

    // The tampering workflow stays open in the same worker; a case opened now decides with the data as it is.
    const caseId = `iso-c-${randomBytes(3).toString('hex')}`;
    const c = await openCase(caseId, 'drk', 'Kall');
    const cm = caseManager('drk', 'u-cm-c');
    await c.act(cm, 'record-consent', { scope: 'data_processing', decision: 'given' });
    const contact = await c.act(cm, 'record-contact', { kind: 'phone', date: today, durationMinutes: 5 });
    const assigned = await c.act(cm, 'assign', { assigneeId: 'u-cm-c' });
    expect(contact.contacts.count).toBe(1);
    expect(assigned.assigneeId).toBe('u-cm-c');
    const written = recordsOf(caseId);
    expect(written).toContain('Trägervorschlag: DRK');
    expect(written).toContain('Kontakt erfasst: Telefon');
    expect(written).not.toContain(TAMPERED);

    await tampering.signal(releaseSignal);
    expect(await tampering.result()).toEqual(outcome);
  });
});
