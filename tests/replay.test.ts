// Determinism: histories recorded from earlier versions of the workflows (tests/histories/) must replay
// against the current code. A change that would break running cases fails here. They were recorded before payload
// encryption and replay through the codec-enabled data converter of a real installation: old plaintext payloads pass.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it, inject } from 'vitest';
import { loadConfig } from '../platform/config.js';
import { repoRoot } from '../platform/paths.js';
import { loadPayloadEncryption } from '../platform/payload-codec.js';

const dir = join(repoRoot, 'tests', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

const { dataConverter } = loadPayloadEncryption(loadConfig());
const replayOptions = () => ({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter });

function load(file: string) {
  return historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
}

describe('replay of recorded workflow histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    await Worker.runReplayHistory(replayOptions(), load(file), file);
  });

  it('detects a history the code would not produce (control)', async () => {
    const file = files[0]!;
    const history = load(file);
    // Rename the first scheduled activity: the current code schedules another one at that point.
    const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled).toBeDefined();
    scheduled!.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
    await expect(Worker.runReplayHistory(replayOptions(), history, file)).rejects.toThrow();
  });
});
