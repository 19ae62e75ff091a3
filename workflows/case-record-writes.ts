// How a case workflow writes its durable record (events, read model, snapshot, deadlines, consents, outbox).
//
// Version 5 (patch `record-batch-local-activity`): a local activity writes only what the batch changed, in one
// statement, and the batches of a run are written one after the other in the order they were numbered (a chain of
// promises: the opening before an update that came with the first task). Its input never enters the history, only
// the small answer does, so a case's history grows by a constant amount per action. Search attributes are upserted
// only when they change.
// Before: a normal activity per batch carrying all deadlines and the whole case. Cases recorded then replay that path
// (patched() is false while replaying their histories; their activity inputs are the server's, never rebuilt).
import { patched, proxyActivities, proxyLocalActivities, upsertSearchAttributes, type LocalActivityOptions } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import { nextDeadline, type DeadlineNotification } from '../domain/case-decide.js';
import type { CaseData } from '../domain/case-model.js';
import type { Deadline } from '../domain/deadlines.js';
import type { CaseBatchResult, CaseEventRecord, CaseReadModel } from './case-messages.js';
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

/** What a run remembers about its writes: the last one in the chain and the search attributes last upserted. */
export interface RecordWriter {
  chain: Promise<unknown>;
  attributes?: string;
}

export const newRecordWriter = (): RecordWriter => ({ chain: Promise.resolve() });

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

/** Writes a batch (nothing for none); returns the outbox ids. Its awaits are where version 4's `write` had them. */
export async function writeCaseBatch(writer: RecordWriter, batch: CaseBatch): Promise<string[]> {
  const { data, numbered } = batch;
  if (numbered.length === 0) return [];
  const outbox = outboxEntries(`${data.id}:`, numbered, batch.notifications);
  const ids = outbox.map((n) => n.id);
  if (!patched(BATCH_RECORD_PATCH)) {
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
  const key = JSON.stringify(attributes);
  if (key !== writer.attributes) {
    writer.attributes = key;
    upsertSearchAttributes(attributes);
  }
  const input = { caseId: data.id, events: numbered, readModel: readModelOf(data), snapshot: data, deadlines: batch.deadlines, consents: batch.consents, notifications: outbox };
  const written: Promise<CaseBatchResult> = writer.chain.then(() => recordCaseBatch(input));
  writer.chain = written.catch(() => undefined);
  await written;
  return ids;
}
