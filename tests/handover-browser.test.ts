// The handover pages in a real browser (Debian's chromium via playwright-core) against real servers (startHarness):
// the ABH counsellor proposes a handover, records the client's consent, schedules the handover meeting and marks it
// held; the receiving case manager, in a second browser context, sees only the state before consent, then accepts
// and lands on the new case page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserTestsEnabled, launchBrowser, signInAs } from './support/browser.js';
import { startHarness, type Harness } from './support/harness.js';

const available = browserTestsEnabled('handover-browser.test');

let h: Harness;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!available) return;
  h = await startHarness();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

function watch(page: Page): Page {
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

/** id of the element that has the focus (the tsconfig has no DOM lib, hence the string expression). */
function focusedId(page: Page): Promise<string> {
  return page.evaluate('document.activeElement ? document.activeElement.id : ""') as Promise<string>;
}

/** Runs a handover action through its form: opens the folded form if needed, fills it, submits, waits for the result. */
async function act(page: Page, action: string, fill?: (form: ReturnType<Page['locator']>) => Promise<void>) {
  const block = page.locator(`#aktion-${action}`);
  if ((await block.getAttribute('open')) === null) await block.locator('summary').click();
  const form = block.locator('form');
  if (fill) await fill(form);
  await form.getByRole('button').click();
  await page.waitForURL(new RegExp(`erledigt=${action}$`));
}

describe.skipIf(!available)('the handover pages in chromium', () => {
  it('counsellor proposes, consent, meeting planned and held; the receiving case manager takes the case over', async () => {
    const { page } = await signInAs(browser, h.baseUrl, 'abh@kim.example');
    watch(page);

    // The counsellor's way in: navigation → list → proposal form.
    await page.getByRole('link', { name: 'Übergaben', exact: true }).click();
    await page.waitForURL(/\/uebergaben$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Übergaben');
    await page.getByRole('link', { name: 'Neue Übergabe vorschlagen' }).click();
    await page.waitForURL(/\/uebergaben\/neu$/);

    // A first try without the reason: the focused error summary links to the field, the input survives.
    await page.getByLabel('Vorname').fill('Yonas');
    await page.getByLabel('Nachname').fill('Tesfaye');
    await page.getByLabel('Geburtsdatum').fill('1994-09-21');
    await page.getByLabel('Wohnort (Kommune)').selectOption('Zülpich');
    await page.getByLabel('Sprachen').fill('Tigrinya, Deutsch');
    await page.getByLabel('§ 25b AufenthG – nachhaltige Integration').check();
    await page.getByLabel('§ 60c AufenthG – Ausbildungsduldung').check();
    await page.getByLabel('Weitere aufenthaltsrechtliche Angaben').fill('Ausbildung zum Elektroniker seit 2023');
    await page.getByRole('button', { name: 'Übergabe vorschlagen' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.evaluate('document.activeElement.className')).toBe('error-summary');
    await page.locator('.error-summary a', { hasText: 'Grund der Übergabe' }).click();
    expect(await focusedId(page)).toBe('uebergabe-reason');
    expect(await page.getByLabel('Nachname').inputValue()).toBe('Tesfaye');
    expect(await page.getByLabel('§ 60c AufenthG – Ausbildungsduldung').isChecked()).toBe(true);

    await page.getByLabel('Grund der Übergabe').fill('Wohnungssuche und Anerkennung des Abschlusses');
    await page.getByRole('button', { name: 'Übergabe vorschlagen' }).click();
    await page.waitForURL(/\/uebergaben\/[0-9a-f-]{36}\?angelegt=1$/);
    const handoverUrl = new URL(page.url()).pathname;
    await expect(page.locator('h1').textContent()).resolves.toContain('Übergabe: Yonas Tesfaye');
    await expect(page.locator('.notice--info').textContent()).resolves.toContain('Die Übergabe wurde vorgeschlagen.');

    // The receiving case manager (Zülpich → DRK) already sees that a handover is coming, but not for whom.
    const receiving = await signInAs(browser, h.baseUrl, 'cm.drk@kim.example');
    watch(receiving.page);
    await receiving.page.goto(handoverUrl);
    const early = await receiving.page.locator('main').textContent();
    expect(early).toContain('Einwilligung ausstehend');
    expect(early).not.toContain('Tesfaye');
    expect(early).not.toContain('Ausbildungsduldung');

    await act(page, 'record-consent', async (form) => {
      await form.getByLabel('Entscheidung der Person').selectOption({ label: 'erteilt' });
    });
    await act(page, 'schedule-meeting', async (form) => {
      await form.getByLabel('Datum des Gesprächs').fill('2099-03-10');
      await form.getByLabel('Uhrzeit').fill('14:00');
    });
    await expect(page.locator('#gespraech + dl').textContent()).resolves.toContain('10.03.2099, 14:00');
    await act(page, 'complete-meeting', async (form) => {
      await form.getByLabel('Notizen zum Gespräch').fill('Ziele und nächste Schritte besprochen');
    });
    await expect(page.locator('main').textContent()).resolves.toContain('Ziele und nächste Schritte besprochen');
    // Taking over is the receiving side's: the counsellor is not offered it.
    expect(await page.locator('#aktion-accept').count()).toBe(0);

    await receiving.page.reload();
    const now = await receiving.page.locator('main').textContent();
    expect(now).toContain('Übergabe: Yonas Tesfaye');
    expect(now).toContain('§ 60c AufenthG – Ausbildungsduldung');
    await act(receiving.page, 'accept');
    await expect(receiving.page.getByRole('status').first().textContent()).resolves.toContain('Der Fall wurde übernommen.');
    await receiving.page.getByRole('link', { name: 'Zum neuen Fall' }).click();
    await receiving.page.waitForURL(/\/faelle\/[0-9a-f-]{36}$/);
    await expect(receiving.page.locator('h1').textContent()).resolves.toContain('Yonas Tesfaye');
    await expect(receiving.page.locator('.facts').first().textContent()).resolves.toContain('Ausländerbehörde');
    await receiving.context.close();

    // The counsellor's list shows the handover as handed over.
    await page.goto('/uebergaben');
    await expect(page.locator('tbody').textContent()).resolves.toContain('Übergeben');
    expect(pageErrors).toEqual([]);
  });
});
