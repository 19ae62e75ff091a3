// Benchmark 5: the controlling report over a long history. A database of its own (next to the bench's: the same
// PostgreSQL server, or another in-memory PGlite), migrated and seeded, filled directly in SQL with `cases` cases of
// `eventsPerCase` events each — no workflows: opening, provider, phases, a referral and its outcome, contacts with the
// no-contact deadline met and set again after each, a review, closure for two in five — then the controlling facts
// rebuilt from those events (`npm run facts:rebuild`'s code, timed), and GET /api/v1/reports/controlling measured
// through the API (its default period, the current year, per organisation; and per month).
import { serveApp } from '../../harness/app-server.js';
import { bearerFor } from '../../harness/auth.js';
import { createServerDatabase } from '../../harness/database.js';
import { rebuildCaseFacts } from '../../activities/case-records.js';
import { createApp } from '../../api/app.js';
import { CLOSURE_REASONS, CONTACT_KINDS, GOAL_ATTAINMENTS } from '../../domain/index.js';
import { ORGANISATIONS } from '../../domain/organisations.js';
import { createDatabase, type Database } from '../../platform/database.js';
import { startEmbeddedPostgres } from '../../platform/embedded-postgres.js';
import { deployMigrations } from '../../platform/migrations.js';
import { seedDatabase } from '../../platform/seed.js';
import { call } from './api-client.js';
import type { BenchEnvironment } from './environment.js';
import { summarize, timed, type LatencySummary } from './stats.js';

export interface ReportOptions {
  cases: number;
  eventsPerCase: number;
  samples: number;
}

export interface ReportResult {
  cases: number;
  events: number;
  generateSeconds: number;
  rebuildSeconds: number;
  /** Stored size (pg_column_size, after compression) per case: the facts, and the events with their JSON. */
  factsBytesPerCase: number;
  eventBytesPerCase: number;
  byOrganisation: LatencySummary & { bytes: number };
  byMonth: LatencySummary;
}

const PROVIDERS = ORGANISATIONS.flatMap((o) => o.municipalities.map((m) => [o.id, m] as const));
const SERVICES = ['Jobcenter', 'Schuldnerberatung', 'Sprachkurs VHS', 'Tafel', 'Migrationsberatung', 'Kita-Platz', 'Wohnungsamt', 'Sportverein'];

/** A database of its own for this phase: on the bench's PostgreSQL server when there is one, else PGlite. */
async function reportDatabase(): Promise<{ db: Database; drop: () => Promise<void> }> {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  const fresh = serverUrl ? await createServerDatabase(serverUrl, 'kim_bench_report', 3) : await startEmbeddedPostgres();
  const drop = async () => ('drop' in fresh ? fresh.drop() : fresh.stop());
  try {
    await deployMigrations({ databaseUrl: fresh.url });
    const db = createDatabase(fresh.url);
    await seedDatabase(db, { demoPassword: 'bench-password', production: false });
    return { db, drop: async () => (await db.$disconnect(), await drop()) };
  } catch (error) {
    await drop();
    throw error;
  }
}

/** Persons, cases and their events, written by three INSERT … SELECT statements. */
export async function generateHistory(db: Database, cases: number, eventsPerCase: number): Promise<void> {
  const orgs = PROVIDERS.map(([o]) => o);
  const municipalities = PROVIDERS.map(([, m]) => m);
  // Opened between 400 and 100 days ago; from the eighth event on a contact every third day, with the no-contact
  // deadline met and set again at the same instant (as the domain records it): every case's history lies in the past.
  await db.$executeRaw`
    INSERT INTO "Person" ("id", "givenName", "familyName", "birthDate", "municipality", "languages")
    SELECT md5('person' || i)::uuid::text, 'Bench', 'Person ' || i, DATE '1985-01-01', (${municipalities}::text[])[1 + i % ${municipalities.length}], '{}'
    FROM generate_series(1, ${cases}::int) i`;
  await db.$executeRaw`
    INSERT INTO "Case" ("id", "workflowId", "personId", "state", "organisationId", "municipality", "source", "openedAt", "closedAt", "lastEventSeq", "updatedAt")
    SELECT md5('case' || i)::uuid::text, 'case-' || md5('case' || i)::uuid::text, md5('person' || i)::uuid::text,
           CASE WHEN i % 5 < 2 THEN 'closed' ELSE 'review' END, (${orgs}::text[])[1 + i % ${orgs.length}],
           (${municipalities}::text[])[1 + i % ${municipalities.length}], 'self', o.at,
           CASE WHEN i % 5 < 2 THEN o.at + (7 + 3 * ((${eventsPerCase} - 8) / 3)) * interval '1 day' END, ${eventsPerCase}, now()
    FROM generate_series(1, ${cases}::int) i, LATERAL (SELECT date_trunc('second', now()) - (400 - i % 300) * interval '1 day' - (i % 600) * interval '1 minute' AS at) o`;
  await db.$executeRaw`
    INSERT INTO "CaseEvent" ("id", "caseId", "seq", "eventKey", "type", "at", "actorId", "summary", "data")
    SELECT gen_random_uuid()::text, c."id", s, c."id" || ':' || s, e.type, e.at, 'bench', 'Benchmark: ' || e.type || ' am ' || to_char(e.at, 'DD.MM.YYYY'), e.data
    FROM (SELECT (row_number() OVER (ORDER BY "openedAt", "id"))::int AS i, "id", "openedAt", "organisationId", "municipality", "state" FROM "Case") c
    CROSS JOIN generate_series(1, ${eventsPerCase}::int) s
    CROSS JOIN LATERAL (SELECT c."openedAt" + (CASE WHEN s < 8 THEN s - 1 ELSE 7 + 3 * ((s - 8) / 3) END) * interval '1 day' AS at, (s - 8) / 3 AS t, (s - 8) % 3 AS r) x
    CROSS JOIN LATERAL (SELECT
      CASE
        WHEN s = 1 THEN 'case_opened' WHEN s = 2 THEN 'provider_confirmed' WHEN s = 3 THEN 'deadline_set' WHEN s = 4 THEN 'assessment_started'
        WHEN s = 5 THEN 'deadline_met' WHEN s = 6 THEN 'assessment_completed' WHEN s = 7 THEN 'referral_sent'
        WHEN s = ${eventsPerCase} AND c."state" = 'closed' THEN 'case_closed'
        WHEN s = ${eventsPerCase} - 1 THEN 'review_started' WHEN s = ${eventsPerCase} - 2 THEN 'referral_outcome_recorded'
        WHEN x.r = 0 OR s = ${eventsPerCase} THEN 'contact_recorded' WHEN x.r = 1 THEN 'deadline_met' ELSE 'deadline_set'
      END AS type, x.at,
      CASE
        WHEN s = 1 THEN json_build_object('caseId', c."id", 'organisationId', c."organisationId", 'municipality', c."municipality", 'source', 'self')
        WHEN s = 2 THEN json_build_object('organisationId', c."organisationId")
        WHEN s IN (3, 5) THEN json_build_object('deadlineId', 'fa-' || c."id", 'kind', 'first_assessment', 'dueAt', x.at, 'late', c.i % 4 = 0)
        WHEN s = 4 THEN json_build_object('fromState', 'intake', 'toState', 'assessment')
        WHEN s = 6 THEN json_build_object('fromState', 'assessment', 'toState', 'goal_planning')
        WHEN s = 7 THEN json_build_object('fromState', 'goal_planning', 'toState', 'referral', 'referral', json_build_object('id', 'r1-' || c."id", 'service', (${SERVICES}::text[])[1 + c.i % ${SERVICES.length}]))
        WHEN s = ${eventsPerCase} AND c."state" = 'closed' THEN json_build_object('fromState', 'review', 'toState', 'closed', 'reason', (${[...CLOSURE_REASONS]}::text[])[1 + c.i % ${CLOSURE_REASONS.length}], 'goalAttainment', (${[...GOAL_ATTAINMENTS]}::text[])[1 + c.i % ${GOAL_ATTAINMENTS.length}], 'closedAt', x.at)
        WHEN s = ${eventsPerCase} - 1 THEN json_build_object('fromState', 'referral', 'toState', 'review')
        WHEN s = ${eventsPerCase} - 2 THEN json_build_object('referralId', 'r1-' || c."id", 'outcome', (ARRAY['accepted', 'declined', 'completed', 'not_reached'])[1 + c.i % 4])
        WHEN x.r = 0 OR s = ${eventsPerCase} THEN json_build_object('contactId', 'contact-' || s, 'kind', (${[...CONTACT_KINDS]}::text[])[1 + (c.i + s) % ${CONTACT_KINDS.length}], 'date', to_char(x.at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD'), 'durationMinutes', 30)
        WHEN x.r = 1 THEN json_build_object('deadlineId', 'nc-' || x.t || '-' || c."id", 'kind', 'no_contact', 'dueAt', x.at + interval '28 days', 'late', (c.i + x.t) % 9 = 0)
        ELSE json_build_object('deadlineId', 'nc-' || (x.t + 1) || '-' || c."id", 'kind', 'no_contact', 'dueAt', x.at + interval '28 days', 'escalateAt', x.at + interval '56 days')
      END::jsonb AS data) e`;
}

async function sample(n: number, op: () => Promise<unknown>): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await timed(op));
  return summarize(samples);
}

export async function benchReport(env: BenchEnvironment, options: ReportOptions, log: (line: string) => void): Promise<ReportResult> {
  const { db, drop } = await reportDatabase();
  let served: Awaited<ReturnType<typeof serveApp>> | undefined;
  try {
    let started = Date.now();
    await generateHistory(db, options.cases, options.eventsPerCase);
    const generateSeconds = (Date.now() - started) / 1000;
    log(`  report: ${options.cases} cases, ${options.cases * options.eventsPerCase} events written in ${generateSeconds.toFixed(1)} s`);
    started = Date.now();
    const rebuilt = await rebuildCaseFacts(db, { chunk: 500 });
    const rebuildSeconds = (Date.now() - started) / 1000;
    log(`  report: facts of ${rebuilt.cases} cases rebuilt from ${rebuilt.events} events in ${rebuildSeconds.toFixed(1)} s`);
    await db.$executeRawUnsafe('ANALYZE');
    const [sizes] = await db.$queryRaw<Array<{ facts: number; events: number }>>`
      SELECT (SELECT sum(pg_column_size(f.*)) FROM "CaseFacts" f)::float8 / ${options.cases} AS facts,
             (SELECT sum(pg_column_size(e.*)) FROM "CaseEvent" e)::float8 / ${options.cases} AS events`;

    served = await serveApp(createApp({ db, temporal: env.client, taskQueue: env.caseTaskQueue }));
    const coordinator = (await bearerFor(db, 'koordination@kim.example', 'bench')).headers();
    const base = served.baseUrl;
    let bytes = 0;
    const report = async (query: string) => (bytes = (await call(base, coordinator, 'GET', `/api/v1/reports/controlling${query}`)).bytes);
    await report('');
    await report('?groupBy=month');
    const byOrganisation = await sample(options.samples, () => report(''));
    const organisationBytes = bytes;
    const byMonth = await sample(options.samples, () => report('?groupBy=month'));
    return {
      cases: rebuilt.cases,
      events: rebuilt.events,
      generateSeconds,
      rebuildSeconds,
      factsBytesPerCase: sizes?.facts ?? Number.NaN,
      eventBytesPerCase: sizes?.events ?? Number.NaN,
      byOrganisation: { ...byOrganisation, bytes: organisationBytes },
      byMonth,
    };
  } finally {
    await served?.close();
    await drop();
  }
}
