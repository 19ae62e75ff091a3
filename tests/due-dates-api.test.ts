// Dates people entered show as those dates everywhere (issue 14, item 1): a goal due 31.01.2027 is 31.01.2027 in the
// case's deadline table, in the API (dueDate) and in the deadline lists; a due time stored by older process rules
// (23:59:59.999 UTC) still shows as the day it was entered for; "Stand am <day>" is that day, up to its end in Germany.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, type SignedIn } from '../harness/auth.js';
import { parseAsOf } from '../api/operations/cases.js';
import { addDays, berlinDate, endOfDayBerlin } from '../domain/index.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let cm: SignedIn;
let coordinator: SignedIn;
let caseId: string;

const today = berlinDate(Date.now());
// The day of the issue report while it lies ahead (and within the 90 days "due soon" looks at); a month ahead after.
const GOAL_DAY = today < '2027-01-31' && addDays(today, 89) >= '2027-01-31' ? '2027-01-31' : addDays(today, 30);
const german = (day: string) => day.split('-').reverse().join('.');

async function page(who: SignedIn, path: string): Promise<string> {
  const res = await fetch(`${h.baseUrl}${path}`, { headers: { cookie: who.cookie } });
  expect(res.status).toBe(200);
  return res.text();
}

async function act(action: string, body: object): Promise<void> {
  const res = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/actions/${action}`, { method: 'POST', headers: cm.headers(), body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** The row of the case page's deadline table for one deadline label. */
function deadlineRow(html: string, label: string): string {
  const table = html.slice(html.indexOf('<h2 id="fristen">'), html.indexOf('</table>', html.indexOf('<h2 id="fristen">')));
  const at = table.indexOf(`<td>${label}</td>`);
  expect(at, `${label} in the deadline table`).toBeGreaterThan(-1);
  return table.slice(at, table.indexOf('</tr>', at));
}

beforeAll(async () => {
  h = await startHarness();
  cm = await login(h.baseUrl, 'cm.drk@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  const created = await fetch(`${h.baseUrl}/api/v1/cases`, {
    method: 'POST',
    headers: cm.headers(),
    body: JSON.stringify({
      person: { givenName: 'Amina', familyName: 'Haddad', birthDate: '1990-05-04', municipality: 'Zülpich', languages: ['ar'] },
      source: 'self',
    }),
  });
  expect(created.status).toBe(201);
  caseId = ((await created.json()) as { id: string }).id;
  await act('record-consent', { scope: 'data_processing', decision: 'given' });
  await act('start-assessment', {});
  await act('complete-assessment', { lifeAreas: [{ area: 'language', situation: 'A2', need: 'high' }] });
  await act('agree-goals', { goals: [{ title: 'Deutschkurs B1', measure: 'VHS', owner: 'Klientin', dueDate: GOAL_DAY }] });
});
afterAll(async () => {
  await h?.close();
});

describe('a goal due on a day', () => {
  it('is due at the end of that day in Germany and the API names the day', async () => {
    const res = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}`, { headers: cm.headers() });
    const body = (await res.json()) as { goals: Array<{ dueDate: string }>; deadlines: Array<{ kind: string; dueAt: string; dueDate: string }> };
    expect(body.goals[0]!.dueDate).toBe(GOAL_DAY);
    const due = body.deadlines.find((d) => d.kind === 'goal_due')!;
    expect(due).toMatchObject({ dueAt: endOfDayBerlin(GOAL_DAY), dueDate: GOAL_DAY });
  });

  it('shows as that day in the case page (deadline table and goals)', async () => {
    const html = await page(cm, `/faelle/${caseId}`);
    const row = deadlineRow(html, 'Zieltermin: Deutschkurs B1');
    expect(row).toContain(`<td>${german(GOAL_DAY)}`);
    expect(row).not.toContain(german(addDays(GOAL_DAY, 1)));
    // The goals table names the same day.
    expect(html).toMatch(new RegExp(`<th scope="row">Deutschkurs B1</th><td>VHS</td><td>Klientin</td><td>${german(GOAL_DAY).replace(/\./g, '\\.')}</td>`));
  });

  it('is listed with that day among the deadlines due soon', async () => {
    const res = await fetch(`${h.baseUrl}/api/v1/deadlines?status=due_soon&days=90`, { headers: coordinator.headers() });
    const body = (await res.json()) as { items: Array<{ caseId: string; kind: string; dueDate: string }> };
    expect(body.items.find((d) => d.caseId === caseId && d.kind === 'goal_due')).toMatchObject({ dueDate: GOAL_DAY });
  });
});

describe('overdue deadlines in the coordination list', () => {
  it('show the day they were entered for, stored by the old rules (UTC end of day) or the new (Berlin end of day)', async () => {
    // Deadlines of an old case as its records hold them: a goal due 31.01.2025, stored as the end of the day in UTC,
    // and a referral follow-up 30.06.2025, stored as the end of the day in Berlin (summer time).
    const goalDeadline = await h.db.caseDeadline.findFirstOrThrow({ where: { caseId, kind: 'goal_due' } });
    await h.db.caseDeadline.update({ where: { id: goalDeadline.id }, data: { dueAt: new Date('2025-01-31T23:59:59.999Z'), status: 'missed' } });
    const other = await h.db.caseDeadline.findFirstOrThrow({ where: { caseId, kind: 'no_contact' } });
    await h.db.caseDeadline.update({ where: { id: other.id }, data: { dueAt: new Date(endOfDayBerlin('2025-06-30')), escalateAt: null, status: 'missed' } });

    const html = await page(coordinator, '/koordination/fristen');
    expect(html).toContain('31.01.2025');
    expect(html).toContain('30.06.2025');
    expect(html).not.toContain('01.02.2025');
    expect(html).not.toContain('01.07.2025');
    const res = await fetch(`${h.baseUrl}/api/v1/deadlines?status=overdue`, { headers: coordinator.headers() });
    const body = (await res.json()) as { items: Array<{ id: string; dueDate: string }> };
    expect(body.items.find((d) => d.id === goalDeadline.id)?.dueDate).toBe('2025-01-31');
    expect(body.items.find((d) => d.id === other.id)?.dueDate).toBe('2025-06-30');
  });
});

describe('"Stand am" a day', () => {
  it('means the end of that day in Germany', () => {
    expect(parseAsOf('2026-12-02')?.toISOString()).toBe('2026-12-02T22:59:59.999Z');
    expect(parseAsOf('2026-07-02')?.toISOString()).toBe('2026-07-02T21:59:59.999Z');
  });

  it('is shown as the chosen day, with the case as it stood then', async () => {
    const html = await page(coordinator, `/faelle/${caseId}/verlauf?stichtag=${today}`);
    const start = html.indexOf('<section aria-labelledby="stand">');
    const stand = html.slice(start, html.indexOf('</section>', start));
    expect(stand).toContain(`Stand am ${german(today)}`);
    expect(stand).not.toContain('gab es den Fall noch nicht');
    const before = await page(coordinator, `/faelle/${caseId}/verlauf?stichtag=${addDays(today, -1)}`);
    expect(before).toContain(`Stand am ${german(addDays(today, -1))}`);
    expect(before).toContain('gab es den Fall noch nicht');
  });
});
