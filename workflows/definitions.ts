// Messages of the case workflow, defined once and imported by the workflow and by the API.
import { defineQuery } from '@temporalio/workflow';
import type { CaseView } from './case-state.js';

export const caseViewQuery = defineQuery<CaseView>('caseView');

export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}
