// How a case workflow is started: the one builder of its input and search attributes, used by the API's intake
// (api/operations/cases.ts openCase, right after writing the Person and Case rows) and by the reconciler
// (activities/case-reconciler.ts, for a case whose workflow never started). Both pass the facts the Case row stores,
// so a case started late by the reconciler gets the input it would have got at intake.
// No personal data here: ids, organisation, municipality, source — the person stays in PostgreSQL.
import { createCase, nextDeadline } from '../domain/case-decide.js';
import { CASE_SOURCES, type CaseSource } from '../domain/case-model.js';
import type { CaseSettings } from '../domain/deadlines.js';
import { CASE_CODE_VERSION, caseWorkflowId, type CaseWorkflowInput, type OpenCaseInput } from './case-messages.js';
import { caseMunicipalityKey, caseNextDeadlineKey, caseOrganisationKey, caseStateKey } from './search-attributes.js';

/** The opening facts of a case, named as in the `Case` row (prisma/schema.prisma), so a row can be passed as it is. */
export interface CaseOpeningFacts {
  id: string;
  openedAt: Date | string;
  /** Who opened it (user id); null in rows written before the column existed → `system`. */
  openedById: string | null;
  organisationId: string;
  proposedOrganisationId: string | null;
  proposalReason: string | null;
  municipality: string;
  source: string;
}

/** Actor of `case_opened` when the row does not say who opened the case. */
export const UNKNOWN_OPENER = 'system';

function caseSource(value: string): CaseSource {
  return (CASE_SOURCES as readonly string[]).includes(value) ? (value as CaseSource) : 'other';
}

/** What the case workflow opens the case with. */
export function openCaseInput(facts: CaseOpeningFacts): OpenCaseInput {
  return {
    caseId: facts.id,
    openedAt: new Date(facts.openedAt).toISOString(),
    openedBy: facts.openedById ?? UNKNOWN_OPENER,
    organisationId: facts.organisationId,
    proposedProvider: {
      organisationId: facts.proposedOrganisationId ?? facts.organisationId,
      reason: facts.proposalReason ?? 'nicht gespeichert',
    },
    municipality: facts.municipality,
    source: caseSource(facts.source),
  };
}

/** The case workflow's input at intake: the opening, the installation's case settings of that moment, and the code
 *  version the run is started for (workflows/case-patches.ts). */
export function caseWorkflowInput(facts: CaseOpeningFacts, settings: CaseSettings): CaseWorkflowInput {
  return { settings, open: openCaseInput(facts), codeVersion: CASE_CODE_VERSION };
}

/**
 * The search attributes a new case workflow starts with: state intake, owner, municipality and the first deadline,
 * exactly as the workflow's opening write would upsert them (the same pure domain function opens the case), so that
 * write upserts nothing (issue 11: one command less in every new case's first task).
 */
export function caseStartSearchAttributes(input: CaseWorkflowInput) {
  const open = input.open!;
  const opened = createCase({ ...open, newId: (prefix) => prefix }, input.settings).next;
  const next = nextDeadline(opened);
  return [
    { key: caseStateKey, value: opened.state },
    { key: caseOrganisationKey, value: opened.organisationId },
    { key: caseMunicipalityKey, value: opened.municipality },
    ...(next ? [{ key: caseNextDeadlineKey, value: new Date(next.dueAt) }] : []),
  ];
}

/** Everything `client.workflow.start('caseWorkflow', …)` needs but the task queue. */
export function caseWorkflowStart(facts: CaseOpeningFacts, settings: CaseSettings) {
  const input = caseWorkflowInput(facts, settings);
  return {
    workflowId: caseWorkflowId(facts.id),
    args: [input] as [CaseWorkflowInput],
    typedSearchAttributes: caseStartSearchAttributes(input),
  };
}
