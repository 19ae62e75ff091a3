// The documents of a case file over HTTP on real PostgreSQL: upload → list → download gives the same bytes, the
// stored rows hold only ciphertext (sealed with the case's data key), wrong type and too large are refused in German,
// another provider sees nothing, every download is logged, the Art. 15 export lists them, and the erasure at the end
// of retention deletes them (and its destroyed key leaves nothing readable).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErasureActivities } from '../activities/erasure.js';
import { login, type SignedIn } from '../harness/auth.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let coordinator: SignedIn;
let cm: SignedIn;
let otherCm: SignedIn;

const MARKER = 'GEHEIM-Bescheid-Haddad-4711';
const pdf = (extra = '') => Buffer.from(`%PDF-1.4\n% ${MARKER}${extra}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);

async function openCase(familyName: string): Promise<string> {
  const res = await fetch(`${h.baseUrl}/api/v1/cases`, {
    method: 'POST',
    headers: coordinator.headers(),
    body: JSON.stringify({
      person: { givenName: 'Amina', familyName, birthDate: '1985-03-04', municipality: 'Weilerswist', languages: ['ar'] },
      source: 'volunteers',
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function upload(who: SignedIn, caseId: string, fields: Record<string, string>, file?: { data: Buffer; name: string; type: string }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (file) form.set('file', new Blob([file.data], { type: file.type }), file.name);
  return fetch(`${h.baseUrl}/api/v1/cases/${caseId}/documents`, { method: 'POST', headers: who.headers(false), body: form });
}

beforeAll(async () => {
  h = await startHarness();
  coordinator = await login(h.baseUrl, 'koordination@kim.example');
  cm = await login(h.baseUrl, 'cm.drk@kim.example'); // Weilerswist → DRK
  otherCm = await login(h.baseUrl, 'cm.kreis@kim.example');
});
afterAll(async () => {
  await h?.close();
});

describe('documents of a case file', () => {
  it('round trip: stored encrypted, listed, downloaded as the same bytes as an attachment, logged, idempotent', async () => {
    const caseId = await openCase('Haddad');
    const data = pdf();
    const requestId = randomUUID();
    const res = await upload(cm, caseId, { kind: 'notice', title: 'Bescheid Jobcenter', requestId }, { data, name: 'Bescheid Haddad.pdf', type: 'application/pdf' });
    expect(res.status).toBe(201);
    const doc = (await res.json()) as { id: string; kind: string; title: string; size: number; contentType: string; createdById: string };
    expect(doc).toMatchObject({ kind: 'notice', title: 'Bescheid Jobcenter', size: data.length, contentType: 'application/pdf', createdById: cm.user.id });

    // The same requestId again: the same document, nothing new.
    const again = await upload(cm, caseId, { kind: 'notice', title: 'Bescheid Jobcenter', requestId }, { data, name: 'Bescheid Haddad.pdf', type: 'application/pdf' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(doc.id);
    expect(await h.db.caseDocument.count({ where: { caseId } })).toBe(1);

    // At rest: ciphertext only — neither the file's marker nor its title or file name in the row.
    const row = await h.db.caseDocument.findUniqueOrThrow({ where: { id: doc.id } });
    const key = await h.db.dataKey.findUniqueOrThrow({ where: { subject: `case-${caseId}` } });
    expect(row.keyId).toBe(key.id);
    const raw = Buffer.concat([Buffer.from(row.content), Buffer.from(row.label)]).toString('latin1');
    expect(Buffer.from(row.content).equals(data)).toBe(false);
    for (const plain of [MARKER, '%PDF', 'Bescheid Jobcenter', 'Haddad']) expect(raw).not.toContain(plain);

    const list = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/documents`, { headers: cm.headers(false) });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { documents: Array<{ id: string; title: string }> }).documents).toEqual([expect.objectContaining({ id: doc.id, title: 'Bescheid Jobcenter' })]);

    const logged = await h.db.accessLog.count({ where: { caseId, action: 'read_document' } });
    const download = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/documents/${doc.id}`, { headers: cm.headers(false) });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);
    expect(download.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename=Bescheid_Haddad.pdf');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await h.db.accessLog.count({ where: { caseId, action: 'read_document', userId: cm.user.id } })).toBe(logged + 1);

    // The page's download link: the same file, also an attachment.
    const page = await fetch(`${h.baseUrl}/faelle/${caseId}/dokumente/${doc.id}`, { headers: { cookie: cm.cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-disposition')).toMatch(/^attachment;/);

    // The Art. 15 export lists it (title, kind, size, date, who).
    const exported = (await (await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/export`, { headers: coordinator.headers(false) })).json()) as {
      documents: Array<Record<string, unknown>>;
    };
    expect(exported.documents).toEqual([expect.objectContaining({ title: 'Bescheid Jobcenter', kind: 'notice', size: data.length, createdById: cm.user.id })]);
    const print = await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/export?format=html`, { headers: { cookie: coordinator.cookie } });
    const html = await print.text();
    expect(html).toContain('Dokumente der Fallakte');
    expect(html).toContain('Bescheid Jobcenter');
  });

  it('refuses other types, disguised files and files over 10 MB with a German 422, storing nothing', async () => {
    const caseId = await openCase('Typen');
    const html = await upload(cm, caseId, { kind: 'other', title: 'Seite' }, { data: Buffer.from('<html><script>alert(1)</script></html>'), name: 'x.pdf', type: 'application/pdf' });
    expect(html.status).toBe(422);
    const htmlBody = (await html.json()) as { error: { code: string; message: string; fields: Record<string, string> } };
    expect(htmlBody.error.fields.file).toBe('Nur PDF-, JPEG- oder PNG-Dateien sind erlaubt.');

    const big = Buffer.concat([pdf(), Buffer.alloc(10 * 1024 * 1024)]);
    const tooBig = await upload(cm, caseId, { kind: 'other', title: 'Groß' }, { data: big, name: 'gross.pdf', type: 'application/pdf' });
    expect(tooBig.status).toBe(422);
    expect(((await tooBig.json()) as { error: { fields: Record<string, string> } }).error.fields.file).toBe('Die Datei ist zu groß: höchstens 10 MB.');

    // Beyond what the form's body may be at all: refused while reading, with the same German message.
    const huge = await upload(cm, caseId, { kind: 'other', title: 'Riesig' }, { data: Buffer.concat([pdf(), Buffer.alloc(12 * 1024 * 1024)]), name: 'r.pdf', type: 'application/pdf' });
    expect(huge.status).toBe(422);
    expect(((await huge.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'file_too_large', message: 'Die Datei ist zu groß: höchstens 10 MB.' });

    const missing = await upload(cm, caseId, { kind: 'unbekannt', title: '' });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { error: { fields: Record<string, string> } }).error.fields).toEqual({
      kind: 'Bitte die Art des Dokuments wählen.',
      title: 'Bitte einen Titel angeben.',
      file: 'Bitte eine Datei auswählen.',
    });
    expect(await h.db.caseDocument.count({ where: { caseId } })).toBe(0);
  });

  it('another provider neither uploads, lists nor downloads (404 as for an unknown case), and nothing is logged for them', async () => {
    const caseId = await openCase('Fremd');
    const res = await upload(cm, caseId, { kind: 'certificate', title: 'Zeugnis' }, { data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]), name: 'z.png', type: 'image/png' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await upload(otherCm, caseId, { kind: 'other', title: 'x' }, { data: pdf(), name: 'x.pdf', type: 'application/pdf' })).status).toBe(404);
    expect((await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/documents`, { headers: otherCm.headers(false) })).status).toBe(404);
    expect((await fetch(`${h.baseUrl}/api/v1/cases/${caseId}/documents/${id}`, { headers: otherCm.headers(false) })).status).toBe(404);
    expect(await h.db.accessLog.count({ where: { caseId, userId: otherCm.user.id } })).toBe(0);
    // A document id of another case under this case's path is unknown too.
    const other = await openCase('Anders');
    expect((await fetch(`${h.baseUrl}/api/v1/cases/${other}/documents/${id}`, { headers: coordinator.headers(false) })).status).toBe(404);
  });

  it('goes with the case at the end of retention: rows deleted, key destroyed, no new upload', async () => {
    const caseId = await openCase('Loeschung');
    const res = await upload(cm, caseId, { kind: 'consent_signed', title: 'Einwilligung unterschrieben' }, { data: pdf(), name: 'e.pdf', type: 'application/pdf' });
    expect(res.status).toBe(201);
    const erasure = createErasureActivities(h.db, h.dataKeys);
    await erasure.erasePersonalData({ caseId });
    expect(await h.db.caseDocument.count({ where: { caseId } })).toBe(0);
    const late = await upload(coordinator, caseId, { kind: 'other', title: 'Nachzügler' }, { data: pdf(), name: 'n.pdf', type: 'application/pdf' });
    expect(late.status).toBe(409);
    await erasure.destroyCaseDataKeys({ caseId });
    expect(await h.db.dataKey.findUniqueOrThrow({ where: { subject: `case-${caseId}` } })).toMatchObject({ wrappedKey: null, destroyedReason: 'retention' });
    expect(await h.db.caseDocument.count({ where: { caseId } })).toBe(0);
  });
});
