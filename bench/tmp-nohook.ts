// Measurement only: the SDK's per-promise stack capture switched off.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const shared = require('@temporalio/worker/lib/workflow/vm-shared.js');
if (process.env.NOHOOK === '1') shared.globalHandlers.setPromiseHook = () => undefined;
await import('./tmp-replay.js');
