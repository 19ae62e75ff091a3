// Shapes the handover workflow exchanges with the API and activities (all JSON-serialisable).
import type {
  Actor,
  CaseSettings,
  CreateHandoverBody,
  DomainEvent,
  HandoverAction,
  HandoverData,
  HandoverNotification,
  HandoverState,
  PersonBody,
} from '../domain/index.js';

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
}

export interface HandoverWorkflowResult {
  handoverId: string;
  state: HandoverState;
  /** The case that continues in the receiving organisation (handed_over only). */
  caseId?: string;
}
