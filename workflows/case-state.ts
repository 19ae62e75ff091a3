// Shapes the case workflow exchanges with the API and activities (JSON-serialisable).
export interface CaseWorkflowInput {
  caseId: string;
  organisationId: string;
  municipality: string;
  openedAt: string;
  proposedProvider: { organisationId: string; reason: string };
}

export interface CaseDeadlineView {
  id: string;
  kind: string;
  dueAt: string;
  escalateAt?: string;
  status: string;
}

export interface CaseView {
  caseId: string;
  state: string;
  onHold: boolean;
  organisationId: string;
  assigneeId: string | null;
  proposedProvider: { organisationId: string; reason: string };
  deadlines: CaseDeadlineView[];
  openedAt: string;
  closedAt: string | null;
}

/** One entry of the append-only case history, numbered by the workflow (seq) so writes are idempotent. */
export interface CaseEventRecord {
  seq: number;
  type: string;
  at: string;
  actorId?: string;
  summary: string;
  data: Record<string, unknown>;
}

export interface CaseReadModel {
  state: string;
  onHold: boolean;
  organisationId: string;
  assigneeId: string | null;
  closedAt: string | null;
  nextDeadline: { kind: string; dueAt: string } | null;
}
