// What a drill did and what it checked, printed as it goes; a failed check makes the run exit non-zero.

export interface DrillResult {
  name: string;
  passed: number;
  failed: string[];
  ms: number;
}

export class DrillReport {
  readonly failed: string[] = [];
  passed = 0;
  private readonly started = Date.now();

  constructor(readonly name: string) {}

  private stamp(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)}s`;
  }

  /** What the drill does (no verdict). */
  step(message: string): void {
    console.log(`  ${this.stamp()}  · ${message}`);
  }

  /** A check: prints ✓ or ✗ with the detail, and remembers failures. */
  check(ok: boolean, what: string, detail?: string): boolean {
    if (ok) {
      this.passed++;
      console.log(`  ${this.stamp()}  ✓ ${what}${detail ? ` — ${detail}` : ''}`);
    } else {
      this.failed.push(detail ? `${what}: ${detail}` : what);
      console.log(`  ${this.stamp()}  ✗ ${what}${detail ? `\n${indent(detail, 14)}` : ''}`);
    }
    return ok;
  }

  /** Checks a list of problems: passes when empty, prints at most `max` of them otherwise. */
  none(problems: string[], what: string, max = 12): boolean {
    if (problems.length === 0) return this.check(true, what);
    const shown = problems.slice(0, max).join('\n');
    return this.check(false, what, `${problems.length} problem(s):\n${shown}${problems.length > max ? `\n… and ${problems.length - max} more` : ''}`);
  }

  result(): DrillResult {
    return { name: this.name, passed: this.passed, failed: this.failed, ms: Date.now() - this.started };
  }
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns true or `timeoutMs` passes; returns whether it became true. */
export async function waitUntil(probe: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return true;
    } catch {
      // not yet
    }
    if (Date.now() > until) return false;
    await sleep(intervalMs);
  }
}

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}
