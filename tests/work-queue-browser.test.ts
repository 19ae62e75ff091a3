// "Meine Aufgaben" in a real browser (Debian's chromium): the case manager follows the navigation's count to the work
// queue and from there to the case; coordination sees its queue; the settings page switches to the daily digest and
// turns the calendar feed on. axe-core (WCAG 2.1 A/AA) on each page, at 1280 px and 390 px.
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { apiCall, login } from '../harness/auth.js';
import { signInAs } from './support/browser.js';
import { useBrowserHarness } from './support/browser-harness.js';
import { axeViolations } from './support/axe.js';
import type { Harness } from './support/harness.js';

let h: Harness;
let browser: Browser;
const available = useBrowserHarness('work-queue-browser.test', (opened) => ({ h, browser } = opened));

describe.skipIf(!available)('work queue in chromium', () => {
  it('the count leads to the queue, the queue to the case; settings switch the digest and the calendar', async () => {
    const drkApi = await login(h.baseUrl, 'cm.drk@kim.example');
    const call = (method: string, path: string, body?: unknown) => apiCall(h.baseUrl, drkApi, method, path, body);
    const created = await call('POST', '/api/v1/cases', {
      person: { givenName: 'Karim', familyName: 'Bensaid', birthDate: '1986-07-07', municipality: 'Kall', languages: ['fr'] },
      source: 'self',
    });
    const caseId = created.body.id as string;
    await call('POST', `/api/v1/cases/${caseId}/actions/record-consent`, { scope: 'data_processing', decision: 'given' });
    await call('POST', `/api/v1/cases/${caseId}/actions/assign`, { assigneeId: drkApi.user.id });
    await call('POST', `/api/v1/cases/${caseId}/actions/request-closure`, { reason: 'moved_away', goalAttainment: 'partly' });
    const coordApi = await login(h.baseUrl, 'koordination@kim.example');
    expect((await apiCall(h.baseUrl, coordApi, 'POST', `/api/v1/cases/${caseId}/actions/return-closure`, { reason: 'Bitte die neue Adresse dokumentieren' })).status).toBe(200);

    const { page } = await signInAs(browser, h.baseUrl, 'cm.drk@kim.example');
    const nav = page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: /Meine Aufgaben/ });
    await expect(nav.textContent()).resolves.toMatch(/Meine Aufgaben\s*\d+/);
    await nav.click();
    await page.waitForURL(/\/aufgaben$/);
    expect(await page.locator('main').textContent()).toMatch(new RegExp(`Fall ${caseId.slice(0, 8)} – zurückgegeben am`));
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('link', { name: `Fall ${caseId.slice(0, 8)}` }).first().click();
    await page.waitForURL(new RegExp(`/faelle/${caseId}$`));

    await page.goto('/einstellungen');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Täglich: eine Zusammenfassung um 7 Uhr').check();
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('Ihre Benachrichtigung ist gespeichert.');
    expect((await call('GET', '/api/v1/me/settings')).body.notificationMode).toBe('daily');
    await page.getByRole('button', { name: 'Kalender einschalten' }).click();
    const feedUrl = (await page.locator('.feed-url').textContent())!.trim();
    expect(feedUrl).toMatch(/\/kalender\/[A-Za-z0-9_-]+\.ics$/);
    expect(await axeViolations(page)).toEqual([]);

    const coord = (await signInAs(browser, h.baseUrl, 'koordination@kim.example')).page;
    await coord.goto('/aufgaben');
    expect(await coord.locator('main').textContent()).toContain('Fälle ohne fallführende Person');
    expect(await axeViolations(coord)).toEqual([]);
  });
});
