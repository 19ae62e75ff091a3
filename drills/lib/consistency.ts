// "Nothing lost, nothing twice": the checks every drill ends with, per case. The workflow is the truth; the CaseEvent
// log, the Case read model, consents, deadlines and the notification outbox must agree with it, and with the engine's
// own record of what the record activities wrote (api/case-history-check.ts).
import type { Client } from '@temporalio/client';
import { checkCaseHistory } from '../../api/operations/case-history-check.js';
import type { CaseData } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import type { ReceivedMail } from '../../platform/smtp-sink.js';
import { caseViewQuery } from '../../workflows/case-messages.js';
import { sleep } from './report.js';

export interface CaseExpectation {
  /** Accepted record-contact requests → contact_recorded events. */
  contacts?: number;
  /** Accepted record-consent requests → consent_recorded events. */
  consents?: number;
  /** Accepted assign requests → case_assigned events. */
  assigns?: number;
}

export async function queryView(client: Client, workflowId: string, timeoutMs = 10_000): Promise<CaseData> {
  return client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(workflowId).query(caseViewQuery));
}

const count = <T>(items: T[], predicate: (item: T) => boolean) => items.filter(predicate).length;

/** Everything wrong with one case, as readable lines; empty when the case is consistent. */
export async function caseProblems(db: Database, client: Client, caseId: string, expected: CaseExpectation = {}): Promise<string[]> {
  const p: string[] = [];
  const short = caseId.slice(0, 8);
  // One snapshot for the row and its events: a record write committing between two reads is not an inconsistency.
  const { row, events } = await db.$transaction(
    async (tx) => ({
      row: await tx.case.findUnique({ where: { id: caseId } }),
      events: await tx.caseEvent.findMany({ where: { caseId }, orderBy: { seq: 'asc' }, select: { seq: true, type: true } }),
    }),
    { isolationLevel: 'RepeatableRead' },
  );
  if (!row) return [`${short}: no Case row`];
  const gaps = events.map((e, i) => (e.seq === i + 1 ? null : `${i + 1}→${e.seq}`)).filter(Boolean);
  if (gaps.length) p.push(`${short}: CaseEvent seq not contiguous from 1 (${gaps.slice(0, 5).join(', ')})`);
  const maxSeq = events.at(-1)?.seq ?? 0;
  if (row.lastEventSeq !== maxSeq) p.push(`${short}: Case.lastEventSeq ${row.lastEventSeq} ≠ max CaseEvent seq ${maxSeq}`);

  let view: CaseData;
  try {
    view = await queryView(client, row.workflowId);
  } catch (error) {
    p.push(`${short}: workflow query failed: ${(error as Error).message}`);
    return p;
  }
  const compare = (what: string, workflow: unknown, database: unknown) => {
    if (workflow !== database) p.push(`${short}: ${what}: workflow ${JSON.stringify(workflow)} ≠ read model ${JSON.stringify(database)}`);
  };
  compare('state', view.state, row.state);
  compare('onHold', view.onHold, row.onHold);
  compare('organisationId', view.organisationId, row.organisationId);
  compare('assignee', view.assigneeId ?? null, row.assigneeId);
  compare('contacts (workflow count vs contact_recorded events)', view.contacts.count, count(events, (e) => e.type === 'contact_recorded'));
  compare('consents (workflow vs consent_recorded events)', view.consents.length, count(events, (e) => e.type === 'consent_recorded'));
  compare('consents (workflow vs Consent rows)', view.consents.length, await db.consent.count({ where: { caseId } }));
  if (expected.contacts !== undefined) compare('accepted record-contact requests vs contact_recorded events', expected.contacts, count(events, (e) => e.type === 'contact_recorded'));
  if (expected.consents !== undefined) compare('accepted record-consent requests vs consent_recorded events', expected.consents, count(events, (e) => e.type === 'consent_recorded'));
  if (expected.assigns !== undefined) compare('accepted assign requests vs case_assigned events', expected.assigns, count(events, (e) => e.type === 'case_assigned'));

  const rows = new Map((await db.caseDeadline.findMany({ where: { caseId } })).map((d) => [d.id, d]));
  for (const d of view.deadlines) {
    const r = rows.get(d.id);
    if (!r) {
      p.push(`${short}: deadline ${d.kind} (${d.id.slice(0, 12)}) missing in CaseDeadline`);
      continue;
    }
    if (r.status !== d.status) p.push(`${short}: deadline ${d.kind}: workflow ${d.status} ≠ CaseDeadline ${r.status}`);
    if (r.dueAt.toISOString() !== new Date(d.dueAt).toISOString()) p.push(`${short}: deadline ${d.kind}: dueAt ${d.dueAt} ≠ ${r.dueAt.toISOString()}`);
    rows.delete(d.id);
  }
  // The workflow keeps its pending deadlines only (since version 5); every other row must be resolved.
  for (const r of rows.values()) {
    if (!['met', 'cancelled'].includes(r.status)) p.push(`${short}: CaseDeadline ${r.kind} (${r.id.slice(0, 12)}) ${r.status} but unknown to the workflow`);
  }

  const history = await checkCaseHistory(db, client, { id: row.id, workflowId: row.workflowId });
  if (!history.agrees) {
    p.push(
      `${short}: event store and engine history disagree (missing in DB ${JSON.stringify(history.missingInDatabase)}, ` +
        `missing in engine ${JSON.stringify(history.missingInEngine)}, type mismatches ${history.typeMismatches.length})`,
    );
  }
  return p;
}

/** The problems of all cases once they have settled: polls until none is left or `timeoutMs` passes. */
export async function settledProblems(
  db: Database,
  client: Client,
  expectations: Map<string, CaseExpectation>,
  timeoutMs = 60_000,
): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const problems: string[] = [];
    for (const [caseId, expected] of expectations) problems.push(...(await caseProblems(db, client, caseId, expected)));
    if (problems.length === 0 || Date.now() > until) return problems;
    await sleep(1000);
  }
}

/** The outbox of these cases: every row sent, and each mailed exactly once (by its X-KIM-Notification-Id). */
export async function notificationProblems(db: Database, mails: ReceivedMail[], caseIds: string[]): Promise<string[]> {
  const p: string[] = [];
  const rows = await db.notification.findMany({ where: { caseId: { in: caseIds } } });
  for (const n of rows) {
    const copies = mails.filter((m) => m.headers['x-kim-notification-id'] === n.id).length;
    if (n.status !== 'sent') p.push(`notification ${n.id}: status ${n.status} (attempts ${n.attempts}, ${n.lastError ?? 'no error'})`);
    if (copies !== 1) p.push(`notification ${n.id}: mailed ${copies} times`);
  }
  return p;
}
