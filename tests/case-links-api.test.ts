// Related persons linked to their own case (issue 14) over HTTP on real PostgreSQL: linked once (idempotent), shown
// from both sides with the relation turned round, only to viewers with full access to the other case, refused in
// German for cases of another organisation or invisible ones, unlinked, in the Art. 15 export as "verknüpfter Fall"
// without the other person's data, and removed when one of the two cases is erased (the other stays).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErasureActivities } from '../activities/erasure.js';
import { login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let coordinator: SignedIn;
let drk: SignedIn;
let eifel: SignedIn;

async function openCase(givenName: string, municipality: string): Promise<string> {
  const res = await fetch(`${h.baseUrl}/api/v1/cases`, {
    method: 'POST',
    headers: coordinator.headers(),
    body: JSON.stringify({ person: { givenName, familyName: 'Verknuepft', birthDate: '1985-03-04', municipality, languages: ['ar'] }, source: 'volunteers' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const link = (who: SignedIn, caseId: string, body: unknown) =>
  fetch(`${h.baseUrl}/api/v1/cases/${caseId}/links`, { method: 'POST', headers: who.headers(), body: JSON.stringify(body) });
const links = async (who: SignedIn, caseId: string) => {
  const res = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/links`, { headers: who.headers(false) });
  return { status: res.status, body: (await res.json()) as any };
};

beforeAll(async () => {
  h = await startHarness();
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  drk = await login(h.baseUrl, 'cm.drk@kim.example'); // Weilerswist, Kall → DRK
  eifel = await login(h.baseUrl, 'cm.caritas-eifel@kim.example'); // Schleiden → Caritas Eifel
});
afterAll(async () => {
  await h?.close();
});

describe('a related person linked to their own case', () => {
  it('is shown on both cases to those who may open both, refused across organisations, exported without the other person', async () => {
    const mother = await openCase('Amina', 'Weilerswist');
    const son = await openCase('Karim', 'Kall');
    const elsewhere = await openCase('Sara', 'Schleiden');

    const created = await link(drk, mother, { linkedCaseId: son, relation: 'child', requestId: 'l-1' });
    expect(created.status).toBe(201);
    const first = (await created.json()) as any;
    expect(first).toMatchObject({ caseId: son, relation: 'child', relationLabel: 'Kind' });
    // Again, also from the other side: the one link.
    expect(((await (await link(drk, mother, { linkedCaseId: son, relation: 'child' })).json()) as any).id).toBe(first.id);
    expect(((await (await link(drk, son, { linkedCaseId: mother, relation: 'parent' })).json()) as any).id).toBe(first.id);
    expect(await h.db.caseLink.count()).toBe(1);

    expect((await links(drk, mother)).body.links).toMatchObject([{ id: first.id, caseId: son, relation: 'child' }]);
    expect((await links(drk, son)).body.links).toMatchObject([{ id: first.id, caseId: mother, relation: 'parent', relationLabel: 'Elternteil' }]);
    expect((await links(eifel, mother)).status).toBe(404);
    // Logged as reads of the case.
    expect(await h.db.accessLog.count({ where: { caseId: son, userId: drk.user.id, action: 'read_case' } })).toBeGreaterThan(0);

    // A case the caller cannot open looks like none; the coordinator sees it, but it is another organisation's.
    const invisible = await link(drk, mother, { linkedCaseId: elsewhere, relation: 'sibling' });
    expect(invisible.status).toBe(422);
    expect(((await invisible.json()) as any).error).toMatchObject({ code: 'validation_failed', fields: { linkedCaseId: 'Diesen Fall gibt es nicht oder Sie dürfen ihn nicht öffnen.' } });
    const otherOrg = await link(coordinator, mother, { linkedCaseId: elsewhere, relation: 'sibling' });
    expect(otherOrg.status).toBe(422);
    expect(((await otherOrg.json()) as any).error.message).toBe('Verknüpft werden nur Fälle derselben Organisation.');
    const self = await link(drk, mother, { linkedCaseId: mother, relation: 'other' });
    expect(((await self.json()) as any).error.fields.linkedCaseId).toBe('Ein Fall kann nicht mit sich selbst verknüpft werden.');
    const badRelation = await link(drk, mother, { linkedCaseId: son, relation: 'cousin' });
    expect(((await badRelation.json()) as any).error.fields.relation).toBe('Beziehung: Bitte die Beziehung wählen.');
    expect(await h.db.caseLink.count()).toBe(1);

    // Both case pages link to the other case.
    const page = await (await fetch(`${h.baseUrl}/faelle/${son}`, { headers: { cookie: drk.cookie } })).text();
    expect(page).toContain(`<a href="/faelle/${mother}">Amina Verknuepft</a> (Elternteil)`);
    const motherPage = await (await fetch(`${h.baseUrl}/faelle/${mother}`, { headers: { cookie: drk.cookie } })).text();
    expect(motherPage).toContain(`<a href="/faelle/${son}">Karim Verknuepft</a> (Kind)`);

    // Art. 15: that there is a linked case and the relation — nothing of the son or his case.
    const exported = await (await fetch(`${h.baseUrl}/api/v1/cases/${mother}/export`, { headers: coordinator.headers(false) })).text();
    expect(JSON.parse(exported).person.linkedCases).toEqual([{ kind: 'verknüpfter Fall', relation: 'child', relationLabel: 'Kind', since: expect.any(String) }]);
    expect(exported).not.toContain(son);
    expect(exported).not.toContain('Karim');
    const print = await (await fetch(`${h.baseUrl}/api/v1/cases/${mother}/export?format=html`, { headers: { cookie: coordinator.cookie } })).text();
    expect(print).toMatch(/<dt>Verknüpfte Fälle<\/dt><dd>verknüpfter Fall \(Kind, seit \d\d\.\d\d\.\d{4}\)<\/dd>/);
    expect(print).not.toContain('Karim');

    // Unlinked from the son's side.
    const unlinked = await fetch(`${h.baseUrl}/api/v1/cases/${son}/links/${first.id}`, { method: 'DELETE', headers: drk.headers(false) });
    expect(unlinked.status).toBe(204);
    expect((await links(drk, mother)).body.links).toEqual([]);
    expect((await fetch(`${h.baseUrl}/api/v1/cases/${son}/links/${first.id}`, { method: 'DELETE', headers: drk.headers(false) })).status).toBe(404);
  });

  it('is linked and unlinked with the case page form', async () => {
    const a = await openCase('Lina', 'Weilerswist');
    const b = await openCase('Omar', 'Kall');
    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${h.baseUrl}${path}`, {
        method: 'POST',
        headers: { cookie: drk.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: drk.csrfToken, ...fields }).toString(),
        redirect: 'manual',
      });
    const refused = await post(`/faelle/${a}/verknuepfungen`, { linkedCaseId: b, relation: '' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Beziehung: Bitte die Beziehung wählen.');
    const done = await post(`/faelle/${a}/verknuepfungen`, { linkedCaseId: b, relation: 'partner' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/faelle/${a}#verknuepfte-faelle`);
    const [row] = await h.db.caseLink.findMany({ where: { caseId: a } });
    expect(row).toMatchObject({ linkedCaseId: b, relation: 'partner', createdById: drk.user.id });
    expect((await post(`/faelle/${b}/verknuepfungen/${row!.id}/loesen`, {})).status).toBe(303);
    expect(await h.db.caseLink.count({ where: { caseId: a } })).toBe(0);
  });

  it('goes when one of the two cases is erased; the other case stays', async () => {
    const a = await openCase('Nour', 'Weilerswist');
    const b = await openCase('Yara', 'Kall');
    expect((await link(drk, a, { linkedCaseId: b, relation: 'sibling' })).status).toBe(201);
    await createErasureActivities(h.db, h.dataKeys).erasePersonalData({ caseId: b });
    expect(await h.db.caseLink.count({ where: { OR: [{ caseId: a }, { linkedCaseId: a }] } })).toBe(0);
    expect((await links(drk, a)).status).toBe(200);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: a } })).erasedAt).toBeNull();
  });
});
