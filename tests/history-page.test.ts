// The "Fallverlauf" page: the whole history in plain German, "Stand am" a day, the engine cross-check for
// coordinators, and no access for other providers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let cm: SignedIn;
let coordinator: SignedIn;
let caseId: string;

async function page(who: SignedIn, path: string) {
  const res = await fetch(`${h.baseUrl}${path}`, { headers: { cookie: who.cookie }, redirect: 'manual' });
  return { status: res.status, html: await res.text() };
}

/** The "Stand am" section alone (the form label and the state badge say "Stand am" and "Assessment" anyway). */
function standSection(html: string): string {
  const start = html.indexOf('<section aria-labelledby="stand">');
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
}

beforeAll(async () => {
  h = await startHarness();
  cm = await login(h.baseUrl, 'cm.caritas-euskirchen@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  const created = await fetch(`${h.baseUrl}/api/v1/cases`, {
    method: 'POST',
    headers: cm.headers(),
    body: JSON.stringify({
      person: { givenName: 'Marta', familyName: 'Nowak', birthDate: '1970-02-02', municipality: 'Bad Münstereifel', languages: ['pl'] },
      source: 'jobcenter',
    }),
  });
  caseId = ((await created.json()) as { id: string }).id;
  for (const [action, body] of [
    ['record-consent', { scope: 'data_processing', decision: 'given' }],
    ['start-assessment', {}],
  ] as const) {
    const res = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/actions/${action}`, { method: 'POST', headers: cm.headers(), body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  }
});
afterAll(async () => {
  await h?.close();
});

describe('GET /faelle/:id/verlauf', () => {
  it('tells the history oldest first, with who did it, and the engine agrees', async () => {
    const { status, html } = await page(coordinator, `/faelle/${caseId}/verlauf`);
    expect(status).toBe(200);
    expect(html).toContain('Fallverlauf');
    expect(html).toContain(cm.user.name);
    const opened = html.indexOf('Fall eröffnet');
    const started = html.indexOf('Assessment begonnen');
    expect(opened).toBeGreaterThan(-1);
    expect(started).toBeGreaterThan(opened);
    expect(html).toMatch(/stimmen überein/);
  });

  it('shows the case as it stood on a day', async () => {
    const before = await page(coordinator, `/faelle/${caseId}/verlauf?stichtag=2020-01-01`);
    expect(standSection(before.html)).toContain('Stand am 01.01.2020');
    expect(standSection(before.html)).toContain('gab es den Fall noch nicht');
    // A stichtag names the whole calendar day up to its end; the day after the case opened (UTC, as the case was
    // stamped) always holds it, whatever the hour of the run, so no midnight (UTC vs Berlin) can turn this.
    const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const now = await page(coordinator, `/faelle/${caseId}/verlauf?stichtag=${day}`);
    const stand = standSection(now.html);
    expect(stand).toContain(`Stand am ${day.split('-').reverse().join('.')}`);
    expect(stand).not.toContain('gab es den Fall noch nicht');
    expect(stand).toMatch(/<dt>Phase<\/dt><dd>Assessment\/Situationsanalyse<\/dd>/);
    expect(stand).toMatch(/<dt>Einwilligungen<\/dt><dd>[^<]*: erteilt/);
    const bad = await page(coordinator, `/faelle/${caseId}/verlauf?stichtag=irgendwann`);
    expect(bad.html).toContain('gültigen Stichtag');
  });

  it('is for those who may read the case; the engine cross-check is for coordination', async () => {
    const own = await page(cm, `/faelle/${caseId}/verlauf`);
    expect(own.status).toBe(200);
    expect(own.html).not.toContain('Abgleich mit der Prozess-Engine');
    const other = await login(h.baseUrl, 'cm.drk@kim.example');
    expect((await page(other, `/faelle/${caseId}/verlauf`)).status).toBe(404);
  });
});
