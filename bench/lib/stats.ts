// Timing helpers of the benchmarks: latency samples, percentiles, and closed-loop load for a fixed time.
import { performance } from 'node:perf_hooks';

export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentile of samples in milliseconds (sorted copy). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** Milliseconds `fn` took. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export interface LoadResult {
  /** Operations that completed without error inside the window. */
  completed: number;
  errors: number;
  firstError?: string;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
}

/**
 * Closed-loop load: `concurrency` callers each run `op` back to back until `seconds` have passed; an operation
 * started inside the window is awaited and counted. Throughput = completed / actual elapsed time.
 */
export async function closedLoop(op: (caller: number, i: number) => Promise<unknown>, concurrency: number, seconds: number): Promise<LoadResult> {
  const start = performance.now();
  const until = start + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let counter = 0;
  const caller = async (c: number) => {
    while (performance.now() < until) {
      const t0 = performance.now();
      try {
        await op(c, counter++);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, c) => caller(c)));
  const elapsed = (performance.now() - start) / 1000;
  return { completed: latencies.length, errors, firstError, seconds: elapsed, perSecond: latencies.length / elapsed, latency: summarize(latencies) };
}

/** Runs `op` for every index 0..n-1 with at most `concurrency` in flight; rejects on the first error. */
export async function pool(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await op(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

export const ms = (value: number) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms` : '–');
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
