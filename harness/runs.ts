// The runs of a workflow (first run, then each continue-as-new) with their histories: for the long-case test and
// the bench.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

type History = proto.temporal.api.history.v1.IHistory;
const EventType = proto.temporal.api.enums.v1.EventType;

export interface WorkflowRuns {
  eventsPerRun: number[];
  longest: { events: number; history: History; bytes: number } | undefined;
}

/** Follows the chain of runs from `firstRunId`: the number of events of each, and the longest run's history. */
export async function walkRuns(client: Client, workflowId: string, firstRunId: string): Promise<WorkflowRuns> {
  const eventsPerRun: number[] = [];
  let longest: WorkflowRuns['longest'];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: proto.temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    eventsPerRun.push(events.length);
    if (!longest || events.length > longest.events) {
      longest = { events: events.length, history, bytes: proto.temporal.api.history.v1.History.encode(history).finish().length };
    }
    const end: proto.temporal.api.history.v1.IHistoryEvent | undefined = events[events.length - 1];
    runId =
      end?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        ? (end.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined)
        : undefined;
  }
  return { eventsPerRun, longest };
}
