// Drill 1: the worker process is SIGKILLed in the middle of a burst of transitions and started again. Every accepted
// update must be applied exactly once: events per case = accepted requests, seq contiguous, read model current,
// workflow and database agree; repeating accepted requests (same request id) changes nothing.
import type { ChildProcess } from 'node:child_process';
import { burstRequests, expectations, notAccepted, sendUntilAnswered, summarise, type BurstOutcome } from './lib/burst.js';
import { settledProblems } from './lib/consistency.js';
import type { DrillContext } from './lib/context.js';
import { call, createCase, describe, signIn } from './lib/http.js';
import { pool, sleep, waitUntil, type DrillReport } from './lib/report.js';
import { startStack } from './lib/stack.js';

export async function workerKillDrill(ctx: DrillContext, report: DrillReport): Promise<void> {
  const caseCount = ctx.quick ? 10 : 40;
  const perCase = ctx.quick ? 8 : 15;
  const stack = await startStack({ temporalAddress: ctx.temporalAddress, workflowBundlePath: ctx.workflowBundlePath, worker: 'none' });
  const workers: ChildProcess[] = [];
  try {
    report.step(`database: ${stack.database.kind}; task queue ${stack.taskQueue}`);
    workers.push(await stack.spawnWorker());
    report.step(`worker process started (pid ${workers[0]!.pid}, scripts/worker.ts)`);
    const cm = await signIn(stack.baseUrl, 'cm.drk@kim.example');

    const cases = [];
    for (let i = 0; i < caseCount; i++) cases.push(await createCase(stack.baseUrl, cm, { givenName: `Drill${i}`, familyName: 'Kill', municipality: 'Kall' }));
    const ids = cases.map((c) => c.id);
    const opened = await waitUntil(async () => (await stack.db.case.count({ where: { id: { in: ids }, lastEventSeq: { gt: 0 } } })) === ids.length, 30_000);
    report.check(opened, `${caseCount} cases opened over HTTP and their opening recorded`);

    const requests = burstRequests(ids, perCase, cm.user.id);
    const outcomes: BurstOutcome[] = new Array(requests.length);
    let answered = 0;
    const killAfter = Math.floor(requests.length * 0.3);
    report.step(`burst: ${requests.length} transitions (record-contact/assign/record-consent), 16 in flight; SIGKILL after ~${killAfter} answers`);
    const burst = pool(requests, 16, async (r, i) => {
      outcomes[i] = await sendUntilAnswered(stack.baseUrl, cm, r);
      answered++;
    });

    await waitUntil(() => answered >= killAfter, 120_000, 20);
    const victim = workers[0]!;
    const exited = new Promise((resolve) => victim.once('exit', resolve));
    victim.kill('SIGKILL');
    await exited;
    const atKill = answered;
    report.check(atKill < requests.length, 'worker killed mid-burst', `SIGKILL pid ${victim.pid} with ${atKill}/${requests.length} answered, up to 16 in flight`);
    await sleep(1000);
    workers.push(await stack.spawnWorker());
    report.step(`new worker process started (pid ${workers[1]!.pid})`);
    const burstStarted = Date.now();
    await burst;
    report.step(`burst finished ${((Date.now() - burstStarted) / 1000).toFixed(1)} s after the restart: ${summarise(outcomes)}`);
    report.none(notAccepted(outcomes), 'every request was accepted in the end (no request lost or refused)');

    // A client that did not hear the answer sends again with the same request id: the first answer, no new event.
    const accepted = outcomes.filter((o) => o.final.status === 200);
    const repeats = accepted.filter((_, i) => i % 4 === 0);
    const repeatProblems: string[] = [];
    await pool(repeats, 8, async (o) => {
      const again = await call(stack.baseUrl, 'POST', `/api/v1/cases/${o.request.caseId}/actions/${o.request.action}`, {
        headers: cm.headers(),
        body: { ...o.request.body, requestId: o.request.requestId },
      });
      if (again.status !== 200) repeatProblems.push(`${o.request.action} ${o.request.requestId}: ${describe(again)}`);
    });
    report.none(repeatProblems, `${repeats.length} accepted requests sent again with the same request id are answered 200`);

    const problems = await settledProblems(stack.db, stack.client, expectations(ids, outcomes));
    report.none(
      problems,
      `exactly once: per case contact/consent/assign events = accepted requests, seq 1..n contiguous, lastEventSeq = max seq, workflow query = read model, engine history = event store (${caseCount} cases)`,
    );
    const events = await stack.db.caseEvent.count({ where: { caseId: { in: ids } } });
    report.step(`${events} events stored for ${caseCount} cases`);
  } finally {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await stack.close();
  }
}
