// Issue 15 findings 3, 6, 7: creation is idempotent by (user, requestId) for cases and handovers, one open handover per
// case holds under parallel requests (partial unique index → 409), and every answer that carries case content —
// an action's answer, a replayed requestId, a page that shows the case after a refused action — is in the access log.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, type SignedIn } from '../harness/auth.js';
import { openCaseRows, startCase } from '../harness/cases.js';
import { PageClient } from './support/page-client.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let caritas: SignedIn;
let abh: SignedIn;

const call = (who: SignedIn, method: string, path: string, body?: unknown) => apiCall(h.baseUrl, who, method, path, body);
const newCase = (requestId?: string) => ({
  person: { givenName: 'Leyla', familyName: 'Aydin', birthDate: '1991-05-06', municipality: 'Schleiden', languages: [] },
  source: 'self',
  ...(requestId ? { requestId } : {}),
});
const proposal = { residenceLaw: { permits: ['§25b'], notes: 'Duldung' }, reason: 'Unterstützungsbedarf' };
const person = { givenName: 'Amina', familyName: 'Haddad', birthDate: '1990-04-12', municipality: 'Kall', languages: [] };

beforeAll(async () => {
  h = await startHarness();
  caritas = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');
  abh = await login(h.baseUrl, 'abh@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('POST /api/v1/cases with a requestId (finding 6)', () => {
  it('opens one case for three requests with one requestId, sequential and parallel, and logs the replayed answers', async () => {
    const requestId = randomUUID();
    const first = await call(caritas, 'POST', '/api/v1/cases', newCase(requestId));
    expect(first.status).toBe(201);
    const reads = () => h.db.accessLog.count({ where: { caseId: first.body.id, action: 'read_case' } });
    const before = await reads();
    const again = await Promise.all([1, 2].map(() => call(caritas, 'POST', '/api/v1/cases', newCase(requestId))));
    for (const res of again) {
      expect(res.status).toBe(201);
      expect(res.body.id).toBe(first.body.id);
      expect(res.body.person.familyName).toBe('Aydin');
    }
    expect(await h.db.case.count({ where: { openedById: caritas.user.id, requestId } })).toBe(1);
    // Finding 3: a replayed requestId answers with the case's content — logged like any read.
    expect(await reads()).toBe(before + 2);

    const parallelId = randomUUID();
    const parallel = await Promise.all([1, 2, 3].map(() => call(caritas, 'POST', '/api/v1/cases', newCase(parallelId))));
    expect(parallel.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(parallel.map((r) => r.body.id)).size).toBe(1);
    expect(await h.db.case.count({ where: { requestId: parallelId } })).toBe(1);
  });

  it('opens one case for a double-submitted new-case form (the form carries the id)', async () => {
    const page = await PageClient.signIn(h.baseUrl, 'cm.caritas-eifel@kim.example');
    const form = await page.get('/faelle/neu');
    const requestId = /name="requestId" value="([^"]+)"/.exec(form.html)?.[1];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const fields = {
      requestId: requestId!,
      'person.givenName': 'Omar',
      'person.familyName': 'Doppelklick',
      'person.birthDate': '1985-02-03',
      'person.municipality': 'Schleiden',
      source: 'self',
    };
    const [one, two] = await Promise.all([page.post('/faelle/neu', fields), page.post('/faelle/neu', fields)]);
    expect([one.status, two.status]).toEqual([303, 303]);
    expect(one.location).toBe(two.location);
    expect(await h.db.person.count({ where: { familyName: 'Doppelklick' } })).toBe(1);
  });
});

describe('POST /api/v1/handovers (findings 6 and 7)', () => {
  it('proposes one handover for repeated requests with one requestId', async () => {
    const requestId = randomUUID();
    const results = await Promise.all([1, 2, 3].map(() => call(abh, 'POST', '/api/v1/handovers', { person, ...proposal, requestId })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await h.db.handover.count({ where: { counsellorId: abh.user.id, requestId } })).toBe(1);
  });

  it('lets exactly one of ten parallel proposals for one case through; the others get 409 handover_in_progress', async () => {
    const own = await openCaseRows(h.db, { organisationId: 'abh', proposedProvider: { organisationId: 'drk', reason: 'Wohnort Kall' }, source: 'abh' });
    await startCase(h.client, h.taskQueue, own);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call(abh, 'POST', '/api/v1/handovers', { caseId: own.caseId, ...proposal, proposedOrganisationId: 'drk' })),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    for (const refused of results.filter((r) => r.status !== 201)) {
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('handover_in_progress');
    }
    expect(await h.db.handover.count({ where: { caseId: own.caseId } })).toBe(1);
  });
});

describe('case content in answers to actions (finding 3)', () => {
  it('logs the answer of an action, of its replay, and the page shown after a refused action', async () => {
    const created = await call(caritas, 'POST', '/api/v1/cases', newCase());
    const caseId = created.body.id as string;
    const reads = () => h.db.accessLog.count({ where: { caseId, action: 'read_case' } });
    const before = await reads();
    const body = { scope: 'data_processing', decision: 'given', requestId: randomUUID() };
    const first = await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/record-consent`, body);
    expect(first.status).toBe(200);
    const replay = await call(caritas, 'POST', `/api/v1/cases/${caseId}/actions/record-consent`, body);
    expect(replay.status).toBe(200);
    expect(replay.body.case.consents).toHaveLength(1);
    expect(await reads()).toBe(before + 2);

    const page = await PageClient.signIn(h.baseUrl, 'cm.caritas-eifel@kim.example');
    const refused = await page.post(`/faelle/${caseId}/aktionen/put-on-hold`, { reason: '' });
    expect([409, 422]).toContain(refused.status);
    expect(refused.html).toContain('Aydin');
    expect(await reads()).toBe(before + 3);
  });
});
