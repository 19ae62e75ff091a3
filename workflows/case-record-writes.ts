// How a case workflow writes its durable record (events, read model, snapshot, deadlines, consents, outbox).
//
// Version 5 (patch `record-batch-local-activity`): a local activity writes only what the batch changed, in one
// statement, and the batches of a run are written one after the other in the order they were numbered (a chain of
// promises: the opening before an update that came with the first task). Its input never enters the history, only
// the small answer does, so a case's history grows by a constant amount per action. Search attributes are upserted
// only when they change.
// Before: a normal activity per batch carrying all deadlines and the whole case. Cases recorded then replay that path
// (patched() is false while replaying their histories; their activity inputs are the server's, never rebuilt).
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { TypedSearchAttributes } from '@temporalio/common';
import type { CaseActivities } from '../activities/index.js';
import { nextDeadline, type DeadlineNotification } from '../domain/case-decide.js';
import type { CaseData } from '../domain/case-model.js';
import type { Deadline } from '../domain/deadlines.js';
import {
  RECORD_HELD,
  RECORD_REJECTED,
  type CaseBatchRecord,
  type CaseBatchResult,
  type CaseEventRecord,
  type CaseReadModel,
  type CaseRecordStatus,
} from './case-messages.js';
import { CARRIED_CODE_VERSION, inForce } from './case-patches.js';
import { caseMunicipalityKey, caseNextDeadlineKey, caseOrganisationKey, caseStateKey } from './search-attributes.js';
import { outboxEntries, RECORD_ACTIVITY } from './workflow-skeleton.js';

export const BATCH_RECORD_PATCH = 'record-batch-local-activity';

/** One statement; a worker that died mid-write is noticed after 10 s, the write retried until the database is back. */
const RECORD_LOCAL_ACTIVITY: LocalActivityOptions = {
  startToCloseTimeout: RECORD_ACTIVITY.startToCloseTimeout,
  retry: RECORD_ACTIVITY.retry,
};

const { recordCaseEvents } = proxyActivities<CaseActivities>(RECORD_ACTIVITY);
const { recordCaseBatch } = proxyLocalActivities<CaseActivities>(RECORD_LOCAL_ACTIVITY);

/**
 * Batches the database refused for good (issue 15): the first refused batch and those numbered after it, in order,
 * with their outbox ids. Held in memory only (rebuilt by replay); bounded, because the case takes no new actions and
 * fires no deadlines while they are held.
 */
export interface RejectedWrites {
  batches: Array<{ input: CaseBatchRecord; outboxIds: string[] }>;
  sqlState: string;
  message: string;
  /** IT asked to write the held batches again (signal), after repairing the cause. */
  retryRequested: boolean;
}

/** What a run remembers about its writes: the last one in the chain and the search attributes last upserted. */
export interface RecordWriter {
  chain: Promise<unknown>;
  /** The search attributes as last upserted (or as the run started with them, version 11), as a comparable key. */
  attributes?: string;
  /** The run's code version (workflows/case-patches.ts). */
  codeVersion: number;
  /** Writes started and not yet answered (the history check reports them as pending). */
  pending: number;
  rejected?: RejectedWrites;
}

/** `started`: the search attributes the run started with, taken as upserted (version 11; none before). */
export const newRecordWriter = (codeVersion = 0, started?: TypedSearchAttributes): RecordWriter => ({
  chain: Promise.resolve(),
  pending: 0,
  codeVersion,
  ...(started ? { attributes: attributesKey(startedAttributes(started)) } : {}),
});

/** The record side of a case for the status query and the history check. */
export function recordStatusOf(writer: RecordWriter, seq: number): CaseRecordStatus {
  const held = writer.rejected?.batches ?? [];
  return {
    numberedSeq: seq,
    pendingWrites: writer.pending,
    rejected: writer.rejected
      ? {
          fromSeq: held[0]!.input.events[0]!.seq,
          toSeq: lastSeq(held[held.length - 1]!.input),
          batches: held.length,
          sqlState: writer.rejected.sqlState,
          message: writer.rejected.message,
        }
      : null,
  };
}

const lastSeq = (input: CaseBatchRecord) => input.events[input.events.length - 1]!.seq;

/** The refusal the activity raised for a write that can never succeed as it is (activities/case-batch-records.ts). */
function rejectionOf(error: unknown): { sqlState: string; message: string } | null {
  // A local activity's failure reaches the workflow as the activity's own ApplicationFailure (a normal activity's
  // would be wrapped in an ActivityFailure): both are understood.
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure) || cause.type !== RECORD_REJECTED) return null;
  const detail = cause.details?.[0] as { sqlState?: string } | undefined;
  return { sqlState: detail?.sqlState ?? '', message: cause.message };
}

const HELD_MESSAGE =
  'Der Fall ist gesperrt: ein Eintrag dieses Falls wurde von der Datenbank abgewiesen. Die IT ist informiert (Verwaltung → Schreibfehler); bis sie ihn erneut geschrieben hat, nimmt der Fall keine Aktionen an.';

/** The refusal of an action while a case's record is held (also used by the validator). */
export const recordHeldFailure = () =>
  ApplicationFailure.create({ type: RECORD_HELD, message: HELD_MESSAGE, nonRetryable: true, details: [{ code: RECORD_HELD, message: HELD_MESSAGE, allowed: [] }] });

/**
 * Writes one batch, or holds it behind a refused one. A refusal fails the action visibly; `quiet` (a deadline that
 * fired: there is no caller) answers null instead, and the main loop waits for IT's retry.
 */
async function writeOrHold(writer: RecordWriter, input: CaseBatchRecord, outboxIds: string[], quiet: boolean): Promise<CaseBatchResult | null> {
  if (writer.rejected) {
    writer.rejected.batches.push({ input, outboxIds });
    if (quiet) return null;
    throw recordHeldFailure();
  }
  writer.pending++;
  try {
    return await recordCaseBatch(input);
  } catch (error) {
    const rejection = rejectionOf(error);
    if (!rejection) throw error;
    writer.rejected = { batches: [{ input, outboxIds }], ...rejection, retryRequested: false };
    if (quiet) return null;
    throw ApplicationFailure.create({
      type: RECORD_REJECTED,
      nonRetryable: true,
      message: `Die Aktion ist angenommen, aber die Datenbank weist ihren Eintrag ab (SQLSTATE ${rejection.sqlState}). Der Fall ist für die IT markiert und nimmt bis zur Klärung keine Aktionen an.`,
      details: [{ code: RECORD_REJECTED, sqlState: rejection.sqlState }],
    });
  } finally {
    writer.pending--;
  }
}

/**
 * IT repaired the cause and asked to write the held batches again: written in order; those that land are delivered
 * (their mails) and dropped from the hold. Answers whether the case is writable again.
 */
export async function retryRejectedWrites(writer: RecordWriter, deliver: (outboxIds: string[]) => void): Promise<boolean> {
  const rejected = writer.rejected;
  if (!rejected) return true;
  rejected.retryRequested = false;
  while (rejected.batches.length > 0) {
    const { input, outboxIds } = rejected.batches[0]!;
    try {
      await recordCaseBatch({ ...input, retry: true });
    } catch (error) {
      const rejection = rejectionOf(error);
      if (!rejection) throw error;
      Object.assign(rejected, rejection);
      return false;
    }
    rejected.batches.shift();
    if (outboxIds.length > 0) deliver(outboxIds);
  }
  writer.rejected = undefined;
  return true;
}

/** A batch to write: the case after it (compact), its numbered events and what it changed. */
export interface CaseBatch {
  data: CaseData;
  numbered: CaseEventRecord[];
  notifications: DeadlineNotification[];
  deadlines: Deadline[];
  consents: CaseData['consents'];
}

function readModelOf(data: CaseData): CaseReadModel {
  const next = nextDeadline(data);
  return {
    state: data.state,
    onHold: data.onHold,
    organisationId: data.organisationId,
    assigneeId: data.assigneeId ?? null,
    closedAt: data.closure?.closedAt ?? null,
    nextDeadline: next ? { kind: next.kind, dueAt: next.dueAt } : null,
  };
}

function attributesOf(data: CaseData) {
  const next = nextDeadline(data);
  return [
    { key: caseStateKey, value: data.state },
    { key: caseOrganisationKey, value: data.organisationId },
    { key: caseMunicipalityKey, value: data.municipality },
    { key: caseNextDeadlineKey, value: next ? new Date(next.dueAt) : null },
  ];
}

/** The case's attributes as the run holds them, in the order and form of attributesOf (a missing one as null). */
function startedAttributes(started: TypedSearchAttributes): ReturnType<typeof attributesOf> {
  const next = started.get(caseNextDeadlineKey);
  return [
    { key: caseStateKey, value: started.get(caseStateKey) ?? null },
    { key: caseOrganisationKey, value: started.get(caseOrganisationKey) ?? null },
    { key: caseMunicipalityKey, value: started.get(caseMunicipalityKey) ?? null },
    { key: caseNextDeadlineKey, value: next ? new Date(next) : null },
  ] as ReturnType<typeof attributesOf>;
}

const attributesKey = (attributes: ReturnType<typeof attributesOf>) => JSON.stringify(attributes.map((a) => [a.key.name, a.value]));

/**
 * Writes a batch (nothing for none); returns the outbox ids (none for a batch held behind a refusal, see
 * `writeOrHold`). Its awaits are where version 4's `write` had them.
 */
export async function writeCaseBatch(writer: RecordWriter, batch: CaseBatch, quiet = false): Promise<string[]> {
  const { data, numbered } = batch;
  if (numbered.length === 0) return [];
  const outbox = outboxEntries(`${data.id}:`, numbered, batch.notifications);
  const ids = outbox.map((n) => n.id);
  if (!inForce(writer.codeVersion, CARRIED_CODE_VERSION, BATCH_RECORD_PATCH)) {
    upsertSearchAttributes(attributesOf(data));
    await recordCaseEvents({
      caseId: data.id,
      events: numbered,
      readModel: readModelOf(data),
      consents: data.consents,
      deadlines: data.deadlines,
      snapshot: data,
      notifications: outbox,
    });
    return ids;
  }
  const attributes = attributesOf(data);
  const key = attributesKey(attributes);
  if (key !== writer.attributes) {
    writer.attributes = key;
    upsertSearchAttributes(attributes);
  }
  const input = { caseId: data.id, events: numbered, readModel: readModelOf(data), snapshot: data, deadlines: batch.deadlines, consents: batch.consents, notifications: outbox };
  // A batch refused by the database (class 22/23: it can never succeed as it is) fails its action visibly and holds
  // the case (issue 15); before, such a write was retried every minute forever.
  const written: Promise<CaseBatchResult | null> = writer.chain.then(() => writeOrHold(writer, input, ids, quiet));
  writer.chain = written.catch(() => undefined);
  return (await written) === null ? [] : ids;
}
