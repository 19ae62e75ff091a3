// Deadline settings (page and API) and the audit of administration, against the real app and database: every period
// with unit, range and default; coordinators only; bad values refused with German field messages and nothing saved;
// CSRF; each change in the audit with who, when, before → after, readable by coordinators and admins only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERIOD_FIELDS } from '../api/operations/case-settings.js';
import { defaultCaseSettings } from '../domain/index.js';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let coordinator: SignedIn;
let admin: SignedIn;
let cm: SignedIn;

beforeAll(async () => {
  h = await startHarness();
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  admin = await login(h.baseUrl, 'admin@kim.example');
  cm = await login(h.baseUrl, 'cm.drk@kim.example');
});
afterAll(async () => {
  await h?.close();
});

const form = (who: SignedIn, path: string, fields: Record<string, string>, csrf = true) =>
  fetch(`${h.baseUrl}${path}`, {
    method: 'POST',
    headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...(csrf ? { _csrf: who.csrfToken } : {}), ...fields }).toString(),
    redirect: 'manual',
  });

describe('deadline settings', () => {
  it('lists every configurable period of domain.md with unit, range, default and current value', async () => {
    const res = await apiCall(h.baseUrl, coordinator, 'GET', '/api/v1/settings/case');
    expect(res.status).toBe(200);
    const keys = res.body.fields.map((f: { key: string }) => f.key);
    expect(new Set(keys)).toEqual(new Set([...Object.keys(defaultCaseSettings.deadlines), 'reopenWithinDays']));
    expect(keys).toHaveLength(Object.keys(defaultCaseSettings.deadlines).length + 1);
    expect(res.body.fields.find((f: { key: string }) => f.key === 'firstAssessmentDays')).toMatchObject({ unit: 'Tage', min: 1, max: 3650, default: 14, value: 14 });
    expect(res.body.fields.find((f: { key: string }) => f.key === 'retentionYears')).toMatchObject({ unit: 'Jahre', min: 1, max: 30, default: 3 });
    expect(res.body.updatedAt).toBeNull();
  });

  it('only coordinators read and change them; a session without the CSRF token is refused', async () => {
    for (const who of [admin, cm]) {
      expect((await apiCall(h.baseUrl, who, 'GET', '/api/v1/settings/case')).status).toBe(403);
      expect((await apiCall(h.baseUrl, who, 'PUT', '/api/v1/settings/case', defaultCaseSettings)).status).toBe(403);
      expect((await fetch(`${h.baseUrl}/verwaltung/fristen`, { headers: { cookie: who.cookie } })).status).toBe(403);
    }
    expect((await apiCall(h.baseUrl, null, 'GET', '/api/v1/settings/case')).status).toBe(401);
    const noCsrf = await fetch(`${h.baseUrl}/api/v1/settings/case`, { method: 'PUT', headers: { cookie: coordinator.cookie, 'content-type': 'application/json' }, body: JSON.stringify(defaultCaseSettings) });
    expect(noCsrf.status).toBe(403);
    expect((await form(coordinator, '/verwaltung/fristen', { 'deadlines.firstAssessmentDays': '10' }, false)).status).toBe(403);
    expect(await h.db.setting.count()).toBe(0);
  });

  it('refuses values out of range with field messages and saves nothing', async () => {
    const bad = { ...defaultCaseSettings, deadlines: { ...defaultCaseSettings.deadlines, firstAssessmentDays: 0, noContactEscalationDays: 10 } };
    const res = await apiCall(h.baseUrl, coordinator, 'PUT', '/api/v1/settings/case', bad);
    expect(res.status).toBe(422);
    expect(res.body.error.fields['deadlines.firstAssessmentDays']).toBe('Mindestens 1 Tag');
    const page = await form(coordinator, '/verwaltung/fristen', { 'deadlines.firstAssessmentDays': 'abc', reopenWithinDays: '90' });
    expect(page.status).toBe(422);
    expect(await page.text()).toContain('Bitte prüfen Sie Ihre Angaben');
    expect(await h.db.setting.count()).toBe(0);
    expect(await h.db.adminAudit.count({ where: { entity: 'case_settings' } })).toBe(0);
  });

  it('the page saves a change, shows who made it, and the audit records before → after', async () => {
    const fields: Record<string, string> = { reopenWithinDays: '90', closureNeedsApproval: 'ja' };
    for (const f of PERIOD_FIELDS) if (f.key !== 'reopenWithinDays') fields[`deadlines.${f.key}`] = String(f.default);
    fields['deadlines.goalAgreementDays'] = '21';
    const saved = await form(coordinator, '/verwaltung/fristen', fields);
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/verwaltung/fristen?erledigt=1');
    const page = await (await fetch(`${h.baseUrl}/verwaltung/fristen?erledigt=1`, { headers: { cookie: coordinator.cookie } })).text();
    expect(page).toContain('Die Fristen sind gespeichert.');
    expect(page).toContain('von Claudia Berger');
    expect(page).toContain('Bereits gesetzte Wiedervorlagen behalten ihr Fälligkeitsdatum');

    const api = await apiCall(h.baseUrl, coordinator, 'GET', '/api/v1/settings/case');
    expect(api.body.settings.deadlines.goalAgreementDays).toBe(21);
    expect(api.body.updatedById).toBe(coordinator.user.id);

    // Saving the same values again changes nothing and writes no audit row.
    expect((await form(coordinator, '/verwaltung/fristen', fields)).status).toBe(303);
    const audit = await apiCall(h.baseUrl, admin, 'GET', '/api/v1/admin-audit?entity=case_settings');
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ actorId: coordinator.user.id, actorRole: 'coordinator', action: 'updated', before: { goalAgreementDays: 14 }, after: { goalAgreementDays: 21 } });
  });
});

describe('the audit of administration', () => {
  it('coordinators and admins read it (API and page); case managers and counsellors do not', async () => {
    await apiCall(h.baseUrl, admin, 'POST', '/api/v1/accounts', { email: 'protokoll@kim.example', name: 'Paula Protokoll', role: 'case_manager', organisationId: 'drk' });
    for (const who of [coordinator, admin]) {
      const res = await apiCall(h.baseUrl, who, 'GET', '/api/v1/admin-audit?entity=account');
      expect(res.status).toBe(200);
      expect(res.body.items[0]).toMatchObject({ entity: 'account', action: 'invited', actorId: admin.user.id, after: { email: 'protokoll@kim.example', role: 'case_manager' } });
      const page = await fetch(`${h.baseUrl}/verwaltung/protokoll`, { headers: { cookie: who.cookie } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Paula Protokoll');
      expect(html).toContain('goalAgreementDays: 14 → 21');
    }
    const abh = await login(h.baseUrl, 'abh@kim.example');
    for (const who of [cm, abh]) {
      expect((await apiCall(h.baseUrl, who, 'GET', '/api/v1/admin-audit')).status).toBe(403);
      expect((await fetch(`${h.baseUrl}/verwaltung/protokoll`, { headers: { cookie: who.cookie } })).status).toBe(403);
    }
    expect((await apiCall(h.baseUrl, coordinator, 'GET', '/api/v1/admin-audit?entity=passwords')).status).toBe(422);
  });
});
