// Issue 16 item 2 in a real browser (Debian's chromium): the case manager records the residence-law situation on the
// case page (German form, prefilled from the handover-less case), a wrong entry is answered on the form, the track and
// its expiry deadline show on the page. axe-core (WCAG 2.1 A/AA) on the open form and on the page after it.
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { apiCall, login } from '../harness/auth.js';
import { zonedDate } from '../domain/controlling.js';
import { addDays } from '../domain/dates.js';
import { signInAs, submitCaseAction } from './support/browser.js';
import { useBrowserHarness } from './support/browser-harness.js';
import { axeViolations } from './support/axe.js';
import type { Harness } from './support/harness.js';

let h: Harness;
let browser: Browser;
const available = useBrowserHarness('residence-track-browser.test', (opened) => ({ h, browser } = opened));

const german = (date: string) => `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;

describe.skipIf(!available)('residence-law track in chromium', () => {
  it('records current title, expiry, target and achievements on the case page', async () => {
    const drkApi = await login(h.baseUrl, 'cm.drk@kim.example');
    const created = await apiCall(h.baseUrl, drkApi, 'POST', '/api/v1/cases', {
      person: { givenName: 'Yonas', familyName: 'Tesfaye', birthDate: '1998-02-02', municipality: 'Kall', languages: ['ti'] },
      source: 'abh',
    });
    const caseId: string = created.body.id;
    expect((await apiCall(h.baseUrl, drkApi, 'POST', `/api/v1/cases/${caseId}/actions/record-consent`, { scope: 'data_processing', decision: 'given' })).status).toBe(200);
    const expiresOn = addDays(zonedDate(Date.now()), 150);

    const cm = (await signInAs(browser, h.baseUrl, 'cm.drk@kim.example')).page;
    await cm.goto(`/faelle/${caseId}`);
    await cm.locator('#aktion-set-residence-track summary').click();
    expect(await axeViolations(cm)).toEqual([]);

    // An unlimited title with an expiry date: answered on the form, in German, nothing recorded.
    await submitCaseAction(cm, 'set-residence-track', async (form) => {
      await form.getByLabel('Aktueller Aufenthaltstitel').selectOption({ label: 'Niederlassungserlaubnis' });
      await form.getByLabel('Gültig bis').fill(expiresOn);
    });
    expect(await cm.locator('main').textContent()).toContain('Dieser Titel ist unbefristet');

    await submitCaseAction(cm, 'set-residence-track', async (form) => {
      await form.getByLabel('Aktueller Aufenthaltstitel').selectOption({ label: 'Duldung' });
      await form.getByLabel('Gültig bis').fill(expiresOn);
      await form.getByLabel('Angestrebter Titel').selectOption({ label: '§ 25b AufenthG – nachhaltige Integration' });
      await form.getByLabel('Sprache (Sprachnachweis)').check();
      await form.getByLabel('Identitätsklärung (Pass, Mitwirkung)').check();
    });
    await cm.waitForURL(/erledigt=set-residence-track$/);
    const track = await cm.locator('dl.residence-track').textContent();
    expect(track).toContain('Duldung');
    expect(track).toContain(german(expiresOn));
    expect(track).toContain('§ 25b AufenthG – nachhaltige Integration');
    expect(track).toContain('Sprache (Sprachnachweis), Identitätsklärung (Pass, Mitwirkung)');
    // The expiry deadline is listed with the other deadlines, due lead time ahead of the expiry (as a date).
    expect(await cm.locator('main').textContent()).toContain('Ablauf des Aufenthaltstitels');
    expect(await cm.locator('main').textContent()).toContain(german(addDays(expiresOn, -56)));
    // The form comes back prefilled with the track.
    await cm.locator('#aktion-set-residence-track summary').click();
    expect(await cm.locator('#aktion-set-residence-track form').getByLabel('Aktueller Aufenthaltstitel').inputValue()).toBe('duldung');
    expect(await axeViolations(cm)).toEqual([]);
  });
});
