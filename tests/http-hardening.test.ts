// Issue 15 findings 4 and 5: browser security headers with a strict CSP (no inline script or style in any page),
// no caching of API answers and pages, the local mail inbox only for signed-in coordination/admins and only with the
// local sink, the HTTP server on loopback unless HOST says otherwise, and Express' trust proxy from TRUST_PROXY.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { login, type SignedIn } from '../harness/auth.js';
import { serveApp, type ServedApp } from '../harness/app-server.js';
import { loadConfig } from '../platform/config.js';
import { openCaseRows } from '../harness/cases.js';
import { randomUUID } from 'node:crypto';
import { startSmtpSink, type MailSink } from '../platform/smtp-sink.js';
import { PageClient } from './support/page-client.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;
let sink: MailSink;
let withSink: ServedApp;
let withoutSink: ServedApp;
let caritas: SignedIn;
let caseId: string;

beforeAll(async () => {
  h = await startHarness({ withApp: false });
  sink = await startSmtpSink({ port: 0 });
  withSink = await serveApp(createApp({ db: h.db, temporal: h.client, taskQueue: h.taskQueue, mailSink: sink }));
  withoutSink = await serveApp(createApp({ db: h.db, temporal: h.client, taskQueue: h.taskQueue }));
  caritas = await login(withSink.baseUrl, 'cm.caritas-eifel@kim.example');
  const created = await fetch(`${withSink.baseUrl}/api/v1/cases`, {
    method: 'POST',
    headers: caritas.headers(),
    body: JSON.stringify({ person: { givenName: 'Nura', familyName: 'Said', birthDate: '1990-01-01', municipality: 'Schleiden', languages: [] }, source: 'self' }),
  });
  caseId = ((await created.json()) as { id: string }).id;
});
afterAll(async () => {
  await withSink?.close();
  await withoutSink?.close();
  await sink?.stop();
  await h?.close();
});

describe('security headers (finding 5)', () => {
  it('sends a strict CSP, frame-ancestors, nosniff and Referrer-Policy; pages carry no inline script or style', async () => {
    const page = await PageClient.signIn(withSink.baseUrl, 'cm.caritas-eifel@kim.example');
    for (const path of ['/anmelden', '/faelle', `/faelle/${caseId}`, '/faelle/neu']) {
      const res = path === '/anmelden' ? await new PageClient(withSink.baseUrl).get(path) : await page.get(path);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('cache-control')).toBe('no-store');
      // Every script is a file of the app; no style attribute or element.
      expect(res.html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(res.html).not.toMatch(/\sstyle=|<style/);
    }
    const script = await page.get('/assets/kim.js');
    expect(script.status).toBe(200);
    expect(script.html).toContain('data-fehler-fokus');
  });

  it('answers the API with Cache-Control: no-store (case, history, list, access log, errors)', async () => {
    const coordinator = await login(withSink.baseUrl, 'koordination@kim.example');
    for (const [who, path] of [
      [caritas, `/api/v1/cases/${caseId}`],
      [caritas, `/api/v1/cases/${caseId}/history`],
      [caritas, '/api/v1/cases'],
      [coordinator, `/api/v1/cases/${caseId}/access-log`],
      [caritas, '/api/v1/cases/unbekannt'],
    ] as const) {
      const res = await fetch(`${withSink.baseUrl}${path}`, { headers: who.headers(false) });
      expect([200, 404]).toContain(res.status);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });
});

describe('the local mail inbox (finding 4)', () => {
  it('needs a signed-in coordinator or admin, and exists only with the local sink', async () => {
    const anonymous = await new PageClient(withSink.baseUrl).get('/mail');
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toMatch(/^\/anmelden/);
    const caseManager = await (await PageClient.signIn(withSink.baseUrl, 'cm.drk@kim.example')).get('/mail');
    expect(caseManager.status).toBe(403);
    for (const email of ['koordination@kim.example', 'admin@kim.example']) {
      const res = await (await PageClient.signIn(withSink.baseUrl, email)).get('/mail');
      expect(res.status).toBe(200);
      expect(res.html).toContain('Posteingang (lokale Test-Mails)');
    }
    const noSink = await (await PageClient.signIn(withoutSink.baseUrl, 'koordination@kim.example')).get('/mail');
    expect(noSink.status).toBe(404);
  });

  it('listens on loopback unless HOST says otherwise; TRUST_PROXY is passed to Express', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({}).trustProxy).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
  });
});

describe('a taken port of the local SMTP sink ("still open": npm start died with an unhandled EADDRINUSE)', () => {
  it('takes a free port instead when the default one is taken by another process', async () => {
    const squatter: Server = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => resolve(s));
    });
    const taken = (squatter.address() as AddressInfo).port;
    try {
      const moved = await startSmtpSink({ port: taken, fallbackToFreePort: true });
      expect(moved.port).not.toBe(taken);
      await moved.stop();
      await expect(startSmtpSink({ port: taken })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});

describe('list filters over state-only cases (finding 9)', () => {
  it('does not let an ABH counsellor find a handed-over case by what its state-only view hides', async () => {
    const abh = await login(withSink.baseUrl, 'abh@kim.example');
    const drkManager = await h.db.user.findUniqueOrThrow({ where: { email: 'cm.drk@kim.example' } });
    const handedOver = await openCaseRows(h.db, { organisationId: 'drk', municipality: 'Kall' });
    await h.db.case.update({ where: { id: handedOver.caseId }, data: { assigneeId: drkManager.id, nextDeadlineAt: new Date(Date.now() - 86_400_000) } });
    const handoverId = randomUUID();
    await h.db.handover.create({
      data: { id: handoverId, workflowId: `handover-${handoverId}`, caseId: handedOver.caseId, state: 'handed_over', counsellorId: abh.user.id, receivingOrganisationId: 'drk' },
    });
    const list = async (query: string) => {
      const res = await fetch(`${withSink.baseUrl}/api/v1/cases${query}`, { headers: abh.headers(false) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: Array<{ id: string }> }).items.map((i) => i.id);
    };
    // Listed, by its state only …
    expect(await list('')).toContain(handedOver.caseId);
    // … but no filter over its content finds it.
    for (const query of ['?municipality=Kall', `?assignee=${drkManager.id}`, '?overdue=true', '?state=intake', '?q=Person']) {
      expect(await list(query), query).not.toContain(handedOver.caseId);
    }
  });
});
