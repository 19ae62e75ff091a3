// The set-up every browser test file shares: the app on real Temporal and PostgreSQL (startHarness) and Debian's
// chromium, started before the file's tests when the browser is there (or required), closed after them. `use` receives
// both, so a file keeps its own `h` and `browser`; the answer says whether the file's tests run.
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserTestsEnabled, launchBrowser } from './browser.js';
import { startHarness, type Harness } from './harness.js';

export function useBrowserHarness(file: string, use: (opened: { h: Harness; browser: Browser }) => void): boolean {
  const available = browserTestsEnabled(file);
  let h: Harness | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!available) return;
    h = await startHarness();
    browser = await launchBrowser();
    use({ h, browser });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });
  return available;
}
