// `npm run keys:rewrap` — step 3 of rotating the installation key (README "Encryption of workflow data"): re-wraps
// every per-case data key with the current (first) key of KIM_PAYLOAD_KEYS / KIM_PAYLOAD_KEYS_FILE, so older
// installation keys are no longer needed for them. Safe while the system runs and safe to repeat. Exit code 1 when
// keys wrapped with an installation key that is not configured remain.
import { loadConfig } from '../platform/config.js';
import { createDatabase } from '../platform/database.js';
import { rewrapDataKeys } from '../platform/data-keys.js';
import { loadPayloadKeys } from '../platform/payload-codec.js';
import { withCommandDatabase } from './lib/command-database.js';

process.exitCode = await withCommandDatabase(async (databaseUrl) => {
  const { keys, source } = loadPayloadKeys(loadConfig());
  const db = createDatabase(databaseUrl);
  try {
    const { rewrapped, current, notConfigured } = await rewrapDataKeys(db, keys);
    console.log(`Re-wrapped ${rewrapped} data key(s) with installation key "${current}" (keys from ${source}).`);
    const missing = Object.entries(notConfigured);
    for (const [id, count] of missing) console.error(`${count} data key(s) are wrapped with installation key "${id}", which is not configured.`);
    return missing.length > 0 ? 1 : 0;
  } finally {
    await db.$disconnect();
  }
});
