// The controlling facts in PostgreSQL (TEST_DATABASE_URL; else the embedded PGlite): written by the record activity
// with the events — batches in shuffled order, repeated, concurrent — they equal the facts rebuilt from the events
// (`npm run facts:rebuild`), and the report from them equals the report counted straight from the stored events.
import { describe, expect, it } from 'vitest';
import { createCaseRecordActivities, rebuildCaseFacts } from '../activities/case-records.js';
import { buildControllingReport, targetGroupsOf } from '../api/operations/reports.js';
import {
  computeControllingFromEvents,
  CONTROLLING_GROUP_BY,
  foldCaseFacts,
  parseStoredFacts,
  periodBounds,
  type ControllingCaseEvent,
} from '../domain/controlling.js';
import { MUNICIPALITIES } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import type { CaseEventRecord, CaseRecordInput } from '../workflows/case-messages.js';
import { openCaseRows } from '../harness/cases.js';
import { useSeededTestDatabase } from './support/seeded-database.js';
import { generatedCase, generatedPeriod, rng, type Rng } from './domain/case-facts-histories.js';

let db: Database;
useSeededTestDatabase((opened) => (db = opened));

const record = (caseId: string, events: ControllingCaseEvent[]): CaseRecordInput => ({
  caseId,
  events: events.map((e) => ({ seq: e.seq, type: e.type, at: String(e.at), summary: e.type, data: e.data })) as CaseEventRecord[],
  readModel: { state: 'intake', onHold: false, organisationId: 'drk', assigneeId: null, closedAt: null, nextDeadline: null },
  consents: [],
  notifications: [],
});

/** Batches of 1–5 events, shuffled a little (a later batch now and then before an earlier one), some twice. */
function deliveries(r: Rng, events: ControllingCaseEvent[]): ControllingCaseEvent[][] {
  const batches: ControllingCaseEvent[][] = [];
  for (let i = 0; i < events.length; ) {
    const n = 1 + Math.floor(r() * 5);
    batches.push(events.slice(i, i + n));
    i += n;
  }
  for (let i = 1; i < batches.length; i++) if (r() < 0.2) [batches[i - 1], batches[i]] = [batches[i]!, batches[i - 1]!];
  return batches.flatMap((b) => (r() < 0.2 ? [b, b] : [b]));
}

async function storedFacts() {
  const rows = await db.$queryRaw<Array<{ caseId: string; lastSeq: number; openedAt: Date | null; facts: string; days: Record<string, string> }>>`
    SELECT "caseId", "lastSeq", "openedAt", "facts"::text AS "facts", "days" FROM "CaseFacts" ORDER BY "caseId"`;
  // The days are a column of their own (a report reads only some months of them).
  return rows.map(({ facts, days, ...row }) => ({ ...row, facts: parseStoredFacts(facts, days) }));
}

async function storedEvents(): Promise<ControllingCaseEvent[]> {
  return db.caseEvent.findMany({ select: { caseId: true, seq: true, type: true, at: true, data: true }, orderBy: [{ caseId: 'asc' }, { seq: 'asc' }] });
}

describe('controlling facts in PostgreSQL', () => {
  const r = rng(20261206);
  const cases: { caseId: string; events: ControllingCaseEvent[] }[] = [];

  it('keeps the facts of every case equal to the facts of all its events, however the batches arrive', async () => {
    const { recordCaseEvents } = createCaseRecordActivities(db);
    for (let i = 0; i < 16; i++) {
      const open = await openCaseRows(db, { municipality: MUNICIPALITIES[i % MUNICIPALITIES.length]! });
      const events = generatedCase(r, open.caseId, 20 + Math.floor(r() * 60));
      cases.push({ caseId: open.caseId, events });
      const batches = deliveries(r, events);
      // Mostly one after the other; every fourth case two batches at a time (concurrent updates of one case).
      for (let b = 0; b < batches.length; b += i % 4 === 0 ? 2 : 1) {
        await Promise.all(batches.slice(b, b + (i % 4 === 0 ? 2 : 1)).map((batch) => recordCaseEvents(record(open.caseId, batch))));
      }
    }
    const stored = await storedFacts();
    expect(stored).toHaveLength(cases.length);
    for (const c of cases) {
      const row = stored.find((s) => s.caseId === c.caseId)!;
      const expected = foldCaseFacts(null, c.events);
      expect(row.facts, c.caseId).toEqual(expected);
      expect(row.lastSeq).toBe(c.events.length);
      expect(row.openedAt?.getTime()).toBe(expected.opened[0]);
    }
  });

  it('rebuilds exactly the facts the record activity keeps (rebuild = incremental)', async () => {
    const incremental = await storedFacts();
    await db.$executeRaw`UPDATE "CaseFacts" SET "facts" = '{}'::json WHERE "caseId" = ${cases[0]!.caseId}`;
    await db.$executeRaw`DELETE FROM "CaseFacts" WHERE "caseId" = ${cases[1]!.caseId}`;
    expect(await rebuildCaseFacts(db, { chunk: 5 })).toMatchObject({ events: cases.reduce((n, c) => n + c.events.length, 0) });
    expect(await storedFacts()).toEqual(incremental);
  });

  it('gives the report counted straight from the stored events, for every grouping and period', async () => {
    const events = await storedEvents();
    // Persons, target groups (age band, channel, post) and the listed rows as the report operation reads them.
    const { groupsOf, ...targets } = await targetGroupsOf(db);
    // Referrals by catalogue code, free text under the entry its name matches (issue 14), as the report reads them.
    const referralCatalogue = await db.referralCatalogueEntry.findMany({ select: { code: true, name: true } });
    for (let i = 0; i < 6; i++) {
      const { from, to } = generatedPeriod(r);
      const { end } = periodBounds(from, to);
      for (const groupBy of CONTROLLING_GROUP_BY) {
        const expected = computeControllingFromEvents({
          // What the report read before the facts existed: events before the end, contacts whenever documented.
          caseEvents: events.filter((e) => new Date(e.at).getTime() < end || e.type === 'contact_recorded'),
          from,
          to,
          groupBy,
          ...targets,
          referralCatalogue,
          groups: groupsOf(groupBy),
        });
        expect(await buildControllingReport(db, { from, to, groupBy }), `${groupBy} ${from} – ${to}`).toEqual(expected);
      }
    }
  });

  it('counts cases without facts from their events, and the next record writes their facts', async () => {
    const { from, to } = { from: '2024-09-01', to: '2025-08-31' };
    const before = await buildControllingReport(db, { from, to, groupBy: 'organisation' });
    const [first, second] = cases;
    await db.$executeRaw`DELETE FROM "CaseFacts" WHERE "caseId" = ${first!.caseId}`;
    await db.$executeRaw`UPDATE "CaseFacts" SET "version" = 0 WHERE "caseId" = ${second!.caseId}`;
    expect(await buildControllingReport(db, { from, to, groupBy: 'organisation' })).toEqual(before);

    // A case recorded before the facts existed gets its next batch: its facts are folded from all its events.
    const last = first!.events[first!.events.length - 1]!;
    const next: ControllingCaseEvent = { caseId: first!.caseId, seq: last.seq + 1, type: 'contact_recorded', at: last.at, data: { kind: 'phone' } };
    await createCaseRecordActivities(db).recordCaseEvents(record(first!.caseId, [next]));
    const [row] = await db.$queryRaw<Array<{ facts: string; days: Record<string, string> }>>`
      SELECT "facts"::text AS "facts", "days" FROM "CaseFacts" WHERE "caseId" = ${first!.caseId}`;
    expect(parseStoredFacts(row!.facts, row!.days)).toEqual(foldCaseFacts(null, [...first!.events, next]));
  });
});
