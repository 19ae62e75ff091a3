// Messages of the case workflow, defined once and imported by the workflow and by the API.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaseData, CaseSettings } from '../domain/index.js';
import type { CaseActionRequest } from './case-state.js';

/** Every staff transition: validated (refused before it touches history), applied, answered with the new case. */
export const caseActionUpdate = defineUpdate<CaseData, [CaseActionRequest]>('caseAction');
/** The case as the workflow holds it now. */
export const caseViewQuery = defineQuery<CaseData>('caseView');
/** Coordinators changed the installation's case settings; applies to deadlines armed from now on. */
export const caseSettingsChangedSignal = defineSignal<[CaseSettings]>('caseSettingsChanged');

export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}
