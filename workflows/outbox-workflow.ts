// The outbox dispatcher's run: one short workflow per tick of the Temporal Schedule `kim-outbox-<task queue>`
// (worker.ts ensureOutboxSchedule). It only calls the activities (activities/outbox-dispatch.ts): the act-on mails no
// workflow delivers, then the daily digests that are due. Input and result hold numbers only.
import { proxyActivities } from '@temporalio/workflow';
import type { DispatchResult, OutboxDispatchActivities } from '../activities/outbox-dispatch.js';

const { dispatchOutbox, sendDailyDigests } = proxyActivities<OutboxDispatchActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
});

export async function outboxDispatcherWorkflow(): Promise<{ mails: DispatchResult; digests: DispatchResult & { day: string } }> {
  const mails = await dispatchOutbox({});
  const digests = await sendDailyDigests({});
  return { mails, digests };
}
