// Messages of the handover workflow, defined once and imported by the workflow and by the API.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { HandoverData } from '../domain/index.js';
import type { HandoverActionRequest } from './handover-state.js';

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
