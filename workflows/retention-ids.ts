// Workflow ids of the retention workflows (shared by workflows and activities).
export function handoverRetentionWorkflowId(handoverId: string): string {
  return `retention-handover-${handoverId}`;
}
