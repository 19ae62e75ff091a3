// Consent-bound sharing over HTTP, on the real servers: a partner organisation named in a client's sharing consent
// (the Jobcenter/Integration Point here) reads exactly the consented categories of the case — no history, no actions,
// no export — other organisations get 404, a withdrawal cuts access for the very next request, and every partner read
// is in the access log without any case content. Also the German "Freigegebene Daten" page.
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, login, TEST_PASSWORD, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let drk: SignedIn;
let jobcenter: SignedIn;
let caritas: SignedIn;
let coordinator: SignedIn;
let admin: SignedIn;

const person = { givenName: 'Samir', familyName: 'Al-Khatib', birthDate: '1988-07-21', municipality: 'Kall', languages: ['ar', 'de'] };
const SITUATION_WORK = 'Elektriker mit syrischem Abschluss, Anerkennung läuft';
const SITUATION_HOUSING = 'Wohnt mit Familie in einer Notunterkunft';
const GOAL_TITLE = 'Eigene Wohnung finden';
const OTHER_SERVICE = 'Schuldnerberatung Caritas';

const call = (who: { headers(json?: boolean): Record<string, string> } | null, method: string, path: string, body?: unknown) =>
  apiCall(h.baseUrl, who, method, path, body);

async function act(who: SignedIn, caseId: string, action: string, body: Record<string, unknown> = {}) {
  const res = await call(who, 'POST', `/api/v1/cases/${caseId}/actions/${action}`, body);
  if (res.status !== 200) throw new Error(`${action}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.case as any;
}

/** A staff account of an organisation the demo seed has none for (the Jobcenter/Integration Point). */
async function createUser(email: string, organisationId: string, role: 'case_manager' | 'admin' = 'case_manager') {
  await h.db.user.create({
    data: { email, name: `Test ${organisationId}`, role, organisationId, passwordHash: await bcrypt.hash(TEST_PASSWORD, 4) },
  });
  return login(h.baseUrl, email);
}

/** A DRK case (Kall) worked up to referral: assessment with two life areas, one goal, nothing shared yet. */
async function workedCase(): Promise<string> {
  const created = await call(drk, 'POST', '/api/v1/cases', { person, source: 'jobcenter' });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await act(drk, id, 'confirm-provider', { organisationId: 'drk' });
  await act(drk, id, 'record-consent', { scope: 'data_processing', decision: 'given' });
  await act(drk, id, 'start-assessment');
  await act(drk, id, 'complete-assessment', {
    lifeAreas: [
      { area: 'work', situation: SITUATION_WORK, need: 'high' },
      { area: 'housing', situation: SITUATION_HOUSING, need: 'low' },
    ],
  });
  const due = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  await act(drk, id, 'agree-goals', { goals: [{ title: GOAL_TITLE, measure: 'Wohnungsbörse, WBS beantragen', owner: 'Klient', dueDate: due }] });
  return id;
}

async function shareWithJobcenter(caseId: string, extra: Record<string, unknown> = {}) {
  const c = await act(drk, caseId, 'record-consent', {
    scope: 'share_with_partner',
    decision: 'given',
    partnerOrganisationId: 'jobcenter',
    partnerName: 'Integration Point Euskirchen',
    purpose: 'Vermittlung in Arbeit',
    ...extra,
  });
  return (c.consents as any[]).at(-1) as { id: string; dataCategories: string[] };
}

beforeAll(async () => {
  h = await startHarness();
  drk = await login(h.baseUrl, 'cm.drk@kim.example');
  caritas = await login(h.baseUrl, 'cm.caritas-eifel@kim.example');
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  admin = await login(h.baseUrl, 'admin@kim.example');
  jobcenter = await createUser('ip@jobcenter.example', 'jobcenter');
});
afterAll(async () => {
  await h?.close();
});

describe('record-consent with data categories', () => {
  it('refuses unknown categories, duplicates and categories on other scopes with 422 and fields', async () => {
    const id = await workedCase();
    const base = { scope: 'share_with_partner', decision: 'given', partnerOrganisationId: 'jobcenter', purpose: 'Arbeit' };
    const unknown = await call(drk, 'POST', `/api/v1/cases/${id}/actions/record-consent`, { ...base, dataCategories: ['contact_details'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('validation_failed');
    expect(Object.keys(unknown.body.error.fields)).toEqual(['dataCategories.0']);
    const twice = await call(drk, 'POST', `/api/v1/cases/${id}/actions/record-consent`, { ...base, dataCategories: ['goals', 'goals'] });
    expect(twice.status).toBe(422);
    expect(twice.body.error.fields).toHaveProperty('dataCategories');
    const empty = await call(drk, 'POST', `/api/v1/cases/${id}/actions/record-consent`, { ...base, dataCategories: [] });
    expect(empty.status).toBe(422);
    const wrongScope = await call(drk, 'POST', `/api/v1/cases/${id}/actions/record-consent`, { scope: 'data_processing', decision: 'given', dataCategories: ['goals'] });
    expect(wrongScope.status).toBe(422);
    expect(wrongScope.body.error.fields).toHaveProperty('dataCategories');
  });

  it('records the categories; without them the full view shows the default set in effect', async () => {
    const id = await workedCase();
    const chosen = await shareWithJobcenter(id, { dataCategories: ['goals', 'master_data'] });
    expect(chosen.dataCategories).toEqual(['master_data', 'goals']);
    const defaulted = await shareWithJobcenter(id);
    expect(defaulted.dataCategories).toEqual(['master_data', 'referral']);
    const rows = await h.db.consent.findMany({ where: { id: { in: [chosen.id, defaulted.id] } } });
    expect(rows.find((r) => r.id === chosen.id)!.dataCategories.sort()).toEqual(['goals', 'master_data']);
    expect(rows.find((r) => r.id === defaulted.id)!.dataCategories).toEqual([]);
  });
});

describe('the partner view of a shared case', () => {
  let caseId: string;
  let consentId: string;

  beforeAll(async () => {
    caseId = await workedCase();
    consentId = (await shareWithJobcenter(caseId, { dataCategories: ['master_data', 'referral', 'life_areas'] })).id;
    await act(drk, caseId, 'refer', { service: 'Jobcenter – Arbeitsvermittlung', partnerName: 'Integration Point', consentId });
    // A referral to someone else, without this consent: never part of the Jobcenter's view.
    await act(drk, caseId, 'refer', { service: OTHER_SERVICE });
  });

  it('shows the partner exactly the consented categories, with purpose and date of the consent', async () => {
    const res = await call(jobcenter, 'GET', `/api/v1/cases/${caseId}`);
    expect(res.status).toBe(200);
    const v = res.body;
    expect(Object.keys(v).sort()).toEqual(
      ['access', 'consents', 'dataCategories', 'id', 'lifeAreas', 'organisationId', 'person', 'referrals', 'sharedWithOrganisationId'].sort(),
    );
    expect(v).toMatchObject({ id: caseId, access: 'partner', organisationId: 'drk', sharedWithOrganisationId: 'jobcenter' });
    expect(v.dataCategories).toEqual(['master_data', 'referral', 'life_areas']);
    expect(v.consents).toEqual([
      {
        id: consentId,
        purpose: 'Vermittlung in Arbeit',
        partnerName: 'Integration Point Euskirchen',
        recordedAt: expect.any(String),
        dataCategories: ['master_data', 'referral', 'life_areas'],
      },
    ]);
    expect(v.person).toEqual(person);
    expect(v.referrals).toHaveLength(1);
    expect(v.referrals[0]).toMatchObject({ service: 'Jobcenter – Arbeitsvermittlung', status: 'sent' });
    expect(Object.keys(v.referrals[0]).sort()).toEqual(['dueDate', 'id', 'outcomeAt', 'partnerName', 'sentAt', 'service', 'status']);
    // Life areas with their need, but not the situation texts (that is a category of its own).
    expect(v.lifeAreas).toEqual([
      { area: 'work', label: 'Arbeit', need: 'high' },
      { area: 'housing', label: 'Wohnen', need: 'low' },
    ]);
    const text = JSON.stringify(v);
    for (const secret of [SITUATION_WORK, SITUATION_HOUSING, GOAL_TITLE, OTHER_SERVICE, 'deadlines', 'assignee', 'contacts']) {
      expect(text).not.toContain(secret);
    }
  });

  it('gives the partner no history, no actions, no export, no access log and no history check (404)', async () => {
    for (const path of ['history', 'history/check', 'export', 'export?format=html', 'access-log']) {
      const res = await call(jobcenter, 'GET', `/api/v1/cases/${caseId}/${path}`);
      expect(res.status, path).toBe(404);
    }
    const action = await call(jobcenter, 'POST', `/api/v1/cases/${caseId}/actions/record-contact`, {
      kind: 'phone',
      date: new Date().toISOString(),
      durationMinutes: 10,
    });
    expect(action.status).toBe(404);
    const withdraw = await call(jobcenter, 'POST', `/api/v1/cases/${caseId}/actions/withdraw-consent`, { consentId });
    expect(withdraw.status).toBe(404);
  });

  it('answers 404 to organisations without a consent in force, and to admins', async () => {
    expect((await call(caritas, 'GET', `/api/v1/cases/${caseId}`)).status).toBe(404);
    expect((await call(admin, 'GET', `/api/v1/cases/${caseId}`)).status).toBe(404);
    const jobcenterAdmin = await createUser('it@jobcenter.example', 'jobcenter', 'admin');
    expect((await call(jobcenterAdmin, 'GET', `/api/v1/cases/${caseId}`)).status).toBe(404);
  });

  it('leaves the full view for the holding organisation and coordination unchanged', async () => {
    for (const who of [drk, coordinator]) {
      const res = await call(who, 'GET', `/api/v1/cases/${caseId}`);
      expect(res.status).toBe(200);
      expect(res.body.access).toBeUndefined();
      expect(res.body.assessment.lifeAreas[0].situation).toBe(SITUATION_WORK);
      expect(res.body.referrals).toHaveLength(2);
    }
  });

  it('lists the case in the partner\'s shared list, not in its ordinary case list', async () => {
    const shared = await call(jobcenter, 'GET', '/api/v1/cases/shared');
    expect(shared.status).toBe(200);
    const item = (shared.body.items as any[]).find((i) => i.id === caseId);
    expect(item).toEqual({
      id: caseId,
      access: 'partner',
      organisationId: 'drk',
      person: { givenName: person.givenName, familyName: person.familyName },
      dataCategories: ['master_data', 'referral', 'life_areas'],
      consents: [{ id: consentId, purpose: 'Vermittlung in Arbeit', recordedAt: expect.any(String) }],
    });
    const ordinary = await call(jobcenter, 'GET', `/api/v1/cases?q=${encodeURIComponent(person.familyName)}`);
    expect(ordinary.status).toBe(200);
    expect(ordinary.body.items.map((i: any) => i.id)).not.toContain(caseId);
    const other = await call(caritas, 'GET', '/api/v1/cases/shared');
    expect(other.body.items.map((i: any) => i.id)).not.toContain(caseId);
  });

  it('logs every partner read with the consent\'s purpose and no content', async () => {
    const before = await h.db.accessLog.count({ where: { caseId, action: 'read_shared_case' } });
    expect((await call(jobcenter, 'GET', `/api/v1/cases/${caseId}`, undefined)).status).toBe(200);
    const rows = await h.db.accessLog.findMany({ where: { caseId, action: 'read_shared_case' }, orderBy: { at: 'asc' } });
    expect(rows).toHaveLength(before + 1);
    const last = rows.at(-1)!;
    expect(last).toMatchObject({ userId: jobcenter.user.id, role: 'case_manager', organisationId: 'jobcenter', channel: 'api', purpose: 'Vermittlung in Arbeit' });
    const listed = await h.db.accessLog.findMany({ where: { caseId, action: 'list_shared_case' } });
    expect(listed.length).toBeGreaterThan(0);
    const text = JSON.stringify([...rows, ...listed]);
    for (const content of [person.givenName, person.familyName, person.birthDate, SITUATION_WORK, 'Arbeitsvermittlung', 'high']) {
      expect(text).not.toContain(content);
    }
    // Coordination sees the partner reads in the case's access log.
    const log = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/access-log`);
    expect(log.body.items.some((e: any) => e.action === 'read_shared_case' && e.organisationId === 'jobcenter')).toBe(true);
    // And the Art. 15 export names the recipient (Art. 15(1)(c)), in JSON and on the printable page.
    const exported = await call(coordinator, 'GET', `/api/v1/cases/${caseId}/export`);
    expect(exported.body.disclosures).toContainEqual({ organisationId: 'jobcenter', organisation: 'Integration Point / Jobcenter', at: last.at.toISOString(), purpose: 'Vermittlung in Arbeit' });
    const page = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/export?format=html`, { headers: coordinator.headers(false) });
    expect(await page.text()).toContain('Integration Point / Jobcenter');
  });

  it('cuts access with the withdrawal: the very next request is 404, the list is empty, it is recorded', async () => {
    const id = await workedCase();
    const consent = await shareWithJobcenter(id, { dataCategories: ['master_data', 'goals', 'life_area_situations'] });
    const open = await call(jobcenter, 'GET', `/api/v1/cases/${id}`);
    expect(open.status).toBe(200);
    // Situation texts bring their life areas along; goals are shown.
    expect(open.body.dataCategories).toEqual(['master_data', 'life_areas', 'life_area_situations', 'goals']);
    expect(open.body.lifeAreas[0]).toEqual({ area: 'work', label: 'Arbeit', need: 'high', situation: SITUATION_WORK });
    expect(open.body.goals.map((g: any) => g.title)).toEqual([GOAL_TITLE]);
    expect(open.body.referrals).toBeUndefined();

    await act(drk, id, 'withdraw-consent', { consentId: consent.id });
    const after = await call(jobcenter, 'GET', `/api/v1/cases/${id}`);
    expect(after.status).toBe(404);
    expect(after.body.error.code).toBe('not_found');
    const shared = await call(jobcenter, 'GET', '/api/v1/cases/shared');
    expect(shared.body.items.map((i: any) => i.id)).not.toContain(id);
    const reads = await h.db.accessLog.count({ where: { caseId: id, action: 'read_shared_case' } });
    expect(reads).toBe(1); // the refused read is not a read
    const history = await call(coordinator, 'GET', `/api/v1/cases/${id}/history`);
    const withdrawn = (history.body.events as any[]).find((e) => e.type === 'consent_withdrawn');
    expect(withdrawn).toMatchObject({ actor: drk.user.id, data: { consentId: consent.id, scope: 'share_with_partner' } });
  });

  it('stays cut when a stale write would reopen the consent in the read model (the workflow says withdrawn)', async () => {
    const id = await workedCase();
    const consent = await shareWithJobcenter(id);
    await act(drk, id, 'withdraw-consent', { consentId: consent.id });
    // What a late retry of an older record write could leave behind: the consent row as it was before.
    await h.db.consent.update({ where: { id: consent.id }, data: { withdrawnAt: null, withdrawnById: null } });
    expect((await call(jobcenter, 'GET', `/api/v1/cases/${id}`)).status).toBe(404);
  });

  it('shows a consent without categories as the default set (master data and referral) only', async () => {
    const id = await workedCase();
    await act(drk, id, 'record-consent', { scope: 'share_with_partner', decision: 'given', partnerOrganisationId: 'caritas-eifel', purpose: 'Schuldnerberatung' });
    const res = await call(caritas, 'GET', `/api/v1/cases/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.dataCategories).toEqual(['master_data', 'referral']);
    expect(res.body.referrals).toEqual([]);
    expect(res.body.lifeAreas).toBeUndefined();
    expect(res.body.goals).toBeUndefined();
    // A refused consent, or one naming another organisation, opens nothing.
    await act(drk, id, 'record-consent', { scope: 'share_with_partner', decision: 'refused', partnerOrganisationId: 'jobcenter', purpose: 'Arbeit' });
    expect((await call(jobcenter, 'GET', `/api/v1/cases/${id}`)).status).toBe(404);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The German page

async function pageGet(who: SignedIn, path: string) {
  const res = await fetch(`${h.baseUrl}${path}`, { headers: { cookie: who.cookie }, redirect: 'manual' });
  return { status: res.status, html: await res.text() };
}

function text(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
}

describe('page /faelle/:id for a partner ("Freigegebene Daten")', () => {
  it('shows the consented data in German, nothing else, lists the case, and is gone after withdrawal', async () => {
    const id = await workedCase();
    const consent = await shareWithJobcenter(id, { dataCategories: ['master_data', 'life_areas'] });

    const page = await pageGet(jobcenter, `/faelle/${id}`);
    expect(page.status).toBe(200);
    const t = text(page.html);
    expect(t).toContain('Freigegebene Daten: Samir Al-Khatib');
    expect(t).toContain('Zweck: Vermittlung in Arbeit');
    expect(t).toContain('21.07.1988');
    expect(t).toContain('Arbeit hoher Bedarf');
    expect(t).not.toContain(SITUATION_WORK);
    expect(t).not.toContain(GOAL_TITLE);
    expect(t).not.toContain('Fristen');
    expect(page.html).not.toContain('/aktionen/');
    expect(page.html).not.toContain('/verlauf');
    const logged = await h.db.accessLog.findMany({ where: { caseId: id, action: 'read_shared_case', channel: 'page' } });
    expect(logged).toHaveLength(1);

    const list = await pageGet(jobcenter, '/faelle');
    expect(list.status).toBe(200);
    expect(text(list.html)).toContain('Für Ihre Organisation freigegeben');
    expect(list.html).toContain(`/faelle/${id}`);

    for (const path of [`/faelle/${id}/verlauf`]) expect((await pageGet(jobcenter, path)).status).toBe(404);
    expect((await pageGet(caritas, `/faelle/${id}`)).status).toBe(404);

    await act(drk, id, 'withdraw-consent', { consentId: consent.id });
    expect((await pageGet(jobcenter, `/faelle/${id}`)).status).toBe(404);
    expect((await pageGet(jobcenter, '/faelle')).html).not.toContain(`/faelle/${id}`);
  });
});

describe('page form "Einwilligung erfassen" with partner organisation and data categories', () => {
  async function pagePost(who: SignedIn, path: string, fields: Array<[string, string]>) {
    const page = await pageGet(who, path.replace(/\/aktionen\/.*$/, ''));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const res = await fetch(`${h.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: who.cookie },
      body: new URLSearchParams([['_csrf', csrf], ...fields]),
      redirect: 'manual',
    });
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  }

  /** The <details> block of one consent form. */
  const consentBlock = (html: string, id: string) => {
    const start = html.indexOf(`id="${id}"`);
    expect(start, id).toBeGreaterThan(-1);
    return html.slice(start, html.indexOf('</details>', start));
  };

  it('offers the categories as checkboxes and records the chosen ones; a wrong combination is shown at the field', async () => {
    const id = await workedCase();
    const page = await pageGet(drk, `/faelle/${id}`);
    // One consent form per scope (issue 14): the categories and partners only in the form for passing data on.
    const dataProcessing = consentBlock(page.html, 'aktion-record-consent');
    expect(dataProcessing).not.toContain('name="dataCategories"');
    expect(dataProcessing).toContain('name="scope" value="data_processing"');
    const block = consentBlock(page.html, 'aktion-record-consent-weitergabe');
    expect(block).toContain('name="scope" value="share_with_partner"');
    expect(block).toContain('name="dataCategories" value="life_area_situations"');
    expect(block).toContain('Beschreibung der Lebenssituation je Bereich');
    expect(block).toMatch(/name="partnerOrganisationId"[\s\S]*value="jobcenter"/);

    // The API still refuses categories on another scope (a hand-made request); the page shows it on that scope's form.
    const wrong = await pagePost(drk, `/faelle/${id}/aktionen/record-consent`, [
      ['scope', 'data_processing'],
      ['decision', 'given'],
      ['dataCategories', 'goals'],
    ]);
    expect(wrong.status).toBe(422);
    expect(text(wrong.html)).toContain('Datenkategorien gibt es nur bei Weitergabe an Partner');
    expect(consentBlock(wrong.html, 'aktion-record-consent')).toContain('class="error-summary"');

    // A sharing consent without a partner: the error at its form, the chosen categories kept.
    const noPartner = await pagePost(drk, `/faelle/${id}/aktionen/record-consent`, [
      ['scope', 'share_with_partner'],
      ['decision', 'given'],
      ['dataCategories', 'goals'],
    ]);
    expect(noPartner.status).toBe(422);
    const failed = consentBlock(noPartner.html, 'aktion-record-consent-weitergabe');
    expect(failed).toContain('class="error-summary"');
    expect(failed).toMatch(/value="goals" checked/);

    const ok = await pagePost(drk, `/faelle/${id}/aktionen/record-consent`, [
      ['scope', 'share_with_partner'],
      ['decision', 'given'],
      ['partnerOrganisationId', 'jobcenter'],
      ['purpose', 'Vermittlung in Arbeit'],
      ['dataCategories', 'master_data'],
      ['dataCategories', 'goals'],
    ]);
    expect(ok.status).toBe(303);
    const consents = await h.db.consent.findMany({ where: { caseId: id, scope: 'share_with_partner' } });
    expect(consents.map((k) => [k.partnerOrganisationId, [...k.dataCategories].sort()])).toEqual([['jobcenter', ['goals', 'master_data']]]);
    const shared = await call(jobcenter, 'GET', `/api/v1/cases/${id}`);
    expect(shared.body.dataCategories).toEqual(['master_data', 'goals']);
  });
});

describe('handover pages: the counsellor records a withdrawn consent', () => {
  it('offers "Einwilligung widerrufen" after consent; afterwards the receiving side sees only the state', async () => {
    const abh = await login(h.baseUrl, 'abh@kim.example');
    const created = await call(abh, 'POST', '/api/v1/handovers', {
      person: { givenName: 'Amina', familyName: 'Haddad', birthDate: '1990-04-12', municipality: 'Kall', languages: ['ar'] },
      residenceLaw: { permits: ['§25b'], notes: 'Duldung seit 2019' },
      reason: 'Erhöhter Unterstützungsbedarf',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await pageGet(abh, `/uebergaben/${id}`)).html).not.toContain('id="aktion-withdraw-consent"');
    expect((await call(abh, 'POST', `/api/v1/handovers/${id}/actions/record-consent`, { decision: 'given' })).status).toBe(200);
    expect(text((await pageGet(drk, `/uebergaben/${id}`)).html)).toContain('Haddad');

    const page = await pageGet(abh, `/uebergaben/${id}`);
    expect(page.html).toContain('id="aktion-withdraw-consent"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const res = await fetch(`${h.baseUrl}/uebergaben/${id}/aktionen/withdraw-consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: abh.cookie },
      body: new URLSearchParams({ _csrf: csrf, note: 'Klientin hat angerufen' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const own = text((await pageGet(abh, `/uebergaben/${id}`)).html);
    expect(own).toContain('Abgebrochen');
    expect(own).toContain('Einwilligung widerrufen');
    const receiver = text((await pageGet(drk, `/uebergaben/${id}`)).html);
    expect(receiver).toContain('Ohne Einwilligung der Person sehen Sie nur ihren Stand');
    expect(receiver).not.toContain('Haddad');
    expect(receiver).not.toContain('§25b');
  });
});
