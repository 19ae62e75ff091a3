// Messages of the case workflow (update, query, signal) and the shapes it exchanges with the API and its activities
// (all JSON-serialisable): defined once, imported by the workflow, the activities and the API.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CreateCaseInput, DeadlineNotification } from '../domain/case-decide.js';
import type { Actor, CaseAction, CaseData } from '../domain/case-model.js';
import type { CaseSettings } from '../domain/deadlines.js';
import type { DomainEvent } from '../domain/events.js';

/** Every staff transition: validated (refused before it touches history), applied, answered with the new case. */
export const caseActionUpdate = defineUpdate<CaseData, [CaseActionRequest]>('caseAction');
/** The case as the workflow holds it now. */
export const caseViewQuery = defineQuery<CaseData>('caseView');
/** Coordinators changed the installation's case settings; applies to deadlines armed from now on. */
export const caseSettingsChangedSignal = defineSignal<[CaseSettings]>('caseSettingsChanged');

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
}

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

export interface CaseWorkflowResult {
  caseId: string;
  state: string;
  personalDataErased: boolean;
}
