// Consent-bound sharing in a real browser (Debian's chromium) against real servers: the DRK case manager records the
// client's consent to pass master data to Caritas Eifel through the case page's form; the Caritas Eifel case
// manager finds the case under "Für Ihre Organisation freigegeben" and sees the master data only — not the
// assessment; after the DRK withdraws the consent on its page, the very next visit of the partner gets the 404 page.
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { login, type SignedIn } from '../harness/auth.js';
import { signInAs } from './support/browser.js';
import { useBrowserHarness } from './support/browser-harness.js';
import type { Harness } from './support/harness.js';

let h: Harness;
let browser: Browser;
const available = useBrowserHarness('sharing-browser.test', (opened) => ({ h, browser } = opened));

async function api(who: SignedIn, method: string, path: string, body?: unknown) {
  const res = await fetch(`${h.baseUrl}${path}`, { method, headers: who.headers(), body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as any;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Submits a case action's form on the case page (opening the folded block first) and waits for the notice. */
async function act(page: Page, action: string, fill: (form: ReturnType<Page['locator']>) => Promise<void>) {
  const block = page.locator(`#aktion-${action}`);
  if ((await block.getAttribute('open')) === null) await block.locator('summary').click();
  const form = block.locator('form');
  await fill(form);
  await form.getByRole('button').click();
  await page.waitForURL(new RegExp(`erledigt=${action.replace(/-weitergabe$/, '')}$`));
}

describe.skipIf(!available)('consent-bound sharing in chromium', () => {
  it('the partner sees what the consent covers, and nothing once it is withdrawn', async () => {
    // A DRK case with an assessment (set up over the API; the sharing itself goes through the pages).
    const drkApi = await login(h.baseUrl, 'cm.drk@kim.example');
    const situation = 'Wohnt beengt bei Verwandten in Kall';
    const created = await api(drkApi, 'POST', '/api/v1/cases', {
      person: { givenName: 'Samira', familyName: 'Osmanova', birthDate: '1992-03-08', municipality: 'Kall', languages: ['ru'] },
      source: 'self',
    });
    const caseId = created.id as string;
    await api(drkApi, 'POST', `/api/v1/cases/${caseId}/actions/record-consent`, { scope: 'data_processing', decision: 'given' });
    await api(drkApi, 'POST', `/api/v1/cases/${caseId}/actions/start-assessment`, {});
    await api(drkApi, 'POST', `/api/v1/cases/${caseId}/actions/complete-assessment`, { lifeAreas: [{ area: 'housing', situation, need: 'high' }] });

    const drk = (await signInAs(browser, h.baseUrl, 'cm.drk@kim.example')).page;
    await drk.goto(`/faelle/${caseId}`);
    // The consent form of this scope (one form per scope, issue 14): no scope to choose, the decision not preset.
    await act(drk, 'record-consent-weitergabe', async (form) => {
      await form.getByLabel('Entscheidung der Person').selectOption({ label: 'erteilt' });
      await form.getByLabel('Partnerorganisation').selectOption({ label: 'Caritas Eifel' });
      await form.getByLabel('Zweck').fill('Sprachkursvermittlung');
      await form.getByLabel(/Stammdaten \(Name/).check();
    });

    const partner = (await signInAs(browser, h.baseUrl, 'cm.caritas-eifel@kim.example')).page;
    const shared = partner.locator('section', { has: partner.getByRole('heading', { name: 'Für Ihre Organisation freigegeben' }) });
    await shared.getByRole('link', { name: /Osmanova/ }).click();
    await expect(partner.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Freigegebene Daten');
    const body = (await partner.locator('main').textContent()) ?? '';
    expect(body).toContain('Osmanova');
    expect(body).toContain('Sprachkursvermittlung');
    expect(body).not.toContain(situation);
    expect(body).not.toContain('Lebensbereiche');
    const sharedUrl = partner.url();

    // The DRK withdraws the consent on its case page; the partner's next visit finds nothing.
    await drk.goto(`/faelle/${caseId}`);
    await act(drk, 'withdraw-consent', async (form) => {
      await form.getByLabel('Einwilligung').selectOption({ index: 1 });
    });
    const again = await partner.goto(sharedUrl);
    expect(again?.status()).toBe(404);
    expect((await partner.locator('main').textContent()) ?? '').not.toContain('Osmanova');
    await partner.goto('/faelle');
    expect((await partner.locator('main').textContent()) ?? '').not.toContain('Osmanova');

    // Both partner reads are in the access log, with the consent's purpose.
    const coordinator = await login(h.baseUrl, 'koordination@kim.example');
    const log = await api(coordinator, 'GET', `/api/v1/cases/${caseId}/access-log`);
    expect(log.items.filter((e: any) => e.action === 'read_shared_case').map((e: any) => e.purpose)).toEqual(['Sprachkursvermittlung']);
  });
});
