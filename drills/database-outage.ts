// Drill 3: PostgreSQL goes away (the embedded database's socket is closed, every connection dropped) while updates
// are in flight and a deadline falls due. The API must answer 503 database_unavailable with a clear message, the
// workflows' record activities must retry, and after the database returns everything catches up: events written,
// read model consistent, the reminder mailed exactly once, the API answering 200 again.
import proto from '@temporalio/proto';
import { DATABASE_UNAVAILABLE_MESSAGE } from '../api/operations/errors.js';
import { bearerFor } from '../harness/auth.js';
import { caseActionUpdate, caseWorkflowId } from '../workflows/case-messages.js';
import { caseDueAt } from './lib/cases.js';
import { notificationProblems, settledProblems, type CaseExpectation } from './lib/consistency.js';
import type { DrillContext } from './lib/context.js';
import { call, createCase, describe, errorCode, signIn, type Answer } from './lib/http.js';
import { sleep, waitUntil, type DrillReport } from './lib/report.js';
import { startStack } from './lib/stack.js';

const { temporal } = proto;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const SCHEDULED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED;

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
    const cases = [];
    for (let i = 0; i < caseCount; i++) cases.push(await createCase(stack.baseUrl, cm, { givenName: `Drill${i}`, familyName: 'Outage', municipality: 'Kall' }));
    const ids = cases.map((c) => c.id);
    const fireAt = Date.now() + 1500 + outageMs / 2;
    const dueIds: string[] = [];
    for (let i = 0; i < dueCount; i++) dueIds.push(await caseDueAt(stack.db, stack.client, stack.taskQueue, cm.user.id, fireAt));
    const allIds = [...ids, ...dueIds];
    await waitUntil(async () => (await stack.db.case.count({ where: { id: { in: allIds }, lastEventSeq: { gt: 0 } } })) === allIds.length, 20_000);
    report.step(`${caseCount} cases over HTTP + ${dueCount} whose first-assessment reminder falls due during the outage`);

    await embedded.pause();
    paused = true;
    const pausedAt = Date.now();
    report.step(`database paused: port closed, all connections dropped, for ${outageMs / 1000} s`);

    // Updates that reach the engine during the outage (sent straight to Temporal: the API itself needs the database).
    const updates = ids.map((caseId, i) =>
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

    const probes: Array<[string, Answer]> = await Promise.all(
      (
        [
          ['GET /api/v1/cases', () => call(stack.baseUrl, 'GET', '/api/v1/cases', { headers: cm.headers(false) })],
          ['GET /api/v1/cases/{id}', () => call(stack.baseUrl, 'GET', `/api/v1/cases/${ids[0]}`, { headers: cm.headers(false) })],
          [
            'POST /api/v1/cases/{id}/actions/record-contact',
            () =>
              call(stack.baseUrl, 'POST', `/api/v1/cases/${ids[0]}/actions/record-contact`, {
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

    // The record activities retry meanwhile.
    await sleep(Math.max(0, Math.min(outageMs - 1000, 4000) - (Date.now() - pausedAt)));
    let retrying = 0;
    for (const caseId of ids) {
      const pending = (await stack.client.workflow.getHandle(caseWorkflowId(caseId)).describe()).raw.pendingActivities ?? [];
      if (pending.some((a) => a.activityType?.name === 'recordCaseEvents' && (a.attempt ?? 0) > 1 && [STARTED, SCHEDULED].includes(a.state!))) retrying++;
    }
    report.check(retrying === ids.length, 'the record activity of every case updated during the outage is being retried', `${retrying}/${ids.length} with attempt > 1`);

    await sleep(Math.max(0, outageMs - (Date.now() - pausedAt)));
    await embedded.resume();
    paused = false;
    const resumedAt = Date.now();
    report.step(`database back after ${((resumedAt - pausedAt) / 1000).toFixed(1)} s`);
    report.check(fireAt > pausedAt && fireAt < resumedAt, 'the reminders fell due while the database was away', `${((fireAt - pausedAt) / 1000).toFixed(1)} s into the outage`);
    const workerFailure = stack.workerFailure();
    report.check(!workerFailure, 'the in-process worker survived the outage', workerFailure ? String(workerFailure) : 'still running');

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
  } finally {
    if (paused) await embedded.resume();
    await stack.close();
  }
}
