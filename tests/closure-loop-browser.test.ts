// Issue 12 part 3 in a real browser (Debian's chromium): the case manager requests closure on the case page; the
// coordinator finds it on the dashboard and returns it with a reason; the case manager reads the reason, requests
// again after documenting a contact; the coordinator's approval warns about the change and goes through once
// confirmed. axe-core (WCAG 2.1 A/AA) on the case page and the dashboard.
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { login } from '../harness/auth.js';
import { signInAs, submitCaseAction } from './support/browser.js';
import { useBrowserHarness } from './support/browser-harness.js';
import { axeViolations } from './support/axe.js';
import type { Harness } from './support/harness.js';

let h: Harness;
let browser: Browser;
const available = useBrowserHarness('closure-loop-browser.test', (opened) => ({ h, browser } = opened));

describe.skipIf(!available)('closure approval loop in chromium', () => {
  it('CM requests, coordination returns with a reason, CM requests again, approval warns and is confirmed', async () => {
    const drkApi = await login(h.baseUrl, 'cm.drk@kim.example');
    const res = await fetch(`${h.baseUrl}/api/v1/cases`, {
      method: 'POST',
      headers: drkApi.headers(),
      body: JSON.stringify({ person: { givenName: 'Karim', familyName: 'Bensaid', birthDate: '1986-07-07', municipality: 'Kall', languages: ['fr'] }, source: 'self' }),
    });
    const caseId = ((await res.json()) as { id: string }).id;

    const cm = (await signInAs(browser, h.baseUrl, 'cm.drk@kim.example')).page;
    await cm.goto(`/faelle/${caseId}`);
    await submitCaseAction(cm, 'request-closure', async (form) => {
      await form.getByLabel('Abschlussgrund').selectOption({ label: 'Weggezogen' });
      await form.getByLabel('Zielerreichung').selectOption({ label: 'teilweise erreicht' });
    });
    await cm.waitForURL(/erledigt=request-closure$/);
    expect(await cm.locator('main').textContent()).toContain('Die Freigabe durch die KIM-Koordination steht aus');

    const coord = (await signInAs(browser, h.baseUrl, 'koordination@kim.example')).page;
    await coord.goto('/koordination');
    expect(await axeViolations(coord)).toEqual([]);
    await coord.locator('#abschlussantraege + table').getByRole('link', { name: `Fall ${caseId.slice(0, 8)}` }).click();
    await submitCaseAction(coord, 'return-closure', async (form) => {
      await form.getByLabel('Begründung').fill('Bitte zuerst die neue Adresse dokumentieren');
    });
    await coord.waitForURL(/erledigt=return-closure$/);

    await cm.goto(`/faelle/${caseId}`);
    expect(await cm.locator('main').textContent()).toContain('Bitte zuerst die neue Adresse dokumentieren');
    expect(await axeViolations(cm)).toEqual([]);
    await submitCaseAction(cm, 'request-closure', async (form) => {
      await form.getByLabel('Abschlussgrund').selectOption({ label: 'Weggezogen' });
      await form.getByLabel('Zielerreichung').selectOption({ label: 'teilweise erreicht' });
    });
    await cm.waitForURL(/erledigt=request-closure$/);
    await new Promise((r) => setTimeout(r, 5));
    await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/actions/record-contact`, {
      method: 'POST',
      headers: drkApi.headers(),
      body: JSON.stringify({ kind: 'phone', date: new Date().toISOString(), durationMinutes: 10, note: 'Neue Adresse in Köln' }),
    });

    await coord.goto(`/faelle/${caseId}`);
    await submitCaseAction(coord, 'approve-closure', async () => {});
    await expect(coord.locator(`#aktion-approve-closure`).textContent()).resolves.toMatch(/geändert \(neuer Kontakt\)/);
    await submitCaseAction(coord, 'approve-closure', async (form) => {
      await form.getByLabel('Änderungen seit dem Antrag geprüft').selectOption({ label: 'Ja, trotz Änderungen freigeben' });
    });
    await coord.waitForURL(/erledigt=approve-closure$/);
    expect(await coord.locator('main').textContent()).toContain('Abgeschlossen am');
  });
});
