// What every drill gets from the runner.
export interface DrillContext {
  quick: boolean;
  /** The runner's in-memory Temporal dev server (drills 1, 3, 4). */
  temporalAddress: string;
  /** The workflows bundled once, for in-process and spawned workers alike. */
  workflowBundlePath: string;
  /** The Temporal CLI, for a dev server of a drill's own (drill 2). */
  temporalCli: string;
  /** Seed of the API fuzz (fast-check), printed so a failing run can be repeated. */
  seed: number;
}
