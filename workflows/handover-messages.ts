// Messages of the handover workflow (update, query) and the shapes it exchanges with the API and its activities
// (all JSON-serialisable): defined once, imported by the workflow, the activities and the API.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PersonBody } from '../domain/case-actions.js';
import type { Actor } from '../domain/case-model.js';
import type { CaseSettings } from '../domain/deadlines.js';
import type { DomainEvent } from '../domain/events.js';
import type { HandoverNotification } from '../domain/handover.js';
import type { HandoverAction, HandoverData, HandoverState } from '../domain/handover-model.js';
import type { CreateHandoverBody } from '../domain/handover-requests.js';

/**
 * Every handover action: validated (refused before it touches history), applied, answered with the new handover.
 * Refusals are ApplicationFailures whose `type` is the domain error code and whose first detail is the error.
 */
export const handoverActionUpdate = defineUpdate<HandoverData, [HandoverActionRequest]>('handoverAction');
/**
 * The handover as the workflow holds it now — including the person. Callers on the receiving side must show
 * `receiverView(...)` of it: before consent they see only that a handover exists.
 */
export const handoverViewQuery = defineQuery<HandoverData>('handoverView');

export function handoverWorkflowId(handoverId: string): string {
  return `handover-${handoverId}`;
}

/** Temporal update id of the case actions a handover sends to an existing case: one per handover and step. */
export function handoverCaseRequestId(handoverId: string, step: 'consent' | 'transfer'): string {
  return `handover-${handoverId}-${step}`;
}

export interface OpenHandoverInput {
  handoverId: string;
  requestedAt: string;
  /** The ABH counsellor who proposed the handover. Kept as a full actor: an existing case is transferred in their name. */
  requestedBy: Actor;
  /** The create body as parsed by `parseCreateHandover` (exactly one of caseId and person). */
  body: CreateHandoverBody;
  receivingOrganisationId: string;
}

/** What a handover workflow carries into its next run (continue-as-new). */
export interface CarriedHandover {
  data: HandoverData;
  seq: number;
  settings: CaseSettings;
  recentRequestIds: string[];
  counsellor: Actor;
}

export interface HandoverWorkflowInput {
  open?: OpenHandoverInput;
  continued?: CarriedHandover;
  /** Case settings: their deadlines drive the handover; the case opened on acceptance gets all of them. */
  settings: CaseSettings;
  /** Continue-as-new after this many history events (tests); otherwise when the server suggests it. */
  continueAsNewAfterEvents?: number;
}

export interface HandoverActionRequest {
  action: HandoverAction;
  payload?: unknown;
  actor: Actor;
  /** Idempotency key; also used as the Temporal update id. */
  requestId?: string;
}

/** A domain event numbered by the workflow (seq), so writing it twice changes nothing. */
export interface HandoverEventRecord extends DomainEvent {
  seq: number;
}

export interface HandoverReadModel {
  state: HandoverState;
  caseId: string | null;
  receivingOrganisationId: string;
  consentDueAt: string | null;
  meetingAt: string | null;
  closedAt: string | null;
}

export interface HandoverRecordInput {
  handoverId: string;
  events: HandoverEventRecord[];
  readModel: HandoverReadModel;
  notifications: Array<HandoverNotification & { id: string }>;
}

/** Person and case rows for a case opened by an accepted handover (person without a case so far). */
export interface OpenCaseFromHandoverInput {
  caseId: string;
  handoverId: string;
  person: PersonBody;
  organisationId: string;
  proposalReason: string;
  assigneeId?: string;
  openedAt: string;
}

/** An existing case taken over: the handover consent is recorded on it and it is transferred, in the counsellor's name. */
export interface TransferCaseForHandoverInput {
  caseId: string;
  handoverId: string;
  counsellor: Actor;
  receivingOrganisationId: string;
  assigneeId?: string;
  consentRecordedAt: string;
  /** Version 5 of the handover workflow: the case continues (residence-law facts, assessment) — absent before. */
  residenceLaw?: { permits: string[]; notes: string };
}

export interface HandoverWorkflowResult {
  handoverId: string;
  state: HandoverState;
  /** The case that continues in the receiving organisation (handed_over only). */
  caseId?: string;
}
