// Which version of the case workflow's code a run follows. Until version 10 every change was gated by `patched()`
// alone; a live run asks each patch once and Core records a marker plus a `TemporalChangeVersion` search-attribute
// upsert for it — three of each in every new case's first workflow task, and again in every continued run (issue 11:
// intake near the engine's start rate). From version 11 a run carries the code version it was started for in its
// input (part of its history, so replay decides exactly as the live run did): patches up to that version are in force
// without being asked. Runs started before carry none and ask `patched()` as they did when recorded.
//
// A later change gets a new version: `inForce(run.codeVersion, 12, 'case-rules-11')` (process rules 11) asks
// `patched()` only in runs started before version 12.
// Rolling deploys: as with any patch, workers on the new code must be running before new runs are started for it.
import { patched } from '@temporalio/workflow';

/** The first code version whose runs carry it in their input. */
export const CARRIED_CODE_VERSION = 11;

/** The code version of a run from its input: 0 for runs started before version 11. */
export const runCodeVersion = (input: { codeVersion?: number }): number => input.codeVersion ?? 0;

/**
 * Whether the change `name`, introduced with code version `since`, applies to this run: yes without a marker for
 * runs started for `since` or later, else as `patched(name)` answers (a marker in new runs of old inputs, the
 * recorded answer on replay). Every patch made before version 11 counts as `since` 11.
 */
export function inForce(codeVersion: number, since: number, name: string): boolean {
  return codeVersion >= since || patched(name);
}
