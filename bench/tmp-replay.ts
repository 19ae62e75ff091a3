import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../platform/payload-codec.js';
import { workflowsPath } from '../worker.js';

const file = process.argv[2]!;
const history = JSON.parse(readFileSync(file, 'utf8'));
const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: undefined });
writeFileSync('/tmp/replay-bundle.js', code);
const n = Number(process.env.N ?? 20);
const times: number[] = [];
let mark = performance.now();
for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: '/tmp/replay-bundle.js' }, debugMode: process.env.DEBUGMODE === '1' }, Array.from({ length: n }, () => ({ history, workflowId: 'x' })))) {
  if (r.error) throw r.error;
  const now = performance.now();
  times.push(now - mark);
  mark = now;
}
console.log(history.events.length, 'events:', times.map((t) => t.toFixed(0)).join(' '));
