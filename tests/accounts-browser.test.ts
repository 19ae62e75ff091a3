// Invitation in a real browser (Debian's chromium via playwright-core) against real servers (startHarness: database,
// Temporal dev server, SMTP server, HTTP app): an admin invites a case manager through the pages, the invitation mail
// arrives over SMTP, the invited person opens the link in their own browser, sets a password and signs in with it.
// Each page on the way passes axe-core (WCAG 2.1 A/AA rules).
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { signInAs } from './support/browser.js';
import { useBrowserHarness } from './support/browser-harness.js';
import { axeViolations } from './support/axe.js';
import type { Harness } from './support/harness.js';

let h: Harness;
let browser: Browser;
const available = useBrowserHarness('accounts-browser.test', (opened) => ({ h, browser } = opened));

const PASSWORD = 'Brombeere-Leuchtturm-Wanderweg-8';

describe.skipIf(!available)('invitation in chromium', () => {
  it('admin invites → the person sets a password through the mailed link → signs in', async () => {
    const { page: adminPage } = await signInAs(browser, h.baseUrl, 'admin@kim.example');
    await adminPage.getByRole('link', { name: 'Verwaltung' }).click();
    await adminPage.getByRole('link', { name: 'Konten' }).click();
    await adminPage.getByRole('link', { name: 'Konto einladen' }).click();
    expect(await axeViolations(adminPage)).toEqual([]);
    await adminPage.getByLabel('Dienstliche E-Mail-Adresse').fill('lena.neu@kim.example');
    await adminPage.getByLabel(/^Name/).fill('Lena Neu');
    await adminPage.getByLabel('Rolle').selectOption('case_manager');
    await adminPage.getByLabel('Organisation').selectOption('caritas-eifel');
    await adminPage.getByRole('button', { name: 'Einladung senden' }).click();
    await adminPage.waitForURL(/\/verwaltung\/konten\/[^/]+\?erledigt=eingeladen$/);
    await expect(adminPage.getByRole('status').first().textContent()).resolves.toContain('Einladung wurde per E-Mail verschickt');
    expect(await axeViolations(adminPage)).toEqual([]);

    const mails = await h.smtp.waitFor((all) => all.some((m) => m.envelopeTo.includes('lena.neu@kim.example')));
    const mail = mails.find((m) => m.envelopeTo.includes('lena.neu@kim.example'))!;
    expect(mail.subject).toBe('Einladung zu KIM Casework');
    const path = /\/konto\/passwort\/[A-Za-z0-9_-]{43}/.exec(mail.text)![0];

    // The invited person: their own browser, no session.
    const context = await browser.newContext({ baseURL: h.baseUrl, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Passwort festlegen');
    expect(await axeViolations(page)).toEqual([]);
    // A common password is refused with the reason next to the field.
    await page.getByLabel(/^Neues Passwort/).fill('passwort1234');
    await page.getByLabel(/^Passwort wiederholen/).fill('passwort1234');
    await page.getByRole('button', { name: 'Passwort speichern' }).click();
    await expect(page.locator('.field-error').first().textContent()).resolves.toContain('zu leicht zu erraten');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel(/^Neues Passwort/).fill(PASSWORD);
    await page.getByLabel(/^Passwort wiederholen/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Passwort speichern' }).click();
    await page.waitForURL(/\/anmelden\?passwort=1$/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Ihr Passwort ist gespeichert');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('E-Mail-Adresse').fill('lena.neu@kim.example');
    await page.getByLabel(/^Passwort/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL(/\/faelle$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Meine Fälle');
    await expect(page.getByText('Angemeldet: Lena Neu').count()).resolves.toBe(1);

    // The link is used up.
    const again = await page.goto(path);
    expect(again?.status()).toBe(410);
    await context.close();
  });

  it('the administration pages pass axe-core', async () => {
    const { page, context } = await signInAs(browser, h.baseUrl, 'koordination@kim.example');
    for (const path of ['/verwaltung', '/verwaltung/konten', '/verwaltung/fristen', '/verwaltung/organisationen', '/verwaltung/organisationen/drk', '/verwaltung/zustaendigkeit', '/verwaltung/protokoll']) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(200);
      expect(await axeViolations(page), path).toEqual([]);
    }
    // A refused settings form: the error summary and field errors pass as well.
    await page.goto('/verwaltung/fristen');
    await page.getByLabel(/^Erster Assessment-Schritt/).fill('0');
    await page.getByRole('button', { name: 'Fristen speichern' }).click();
    await expect(page.locator('.error-summary').count()).resolves.toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
    const anonymous = await browser.newContext({ baseURL: h.baseUrl });
    const forgot = await anonymous.newPage();
    await forgot.goto('/passwort-vergessen');
    expect(await axeViolations(forgot)).toEqual([]);
    await anonymous.close();
  });
});
