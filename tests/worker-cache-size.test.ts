// The worker's workflow cache size: the default set for 10,000 open cases within 1 GiB (worker.ts), and the operator's
// KIM_MAX_CACHED_WORKFLOWS, where a wrong value stops the start with a German message instead of a silent default;
// and the heap limit the worker process starts with, which must hold that cache.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../platform/paths.js';
import { heapAdvice, heapNeededMb, MAX_CACHED_WORKFLOWS, maxCachedWorkflows, WORKER_HEAP_LIMIT_MB, WORKER_PROCESS_ARGS } from '../worker.js';

const MiB = 1024 ** 2;

describe('maxCachedWorkflows', () => {
  it('is 1,000 unless the operator sets it', () => {
    expect(MAX_CACHED_WORKFLOWS).toBe(1000);
    expect(maxCachedWorkflows({})).toBe(1000);
    expect(maxCachedWorkflows({ KIM_MAX_CACHED_WORKFLOWS: '  ' })).toBe(1000);
  });

  it('takes a whole number from KIM_MAX_CACHED_WORKFLOWS', () => {
    expect(maxCachedWorkflows({ KIM_MAX_CACHED_WORKFLOWS: '4000' })).toBe(4000);
    expect(maxCachedWorkflows({ KIM_MAX_CACHED_WORKFLOWS: ' 1 ' })).toBe(1);
  });

  it.each(['0', '-5', '2.5', 'viele', '1e99x'])('refuses %j with a German message', (value) => {
    expect(() => maxCachedWorkflows({ KIM_MAX_CACHED_WORKFLOWS: value })).toThrow(/KIM_MAX_CACHED_WORKFLOWS muss eine ganze Zahl ab 1 sein/);
  });
});

describe('the worker process heap limit', () => {
  it('is on the command line of `npm run worker`, the same the tests, drills and bench spawn', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.worker).toBe(`node ${WORKER_PROCESS_ARGS.join(' ')}`);
    expect(WORKER_PROCESS_ARGS[0]).toBe(`--max-old-space-size=${WORKER_HEAP_LIMIT_MB}`);
  });

  it('holds the default cache with room to collect', () => {
    expect(heapNeededMb(MAX_CACHED_WORKFLOWS)).toBe(360);
    expect(heapAdvice(MAX_CACHED_WORKFLOWS, WORKER_HEAP_LIMIT_MB * MiB)).toBeUndefined();
  });

  it('warns in German, with the limit to use, when the cache outgrows the heap', () => {
    expect(heapNeededMb(4000)).toBe(1320);
    expect(heapAdvice(4000, WORKER_HEAP_LIMIT_MB * MiB)).toBe(
      'Heap-Grenze 384 MB ist zu klein für 4000 zwischengespeicherte Fälle (nötig ≈ 1320 MB): ' +
        'den Worker mit node --max-old-space-size=1320 starten oder KIM_MAX_CACHED_WORKFLOWS senken.',
    );
    expect(heapAdvice(4000, 1320 * MiB)).toBeUndefined();
    expect(heapAdvice(4000, 1319 * MiB)).toMatch(/zu klein/);
  });
});
