// Drill 3: PostgreSQL goes away (the embedded database's socket is closed, every connection dropped) while updates
// are in flight and a deadline falls due. The API must answer 503 database_unavailable with a clear message, the
// workflows' record activities must retry, and after the database returns everything catches up: events written,
// read model consistent, the reminder mailed exactly once, the API answering 200 again.
import { DATABASE_UNAVAILABLE_MESSAGE } from '../api/operations/errors.js';
import { bearerFor } from '../harness/auth.js';
import { caseActionUpdate, caseWorkflowId } from '../workflows/case-messages.js';
import { caseDueAt } from './lib/cases.js';
import { notificationProblems, settledProblems, type CaseExpectation } from './lib/consistency.js';
import type { DrillContext } from './lib/context.js';
import { call, createCase, describe, errorCode, signIn, type Answer } from './lib/http.js';
import { sleep, waitUntil, type DrillReport } from './lib/report.js';
import { startStack, type Stack } from './lib/stack.js';


// databaseOutageDrill is split into its phases (cases before, updates and API probes during the outage, retries,
// catching up after it). The drill itself keeps the pause/resume and the `paused` flag, so the finally block still
// resumes the database whatever fails; the phases run in the same order and with the same timing as before.

type SignedInUser = Awaited<ReturnType<typeof signIn>>;

interface OutageCases {
  ids: string[];
  dueIds: string[];
  allIds: string[];
  /** When the due cases' reminders fall due: halfway through the outage. */
  fireAt: number;
  /** When the outage is to begin (never later than shortly before fireAt, however long the setup took). */
  pauseAt: number;
}

/** Time given to start the due cases and see their openings recorded before the outage begins. */
const DUE_SETUP_MS = 5_000;

async function openCases(stack: Stack, report: DrillReport, cm: SignedInUser, counts: { caseCount: number; dueCount: number; outageMs: number }): Promise<OutageCases> {
  const { caseCount, dueCount, outageMs } = counts;
  const cases = [];
  for (let i = 0; i < caseCount; i++) cases.push(await createCase(stack.baseUrl, cm, { givenName: `Drill${i}`, familyName: 'Outage', municipality: 'Kall' }));
  const ids = cases.map((c) => c.id);
  await waitUntil(async () => (await stack.db.case.count({ where: { id: { in: ids }, lastEventSeq: { gt: 0 } } })) === ids.length, 20_000);
  // The firing time is fixed only now, after the slow part of the setup, and the outage begins at pauseAt whatever
  // the due cases' setup took: the reminders fall due inside the outage by construction, not by a race.
  const pauseAt = Date.now() + DUE_SETUP_MS;
  const fireAt = pauseAt + outageMs / 2;
  const dueIds: string[] = [];
  for (let i = 0; i < dueCount; i++) dueIds.push(await caseDueAt(stack.db, stack.client, stack.taskQueue, cm.user.id, fireAt));
  const allIds = [...ids, ...dueIds];
  await waitUntil(
    async () => (await stack.db.case.count({ where: { id: { in: dueIds }, lastEventSeq: { gt: 0 } } })) === dueIds.length,
    Math.max(0, fireAt - 500 - Date.now()),
  );
  report.step(`${caseCount} cases over HTTP + ${dueCount} whose first-assessment reminder falls due during the outage`);
  return { ids, dueIds, allIds, fireAt, pauseAt };
}

/** Updates that reach the engine during the outage (sent straight to Temporal: the API itself needs the database). */
function sendUpdatesToEngine(stack: Stack, cm: SignedInUser, ids: string[]): Array<Promise<string>> {
  return ids.map((caseId, i) =>
    stack.client.workflow
      .getHandle(caseWorkflowId(caseId))
      .executeUpdate(caseActionUpdate, {
        args: [
          {
            action: 'record-contact',
            payload: { kind: 'outreach', date: new Date().toISOString(), durationMinutes: 30 },
            actor: { id: cm.user.id, role: 'case_manager', organisationId: 'drk' },
            requestId: `drill-outage-${i}`,
          },
        ],
        updateId: `drill-outage-${i}`,
      })
      .then(
        () => 'applied',
        (error: Error) => `failed: ${error.message}`,
      ),
  );
}

/** Every kind of request (session, token, read, write, sign-in) answers 503 database_unavailable, and fast. */
async function probeApiDuringOutage(stack: Stack, report: DrillReport, cm: SignedInUser, bearer: Awaited<ReturnType<typeof bearerFor>>, firstId: string): Promise<void> {
  const probes: Array<[string, Answer]> = await Promise.all(
    (
      [
        ['GET /api/v1/cases', () => call(stack.baseUrl, 'GET', '/api/v1/cases', { headers: cm.headers(false) })],
        ['GET /api/v1/cases/{id}', () => call(stack.baseUrl, 'GET', `/api/v1/cases/${firstId}`, { headers: cm.headers(false) })],
        [
          'POST /api/v1/cases/{id}/actions/record-contact',
          () =>
            call(stack.baseUrl, 'POST', `/api/v1/cases/${firstId}/actions/record-contact`, {
              headers: cm.headers(),
              body: { kind: 'phone', date: new Date().toISOString(), durationMinutes: 1 },
            }),
        ],
        [
          'POST /api/v1/cases',
          () =>
            call(stack.baseUrl, 'POST', '/api/v1/cases', {
              headers: cm.headers(),
              body: { person: { givenName: 'Während', familyName: 'Ausfall', birthDate: '1990-01-01', municipality: 'Kall' }, source: 'self' },
            }),
        ],
        ['POST /api/v1/session (sign-in)', () => call(stack.baseUrl, 'POST', '/api/v1/session', { body: { email: 'cm.drk@kim.example', password: 'wrong' } })],
        ['GET /api/v1/handovers (bearer token)', () => call(stack.baseUrl, 'GET', '/api/v1/handovers', { headers: bearer.headers(false) })],
        ['GET /api/v1/deadlines', () => call(stack.baseUrl, 'GET', '/api/v1/deadlines', { headers: cm.headers(false) })],
      ] as Array<[string, () => Promise<Answer>]>
    ).map(async ([what, run]) => [what, await run()] as [string, Answer]),
  );
  for (const [what, answer] of probes) {
    const message = (answer.body as { error?: { message?: string } } | null)?.error?.message;
    report.check(
      answer.status === 503 && errorCode(answer) === 'database_unavailable' && message === DATABASE_UNAVAILABLE_MESSAGE && answer.ms < 10_000,
      `during the outage ${what} → 503 database_unavailable with the message, within 10 s`,
      describe(answer),
    );
  }
  const health = await call(stack.baseUrl, 'GET', '/healthz');
  report.check(health.status === 503 && /down/.test(JSON.stringify(health.body)), 'during the outage /healthz → 503 naming the database', describe(health));
}

/**
 * The records are retried meanwhile: each update waits for its record (a local activity the worker retries; it is
 * not listed among pending activities), none is answered or lost.
 */
async function checkRecordRetries(report: DrillReport, updates: Array<Promise<string>>): Promise<void> {
  const waitingMark = Symbol('waiting');
  const states = await Promise.all(updates.map((u) => Promise.race([u, Promise.resolve(waitingMark)])));
  const waiting = states.filter((s) => s === waitingMark).length;
  report.check(waiting === updates.length, 'every update sent during the outage waits for its record (retried by the worker)', `${waiting}/${updates.length} waiting`);
}

/** After the database returns: API answers, the updates complete, reminders recorded and mailed once, all consistent. */
async function checkCaughtUp(
  stack: Stack,
  report: DrillReport,
  run: { cm: SignedInUser; cases: OutageCases; updates: Array<Promise<string>>; resumedAt: number; dueCount: number },
): Promise<void> {
  const { cm, cases, updates, resumedAt, dueCount } = run;
  const { ids, dueIds, allIds } = cases;
  const firstAfter = await call(stack.baseUrl, 'GET', '/api/v1/cases', { headers: cm.headers(false) });
  report.check(firstAfter.status === 200, 'the first API request after the outage is answered 200 (pool reconnects)', describe(firstAfter));
  const results = await Promise.all(updates);
  report.none(
    results.map((r, i) => (r === 'applied' ? '' : `${ids[i]!.slice(0, 8)}: ${r}`)).filter(Boolean),
    `the ${updates.length} updates sent during the outage completed, ${((Date.now() - resumedAt) / 1000).toFixed(1)} s after the database returned`,
  );

  const reminded = await waitUntil(
    async () => (await stack.db.caseEvent.count({ where: { caseId: { in: dueIds }, type: 'reminder_sent' } })) === dueIds.length,
    90_000,
  );
  report.check(reminded, `the ${dueCount} reminders that fell due during the outage were recorded after it`);
  const mailed = await waitUntil(async () => (await notificationProblems(stack.db, stack.smtp.mails, dueIds)).length === 0, 60_000);
  report.none(mailed ? [] : await notificationProblems(stack.db, stack.smtp.mails, dueIds), 'their notifications sent, each mailed exactly once');

  const expected = new Map<string, CaseExpectation>([...ids.map((id) => [id, { contacts: 1 }] as const), ...dueIds.map((id) => [id, {}] as const)]);
  report.none(await settledProblems(stack.db, stack.client, expected), 'every case consistent: one contact per update, seq, read model, workflow, engine history');
  const rows = await stack.db.case.count();
  report.check(rows === allIds.length, 'no half-created case from the outage', `${rows} Case rows, ${allIds.length} expected`);
  const healthAfter = await call(stack.baseUrl, 'GET', '/healthz');
  report.check(healthAfter.status === 200, '/healthz → 200 again', describe(healthAfter));
}

export async function databaseOutageDrill(ctx: DrillContext, report: DrillReport): Promise<void> {
  const outageMs = ctx.quick ? 5_000 : 30_000;
  const caseCount = ctx.quick ? 4 : 10;
  const dueCount = ctx.quick ? 2 : 4;
  const stack = await startStack({ temporalAddress: ctx.temporalAddress, workflowBundlePath: ctx.workflowBundlePath, embeddedDatabase: true });
  const embedded = stack.database.embedded!;
  let paused = false;
  try {
    report.step(`embedded database on port ${embedded.port} (always embedded: its socket is the outage switch); task queue ${stack.taskQueue}`);
    const cm = await signIn(stack.baseUrl, 'cm.drk@kim.example');
    const bearer = await bearerFor(stack.db, 'koordination@kim.example', 'drill');
    const cases = await openCases(stack, report, cm, { caseCount, dueCount, outageMs });
    const { ids, fireAt, pauseAt } = cases;

    await sleep(Math.max(0, pauseAt - Date.now()));
    await embedded.pause();
    paused = true;
    const pausedAt = Date.now();
    report.step(`database paused: port closed, all connections dropped, for ${outageMs / 1000} s`);

    const updates = sendUpdatesToEngine(stack, cm, ids);
    await probeApiDuringOutage(stack, report, cm, bearer, ids[0]!);

    await sleep(Math.max(0, Math.min(outageMs - 1000, 4000) - (Date.now() - pausedAt)));
    await checkRecordRetries(report, updates);

    await sleep(Math.max(0, outageMs - (Date.now() - pausedAt)));
    await embedded.resume();
    paused = false;
    const resumedAt = Date.now();
    report.step(`database back after ${((resumedAt - pausedAt) / 1000).toFixed(1)} s`);
    report.check(fireAt > pausedAt && fireAt < resumedAt, 'the reminders fell due while the database was away', `${((fireAt - pausedAt) / 1000).toFixed(1)} s into the outage`);
    const workerFailure = stack.workerFailure();
    report.check(!workerFailure, 'the in-process worker survived the outage', workerFailure ? String(workerFailure) : 'still running');

    await checkCaughtUp(stack, report, { cm, cases, updates, resumedAt, dueCount });
  } finally {
    if (paused) await embedded.resume();
    await stack.close();
  }
}
