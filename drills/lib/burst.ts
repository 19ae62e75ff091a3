// A burst of case transitions over HTTP, each with a request id, sent the way a careful client sends them: a request
// that gets no answer or a 5xx is sent again with the SAME request id until it is accepted (200) or refused (4xx).
// What the burst counts as accepted is what the drills hold the record to: each accepted request applied once.
import { randomUUID } from 'node:crypto';
import type { SignedIn } from '../../harness/auth.js';
import { call, describe, type Answer } from './http.js';
import type { CaseExpectation } from './consistency.js';
import { sleep } from './report.js';

export type BurstAction = 'record-contact' | 'assign' | 'record-consent';

export interface BurstRequest {
  caseId: string;
  action: BurstAction;
  requestId: string;
  body: Record<string, unknown>;
}

export interface BurstOutcome {
  request: BurstRequest;
  /** The final answer (200 accepted, 4xx refused, else given up). */
  final: Answer;
  attempts: number;
  /** Non-final answers on the way (5xx, no answer), for the report. */
  retried: Answer[];
}

export function burstRequests(caseIds: string[], perCase: number, assigneeId: string): BurstRequest[] {
  const requests: BurstRequest[] = [];
  for (let round = 0; round < perCase; round++) {
    for (const caseId of caseIds) {
      // Mostly contacts, with an assignment and a consent now and then.
      const action: BurstAction = round % 5 === 2 ? 'assign' : round % 5 === 4 ? 'record-consent' : 'record-contact';
      const body: Record<string, unknown> =
        action === 'record-contact'
          ? { kind: 'counselling', date: new Date().toISOString(), durationMinutes: 15 + round }
          : action === 'assign'
            ? { assigneeId }
            : { scope: 'data_processing', decision: 'given' };
      requests.push({ caseId, action, requestId: `drill-${randomUUID()}`, body });
    }
  }
  return requests;
}

/** Sends one request until it is accepted or refused (or `giveUpAfterMs` passes). */
export async function sendUntilAnswered(baseUrl: string, user: SignedIn, r: BurstRequest, giveUpAfterMs = 180_000): Promise<BurstOutcome> {
  const until = Date.now() + giveUpAfterMs;
  const retried: Answer[] = [];
  for (let attempt = 1; ; attempt++) {
    const answer = await call(baseUrl, 'POST', `/api/v1/cases/${r.caseId}/actions/${r.action}`, {
      headers: user.headers(),
      body: { ...r.body, requestId: r.requestId },
      timeoutMs: 60_000,
    });
    const final = answer.status >= 200 && answer.status < 500;
    if (final || Date.now() > until) return { request: r, final: answer, attempts: attempt, retried };
    retried.push(answer);
    await sleep(Math.min(2000, 250 * attempt));
  }
}

/** Accepted requests per case, as the expectation for the consistency check. */
export function expectations(caseIds: string[], outcomes: BurstOutcome[]): Map<string, CaseExpectation> {
  const map = new Map<string, CaseExpectation>(caseIds.map((id) => [id, { contacts: 0, consents: 0, assigns: 0 }]));
  for (const o of outcomes) {
    if (o.final.status !== 200) continue;
    const e = map.get(o.request.caseId)!;
    if (o.request.action === 'record-contact') e.contacts!++;
    if (o.request.action === 'record-consent') e.consents!++;
    if (o.request.action === 'assign') e.assigns!++;
  }
  return map;
}

export function summarise(outcomes: BurstOutcome[]): string {
  const accepted = outcomes.filter((o) => o.final.status === 200).length;
  const retried = outcomes.filter((o) => o.attempts > 1).length;
  const statuses = new Map<string, number>();
  for (const o of outcomes) for (const a of [...o.retried, o.final]) {
    const key = a.networkError ? `no answer (${a.networkError})` : String(a.status);
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
  }
  const slowest = Math.max(0, ...outcomes.map((o) => o.final.ms));
  return `${accepted}/${outcomes.length} accepted, ${retried} needed a retry; answers: ${[...statuses].map(([k, v]) => `${k}×${v}`).join(', ')}; slowest final answer ${slowest} ms`;
}

export function notAccepted(outcomes: BurstOutcome[]): string[] {
  return outcomes
    .filter((o) => o.final.status !== 200)
    .map((o) => `${o.request.action} ${o.request.caseId.slice(0, 8)} ${o.request.requestId}: ${describe(o.final)}`);
}
