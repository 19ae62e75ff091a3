// Issue 16 in a real browser (Debian's chromium): the case manager fixes the success criteria with the assessment,
// re-rates the life areas and the criteria in a review, and reads the development on the case page (chart and
// table); the coordinator opens the Lenkungsgruppe report. axe-core (WCAG 2.1 A/AA) on each page.
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { apiCall, login } from '../harness/auth.js';
import { signInAs, submitCaseAction } from './support/browser.js';
import { useBrowserHarness } from './support/browser-harness.js';
import { axeViolations } from './support/axe.js';
import type { Harness } from './support/harness.js';

let h: Harness;
let browser: Browser;
const available = useBrowserHarness('progress-browser.test', (opened) => ({ h, browser } = opened));

describe.skipIf(!available)('measured progress in chromium', () => {
  it('criteria at the assessment, a review with ratings, the development on the case page', async () => {
    const drkApi = await login(h.baseUrl, 'cm.drk@kim.example');
    const created = await apiCall(h.baseUrl, drkApi, 'POST', '/api/v1/cases', {
      person: { givenName: 'Samira', familyName: 'Haddad', birthDate: '2001-04-04', municipality: 'Kall', languages: ['ar'] },
      source: 'jobcenter',
    });
    const caseId: string = created.body.id;
    for (const [action, body] of [
      ['record-consent', { scope: 'data_processing', decision: 'given' }],
      ['start-assessment', {}],
    ] as const) {
      expect((await apiCall(h.baseUrl, drkApi, 'POST', `/api/v1/cases/${caseId}/actions/${action}`, body)).status).toBe(200);
    }

    const cm = (await signInAs(browser, h.baseUrl, 'cm.drk@kim.example')).page;
    await cm.goto(`/faelle/${caseId}`);
    await submitCaseAction(cm, 'complete-assessment', async (form) => {
      await form.locator('select[name="lifeAreas.language.need"]').selectOption({ label: 'hoher Bedarf' });
      await form.locator('textarea[name="lifeAreas.language.situation"]').fill('A2, kein Kurs');
      await form.locator('select[name="lifeAreas.housing.need"]').selectOption({ label: 'hoher Bedarf' });
      await form.locator('textarea[name="lifeAreas.housing.situation"]').fill('Gemeinschaftsunterkunft');
      await form.getByLabel('Sprachniveau B1 erreicht').check();
      await form.getByLabel('Eigene Wohnung').check();
      await form.getByLabel('Eigene Erfolgskriterien').fill('Führerschein');
    });
    await cm.waitForURL(/erledigt=complete-assessment$/);
    expect(await cm.locator('#entwicklung ~ .table-scroll').first().textContent()).toContain('Führerschein');

    for (const [action, body] of [
      ['agree-goals', { goals: [{ title: 'B1', measure: 'Kurs', owner: 'Klientin', dueDate: '2099-12-31' }] }],
      ['start-review', {}],
    ] as const) {
      expect((await apiCall(h.baseUrl, drkApi, 'POST', `/api/v1/cases/${caseId}/actions/${action}`, body)).status).toBe(200);
    }
    await cm.goto(`/faelle/${caseId}`);
    await cm.locator('#aktion-complete-review summary').click();
    expect(await axeViolations(cm)).toEqual([]);
    // The review form is prefilled with the latest rating; the case manager changes what changed.
    const review = cm.locator('#aktion-complete-review form');
    expect(await review.getByLabel('Bedarf heute: Sprache').inputValue()).toBe('high');
    await submitCaseAction(cm, 'complete-review', async (form) => {
      await form.getByLabel('Ergebnis der Überprüfung').selectOption({ label: 'Weiter wie bisher' });
      await form.getByLabel('Bedarf heute: Sprache').selectOption({ label: 'geringer Bedarf' });
      await form.getByLabel('Erfolgskriterium: Sprachniveau B1 erreicht').selectOption({ label: 'teilweise erreicht' });
      await form.getByLabel('Erfolgskriterium: Führerschein').selectOption({ label: 'erreicht' });
    });
    await cm.waitForURL(/erledigt=complete-review$/);

    const section = await cm.locator('main').textContent();
    expect(section).toContain('Entwicklung und Erfolgskriterien');
    // Chart with its text alternative, and the same values in the table.
    expect(await cm.locator('svg.chart--needs').getAttribute('aria-label')).toContain('Sprache: hoch → gering');
    const needsTable = cm.locator('table', { has: cm.locator('caption', { hasText: 'Bedarf je Lebensbereich bei jeder Einschätzung' }) });
    expect(await needsTable.locator('tr', { hasText: 'Sprache' }).textContent()).toMatch(/hoher Bedarf.*geringer Bedarf/);
    const criteriaTable = cm.locator('table', { has: cm.locator('caption', { hasText: 'Erfolgskriterien und ihre Bewertung' }) });
    expect(await criteriaTable.locator('tr', { hasText: 'Führerschein' }).textContent()).toContain('erreicht');
    expect(await axeViolations(cm)).toEqual([]);

    const coord = (await signInAs(browser, h.baseUrl, 'koordination@kim.example')).page;
    await coord.goto('/koordination/lenkungsgruppe');
    expect(await coord.locator('h1').textContent()).toContain('Bericht für die Lenkungsgruppe');
    expect(await axeViolations(coord)).toEqual([]);
  });
});
