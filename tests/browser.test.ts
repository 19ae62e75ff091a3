// The pages in a real browser (Debian's chromium via playwright-core) against real servers (startHarness: database,
// Temporal dev server, worker, HTTP app): a case manager takes a case from intake to a closure request, the
// coordinator approves it in a second browser context, a refused action shows its message, and a case manager of
// another provider gets the 404 page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserTestsEnabled, launchBrowser, signInAs } from './support/browser.js';
import { startHarness, type Harness } from './support/harness.js';

const available = browserTestsEnabled('browser.test');

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

/** id of the element that has the focus (the tsconfig has no DOM lib, hence the string expression). */
function focusedId(page: Page): Promise<string> {
  return page.evaluate('document.activeElement ? document.activeElement.id : ""') as Promise<string>;
}

function watch(page: Page): Page {
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

/**
 * Runs a case action through its form on the case page: opens the folded form if needed, lets `fill` enter the
 * fields, submits, and waits for the success notice.
 */
async function act(page: Page, action: string, fill?: (form: ReturnType<Page['locator']>) => Promise<void>) {
  const block = page.locator(`#aktion-${action}`);
  if ((await block.getAttribute('open')) === null) await block.locator('summary').click();
  const form = block.locator('form');
  if (fill) await fill(form);
  await form.locator('.button-row button').first().click();
  await page.waitForURL(new RegExp(`erledigt=${action}$`));
  // The notice says what changed and what comes next (issue 14), not just that something ran.
  await expect(page.locator('.action-feedback').textContent()).resolves.toMatch(/\S/);
}

describe.skipIf(!available)('the pages in chromium', () => {
  let caseUrl: string;

  it('a case manager opens a case and takes it to a closure request; coordination approves it', async () => {
    const { page } = await signInAs(browser, h.baseUrl, 'cm.caritas-eifel@kim.example');
    watch(page);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Meine Fälle');

    // The skip link is the first stop of the keyboard.
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Zum Inhalt springen');

    // Intake: a first try without a given name shows the error summary (focused) that links to the field.
    await page.getByRole('link', { name: 'Neuer Fall' }).click();
    await page.getByLabel('Nachname').fill('Haddad');
    await page.getByLabel('Geburtsdatum').fill('1985-04-12');
    await page.getByLabel('Wohnort (Kommune)').selectOption('Schleiden');
    await page.getByLabel('Sprachen').fill('Arabisch, Französisch');
    await page.getByLabel('Zugang').selectOption({ label: 'Selbstmelder*in' });
    await page.getByRole('button', { name: 'Fall anlegen' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.evaluate('document.activeElement.className')).toBe('error-summary');
    await page.locator('.error-summary a', { hasText: 'Vorname' }).click();
    expect(await focusedId(page)).toBe('neu-person-givenName');
    // The input survived the round trip.
    expect(await page.getByLabel('Nachname').inputValue()).toBe('Haddad');
    expect(await page.getByLabel('Wohnort (Kommune)').inputValue()).toBe('Schleiden');

    await page.getByLabel('Vorname').fill('Amal');
    await page.getByRole('button', { name: 'Fall anlegen' }).click();
    await page.waitForURL(/\/faelle\/[0-9a-f-]{36}\?angelegt=1$/);
    caseUrl = new URL(page.url()).pathname;
    const created = await page.locator('.notice--info').textContent();
    expect(created).toContain('Vorgeschlagener Träger: Caritas Eifel');
    expect(created).toContain('Wohnort Schleiden');

    await act(page, 'confirm-provider');
    await act(page, 'record-consent', async (form) => {
      await form.getByLabel('Entscheidung der Person').selectOption({ label: 'erteilt' });
    });
    await act(page, 'start-assessment');
    // Half done: saved as a draft, the form comes back filled (issue 14).
    const assessment = page.locator('#aktion-complete-assessment');
    if ((await assessment.getAttribute('open')) === null) await assessment.locator('summary').click();
    await assessment.locator('#aktion-complete-assessment-lifeAreas-language-need').selectOption({ label: 'hoher Bedarf' });
    await assessment.locator('#aktion-complete-assessment-lifeAreas-language-situation').fill('A1, sucht Integrationskurs');
    await assessment.getByRole('button', { name: 'Als Entwurf speichern' }).click();
    await page.waitForURL(/erledigt=save-assessment-draft$/);
    await expect(page.locator('.action-feedback').textContent()).resolves.toContain('Assessment-Entwurf gespeichert (1 Lebensbereiche)');
    await expect(page.locator('#aktion-complete-assessment-lifeAreas-language-situation').inputValue()).resolves.toBe('A1, sucht Integrationskurs');
    await act(page, 'complete-assessment', async (form) => {
      await form.locator('#aktion-complete-assessment-lifeAreas-work-need').selectOption({ label: 'geringer Bedarf' });
      await form.locator('#aktion-complete-assessment-lifeAreas-work-situation').fill('Erfahrung als Schneiderin');
    });
    await act(page, 'agree-goals', async (form) => {
      await form.locator('#aktion-agree-goals-goals-0-title').fill('Deutsch auf B1');
      await form.locator('#aktion-agree-goals-goals-0-measure').fill('Integrationskurs an der VHS');
      await form.locator('#aktion-agree-goals-goals-0-owner').fill('Frau Haddad');
      await form.locator('#aktion-agree-goals-goals-0-dueDate').fill('2099-06-30');
    });
    await act(page, 'refer', async (form) => {
      // Issue 14: the service from the referral catalogue, a partner missing there as "Sonstiges" with its name.
      await form.locator('#aktion-refer-serviceCode').selectOption({ label: 'Sprachkurs' });
      await form.locator('#aktion-refer-partnerCode').selectOption({ label: 'Sonstiges (unten angeben)' });
      await form.getByLabel('Sonstiger Partner vor Ort').fill('VHS Euskirchen');
    });
    await act(page, 'record-contact', async (form) => {
      await form.getByLabel('Art des Kontakts').selectOption({ label: 'Begleitung' });
      await form.getByLabel('Dauer in Minuten').fill('90');
    });
    await act(page, 'start-review');
    await act(page, 'complete-review', async (form) => {
      await form.getByLabel('Ergebnis der Überprüfung').selectOption('continue');
      await form.getByLabel('Notizen').fill('Kurs läuft, Anmeldung bestätigt');
    });
    await act(page, 'request-closure', async (form) => {
      await form.getByLabel('Abschlussgrund').selectOption({ label: 'Ziele erreicht' });
      await form.getByLabel('Zielerreichung').selectOption({ label: 'erreicht' });
    });

    const main = await page.locator('main').textContent();
    expect(main).toContain('Sprache');
    expect(main).toContain('Deutsch auf B1');
    expect(main).toContain('Sprachkurs');
    expect(main).toContain('Begleitung 1');
    expect(main).toContain('Die Freigabe durch die KIM-Koordination steht aus.');
    // Approval is the coordinators': the case manager is not offered it.
    expect(await page.locator('#aktion-approve-closure').count()).toBe(0);

    // A second tab of the case manager stays on the case page while coordination approves the closure.
    const stale = watch(await page.context().newPage());
    await stale.goto(caseUrl);

    const coordination = await signInAs(browser, h.baseUrl, 'koordination@kim.example');
    watch(coordination.page);
    await coordination.page.goto(caseUrl);
    await act(coordination.page, 'approve-closure');
    await expect(coordination.page.locator('h1').textContent()).resolves.toContain('Abschluss');
    // The coordinator dashboard, through the navigation: the closed case no longer counts as open.
    await coordination.page.getByRole('link', { name: 'Übersicht', exact: true }).click();
    await expect(coordination.page.locator('h1').textContent()).resolves.toBe('Übersicht Koordination');
    expect(await coordination.page.locator('main').textContent()).toContain('0 offene Fälle');
    expect(await coordination.page.locator('svg[role="img"]').count()).toBe(1);
    await coordination.context.close();

    // The stale form is refused by the workflow: the page says why, and focuses the message.
    const block = stale.locator('#aktion-record-contact');
    await block.locator('summary').click();
    await block.getByLabel('Dauer in Minuten').fill('15');
    await block.getByRole('button').click();
    const refusal = stale.locator('[data-fehler-fokus]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('„Kontakt erfassen“ wurde nicht ausgeführt: „Kontakt erfassen“ ist im Status „Abschluss“ nicht möglich.');
    expect(await stale.evaluate('document.activeElement.getAttribute("role")')).toBe('alert');
    await expect(stale.locator('h1').textContent()).resolves.toContain('Abschluss');
    await page.context().close();
  });

  it('a case manager of another provider cannot open the case', async () => {
    const { page, context } = await signInAs(browser, h.baseUrl, 'cm.drk@kim.example');
    watch(page);
    const response = await page.goto(caseUrl);
    expect(response?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('Seite nicht gefunden');
    expect(await page.locator('main').textContent()).not.toContain('Haddad');
    // Nor does their list show it.
    await page.goto('/faelle');
    expect(await page.locator('main').textContent()).not.toContain('Haddad');
    await context.close();
  });

  it('ran without script errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
