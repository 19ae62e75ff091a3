// Drill 2: the Temporal dev server (its own, persisting to a db file) is stopped while clients keep sending
// transitions, and started again on the same file. During the outage the API must answer 503, never 500, and within
// bounded time; afterwards no case, deadline or notification may be missing — including a deadline that fell due
// while the engine was down, whose reminder must be recorded and mailed exactly once.
import { readCaseView } from '../api/operations/case-lookup.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseData } from '../domain/index.js';
import { startDevServer, type DevServer } from '../platform/temporal.js';
import { freePort } from '../harness/processes.js';
import { caseWorkflowId } from '../workflows/case-messages.js';
import { caseSearchAttributes } from '../workflows/search-attributes.js';
import { expectations, notAccepted, sendUntilAnswered, summarise, type BurstOutcome, type BurstRequest } from './lib/burst.js';
import { caseDueAt, deadlinesOf, lostDeadlines } from './lib/cases.js';
import { notificationProblems, queryView, settledProblems } from './lib/consistency.js';
import type { DrillContext } from './lib/context.js';
import { call, createCase, describe, errorCode, signIn, type Answer } from './lib/http.js';
import { sleep, waitUntil, type DrillReport } from './lib/report.js';
import { startStack, type Stack } from './lib/stack.js';

// temporalRestartDrill is split into its phases (load, cases due during the outage, API probes, checks afterwards).
// The drill keeps the dev server, the stack and the load's stop switch itself, so its finally block still stops the
// load, the stack and the server in the same order whatever fails; the phases run in the same order and timing.

type SignedInUser = Awaited<ReturnType<typeof signIn>>;

interface BackgroundLoad {
  outcomes: BurstOutcome[];
  /** Lets every client finish its current request and stop; `done` resolves then. */
  halt(): void;
  done: Promise<unknown>;
}

/** Background load: record-contact on random cases, 4 clients, each request retried with its request id. */
function startBackgroundLoad(stack: Stack, cm: SignedInUser, ids: string[]): BackgroundLoad {
  let loadRunning = true;
  const outcomes: BurstOutcome[] = [];
  let n = 0;
  const client = async () => {
    while (loadRunning) {
      const request: BurstRequest = {
        caseId: ids[n++ % ids.length]!,
        action: 'record-contact',
        requestId: `drill-load-${n}-${Date.now()}`,
        body: { kind: 'phone', date: new Date().toISOString(), durationMinutes: 5 },
      };
      outcomes.push(await sendUntilAnswered(stack.baseUrl, cm, request, 240_000));
      await sleep(50);
    }
  };
  const done = Promise.all([client(), client(), client(), client()]);
  return {
    outcomes,
    halt: () => {
      loadRunning = false;
    },
    done,
  };
}

/** Deadlines that fall due in the middle of the outage; and every case's view before it, to compare afterwards. */
async function casesDueDuringOutage(stack: Stack, cm: SignedInUser, ids: string[], counts: { dueCount: number; outageMs: number }) {
  const fireAt = Date.now() + 3000 + counts.outageMs / 2;
  const dueIds: string[] = [];
  for (let i = 0; i < counts.dueCount; i++) dueIds.push(await caseDueAt(stack.db, stack.client, stack.taskQueue, cm.user.id, fireAt));
  const allIds = [...ids, ...dueIds];
  await waitUntil(async () => (await stack.db.case.count({ where: { id: { in: allIds }, lastEventSeq: { gt: 0 } } })) === allIds.length, 20_000);
  const before = new Map<string, CaseData>();
  for (const id of allIds) before.set(id, await queryView(stack.client, caseWorkflowId(id)));
  return { fireAt, dueIds, allIds, before };
}

type Probe = { what: string; answer: Answer; okStatuses: number[] };

/** What the API answers while the engine is away (checked after the restart, so the outage is not prolonged). */
async function probeDuringOutage(stack: Stack, cm: SignedInUser, ids: string[]): Promise<Probe[]> {
  const probes: Probe[] = [];
  const probe = async (what: string, okStatuses: number[], run: () => Promise<Answer>) => {
    probes.push({ what, answer: await run(), okStatuses });
  };
  await sleep(500);
  await Promise.all([
    // Since version 5 the case is read from the read model: it answers while the engine is away.
    probe('GET /api/v1/cases/{id} (read model)', [200], () => call(stack.baseUrl, 'GET', `/api/v1/cases/${ids[0]}`, { headers: cm.headers(false) })),
    probe('POST /api/v1/cases/{id}/actions/record-contact (update)', [503], () =>
      call(stack.baseUrl, 'POST', `/api/v1/cases/${ids[1]}/actions/record-contact`, {
        headers: cm.headers(),
        body: { kind: 'phone', date: new Date().toISOString(), durationMinutes: 3, requestId: 'drill-probe-outage' },
      }),
    ),
    probe('POST /api/v1/cases (workflow start)', [503], () =>
      call(stack.baseUrl, 'POST', '/api/v1/cases', {
        headers: cm.headers(),
        body: { person: { givenName: 'Während', familyName: 'Ausfall', birthDate: '1990-01-01', municipality: 'Kall' }, source: 'self' },
      }),
    ),
    probe('GET /api/v1/cases (read model only)', [200], () => call(stack.baseUrl, 'GET', '/api/v1/cases', { headers: cm.headers(false) })),
    probe('GET /healthz', [503], () => call(stack.baseUrl, 'GET', '/healthz')),
  ]);
  return probes;
}

/** Checks the probes; returns the update probe, whose request may have been applied after all. */
function checkProbes(report: DrillReport, probes: Probe[]): Probe | undefined {
  for (const p of probes) {
    const ok = p.okStatuses.includes(p.answer.status);
    report.check(ok && p.answer.ms < 30_000, `during the outage ${p.what} → ${p.okStatuses.join('/')} within 30 s`, describe(p.answer));
  }
  const inFlight = probes.find((p) => p.what.includes('update'));
  if (inFlight?.answer.status === 503) report.step(`(the update probe answered ${errorCode(inFlight.answer)})`);
  return inFlight;
}

async function stopAndCheckLoad(report: DrillReport, load: BackgroundLoad): Promise<void> {
  const { outcomes } = load;
  load.halt();
  await load.done;
  report.step(`load stopped: ${summarise(outcomes)}`);
  report.none(notAccepted(outcomes), 'every load request was accepted in the end (clients retry 503 with the same request id)');
  const during = outcomes.filter((o) => o.retried.some((a) => a.status === 500) || o.final.status === 500);
  report.none(during.map((o) => `${o.request.requestId}: ${o.retried.map(describe).join(' | ')}`), 'no load request was answered 500 at any attempt');
}

/** Nothing lost: every Case row has its running workflow, and no case was created or lost. */
async function checkNoCaseLost(stack: Stack, report: DrillReport, allIds: string[]): Promise<void> {
  const rows = await stack.db.case.findMany({ select: { id: true, workflowId: true } });
  const missing: string[] = [];
  for (const row of rows) {
    const found = await stack.client.workflow
      .getHandle(row.workflowId)
      .describe()
      .then((d) => d.status.name)
      .catch((e: Error) => `missing (${e.message})`);
    if (found !== 'RUNNING') missing.push(`${row.id.slice(0, 8)}: workflow ${found}`);
  }
  report.none(missing, `every Case row (${rows.length}) has a running workflow; no half-created case from the outage`);
  report.check(rows.length === allIds.length, 'no case created or lost during the outage', `${rows.length} Case rows, ${allIds.length} expected`);
}

async function checkRemindersAfterRestart(stack: Stack, report: DrillReport, dueIds: string[], dueCount: number): Promise<void> {
  const reminded = await waitUntil(
    async () => (await stack.db.caseEvent.count({ where: { caseId: { in: dueIds }, type: 'reminder_sent' } })) === dueIds.length,
    60_000,
  );
  report.check(reminded, `the ${dueCount} deadlines that fell due during the outage fired after the restart (reminder_sent recorded)`);
  const mailed = await waitUntil(async () => (await notificationProblems(stack.db, stack.smtp.mails, dueIds)).length === 0, 60_000);
  const notifications = await stack.db.notification.count({ where: { caseId: { in: dueIds } } });
  report.none(
    mailed ? [] : await notificationProblems(stack.db, stack.smtp.mails, dueIds),
    `their ${notifications} notification(s) sent, each mailed exactly once`,
  );
}

/** Deadlines unchanged, and every case consistent with the accepted requests (and the update probe, if applied). */
async function checkCasesConsistent(
  stack: Stack,
  report: DrillReport,
  run: { ids: string[]; allIds: string[]; before: Map<string, CaseData>; outcomes: BurstOutcome[]; inFlight: Probe | undefined },
): Promise<void> {
  const { ids, allIds, before, outcomes, inFlight } = run;
  const after = new Map<string, CaseData>();
  for (const id of allIds) after.set(id, await queryView(stack.client, caseWorkflowId(id)));
  // The workflow keeps its pending deadlines only (version 5); resolved ones are read from the read model.
  const recorded = new Map<string, CaseData>();
  for (const id of allIds) {
    const view = await readCaseView(stack.db, stack.client, await stack.db.case.findUniqueOrThrow({ where: { id } }));
    if (view) recorded.set(id, view);
  }
  report.none(lostDeadlines(deadlinesOf(before), deadlinesOf(recorded)), 'every deadline of every case is still there with the same due date');

  const expected = expectations(allIds, outcomes);
  // The probe update of the outage counts if it was accepted after all.
  if (inFlight?.answer.status === 200) expected.get(ids[1]!)!.contacts!++;
  report.none(await settledProblems(stack.db, stack.client, expected), 'every case consistent (events = accepted requests, seq, read model, workflow, engine history)');
}

export async function temporalRestartDrill(ctx: DrillContext, report: DrillReport): Promise<void> {
  const outageMs = ctx.quick ? 8_000 : 30_000;
  const caseCount = ctx.quick ? 5 : 20;
  const dueCount = ctx.quick ? 2 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'kim-drill-temporal-'));
  const serverOptions = {
    executable: ctx.temporalCli,
    dbFilename: join(dir, 'temporal.db'),
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    searchAttributes: caseSearchAttributes,
  };
  let server: DevServer | undefined = await startDevServer(serverOptions);
  report.step(`own Temporal dev server on ${server.address}, --db-filename ${serverOptions.dbFilename}`);
  const stack = await startStack({ temporalAddress: server.address, workflowBundlePath: ctx.workflowBundlePath });
  let load: BackgroundLoad | undefined;
  try {
    report.step(`database: ${stack.database.kind}; in-process worker on ${stack.taskQueue}`);
    const cm = await signIn(stack.baseUrl, 'cm.drk@kim.example');
    const httpCases = [];
    for (let i = 0; i < caseCount; i++) httpCases.push(await createCase(stack.baseUrl, cm, { givenName: `Drill${i}`, familyName: 'Restart', municipality: 'Kall' }));
    const ids = httpCases.map((c) => c.id);

    load = startBackgroundLoad(stack, cm, ids);
    await sleep(1500);

    const { fireAt, dueIds, allIds, before } = await casesDueDuringOutage(stack, cm, ids, { dueCount, outageMs });
    report.step(`${caseCount} cases over HTTP under load (4 clients) + ${dueCount} cases whose first-assessment reminder falls due during the outage`);

    await server.stop();
    server = undefined;
    const stoppedAt = Date.now();
    report.step(`dev server stopped (SIGTERM); ${load.outcomes.length} load requests answered so far`);

    const probes = await probeDuringOutage(stack, cm, ids);
    const remaining = outageMs - (Date.now() - stoppedAt);
    if (remaining > 0) await sleep(remaining);

    server = await startDevServer(serverOptions);
    const restartedAt = Date.now();
    report.step(`dev server started again on the same db file after ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s`);
    report.check(fireAt > stoppedAt && fireAt < restartedAt, 'the reminders fell due while the engine was down', `${((fireAt - stoppedAt) / 1000).toFixed(1)} s into the outage`);
    const inFlight = checkProbes(report, probes);

    await sleep(ctx.quick ? 3000 : 10_000);
    const workerFailure = stack.workerFailure();
    report.check(!workerFailure, 'the in-process worker survived the outage', workerFailure ? String(workerFailure) : 'still running');
    if (workerFailure) await stack.startWorker();

    await stopAndCheckLoad(report, load);
    await checkNoCaseLost(stack, report, allIds);
    await checkRemindersAfterRestart(stack, report, dueIds, dueCount);
    await checkCasesConsistent(stack, report, { ids, allIds, before, outcomes: load.outcomes, inFlight });
  } finally {
    load?.halt();
    await stack.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
