// Issue 16 item 3 in a real browser (Debian's chromium): a case manager of Caritas Eifel takes in a person who is in
// an open case at the DRK (spelt differently); the intake warns — kind of organisation only — and opens the case only
// when confirmed; the coordinator links both cases on the "Personenabgleich" page. axe-core (WCAG 2.1 A/AA) on the
// warning and on the coordination page.
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { apiCall, login } from '../harness/auth.js';
import { axeViolations } from './support/axe.js';
import { signInAs } from './support/browser.js';
import { useBrowserHarness } from './support/browser-harness.js';
import type { Harness } from './support/harness.js';

let h: Harness;
let browser: Browser;
const available = useBrowserHarness('person-match-browser.test', (opened) => ({ h, browser } = opened));

describe.skipIf(!available)('one person across providers in chromium', () => {
  it('warns at intake, opens only when confirmed, and coordination links the two cases', async () => {
    const drk = await login(h.baseUrl, 'cm.drk@kim.example');
    const existing = await apiCall(h.baseUrl, drk, 'POST', '/api/v1/cases', {
      person: { givenName: 'Jürgen Mehmet', familyName: 'Groß-Yılmaz', birthDate: '1986-09-17', municipality: 'Kall', languages: [] },
      source: 'self',
    });
    expect(existing.status).toBe(201);
    const existingId: string = existing.body.id;

    const cm = (await signInAs(browser, h.baseUrl, 'cm.caritas-eifel@kim.example')).page;
    await cm.goto('/faelle/neu');
    await cm.getByLabel('Vorname').fill('JUERGEN');
    await cm.getByLabel('Nachname').fill('Gross Yilmaz');
    await cm.getByLabel('Geburtsdatum').fill('1986-09-17');
    await cm.getByLabel('Wohnort (Kommune)').selectOption('Schleiden');
    await cm.getByLabel('Zugang').selectOption('self');
    await cm.getByRole('button', { name: 'Fall anlegen' }).click();

    const warning = cm.getByRole('alert');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(
      'Möglicherweise besteht bereits ein offener Fall bei einem Träger der Wohlfahrtspflege; bitte Koordination kontaktieren.',
    );
    const shown = (await warning.textContent()) ?? '';
    for (const secret of [existingId, 'Kall', 'DRK', '17.09.1986', 'Mehmet']) expect(shown).not.toContain(secret);
    expect(await cm.content()).not.toContain(existingId);
    // What was typed is still there, nothing was opened.
    expect(await cm.getByLabel('Nachname').inputValue()).toBe('Gross Yilmaz');
    expect(await h.db.case.count()).toBe(1);
    expect(await axeViolations(cm)).toEqual([]);

    await cm.getByRole('button', { name: 'Trotzdem neuen Fall anlegen' }).click();
    await cm.waitForURL(/\/faelle\/[0-9a-f-]+\?angelegt=1$/);
    const newId = /\/faelle\/([0-9a-f-]+)\?/.exec(cm.url())![1]!;
    expect(await h.db.personMatch.count({ where: { caseId: newId, otherCaseId: existingId, status: 'open' } })).toBe(1);

    const coordination = (await signInAs(browser, h.baseUrl, 'koordination@kim.example')).page;
    await coordination.goto('/koordination/personenabgleich');
    const match = coordination.locator('section.panel', { hasText: 'Gross Yilmaz' });
    expect(await match.textContent()).toContain('Groß-Yılmaz, Jürgen Mehmet');
    expect(await axeViolations(coordination)).toEqual([]);
    await match.getByRole('button', { name: 'Eine Person – Fälle verknüpfen' }).click();
    await coordination.waitForURL(/erledigt=verknuepft$/);
    expect(await coordination.getByRole('status').textContent()).toContain('Die beiden Fälle sind jetzt einer Person zugeordnet');
    expect(await h.db.personMatch.count({ where: { caseId: newId, status: 'linked' } })).toBe(1);
  });
});
