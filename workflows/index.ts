// Entry point of the workflow bundle: every workflow the worker runs is exported here.
export { caseWorkflow } from './case-workflow.js';
export { handoverWorkflow } from './handover-workflow.js';
export { handoverRetentionWorkflow } from './retention-workflow.js';
export { caseReconcilerWorkflow } from './reconciler-workflow.js';
export { outboxDispatcherWorkflow } from './outbox-workflow.js';
