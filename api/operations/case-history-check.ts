// The engine cross-check of a case (GET /api/v1/cases/:id/history/check, the case page, the drills): does the
// project's own event store agree with the engine?
// While Temporal still holds a case's workflow histories (every run, continue-as-new included), each record that
// completed names the numbered events it wrote: since version 5 the answer of a recordCaseBatch local activity (its
// marker), before that the input of a completed recordCaseEvents activity. An event in one and not the
// other is a bug to show. Runs the engine no longer holds (retention) are reported as not covered, not as missing.
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { DataKeyDestroyedError } from '../../platform/data-keys.js';
import type { Database } from '../../platform/database.js';
import { caseRecordStatusQuery, type CaseBatchResult, type CaseEventRecord, type CaseRecordInput, type CaseRecordStatus } from '../../workflows/case-messages.js';
import { isHandedOverBy, requireCaseAccess } from './access-policy.js';
import type { Caller, OperationDeps } from './caller.js';

export interface EngineEvents {
  runs: number;
  /** Runs whose payloads are under a destroyed data key (the case's personal data was erased): unreadable by design. */
  erasedRuns: number;
  /** seq → event type, from completed record activities. */
  events: Map<number, string>;
  /** Events of record activities the engine scheduled and never saw complete (version 4 and before: a write retried
   *  for ever, or one in flight right now). */
  scheduledNotRecorded: number[];
}

/** A payload as the client's own data converter reads it: through its codecs (decryption) first. */
async function decodePayload<T>(client: Client, payload: Payload): Promise<T> {
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let decoded = [payload];
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return payloadConverter.fromPayload<T>(decoded[0]!);
}

type MarkerAttributes = { markerName?: string | null; details?: Record<string, { payloads?: Payload[] | null }> | null } | null | undefined;

/** The events a completed recordCaseBatch local activity recorded, from its marker (none for other markers). */
async function recordedByLocalActivity(client: Client, marker: MarkerAttributes): Promise<Array<[number, string]>> {
  if (marker?.markerName !== 'core_local_activity') return [];
  const data = marker.details?.data?.payloads?.[0]?.data;
  const result = marker.details?.result?.payloads?.[0];
  if (!data || !result) return [];
  const info = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string };
  if (info.activity_type !== 'recordCaseBatch') return [];
  return (await decodePayload<CaseBatchResult>(client, result)).recorded;
}

export async function engineRecordedEvents(client: Client, workflowId: string): Promise<EngineEvents> {
  const events = new Map<number, string>();
  const scheduledNotRecorded = new Set<number>();
  let runs = 0;
  let erasedRuns = 0;
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "''")}'` })) {
    runs++;
    const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
    const scheduled = new Map<string, CaseEventRecord[]>();
    const found = new Map<number, string>();
    try {
      for (const e of history.events ?? []) {
        const attrs = e.activityTaskScheduledEventAttributes;
        if (attrs?.activityType?.name === 'recordCaseEvents' && attrs.input?.payloads?.[0]) {
          const input = await decodePayload<CaseRecordInput>(client, attrs.input.payloads[0]);
          scheduled.set(String(e.eventId), input.events);
        }
        const completed = e.activityTaskCompletedEventAttributes;
        if (completed) {
          for (const ev of scheduled.get(String(completed.scheduledEventId)) ?? []) found.set(ev.seq, ev.type);
        }
        for (const [seq, type] of await recordedByLocalActivity(client, e.markerRecordedEventAttributes)) found.set(seq, type);
      }
    } catch (error) {
      if (!(error instanceof DataKeyDestroyedError)) throw error;
      erasedRuns++;
      continue;
    }
    for (const [seq, type] of found) events.set(seq, type);
    for (const batch of scheduled.values()) for (const ev of batch) if (!found.has(ev.seq)) scheduledNotRecorded.add(ev.seq);
  }
  return { runs, erasedRuns, events, scheduledNotRecorded: [...scheduledNotRecorded].filter((s) => !events.has(s)).sort((a, b) => a - b) };
}

/** The running workflow's own account of its writes (version 5 on); null when it cannot answer (closed, no worker). */
async function workflowRecordStatus(temporal: Client, workflowId: string): Promise<CaseRecordStatus | null> {
  try {
    return await temporal.workflow.getHandle(workflowId).query(caseRecordStatusQuery);
  } catch {
    return null;
  }
}

/** Compares the stored events of a case with those the engine's histories say were written. */
export async function checkCaseHistory(db: Database, temporal: Client, row: { id: string; workflowId: string }) {
  const stored = await db.caseEvent.findMany({ where: { caseId: row.id }, orderBy: { seq: 'asc' }, select: { seq: true, type: true } });
  const [engine, status, rejections] = await Promise.all([
    engineRecordedEvents(temporal, row.workflowId),
    workflowRecordStatus(temporal, row.workflowId),
    db.caseRecordRejection.findMany({ where: { caseId: row.id, resolvedAt: null }, orderBy: { fromSeq: 'asc' } }),
  ]);
  const seqs = [...engine.events.keys()];
  const fromSeq = seqs.length ? Math.min(...seqs) : null;
  const toSeq = seqs.length ? Math.max(...seqs) : null;
  const storedBySeq = new Map(stored.map((e) => [e.seq, e.type]));
  const missingInDatabase = seqs.filter((s) => !storedBySeq.has(s)).sort((a, b) => a - b);
  const missingInEngine =
    fromSeq === null ? [] : stored.filter((e) => e.seq >= fromSeq && e.seq <= toSeq! && !engine.events.has(e.seq)).map((e) => e.seq);
  const typeMismatches = seqs
    .filter((s) => storedBySeq.has(s) && storedBySeq.get(s) !== engine.events.get(s))
    .map((seq) => ({ seq, database: storedBySeq.get(seq), engine: engine.events.get(seq) }));
  const readableRuns = engine.runs - engine.erasedRuns;
  // Issue 15: events the workflow numbered that the database does not hold — scheduled and never recorded (a write
  // retried for ever, refused, or in flight at this moment) — are a disagreement too, not an "agrees".
  const storedMax = stored.length ? stored[stored.length - 1]!.seq : 0;
  const notYetRecorded = status ? range(storedMax + 1, status.numberedSeq).filter((s) => !storedBySeq.has(s)) : [];
  const unrecorded = [...new Set([...engine.scheduledNotRecorded.filter((s) => !storedBySeq.has(s)), ...notYetRecorded])].sort((a, b) => a - b);
  const rejected = rejections.map((r) => ({ fromSeq: r.fromSeq, toSeq: r.toSeq, sqlState: r.sqlState, message: r.message, attempts: r.attempts, since: r.firstAt.toISOString() }));
  return {
    caseId: row.id,
    agrees:
      readableRuns > 0 &&
      missingInDatabase.length === 0 &&
      missingInEngine.length === 0 &&
      typeMismatches.length === 0 &&
      unrecorded.length === 0 &&
      rejected.length === 0,
    engine: { runs: engine.runs, erasedRuns: engine.erasedRuns, fromSeq, toSeq, available: readableRuns > 0 },
    ...(engine.erasedRuns > 0
      ? { note: 'Aufbewahrungsfrist abgelaufen: der Schlüssel des Falls ist vernichtet, die Verläufe in Temporal sind nicht mehr lesbar.' }
      : {}),
    database: { events: stored.length },
    missingInDatabase,
    missingInEngine,
    typeMismatches,
    /** Numbered (or scheduled) by the engine, not in the database: see above. */
    unrecorded,
    /** Writes in flight in the workflow right now (null: the workflow did not answer, e.g. it is closed). */
    pendingWrites: status?.pendingWrites ?? null,
    /** Batches the database refused for good: the case is held until IT wrote them again (/verwaltung/schreibfehler). */
    rejected,
  };
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/**
 * GET /api/v1/cases/:id/history/check: the cross-check for a caller who sees the case in full (404 as for an unknown
 * case otherwise, 403 for a counsellor's handed-over case). Event numbers and types only, no case content.
 */
export async function checkHistory({ db, temporal }: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, caseId: string) {
  const row = await db.case.findUnique({ where: { id: caseId } });
  requireCaseAccess(caller.user, row, 'full', { handedOverBy: row ? await isHandedOverBy(db, caller.user, row.id) : false });
  return checkCaseHistory(db, temporal, row!);
}

// TEMPORARY, until api/app.ts mounts caseRecordsRouter (api/v1/case-records.ts) once at /api/v1/cases: the old
// router name, so the app keeps running. Drop this re-export then (operations import no door).
