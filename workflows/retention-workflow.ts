// Retention of a handover that never led to a case (refused, lapsed, cancelled): the ABH's proposal — a person's
// name, birth date, residence-law facts — stays for the retention period after the handover ended (the attempt is
// documented), then it is erased and the handover's data key destroyed, as for cases. Runs on its own (the handover
// workflow has ended); its input holds ids and a date only, and its id (`retention-handover-<id>`) is no data key
// subject, so its own history needs no data key.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { ErasureActivities } from '../activities/erasure.js';
import { toMs } from '../domain/dates.js';
import { RETIRED_KEY_WAIT_MS } from '../domain/erasure.js';

const { eraseHandoverData, destroyHandoverDataKeys } = proxyActivities<ErasureActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface HandoverRetentionInput {
  handoverId: string;
  /** ISO time: the end of the handover plus the retention period. */
  eraseAt: string;
}

export async function handoverRetentionWorkflow({ handoverId, eraseAt }: HandoverRetentionInput): Promise<{ handoverId: string; erased: true }> {
  await sleep(Math.max(1, toMs(eraseAt) - Date.now()));
  await eraseHandoverData({ handoverId });
  // No process may still encrypt the handover's payloads with its retired key when it is destroyed.
  await sleep(RETIRED_KEY_WAIT_MS);
  await destroyHandoverDataKeys({ handoverId });
  return { handoverId, erased: true };
}
