// Opening a case directly (rows + workflow start), for workflow tests that do not go through HTTP.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Database } from '../../platform/database.js';
import type { CaseWorkflowInput } from '../../workflows/case-state.js';
import { caseWorkflowId } from '../../workflows/definitions.js';

export async function openCaseRows(db: Database, overrides: Partial<CaseWorkflowInput> = {}): Promise<CaseWorkflowInput> {
  const caseId = overrides.caseId ?? randomUUID();
  const input: CaseWorkflowInput = {
    caseId,
    organisationId: 'drk',
    municipality: 'Kall',
    openedAt: new Date().toISOString(),
    proposedProvider: { organisationId: 'drk', reason: 'Wohnort Kall' },
    ...overrides,
  };
  const person = await db.person.create({
    data: { givenName: 'Test', familyName: 'Person', birthDate: new Date('1985-01-01'), municipality: input.municipality, languages: [] },
  });
  await db.case.create({
    data: {
      id: caseId,
      workflowId: caseWorkflowId(caseId),
      personId: person.id,
      state: 'intake',
      organisationId: input.organisationId,
      municipality: input.municipality,
      source: 'self',
      openedAt: new Date(input.openedAt),
    },
  });
  return input;
}

export async function startCase(client: Client, taskQueue: string, input: CaseWorkflowInput) {
  return client.workflow.start('caseWorkflow', { workflowId: caseWorkflowId(input.caseId), taskQueue, args: [input] });
}
