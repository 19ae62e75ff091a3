// Shared harness (harness/): helpers that tests, benchmarks, drills and the history-recording scripts share. No vitest here.
// Opening a case directly (rows + workflow start), without going through HTTP.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { readCaseView } from '../api/operations/case-lookup.js';
import { defaultCaseSettings, type Actor, type CaseData, type CaseSettings } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import type { CaseActionResult, CaseWorkflowInput, OpenCaseInput } from '../workflows/case-messages.js';
import { CASE_CODE_VERSION, caseWorkflowId } from '../workflows/case-messages.js';
import { caseStartSearchAttributes } from '../workflows/case-start.js';

/** A seeded demo account as the acting user of workflow updates. */
export async function demoActor(db: Database, email: string): Promise<Actor> {
  const user = await db.user.findUniqueOrThrow({ where: { email } });
  return { id: user.id, role: user.role, organisationId: user.organisationId };
}

export async function openCaseRows(db: Database, overrides: Partial<OpenCaseInput> = {}): Promise<OpenCaseInput> {
  const caseId = overrides.caseId ?? randomUUID();
  const open: OpenCaseInput = {
    caseId,
    openedAt: new Date().toISOString(),
    openedBy: 'system',
    organisationId: 'drk',
    municipality: 'Kall',
    proposedProvider: { organisationId: 'drk', reason: 'Wohnort Kall' },
    source: 'self',
    ...overrides,
  };
  const person = await db.person.create({
    data: { givenName: 'Test', familyName: 'Person', birthDate: new Date('1985-01-01'), municipality: open.municipality, languages: [] },
  });
  await db.case.create({
    data: {
      id: caseId,
      workflowId: caseWorkflowId(caseId),
      personId: person.id,
      state: 'intake',
      organisationId: open.organisationId,
      municipality: open.municipality,
      source: open.source ?? 'self',
      openedAt: new Date(open.openedAt),
    },
  });
  return open;
}

/**
 * Starts a case workflow as the API's intake does (workflows/case-start.ts): with the current code version and the
 * start search attributes. `asBefore: true` starts it as code before version 11 did (no code version, no search
 * attributes): the run asks `patched()` and records markers, as runs that are already running do.
 */
export async function startCase(
  client: Client,
  taskQueue: string,
  open: OpenCaseInput,
  options: { settings?: CaseSettings; continueAsNewAfterEvents?: number; asBefore?: boolean } = {},
) {
  const input: CaseWorkflowInput = {
    open,
    settings: options.settings ?? defaultCaseSettings,
    ...(options.continueAsNewAfterEvents ? { continueAsNewAfterEvents: options.continueAsNewAfterEvents } : {}),
    ...(options.asBefore ? {} : { codeVersion: CASE_CODE_VERSION }),
  };
  return client.workflow.start('caseWorkflow', {
    workflowId: caseWorkflowId(open.caseId),
    taskQueue,
    args: [input],
    ...(options.asBefore ? {} : { typedSearchAttributes: caseStartSearchAttributes(input) }),
  });
}

/** The case as an action left it, read from the read model as the API answers (the action's answer is small). */
export async function caseAfter(db: Database, client: Client, result: CaseActionResult): Promise<CaseData> {
  const row = await db.case.findUniqueOrThrow({ where: { id: result.caseId } });
  const view = await readCaseView(db, client, row, result.seq);
  if (!view) throw new Error(`case ${result.caseId} has no view (erased?)`);
  return view;
}
