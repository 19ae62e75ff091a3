// Retention after closure (time-skipping server): three years after a case is closed, the person's data is erased
// or anonymised in the database, the case's data keys are destroyed (crypto-erasure: the engine's copies of its
// earlier runs become unreadable even with every installation key), the event skeleton stays, and the controlling
// figures are the same before and after. The case file beside the workflow (documents, contact data) goes with it.
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../api/app.js';
import { updateCaseContact } from '../api/operations/case-contact.js';
import { documentsOfCase, uploadCaseDocument } from '../api/operations/case-documents.js';
import { buildControllingReport } from '../api/operations/reports.js';
import type { Actor, CaseAction } from '../domain/index.js';
import { loadConfig } from '../platform/config.js';
import { DataKeyDestroyedError, DataKeyStore } from '../platform/data-keys.js';
import { loadPayloadKeys, PayloadEncryptionCodec } from '../platform/payload-codec.js';
import { caseActionUpdate, caseWorkflowId } from '../workflows/case-messages.js';
import type { CaseWorkflowResult } from '../workflows/case-messages.js';
import { login } from '../harness/auth.js';
import { caseAfter, demoActor, openCaseRows, startCase } from '../harness/cases.js';
import { decodedText, encodedPayloads, keyIdOf } from './support/payloads.js';
import { startTimeSkippingStack, type TimeSkippingStack } from './support/time-skipping.js';

let stack: TimeSkippingStack;
let env: TimeSkippingStack['env'];
let db: TimeSkippingStack['db'];

beforeAll(async () => {
  stack = await startTimeSkippingStack('retention');
  ({ env, db } = stack);
});

afterAll(async () => {
  await stack?.close();
});

/** Free texts staff type in, each with a marker that must not survive the erasure anywhere. */
const MARK = 'MARKE7Q';

/** Every row the database holds about a case, as text. */
async function everythingAbout(caseId: string): Promise<string> {
  const row = await db.case.findUniqueOrThrow({ where: { id: caseId }, include: { person: true, events: true, consents: true } });
  const rest = await Promise.all([
    db.caseSnapshot.findMany({ where: { caseId } }),
    db.caseDeadline.findMany({ where: { caseId } }),
    db.notification.findMany({ where: { caseId } }),
    db.accessLog.findMany({ where: { caseId } }),
  ]);
  return JSON.stringify([row, ...rest]);
}

async function documentedCase(cm: Actor, coordinator: Actor, i: number) {
  const open = await openCaseRows(db, { openedAt: new Date(await env.currentTimeMs()).toISOString(), assigneeId: cm.id });
  await db.case.update({ where: { id: open.caseId }, data: { note: `Erstnotiz ${MARK}-${i}` } });
  await db.person.update({ where: { id: (await db.case.findUniqueOrThrow({ where: { id: open.caseId } })).personId }, data: { givenName: `Vorname${MARK}`, familyName: `Nachname${MARK}`, birthDate: new Date('1990-07-14'), languages: ['ar', 'fa'] } });
  const handle = await startCase(env.client, 'retention', open);
  const act = async (action: CaseAction, payload: unknown = {}, actor = cm) => caseAfter(db, env.client, await handle.executeUpdate(caseActionUpdate, { args: [{ action, payload, actor }] }));
  await act('confirm-provider', { organisationId: 'drk' });
  await act('record-consent', { scope: 'data_processing', decision: 'given' });
  const shared = await act('record-consent', {
    scope: 'share_with_partner',
    decision: 'given',
    partnerOrganisationId: 'jobcenter',
    partnerName: `Jobcenter Team ${MARK}`,
    purpose: `Arbeitsvermittlung ${MARK}`,
  });
  const consentId = shared.consents.find((c) => c.scope === 'share_with_partner')!.id;
  await act('start-assessment');
  await act('complete-assessment', { lifeAreas: [{ area: 'health', situation: `Traumafolgen ${MARK}`, need: 'high' }, { area: 'work', situation: `Arbeit ${MARK}`, need: 'low' }] });
  const planned = await act('agree-goals', { goals: [{ title: `Ziel ${MARK}`, measure: `Maßnahme ${MARK}`, owner: `Frau ${MARK}`, dueDate: '2027-06-30' }] });
  await act('update-goal', { goalId: planned.goals[0]!.id, status: 'achieved' });
  const referred = await act('refer', { service: 'Jobcenter', partnerName: `Frau Partner ${MARK}`, consentId });
  await act('record-referral-outcome', { referralId: referred.referrals[0]!.id, outcome: 'accepted', reason: `Termin ${MARK}` });
  await act('record-contact', { kind: 'accompaniment', date: open.openedAt.slice(0, 10), durationMinutes: 90, note: `Begleitung ${MARK}` });
  await act('put-on-hold', { reason: `Krankenhaus ${MARK}` });
  await act('resume', {});
  await act('close', { reason: 'goals_achieved', goalAttainment: 'achieved', note: `Abschlussnotiz ${MARK}` }, coordinator);
  return { open, handle };
}

describe('retention after closure', () => {
  it('erases the person, destroys the case key, keeps the skeleton — and the controlling figures stay the same', async () => {
    const cm = await demoActor(db, 'cm.drk@kim.example');
    const coordinator = await demoActor(db, 'koordination@kim.example');
    // Three persons, so the figures are not suppressed as small cells (a comparison of nulls would prove nothing).
    const cases = [];
    for (const i of [1, 2, 3]) cases.push(await documentedCase(cm, coordinator, i));
    const year = new Date(await env.currentTimeMs()).getUTCFullYear();
    const report = () =>
      Promise.all((['organisation', 'municipality', 'month'] as const).map((groupBy) => buildControllingReport(db, { from: `${year}-01-01`, to: `${year + 1}-12-31`, groupBy })));
    const before = await report();
    expect(before[0]!.total.figures).toMatchObject({ cases: { opened: { value: 3 }, closed: { value: 3 } }, contacts: { total: { value: 3 } } });

    const [first] = cases;
    const caseId = first!.open.caseId;
    expect(await everythingAbout(caseId)).toContain(MARK);
    // The case file beside the workflow: a document and the contact data, sealed with the case's key.
    const cmUser = await db.user.findUniqueOrThrow({ where: { email: 'cm.drk@kim.example' } });
    const caller = { user: { ...cmUser, role: cm.role, via: 'session' as const }, channel: 'api' as const, purpose: 'Fallbearbeitung' };
    const fileDeps = { db, temporal: env.client };
    const pdf = Buffer.from(`%PDF-1.4\n% Bescheid ${MARK}\n%%EOF\n`);
    await uploadCaseDocument(fileDeps, caller, caseId, { kind: 'notice', title: `Bescheid ${MARK}` }, [{ field: 'file', fileName: 'b.pdf', declaredType: 'application/pdf', data: pdf }]);
    await updateCaseContact(fileDeps, caller, caseId, { phone: '0160 7', relatedPersons: [{ name: `Kind ${MARK}`, relation: 'child' }] });
    expect((await documentsOfCase(fileDeps, caseId)).map((d) => d.title)).toEqual([`Bescheid ${MARK}`]);
    const firstRunId = first!.handle.firstExecutionRunId;
    const raw = new Client({ connection: env.connection });
    const firstRunPayloads = encodedPayloads(await raw.workflow.getHandle(first!.handle.workflowId, firstRunId).fetchHistory());
    const installation = loadPayloadKeys(loadConfig()).keys;
    const fresh = () => new PayloadEncryptionCodec(installation, new DataKeyStore(db, installation));
    const readable = await decodedText(fresh(), firstRunPayloads);
    expect(readable).toContain(`Traumafolgen ${MARK}`);

    // Not yet: 1,000 days after closure everything is still there.
    await env.sleep('1000 days');
    expect((await db.person.findFirstOrThrow({ where: { cases: { some: { id: caseId } } } })).familyName).toBe(`Nachname${MARK}`);

    await env.sleep('200 days');
    for (const c of cases) {
      const result = (await c.handle.result()) as CaseWorkflowResult;
      expect(result).toMatchObject({ caseId: c.open.caseId, state: 'closed', personalDataErased: true });
    }

    // Database: nothing of what was typed in survives; the skeleton does.
    for (const c of cases) expect(await everythingAbout(c.open.caseId)).not.toContain(MARK);
    const person = (await db.case.findUniqueOrThrow({ where: { id: caseId }, include: { person: true } })).person;
    expect(person).toMatchObject({ givenName: '–', familyName: '(anonymisiert)', languages: [] });
    expect(person.birthDate.toISOString().slice(0, 10)).toBe('1990-01-01');
    const row = await db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(row).toMatchObject({ state: 'closed', note: null });
    expect(row.erasedAt).not.toBeNull();
    const events = await db.caseEvent.findMany({ where: { caseId }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['case_opened', 'assessment_completed', 'goals_agreed', 'referral_sent', 'contact_recorded', 'case_closed', 'retention_period_elapsed']),
    );
    expect(events.find((e) => e.type === 'contact_recorded')!.data).toMatchObject({ kind: 'accompaniment', durationMinutes: 90 });
    expect(await db.caseSnapshot.count({ where: { caseId } })).toBe(0);
    expect(await db.caseDocument.count({ where: { caseId } })).toBe(0);
    expect(await db.caseContact.count({ where: { caseId } })).toBe(0);

    // Engine: the case's key is destroyed, so its earlier run is unreadable with every installation key.
    const key = await db.dataKey.findUniqueOrThrow({ where: { subject: caseWorkflowId(caseId) } });
    expect(key).toMatchObject({ wrappedKey: null, destroyedReason: 'retention' });
    expect(key.destroyedAt).not.toBeNull();
    await expect(fresh().decode(firstRunPayloads)).rejects.toBeInstanceOf(DataKeyDestroyedError);
    const history = await raw.workflow.getHandle(first!.handle.workflowId, firstRunId).fetchHistory();
    // Only its hand-over to the last run (written after the key was retired) is under the installation key, and
    // holds no personal data.
    const underInstallationKey = encodedPayloads(history).filter((p) => keyIdOf(p) !== key.id);
    expect(new Set(underInstallationKey.map(keyIdOf))).toEqual(new Set([installation[0]!.id]));
    expect(encodedPayloads(history).filter((p) => keyIdOf(p) === key.id).length).toBeGreaterThan(underInstallationKey.length);
    const handOverText = await decodedText(fresh(), underInstallationKey);
    expect(handOverText).toContain(caseId);
    expect(handOverText).not.toContain(MARK);
    // The last run (it destroyed the key) holds no personal data and stays readable.
    const lastRun = await raw.workflow.getHandle(first!.handle.workflowId).fetchHistory();
    const lastRunText = await decodedText(fresh(), encodedPayloads(lastRun));
    expect(lastRunText).toContain(caseId);
    expect(lastRunText).not.toContain(MARK);

    // The figures of the period are exactly what they were.
    // The app on the same servers: the erased case reads from the read model, anonymised, and takes no actions.
    const app = createApp({ db, temporal: env.client, taskQueue: 'retention' });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { headers } = await login(base, 'koordination@kim.example', 'x');
      const got = await fetch(`${base}/api/v1/cases/${caseId}`, { headers: headers() });
      expect(got.status).toBe(200);
      const body = (await got.json()) as Record<string, any>;
      expect(body).toMatchObject({ state: 'closed', stateSource: 'read_model', person: { familyName: '(anonymisiert)' } });
      expect(body.erasedAt).toBe(row.erasedAt!.toISOString());
      const exported = await fetch(`${base}/api/v1/cases/${caseId}/export`, { headers: headers() });
      expect(exported.status).toBe(200);
      const exportText = await exported.text();
      expect(exportText).not.toContain(MARK);
      expect(exportText).toContain('retention_period_elapsed');
      const page = await fetch(`${base}/faelle/${caseId}`, { headers: headers() });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Personenbezogene Daten gelöscht');
      const refused = await fetch(`${base}/api/v1/cases/${caseId}/actions/reopen`, { method: 'POST', headers: headers(), body: JSON.stringify({ reason: 'Test' }) });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as any).error).toMatchObject({ code: 'transition_not_allowed', allowed: [] });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    const after = await report();
    expect(after[0]!.total.figures).toMatchObject({ cases: { opened: { value: 3 }, closed: { value: 3 } } });
    expect(JSON.stringify(after) === JSON.stringify(before), 'controlling figures changed by the erasure').toBe(true);
  });
});
