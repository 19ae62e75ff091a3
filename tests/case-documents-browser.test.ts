// The case file in chromium: the case page's form uploads a PDF (multipart with the CSRF field), a wrong file type is
// refused on the form in German with nothing stored, the list shows the document and its link downloads the same
// bytes as an attachment; the contact data form saves, a bad e-mail is refused on the form. axe-core (WCAG 2.1 A/AA)
// on the page with the open forms and their errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { login } from '../harness/auth.js';
import { axeViolations } from './support/axe.js';
import { browserTestsEnabled, launchBrowser, signInAs } from './support/browser.js';
import { startHarness, type Harness } from './support/harness.js';

const available = browserTestsEnabled('case-documents-browser.test');

let h: Harness;
let browser: Browser;
let caseId: string;
let dir: string;

beforeAll(async () => {
  if (!available) return;
  h = await startHarness();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'kim-documents-'));
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

describe.skipIf(!available)('documents on the case page', () => {
  it('uploads a PDF with the form, refuses a disguised file in German, and downloads it as an attachment', async () => {
    const { page, context } = await signInAs(browser, h.baseUrl, 'cm.drk@kim.example');
    const pdfPath = join(dir, 'Einwilligung Haddad.pdf');
    const pdf = Buffer.from('%PDF-1.4\n% Einwilligung unterschrieben\n%%EOF\n');
    writeFileSync(pdfPath, pdf);
    const fakePath = join(dir, 'seite.pdf');
    writeFileSync(fakePath, '<html><script>alert(1)</script></html>');

    await page.goto(`/faelle/${caseId}`);
    await expect(page.locator('#dokumente').textContent()).resolves.toBe('Dokumente');
    await page.locator('#dokument-ablegen summary').click();
    // A disguised file: refused on the form, with its German message, nothing stored.
    await page.selectOption('#dokument-art', 'other');
    await page.fill('#dokument-titel', 'Seite');
    await page.setInputFiles('#dokument-datei', fakePath);
    await page.locator('#dokument-ablegen').getByRole('button', { name: 'Dokument ablegen' }).click();
    await expect(page.locator('#dokument-ablegen .field-error').textContent()).resolves.toContain('Nur PDF-, JPEG- oder PNG-Dateien sind erlaubt.');
    expect(await page.locator('#dokument-titel').inputValue()).toBe('Seite');
    expect(await h.db.caseDocument.count({ where: { caseId } })).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    await page.selectOption('#dokument-art', 'consent_signed');
    await page.fill('#dokument-titel', 'Einwilligung unterschrieben');
    await page.setInputFiles('#dokument-datei', pdfPath);
    await page.locator('#dokument-ablegen').getByRole('button', { name: 'Dokument ablegen' }).click();
    await page.waitForURL(new RegExp(`/faelle/${caseId}#dokumente$`));
    const row = page.locator('section[aria-labelledby="dokumente"] tbody tr');
    await expect(row.textContent()).resolves.toContain('Einwilligung (unterschrieben)');
    await expect(row.textContent()).resolves.toContain('Einwilligung unterschrieben');
    expect(await axeViolations(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: /Herunterladen/ }).click()]);
    expect(download.suggestedFilename()).toBe('Einwilligung_Haddad.pdf');
    const saved = join(dir, 'saved.pdf');
    await download.saveAs(saved);
    expect(readFileSync(saved).equals(pdf)).toBe(true);
    await context.close();
  });

  it('edits the contact data with the case page form, a bad e-mail refused on the form', async () => {
    const { page, context } = await signInAs(browser, h.baseUrl, 'cm.drk@kim.example');
    await page.goto(`/faelle/${caseId}`);
    await page.locator('#kontaktdaten-bearbeiten summary').click();
    await page.fill('#kontakt-anschrift', 'Markt 1, 53909 Zülpich');
    await page.fill('#kontakt-email', 'keine-adresse');
    await page.check('#kontakt-dolmetschung');
    await page.getByRole('button', { name: 'Kontaktdaten speichern' }).click();
    await expect(page.locator('#kontaktdaten-bearbeiten .field-error').textContent()).resolves.toContain('E-Mail: keine gültige E-Mail-Adresse.');
    expect(await page.locator('#kontakt-anschrift').inputValue()).toBe('Markt 1, 53909 Zülpich');
    expect(await page.locator('#kontakt-dolmetschung').isChecked()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    await page.fill('#kontakt-email', 'amina@example.org');
    await page.fill('#kontakt-sprache', 'Arabisch');
    await page.getByRole('button', { name: 'Kontaktdaten speichern' }).click();
    await page.waitForURL(new RegExp(`/faelle/${caseId}#kontaktdaten$`));
    const shown = await page.locator('section[aria-labelledby="kontaktdaten"] dl').textContent();
    expect(shown).toContain('amina@example.org');
    expect(shown).toContain('Arabisch');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
