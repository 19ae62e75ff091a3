// The worker's workflow cache size: the default set for 10,000 open cases within 1 GiB (worker.ts), and the operator's
// KIM_MAX_CACHED_WORKFLOWS, where a wrong value stops the start with a German message instead of a silent default.
import { describe, expect, it } from 'vitest';
import { MAX_CACHED_WORKFLOWS, maxCachedWorkflows } from '../worker.js';

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
