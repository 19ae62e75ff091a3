// A real browser for the page tests: Debian's chromium driven by playwright-core (`npx playwright install` cannot
// download browsers here, see ../shared/toolchain-notes.md). Each launch gets a fresh temporary profile.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { TEST_PASSWORD } from '../../harness/auth.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Playwright adds --headless and a fresh --user-data-dir itself; the rest keeps chromium off the network
    // (no updates, no sync, no QUIC probing) and working as root in a container.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
}

/** A new browser context (own cookies) signed in through the sign-in page; returns its page on "Meine Fälle". */
export async function signInAs(browser: Browser, baseUrl: string, email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  await page.goto('/faelle');
  // Not signed in yet: the app sends the browser to the sign-in page.
  await page.waitForURL(/\/anmelden\?weiter=/);
  await page.getByLabel('E-Mail-Adresse').fill(email);
  await page.getByLabel('Passwort').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(/\/faelle$/);
  return { context, page };
}

/**
 * Whether a test file's browser tests run: skipped (with a warning) on a developer machine without chromium; CI
 * (.ci/run sets KIM_REQUIRE_BROWSER) installs it, and there a missing browser makes the tests fail instead.
 */
export function browserTestsEnabled(file: string): boolean {
  const enabled = chromiumAvailable() || process.env.KIM_REQUIRE_BROWSER === '1';
  if (!enabled) console.warn(`[${file}] ${CHROMIUM_PATH} is missing (apt-get install chromium); browser tests skipped`);
  return enabled;
}

/** Opens a case action's block on the case page (unless open), fills its form and submits it with its first button
 *  (the assessment form's second button saves a draft). */
export async function submitCaseAction(page: Page, action: string, fill: (form: ReturnType<Page['locator']>) => Promise<void>): Promise<void> {
  const block = page.locator(`#aktion-${action}`);
  if ((await block.getAttribute('open')) === null) await block.locator('summary').click();
  const form = block.locator('form');
  await fill(form);
  await form.locator('.button-row button').first().click();
}
