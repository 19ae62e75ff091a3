// GET /api/v1/reports/controlling over HTTP with real servers: a small scenario driven through the real case
// workflows, checked figure by figure, with suppression, CSV and XLSX holding the same numbers, and the access rules.
//
// Scenario (all today; period yesterday–tomorrow, so it does not matter when around midnight the test runs):
//   Caritas Eifel  A1, A2, A3: assessment → goals → referral to the Jobcenter → closed (A1, A2: goals achieved;
//                              A3: moved away, partly achieved). Contacts: counselling + accompaniment each.
//                  A4:         in assessment; counselling, accompaniment, phone, digital.
//   DRK            D1:         referral to the Jobcenter; counselling + accompaniment.
//                  D2:         intake; counselling + accompaniment.
//   Caritas Euskirchen U1:     transferred to DRK, then counselling + accompaniment (DRK's).
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerFor, login, type Bearer, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let coordinator: Bearer;
let caseManager: SignedIn;
const DAY = 86_400_000;
const berlinDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(ms));
const from = berlinDate(Date.now() - DAY);
const to = berlinDate(Date.now() + DAY);
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = coordinator.headers(body !== undefined)) {
  const res = await fetch(`${h.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

async function openCase(givenName: string, municipality: string): Promise<string> {
  const res = await call('POST', '/api/v1/cases', {
    person: { givenName, familyName: 'Controlling', birthDate: '1980-05-05', municipality, languages: ['ar'] },
    source: 'self',
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function act(caseId: string, action: string, body: unknown = {}) {
  const res = await call('POST', `/api/v1/cases/${caseId}/actions/${action}`, body);
  expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.case;
}

const contact = (caseId: string, kind: string) => act(caseId, 'record-contact', { kind, date: new Date().toISOString(), durationMinutes: 30 });

async function toReferral(caseId: string) {
  await act(caseId, 'complete-assessment', { lifeAreas: [{ area: 'work', situation: 'arbeitsuchend', need: 'high' }] });
  await act(caseId, 'agree-goals', { goals: [{ title: 'Arbeit', measure: 'Bewerbungen', owner: 'Klient', dueDate: inDays(60) }] });
  const referred = await act(caseId, 'refer', { service: 'Jobcenter' });
  return referred.referrals[0].id as string;
}

beforeAll(async () => {
  h = await startHarness();
  coordinator = await bearerFor(h.db, 'koordination@kim.example');
  caseManager = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');

  const closures = [
    { outcome: 'accepted', reason: 'goals_achieved', goalAttainment: 'achieved' },
    { outcome: 'accepted', reason: 'goals_achieved', goalAttainment: 'achieved' },
    { outcome: 'declined', reason: 'moved_away', goalAttainment: 'partly' },
  ];
  const municipalities = ['Schleiden', 'Schleiden', 'Mechernich'];
  // One request at a time: the embedded PGlite of the tests mixes up queries of concurrent connections.
  for (const [i, closure] of closures.entries()) {
    const id = await openCase(`A${i + 1}`, municipalities[i]!);
    await act(id, 'record-consent', { scope: 'data_processing', decision: 'given' });
    await act(id, 'start-assessment');
    await contact(id, 'counselling');
    await contact(id, 'accompaniment');
    const referralId = await toReferral(id);
    await act(id, 'record-referral-outcome', { referralId, outcome: closure.outcome });
    await act(id, 'close', { reason: closure.reason, goalAttainment: closure.goalAttainment });
  }
  const a4 = await openCase('A4', 'Hellenthal');
  await act(a4, 'record-consent', { scope: 'data_processing', decision: 'given' });
  await act(a4, 'start-assessment');
  for (const kind of ['counselling', 'accompaniment', 'phone', 'digital']) await contact(a4, kind);

  const d1 = await openCase('D1', 'Kall');
  await act(d1, 'record-consent', { scope: 'data_processing', decision: 'given' });
  await act(d1, 'start-assessment');
  await contact(d1, 'counselling');
  await contact(d1, 'accompaniment');
  await toReferral(d1);
  const d2 = await openCase('D2', 'Zülpich');
  await contact(d2, 'counselling');
  await contact(d2, 'accompaniment');

  const u1 = await openCase('U1', 'Euskirchen');
  await act(u1, 'transfer', { organisationId: 'drk', reason: 'Umzug nach Kall' });
  await contact(u1, 'counselling');
  await contact(u1, 'accompaniment');
});
afterAll(async () => {
  await h?.close();
});

const report = (query: string, headers?: Record<string, string>) => call('GET', `/api/v1/reports/controlling?${query}`, undefined, headers);

function cell(row: any, path: string[]): { value: number | null; suppressed?: true } {
  return path.reduce((node, key) => node?.[key], row.figures);
}
/** [Caritas Eifel, DRK, Caritas Euskirchen, total] of one figure; `null` = suppressed. */
function column(body: any, ...path: string[]) {
  const group = (key: string) => body.groups.find((g: any) => g.key === key);
  return [group('caritas-eifel'), group('drk'), group('caritas-euskirchen'), body.total].map((row) => cell(row, path).value);
}

describe('GET /api/v1/reports/controlling', () => {
  it('gives the figures of the scenario per organisation, with small cells suppressed', async () => {
    const res = await report(`from=${from}&to=${to}&groupBy=organisation`);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.groups.map((g: any) => g.key)).toEqual(expect.arrayContaining(['caritas-eifel', 'drk', 'caritas-euskirchen', 'kja', 'kreis-kim']));
    // Opened: DRK 2 and Caritas Euskirchen 1 are under 3 persons.
    expect(column(body, 'cases', 'opened')).toEqual([4, null, null, 7]);
    expect(cell(body.groups.find((g: any) => g.key === 'drk'), ['cases', 'opened'])).toEqual({ value: null, suppressed: true });
    // Active: DRK D1, D2, U1 = 3, Caritas Euskirchen U1 = 1 (suppressed). DRK's 3 is hidden as well, so that the
    // total minus the visible groups cannot point at Euskirchen's cell (secondary suppression).
    expect(column(body, 'cases', 'active')).toEqual([4, null, null, 7]);
    expect(column(body, 'cases', 'closed')).toEqual([3, 0, 0, 3]);
    expect(column(body, 'contacts', 'total')).toEqual([10, 6, 0, 16]);
    expect(column(body, 'contacts', 'byKind', 'counselling')).toEqual([4, 3, 0, 7]);
    expect(column(body, 'accompaniments')).toEqual([4, 3, 0, 7]); // U1's after the transfer: DRK's
    expect(column(body, 'contacts', 'byKind', 'phone')).toEqual([null, 0, 0, null]);
    // Jobcenter: Caritas Eifel 3, DRK 1 (suppressed) → Caritas Eifel hidden too (4 − 3 = 1), and its referral sum.
    expect(column(body, 'referrals', 'byService', 'Jobcenter', 'sent')).toEqual([null, null, 0, 4]);
    expect(column(body, 'referrals', 'sent')).toEqual([null, null, 0, 4]);
    expect(column(body, 'referrals', 'outcomes', 'accepted')).toEqual([null, 0, 0, null]);
    expect(column(body, 'closureReasons', 'goals_achieved')).toEqual([null, 0, 0, null]);
    expect(column(body, 'goalAttainment', 'partly')).toEqual([null, 0, 0, null]);
    expect(column(body, 'handovers', 'requested')).toEqual([0, 0, 0, 0]);
    // Three closed cases, each closed seconds after opening.
    expect(cell(body.total, ['duration', 'medianDays'])).toEqual({ value: 0 });
    expect(cell(body.groups.find((g: any) => g.key === 'drk'), ['duration', 'medianDays'])).toEqual({ value: null });
  });

  it('gives the same total row for every grouping, and nothing for a period before the scenario', async () => {
    const byOrganisation = (await report(`from=${from}&to=${to}&groupBy=organisation`)).body;
    for (const groupBy of ['municipality', 'month']) {
      const other = (await report(`from=${from}&to=${to}&groupBy=${groupBy}`)).body;
      expect(other.total.figures, groupBy).toEqual(byOrganisation.total.figures);
    }
    const months = (await report(`from=${from}&to=${to}&groupBy=month`)).body;
    expect(months.groups.length).toBeGreaterThanOrEqual(1);
    const past = (await report('from=2020-01-01&to=2020-12-31&groupBy=organisation')).body;
    expect(cell(past.total, ['cases', 'opened'])).toEqual({ value: 0 });
    expect(cell(past.total, ['cases', 'active'])).toEqual({ value: 0 });
  });

  it('gives the same numbers as CSV for German Excel', async () => {
    const json = (await report(`from=${from}&to=${to}&groupBy=organisation`)).body;
    const res = await fetch(`${h.baseUrl}/api/v1/reports/controlling?from=${from}&to=${to}&groupBy=organisation`, {
      headers: { ...coordinator.headers(false), accept: 'text/csv' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toContain(`kim-controlling_${from}_${to}_organisation.csv`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM
    const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n').map((l) => l.split(';'));
    const [header, ...rows] = lines;
    expect(header![0]).toBe('Organisation');
    expect(header).toContain('Kontakte: Begleitung');
    expect(header).toContain('Vermittlung an Jobcenter: vermittelt');
    const expected = (c: { value: number | null; suppressed?: true }) => (c.suppressed ? '*' : c.value === null ? '' : String(c.value).replace('.', ','));
    const jsonRows = [...json.groups, json.total];
    expect(rows.map((r) => r[0])).toEqual(jsonRows.map((r: any) => r.label));
    rows.forEach((r, i) => {
      expect(r.slice(1)).toEqual(json.columns.map((c: any) => expected(cell(jsonRows[i], c.path))));
    });
    const total = rows.find((r) => r[0] === 'Gesamt')!;
    expect(total[header!.indexOf('Fälle eröffnet')]).toBe('7');
    expect(total[header!.indexOf('Kontakte: Telefon')]).toBe('*');
  });

  it('gives the same numbers as XLSX (?format=xlsx or by Accept)', async () => {
    const json = (await report(`from=${from}&to=${to}&groupBy=organisation`)).body;
    const jsonRows = [...json.groups, json.total];
    for (const [query, headers] of [
      ['&format=xlsx', coordinator.headers(false)],
      ['', { ...coordinator.headers(false), accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
    ] as const) {
      const res = await fetch(`${h.baseUrl}/api/v1/reports/controlling?from=${from}&to=${to}&groupBy=organisation${query}`, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('spreadsheetml');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await res.arrayBuffer());
      const sheet = workbook.getWorksheet('Controlling')!;
      expect(sheet.getRow(1).getCell(1).value).toBe('Organisation');
      expect(sheet.rowCount).toBe(jsonRows.length + 1);
      jsonRows.forEach((row: any, i: number) => {
        const line = sheet.getRow(i + 2);
        expect(line.getCell(1).value).toBe(row.label);
        json.columns.forEach((c: any, j: number) => {
          const v = cell(row, c.path);
          expect(line.getCell(j + 2).value, `${row.label} / ${c.label}`).toEqual(v.suppressed ? '*' : v.value);
        });
      });
      expect(workbook.getWorksheet('Hinweise')!.getCell('A1').value).toBe('KIM Casework – Controlling');
    }
  });

  it('is for coordinators only: 403 for a case manager, 401 without a session', async () => {
    const asCaseManager = await report(`from=${from}&to=${to}`, caseManager.headers(false));
    expect(asCaseManager.status).toBe(403);
    expect(asCaseManager.body.error.code).toBe('forbidden');
    expect((await report(`from=${from}&to=${to}`, {})).status).toBe(401);
  });

  it('answers 422 with German field messages for bad dates, a reversed period and an unknown grouping', async () => {
    const bad = await report('from=2025-02-30&to=2025-13-01&groupBy=week');
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.fields).toEqual({
      from: '„von“ ist kein gültiges Datum (Format JJJJ-MM-TT).',
      to: '„bis“ ist kein gültiges Datum (Format JJJJ-MM-TT).',
      groupBy: 'Unbekannte Gruppierung – erlaubt: organisation, municipality, month, ageBand, channel, post.',
    });
    const reversed = await report('from=2025-03-31&to=2025-03-01');
    expect(reversed.status).toBe(422);
    expect(reversed.body.error.fields).toEqual({ to: '„bis“ liegt vor „von“.' });
    // A year past the record range (the contract fuzz found 500 for it).
    const far = await report('from=9999-12-31&to=9999-12-31');
    expect(far.status).toBe(422);
    expect(far.body.error.fields).toEqual({ from: '„von“ muss zwischen 1900-01-01 und 2999-12-31 liegen.', to: '„bis“ muss zwischen 1900-01-01 und 2999-12-31 liegen.' });
  });
});
