// Issue 14 in chromium: the case page says where the case stands (phase, pending request, the next step with its form
// before everything else, on a phone too), feedback says what changed, consent is asked per scope without a preset
// decision; the case list on a phone shows the next deadline; search finds names in any order and birth dates; the
// coordination screens fit 1280 px and their figures link to the cases; the favicon loads under the CSP.
// axe-core (WCAG 2.1 A/AA) on every page visited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { login } from '../harness/auth.js';
import { axeViolations } from './support/axe.js';
import { browserTestsEnabled, launchBrowser, signInAs } from './support/browser.js';
import { startHarness, type Harness } from './support/harness.js';

const available = browserTestsEnabled('case-header-browser.test');

let h: Harness;
let browser: Browser;
let caseId: string;

beforeAll(async () => {
  if (!available) return;
  h = await startHarness();
  browser = await launchBrowser();
  const cm = await login(h.baseUrl, 'cm.drk@kim.example');
  const created = await fetch(`${h.baseUrl}/api/v1/cases`, {
    method: 'POST',
    headers: cm.headers(),
    body: JSON.stringify({
      person: { givenName: 'Amina', familyName: 'Haddad', birthDate: '1990-05-04', municipality: 'Zülpich', languages: ['ar'] },
      source: 'self',
    }),
  });
  expect(created.status).toBe(201);
  caseId = ((await created.json()) as { id: string }).id;
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The page's script errors and console errors (CSP refusals, failed loads), for the test to check. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  return problems;
}

const top = async (page: Page, selector: string) => (await page.locator(selector).first().boundingBox())!.y;

/** No region of the page scrolls sideways. */
async function sidewaysScrolling(page: Page): Promise<string[]> {
  return (await page.evaluate(
    `[...document.querySelectorAll('.table-scroll')].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.getAttribute('aria-labelledby') || e.className)`,
  )) as string[];
}

describe.skipIf(!available)('the case page header', () => {
  it('names the next step before everything else, and after each action what changed', async () => {
    const { page, context } = await signInAs(browser, h.baseUrl, 'cm.drk@kim.example');
    const problems = watch(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/faelle/${caseId}`);
    const header = page.locator('.case-header');
    await expect(header.textContent()).resolves.toContain('Träger bestätigen, dann Einwilligung erfassen');
    await expect(header.textContent()).resolves.toContain('Keine Einwilligung zur Datenverarbeitung erfasst');
    // On a phone the next step (and its form) comes before the facts, the deadlines and the other actions.
    const nextTop = await top(page, '#naechster-schritt');
    expect(nextTop).toBeLessThan(await top(page, '#stammdaten'));
    expect(nextTop).toBeLessThan(await top(page, '#fristen'));
    expect(await top(page, '.next-step #aktion-confirm-provider')).toBeLessThan(await top(page, '#aktionen-titel'));
    expect(await axeViolations(page)).toEqual([]);

    // The next step's form is open in the header: confirm the provider there.
    await page.locator('.next-step #aktion-confirm-provider').getByRole('button', { name: 'Träger bestätigen' }).click();
    await page.waitForURL(/erledigt=confirm-provider$/);
    const feedback = await page.locator('.action-feedback').textContent();
    expect(feedback).toContain('Trägervorschlag bestätigt: DRK');
    expect(feedback).toContain('Nächster Schritt: Einwilligung erfassen, dann Assessment beginnen');
    expect(feedback).not.toContain('wurde ausgeführt');
    // Done is done: "Träger bestätigen" is no longer offered.
    expect(await page.locator('#aktion-confirm-provider').count()).toBe(0);
    await expect(page.locator('.done-steps').textContent()).resolves.toMatch(/Träger bestätigt am \d\d\.\d\d\.\d{4}/);

    // Consent: one form per scope, the decision not preset; data processing has no partner fields.
    const consent = page.locator('.next-step #aktion-record-consent');
    await expect(consent.locator('select[name="decision"]').inputValue()).resolves.toBe('');
    expect(await consent.locator('[name="partnerName"]').count()).toBe(0);
    expect(await page.locator('#aktion-record-consent-weitergabe [name="partnerName"]').count()).toBe(1);
    await consent.getByRole('button').click();
    await page.locator('.error-summary').waitFor();
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Entscheidung der Person: Pflichtfeld');
    await page.locator('.next-step #aktion-record-consent select[name="decision"]').selectOption({ label: 'erteilt' });
    await page.locator('.next-step #aktion-record-consent').getByRole('button').click();
    await page.waitForURL(/erledigt=record-consent$/);
    await expect(page.locator('.action-feedback').textContent()).resolves.toContain('Nächster Schritt: Assessment beginnen');

    // After "Abschluss beantragen" the header shows the request and what it waits for.
    const more = page.locator('#aktion-request-closure');
    await more.locator('summary').click();
    await more.getByLabel('Abschlussgrund').selectOption({ label: 'Weggezogen' });
    await more.getByLabel('Zielerreichung').selectOption({ label: 'nicht erreicht' });
    await more.getByRole('button').click();
    await page.waitForURL(/erledigt=request-closure$/);
    await expect(page.locator('h1').textContent()).resolves.toContain('Abschluss beantragt');
    await expect(page.locator('.action-feedback').textContent()).resolves.toMatch(/Neue Frist: Entscheidung über den Abschlussantrag \(fällig \d\d\.\d\d\.\d{4}\)/);
    const standing = await page.locator('.case-header__standing').textContent();
    expect(standing).toMatch(/Abschluss beantragt am \d\d\.\d\d\.\d{4} \(Weggezogen/);
    await expect(page.locator('.next-step__text').textContent()).resolves.toContain('Freigabe des Abschlussantrags durch die KIM-Koordination abwarten');
    expect(await axeViolations(page)).toEqual([]);
    // Only the refused consent form's answer (422, on purpose) may show up as a failed load.
    expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!available)('the case list and search', () => {
  it('shows the next deadline on a phone without sideways scrolling', async () => {
    const { page, context } = await signInAs(browser, h.baseUrl, 'cm.drk@kim.example');
    await page.setViewportSize({ width: 390, height: 844 });
    const problems = watch(page);
    await page.goto('/faelle');
    const next = page.locator('.case-list tbody tr').first().locator('.case-list__next');
    await expect(next.textContent()).resolves.toMatch(/Entscheidung über den Abschlussantrag, \d\d\.\d\d\.\d{4}/);
    const box = (await next.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await sidewaysScrolling(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('finds a person by names in any order and by birth date in German or ISO form', async () => {
    const { page, context } = await signInAs(browser, h.baseUrl, 'cm.drk@kim.example');
    watch(page);
    for (const search of ['Haddad Amina', 'amina haddad', '04.05.1990', '4.5.1990', '1990-05-04', 'Haddad 04.05.1990']) {
      await page.getByLabel('Name oder Geburtsdatum').fill(search);
      await page.getByRole('button', { name: 'Filtern' }).click();
      await page.waitForURL(/suche=/);
      await expect(page.locator('main table').textContent(), search).resolves.toContain('Haddad, Amina');
    }
    for (const search of ['Haddad Maria', '05.04.1990']) {
      await page.getByLabel('Name oder Geburtsdatum').fill(search);
      await page.getByRole('button', { name: 'Filtern' }).click();
      await page.waitForURL(/suche=/);
      await expect(page.locator('main').textContent(), search).resolves.toContain('Keine Fälle gefunden');
    }
    await context.close();
  });
});

describe.skipIf(!available)('the coordination screens', () => {
  it('fit 1280 px, link their figures to the cases, and carry the favicon', async () => {
    const { page, context } = await signInAs(browser, h.baseUrl, 'koordination@kim.example');
    const problems = watch(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/koordination');
    expect(await sidewaysScrolling(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    // The DRK row's figure of cases in intake opens the list of exactly those cases.
    const row = page.locator('table.figures tbody tr', { hasText: 'DRK' });
    await row.locator('a[href*="status=intake"]').click();
    await page.waitForURL(/\/faelle\?traeger=drk&status=intake$/);
    await expect(page.locator('main table').textContent()).resolves.toContain('Haddad, Amina');
    await expect(page.locator('#filter-traeger').inputValue()).resolves.toBe('drk');

    await page.goto(`/koordination/jahresbericht?jahr=${new Date().getUTCFullYear()}`);
    expect(await sidewaysScrolling(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);

    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toBe('/assets/favicon.svg');
    const res = await page.request.get(icon!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('image/svg+xml');
    expect(problems).toEqual([]);
    await context.close();
  });
});
