// The living demo of `npm start` (scripts/lib/demo-data.ts) against the real database, Temporal dev server and worker:
// never in production, made once through the real operations and workflows, with cases in every phase, every kind
// of contact, transfers, closure requests, a closed and a reopened case, a withdrawn consent, handovers in every
// state, and the demo clock under which the first reminders fall due within minutes. Pages carry the demo banner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { login } from '../harness/auth.js';
import { serveApp } from '../harness/app-server.js';
import { loadCaseSettings } from '../platform/settings.js';
import { createDemoData } from '../scripts/lib/demo-data.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const deps = () => ({ db: h.db, temporal: h.client, taskQueue: h.taskQueue });

describe('the demo data set', () => {
  it('is never made in production', async () => {
    expect(await createDemoData(deps(), { production: true })).toEqual({ created: false, reason: 'NODE_ENV=production' });
    expect(await h.db.case.count()).toBe(0);
    expect(await h.db.setting.count()).toBe(0);
  });

  it('is made once on an empty database through the real workflows', async () => {
    const outcome = await createDemoData(deps(), { production: false });
    expect(outcome).toEqual({ created: true, cases: 48, handovers: 6 });

    const cases = await h.db.case.findMany({ include: { person: true } });
    // Handed-over handover opens one more case at its takeover.
    expect(cases.length).toBe(49);
    expect(new Set(cases.map((c) => c.state))).toEqual(new Set(['intake', 'assessment', 'goal_planning', 'referral', 'review', 'closed']));
    expect(new Set(cases.map((c) => c.organisationId))).toEqual(new Set(['caritas-eifel', 'caritas-euskirchen', 'drk', 'kja', 'kreis-kim']));
    expect(new Set(cases.map((c) => c.municipality)).size).toBe(11);
    expect(cases.some((c) => c.onHold)).toBe(true);
    // Obviously fictional persons.
    expect(cases.every((c) => /Beispiel|Muster|Probe|Exempel|Vorlage|Testfeld/.test(c.person.familyName))).toBe(true);

    const events = await h.db.caseEvent.groupBy({ by: ['type'], _count: { _all: true } });
    const types = new Set(events.map((e) => e.type));
    for (const type of ['case_reopened', 'case_transferred', 'closure_requested', 'case_closed', 'consent_withdrawn', 'referral_outcome_recorded', 'review_completed', 'success_criteria_agreed', 'progress_rated']) {
      expect(types, type).toContain(type);
    }
    const contactKinds = await h.db.caseEvent.findMany({ where: { type: 'contact_recorded' }, select: { data: true } });
    expect(new Set(contactKinds.map((e) => (e.data as { kind?: string; contact?: { kind?: string } }).kind ?? (e.data as { contact?: { kind?: string } }).contact?.kind))).toEqual(
      new Set(['counselling', 'accompaniment', 'outreach', 'phone', 'digital', 'joint_first_appointment']),
    );
    const handovers = await h.db.handover.findMany();
    expect(new Set(handovers.map((x) => x.state))).toEqual(new Set(['awaiting_consent', 'consent_given', 'meeting_scheduled', 'handed_over', 'refused', 'cancelled']));

    // The demo clock: a day of the periods lasts a minute, so the first-assessment reminder is 14 minutes away.
    expect((await loadCaseSettings(h.db)).deadlines.firstAssessmentDays).toBeCloseTo(14 / 1440);
    const intake = cases.find((c) => c.state === 'intake')!;
    const first = await h.db.caseDeadline.findFirstOrThrow({ where: { caseId: intake.id, kind: 'first_assessment' } });
    expect(Math.round((first.dueAt.getTime() - intake.openedAt.getTime()) / 60_000)).toBe(14);

    // Once: a second start changes nothing.
    expect(await createDemoData(deps(), { production: false })).toEqual({ created: false, reason: 'Demo-Daten wurden bereits angelegt' });
    expect(await h.db.case.count()).toBe(49);
  }, 600_000);

  it('every page of a demo installation says the persons are invented', async () => {
    const served = await serveApp(createApp({ db: h.db, temporal: h.client, taskQueue: h.taskQueue, demoData: true }));
    try {
      const cm = await login(served.baseUrl, 'cm.drk@kim.example');
      for (const path of ['/faelle', '/anmelden']) {
        const html = await (await fetch(`${served.baseUrl}${path}`, { headers: { cookie: cm.cookie } })).text();
        expect(html, path).toContain('Alle Personen und Fälle in dieser Installation sind erfunden');
      }
      const list = await (await fetch(`${served.baseUrl}/faelle`, { headers: { cookie: cm.cookie } })).text();
      expect(list).toMatch(/Beispiel|Muster|Probe|Exempel|Vorlage|Testfeld/);
    } finally {
      await served.close();
    }
  });
});
