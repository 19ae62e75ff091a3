// The bare baseline of the benchmarks: a workflow that does nothing but count updates (no activities, no search
// attributes, no database). Bundled on its own and run by its own worker on its own task queue, so the figures of
// `bench/run.ts` compare KIM's path with what Temporal alone costs on the same machine and dev server.
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const incrementUpdate = defineUpdate<number, [number]>('increment');

export async function minimalWorkflow(): Promise<number> {
  let counter = 0;
  setHandler(incrementUpdate, (by) => {
    counter += by;
    return counter;
  });
  // Runs until terminated at the end of the benchmark.
  await condition(() => false);
  return counter;
}
