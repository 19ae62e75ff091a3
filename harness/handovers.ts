// Shared harness (harness/): helpers that tests, benchmarks, drills and the history-recording scripts share. No vitest here.
// Proposing a handover directly (Handover row + workflow start), without going through HTTP.
// Does what POST /api/v1/handovers will do: parse the body, pick the receiving organisation, write the row, start.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import {
  consentDueAt,
  createHandover,
  defaultCaseSettings,
  parseCreateHandover,
  resolveReceivingOrganisation,
  type Actor,
  type CaseSettings,
} from '../domain/index.js';
import type { Database } from '../platform/database.js';
import { handoverWorkflowId } from '../workflows/handover-messages.js';
import type { HandoverWorkflowInput, OpenHandoverInput } from '../workflows/handover-messages.js';

export const demoPerson = {
  givenName: 'Amina',
  familyName: 'Haddad',
  birthDate: '1990-04-12',
  municipality: 'Kall',
  languages: ['ar', 'de'],
};

/** Writes the Handover row for a proposal by `counsellor`; `body` is the raw create body (defaults: new person in Kall → DRK). */
export async function proposeHandoverRows(
  db: Database,
  counsellor: Actor,
  options: { body?: Record<string, unknown>; requestedAt?: string; settings?: CaseSettings } = {},
): Promise<OpenHandoverInput> {
  const requestedAt = options.requestedAt ?? new Date().toISOString();
  const parsed = parseCreateHandover(
    {
      residenceLaw: { permits: ['§25b'], notes: 'Duldung seit 2019, Beschäftigung in Aussicht' },
      reason: 'Erhöhter Unterstützungsbedarf: Wohnung, Arbeit, Anerkennung',
      ...(options.body ?? { person: demoPerson }),
    },
    requestedAt,
  );
  if (!parsed.ok) throw new Error(`invalid handover body: ${JSON.stringify(parsed.fields)}`);
  const body = parsed.payload;
  let receivingOrganisationId = resolveReceivingOrganisation(body, requestedAt);
  if (!receivingOrganisationId && body.caseId) {
    receivingOrganisationId = (await db.case.findUniqueOrThrow({ where: { id: body.caseId } })).proposedOrganisationId;
  }
  if (!receivingOrganisationId) throw new Error('no receiving organisation');
  const open: OpenHandoverInput = { handoverId: randomUUID(), requestedAt, requestedBy: counsellor, body, receivingOrganisationId };
  // Same due date as the workflow will arm (domain decides it).
  const due = consentDueAt(createHandover(open, (options.settings ?? defaultCaseSettings).deadlines).next);
  await db.handover.create({
    data: {
      id: open.handoverId,
      workflowId: handoverWorkflowId(open.handoverId),
      caseId: body.caseId ?? null,
      state: 'awaiting_consent',
      counsellorId: counsellor.id,
      receivingOrganisationId,
      proposal: { residenceLaw: body.residenceLaw, reason: body.reason },
      consentDueAt: due ? new Date(due) : null,
      createdAt: new Date(requestedAt),
    },
  });
  return open;
}

export async function startHandover(
  client: Client,
  taskQueue: string,
  open: OpenHandoverInput,
  options: { settings?: CaseSettings; continueAsNewAfterEvents?: number } = {},
) {
  const input: HandoverWorkflowInput = {
    open,
    settings: options.settings ?? defaultCaseSettings,
    ...(options.continueAsNewAfterEvents ? { continueAsNewAfterEvents: options.continueAsNewAfterEvents } : {}),
  };
  return client.workflow.start('handoverWorkflow', { workflowId: handoverWorkflowId(open.handoverId), taskQueue, args: [input] });
}
