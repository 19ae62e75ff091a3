// Messages of the case workflow (update, query, signal) and the shapes it exchanges with the API and its activities
// (all JSON-serialisable): defined once, imported by the workflow, the activities and the API.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CreateCaseInput, DeadlineNotification } from '../domain/case-decide.js';
import type { Actor, CaseAction, CaseData } from '../domain/case-model.js';
import type { CaseSettings } from '../domain/deadlines.js';
import type { DomainEvent } from '../domain/events.js';

/** Every staff transition: validated (refused before it touches history), applied and recorded, answered with a
 *  small result (the case itself is read from the read model). Results recorded by version 4 and earlier are the
 *  whole case: a repeated request id of then gets that answer. */
export const caseActionUpdate = defineUpdate<CaseActionResult, [CaseActionRequest]>('caseAction');
/** The case as the workflow holds it now. */
export const caseViewQuery = defineQuery<CaseData>('caseView');
/** Coordinators changed the installation's case settings; applies to deadlines armed from now on. */
export const caseSettingsChangedSignal = defineSignal<[CaseSettings]>('caseSettingsChanged');
/** The record side: events numbered, writes in flight, batches the database refused (issue 15). */
export const caseRecordStatusQuery = defineQuery<CaseRecordStatus>('caseRecordStatus');
/** IT repaired what made the database refuse a batch: write the held batches again. */
export const caseRecordRetrySignal = defineSignal('caseRecordRetry');

/** Failure type of an action whose record the database refused for good; the case is held until IT retried it. */
export const RECORD_REJECTED = 'record_rejected';
/** Refusal type of actions on a case whose record is held. */
export const RECORD_HELD = 'record_held';

export interface CaseRecordStatus {
  /** The number of the last event the workflow numbered (the database may not have it yet). */
  numberedSeq: number;
  pendingWrites: number;
  rejected: { fromSeq: number; toSeq: number; batches: number; sqlState: string; message: string } | null;
}

export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}

/** How a case workflow opens a case: the domain's input without the id source (the workflow supplies uuid4). */
export type OpenCaseInput = Omit<CreateCaseInput, 'newId'>;

/** What a case workflow carries into its next run (continue-as-new): its full state and armed deadlines. */
export interface CarriedCase {
  data: CaseData;
  seq: number;
  settings: CaseSettings;
  recentRequestIds: string[];
}

export interface CaseWorkflowInput {
  open?: OpenCaseInput;
  continued?: CarriedCase;
  /** The last run of a case whose personal data is erased: it only destroys the case's data keys. Carries no
   *  personal data, and its payloads use the installation key, so this run stays readable. */
  erased?: { caseId: string };
  settings: CaseSettings;
  /** Continue-as-new after this many history events (tests); otherwise when the server suggests it. */
  continueAsNewAfterEvents?: number;
  /** The workflow code version the run was started for (workflows/case-patches.ts): every patch up to it is in
   *  force without a marker. Absent in runs started before version 11 (they ask `patched()` as recorded). */
  codeVersion?: number;
}

/** The case workflow code version new runs are started for (intake, reconciler, continue-as-new). */
export const CASE_CODE_VERSION = 12;

export interface CaseActionRequest {
  action: CaseAction;
  payload?: unknown;
  actor: Actor;
  /** Idempotency key; also used as the Temporal update id. */
  requestId?: string;
}

/** A domain event numbered by the workflow (seq), so writing it twice changes nothing. */
export interface CaseEventRecord extends DomainEvent {
  seq: number;
}

export interface CaseReadModel {
  state: string;
  onHold: boolean;
  organisationId: string;
  assigneeId: string | null;
  closedAt: string | null;
  nextDeadline: { kind: string; dueAt: string } | null;
}

export interface CaseRecordInput {
  caseId: string;
  events: CaseEventRecord[];
  readModel: CaseReadModel;
  consents: CaseData['consents'];
  notifications: Array<DeadlineNotification & { id: string }>;
  /** All deadlines of the case as they are now (absent in records written by version 1 workers). */
  deadlines?: CaseData['deadlines'];
  /** The case after these events, for the history's asOf view (absent in records of older workers). */
  snapshot?: CaseData;
}

/** The answer to an action: the same size for the first and the ten-thousandth action of a case. */
export interface CaseActionResult {
  caseId: string;
  /** The number of the last event the action wrote (recorded when the update completes). */
  seq: number;
  state: string;
  onHold: boolean;
}

/** A batch as the record local activity writes it (version 5): only what the batch changed. */
export interface CaseBatchRecord {
  caseId: string;
  events: CaseEventRecord[];
  readModel: CaseReadModel;
  /** The case after these events (without contact list and resolved deadlines): current view and "as of" history. */
  snapshot: CaseData;
  /** Deadlines the batch armed or changed (resolved ones included, with their final status). */
  deadlines: CaseData['deadlines'];
  /** Consents the batch recorded or changed. */
  consents: CaseData['consents'];
  notifications: Array<DeadlineNotification & { id: string }>;
  /** Written again by IT's retry after a refusal: a success marks the refusal resolved. */
  retry?: boolean;
}

/** The answer of a batch record: which events are recorded ([seq, type]), kept in the history for the cross-check. */
export interface CaseBatchResult {
  erased: boolean;
  recorded: Array<[number, string]>;
}

export interface CaseWorkflowResult {
  caseId: string;
  state: string;
  personalDataErased: boolean;
}
