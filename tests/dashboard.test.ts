// The coordinator dashboard: open cases by phase and provider, workload, trend chart; coordination only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, type SignedIn } from '../harness/auth.js';
import { todayInGermany } from '../api/pages/labels.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let coordinator: SignedIn;

beforeAll(async () => {
  h = await startHarness();
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  for (const municipality of ['Kall', 'Zülpich', 'Euskirchen']) {
    const res = await fetch(`${h.baseUrl}/api/v1/cases`, {
      method: 'POST',
      headers: coordinator.headers(),
      // The same person at three providers: confirmed past the duplicate check (issue 16), as the figures want three cases.
      body: JSON.stringify({ person: { givenName: 'A', familyName: 'B', birthDate: '1980-01-01', municipality, languages: [] }, source: 'self', confirmNewCase: true }),
    });
    expect(res.status).toBe(201);
  }
  // The workflows write the opening events right after the start; the figures are computed from them.
  await eventually(() => h.db.caseEvent.count({ where: { type: 'case_opened' } }), (n) => n >= 3, 'three opening events');
});
afterAll(async () => {
  await h?.close();
});

function cellsOf(html: string, rowName: string): string[] {
  const row = html.split('<tr>').find((r) => r.includes(`<th scope="row">${rowName}</th>`)) ?? '';
  return [...row.matchAll(/<td>(?:<a [^>]*>)?(\d+)/g)].map((m) => m[1]!);
}

/** The cells of the first table row labelled `rowName` after the first section heading. */
function cellsAfter(html: string, rowName: string): string[] {
  const section = html.slice(html.search(/<h2[^>]*>Fälle<\/h2>/));
  const row = section.split('<tr').find((r) => r.includes(`<th scope="row">${rowName}</th>`)) ?? '';
  return [...row.matchAll(/<td[^>]*>([^<]*)</g)].map((m) => m[1]!);
}

describe('GET /koordination', () => {
  it('counts open cases per phase and provider and draws the monthly trend', async () => {
    const res = await fetch(`${h.baseUrl}/koordination`, { headers: { cookie: coordinator.cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('3 offene Fälle');
    // DRK: Kall + Zülpich, both in intake (first column); Caritas Euskirchen: one.
    expect(cellsOf(html, 'DRK').slice(0, 1)).toEqual(['2']);
    expect(cellsOf(html, 'Summe')[0]).toBe('3');
    expect(html).toMatch(/<svg[^>]+role="img"[^>]+aria-label="Neue Fälle je Monat\. [^"]*: 3"/);
    expect(html).toContain('nicht zugewiesen');
  });

  it('lays out the yearly report with the controlling figures, small cells suppressed, and logs it', async () => {
    // The report's year is the calendar year in Germany (domain/controlling.ts): on 31 December after 23:00 UTC
    // the UTC year would be the old one, and the three cases would not be in it.
    const year = Number(todayInGermany().slice(0, 4));
    const res = await fetch(`${h.baseUrl}/koordination/jahresbericht?jahr=${year}`, { headers: { cookie: coordinator.cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`Jahresbericht ${year}`);
    for (const section of ['Fälle', 'Kontakte und Begleitungen', 'Vermittlungen in das Netzwerk', 'Übergaben aus der Ausländerbehörde']) {
      expect(html).toMatch(new RegExp(`<h2 id="abschnitt-\\d+">${section}</h2>`));
    }
    // "Fälle eröffnet" is the first column of the first section: 3 in total, DRK's 2 and Caritas Euskirchen's 1 suppressed.
    expect(cellsAfter(html, 'Gesamt')[0]).toBe('3');
    expect(cellsAfter(html, 'DRK')[0]).toBe('•');
    expect(html).toMatch(/<svg[^>]+aria-label="Neue Fälle je Monat/);
    expect(await h.db.accessLog.count({ where: { action: 'export_report', userId: coordinator.user.id } })).toBeGreaterThan(0);
  });

  it('is for coordination only', async () => {
    const cm = await login(h.baseUrl, 'cm.drk@kim.example');
    expect((await fetch(`${h.baseUrl}/koordination`, { headers: { cookie: cm.cookie } })).status).toBe(403);
    expect((await fetch(`${h.baseUrl}/koordination/jahresbericht`, { headers: { cookie: cm.cookie } })).status).toBe(403);
  });
});
