// The referral catalogue in chromium (issue 14): coordination keeps it on /verwaltung/vermittlungskatalog (create,
// a second spelling refused in German, deactivate), and the refer form on the case page chooses from it — a
// deactivated entry is not offered, "Sonstiges" without its text is refused on the form, a catalogue entry is sent and
// stored with its code. The case page's panel of linked cases is on the page too. axe-core (WCAG 2.1 A/AA) on each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { login } from '../harness/auth.js';
import { axeViolations } from './support/axe.js';
import { browserTestsEnabled, launchBrowser, signInAs, submitCaseAction } from './support/browser.js';
import { startHarness, type Harness } from './support/harness.js';

const available = browserTestsEnabled('referral-catalogue-browser.test');

let h: Harness;
let browser: Browser;
let caseId: string;

beforeAll(async () => {
  if (!available) return;
  h = await startHarness();
  browser = await launchBrowser();
  const cm = await login(h.baseUrl, 'cm.drk@kim.example');
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers: cm.headers(), body: JSON.stringify(body) });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return (await res.json()) as { id: string };
  };
  caseId = (await call('/api/v1/cases', { person: { givenName: 'Amina', familyName: 'Haddad', birthDate: '1990-05-04', municipality: 'Zülpich', languages: ['ar'] }, source: 'self' })).id;
  await call(`/api/v1/cases/${caseId}/actions/record-consent`, { scope: 'data_processing', decision: 'given' });
  await call(`/api/v1/cases/${caseId}/actions/start-assessment`, {});
  await call(`/api/v1/cases/${caseId}/actions/complete-assessment`, { lifeAreas: [{ area: 'finances', situation: 'Schulden', need: 'high' }] });
  await call(`/api/v1/cases/${caseId}/actions/agree-goals`, { goals: [{ title: 'Schulden ordnen', measure: 'Beratung', owner: 'Klientin', dueDate: '2099-06-30' }] });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe.skipIf(!available)('the referral catalogue', () => {
  it('is kept by coordination on its admin page', async () => {
    const { page, context } = await signInAs(browser, h.baseUrl, 'koordination@kim.example');
    await page.goto('/verwaltung');
    await page.getByRole('link', { name: 'Vermittlungskatalog' }).click();
    await page.waitForURL(/\/verwaltung\/vermittlungskatalog$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Vermittlungskatalog');
    await expect(page.locator('tbody').textContent()).resolves.toContain('Migrationsberatung für Erwachsene (MBE)');
    expect(await axeViolations(page)).toEqual([]);

    await page.locator('#eintrag-name').fill('Tafel Zülpich');
    await page.locator('#eintrag-kind').selectOption({ label: 'Angebot/Dienst' });
    await page.getByRole('button', { name: 'Anlegen' }).click();
    await page.waitForURL(/erledigt=angelegt$/);
    await expect(page.locator('[role="status"]').textContent()).resolves.toContain('Der Eintrag ist angelegt.');
    const row = page.locator('tbody tr', { hasText: 'Tafel Zülpich' });
    await expect(row.textContent()).resolves.toContain('tafel-zuelpich');

    // Another spelling of the same name: refused on the form, in German.
    await page.locator('#eintrag-name').fill('tafel  zülpich');
    await page.getByRole('button', { name: 'Anlegen' }).click();
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Name schon vergeben');
    expect(await axeViolations(page)).toEqual([]);

    await row.getByRole('button', { name: 'Tafel Zülpich deaktivieren' }).click();
    await page.waitForURL(/erledigt=deaktiviert$/);
    await expect(page.locator('tbody tr', { hasText: 'Tafel Zülpich' }).textContent()).resolves.toContain('deaktiviert');
    expect(await h.db.adminAudit.count({ where: { entity: 'referral_catalogue', entityId: 'tafel-zuelpich' } })).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('gives the refer form its choices; a referral is stored with the code', async () => {
    const { page, context } = await signInAs(browser, h.baseUrl, 'cm.drk@kim.example');
    await page.goto(`/faelle/${caseId}`);
    const service = page.locator('#aktion-refer-serviceCode');
    const offered = await service.locator('option').allTextContents();
    expect(offered).toContain('Schuldnerberatung');
    expect(offered).toContain('Sonstiges (unten angeben)');
    expect(offered).not.toContain('Tafel Zülpich'); // deactivated in the test before
    await expect(page.locator('#verknuepfte-faelle').textContent()).resolves.toBe('Verknüpfte Fälle');

    // "Sonstiges" without saying what: refused on the form.
    await submitCaseAction(page, 'refer', async (form) => {
      await form.locator('#aktion-refer-serviceCode').selectOption({ label: 'Sonstiges (unten angeben)' });
    });
    await expect(page.locator('#aktion-refer').textContent()).resolves.toContain('Bei „Sonstiges“ bitte die Stelle als Text angeben.');
    expect(await axeViolations(page)).toEqual([]);

    await submitCaseAction(page, 'refer', async (form) => {
      await form.locator('#aktion-refer-serviceCode').selectOption({ label: 'Schuldnerberatung' });
      await form.locator('#aktion-refer-partnerCode').selectOption({ label: 'DRK Kreisverband Euskirchen' });
    });
    await page.waitForURL(/erledigt=refer$/);
    await expect(page.locator('main').textContent()).resolves.toContain('Schuldnerberatung');
    const event = await h.db.caseEvent.findFirstOrThrow({ where: { caseId, type: 'referral_sent' } });
    expect((event.data as { referral: Record<string, unknown> }).referral).toMatchObject({ service: 'Schuldnerberatung', serviceCode: 'schuldnerberatung', partnerCode: 'p-drk' });
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
