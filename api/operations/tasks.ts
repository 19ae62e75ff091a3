// "Meine Aufgaben": what waits for the caller, read from the read models (CaseDeadline, Case, Handover, the closure
// events of CaseEvent) — never from the workflows, so the page stays fast when the engine is busy or away.
// - personal (case managers, ABH counsellors): due and overdue Wiedervorlagen of the cases assigned to them, the
//   handovers waiting for them or their organisation, closure requests returned to them;
// - coordination: pending closure requests, unassigned open cases, new handovers, escalated deadlines.
// Which rows count as whose is the access policy's (workQueueOf, personalCaseScope, handoverWorkScope).
// taskCount() is the number in the navigation: ONE SQL statement of indexed sub-counts, run once per page view.
import { DEADLINE_LABELS, HANDOVER_STATE_LABELS, organisationShortName, type DeadlineKind, type HandoverState } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { Prisma } from '../../prisma/generated/client.js';
import { handoverWorkScope, personalCaseScope, workQueueOf, type AccessUser } from './access-policy.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';

const DAY_MS = 86_400_000;
/** Deadlines due within this many days are listed ("bald fällig"); only due today or overdue count in the navigation. */
export const DUE_SOON_DAYS = 7;
/** A returned closure request stays in the queue this long (or until the case is closed or requested again). */
export const RETURNED_CLOSURE_DAYS = 30;
/** A handover is "new" for coordination this long after it was proposed, while it is still open. */
export const NEW_HANDOVER_DAYS = 7;
/** Most rows per list (the totals count all). */
const LIST_LIMIT = 200;

/** Deadlines that are not a case manager's Wiedervorlage: the record's own end and coordination's decision. */
const NOT_PERSONAL_KINDS = ['retention', 'closure_decision'];
const OPEN_HANDOVER_STATES: HandoverState[] = ['awaiting_consent', 'consent_given', 'meeting_scheduled'];
const CLOSURE_EVENT_TYPES = ['closure_requested', 'closure_returned', 'closure_withdrawn', 'closure_approved'];

/**
 * The first instant after "today" for due dates: deadlines keep their calendar day as their UTC date (a due date is
 * stored at the end of its day), so "due by today" is "before 00:00 UTC of the day after today in Germany" — the same
 * answer however the end of the day is stored, and an index range on dueAt.
 */
export function dueTodayLimit(now: Date): Date {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(now);
  return new Date(Date.parse(`${today}T00:00:00Z`) + DAY_MS);
}

function refused(): ApiError {
  return new ApiError(403, 'forbidden', 'Die Verwaltung/IT hat keine Arbeitsliste mit Fallinhalten.');
}

// ----- the SQL pieces, shared by the lists and the count

const overdue = (now: Date) => Prisma.sql`(d."status" IN ('reminded', 'escalated', 'missed') OR (d."status" = 'open' AND d."dueAt" < ${now}))`;

function personalDeadlinesFrom(scope: { assigneeId: string; organisationId: string }): Prisma.Sql {
  return Prisma.sql`FROM "CaseDeadline" d
    JOIN "Case" c ON c."id" = d."caseId" AND c."assigneeId" = ${scope.assigneeId} AND c."organisationId" = ${scope.organisationId}
      AND c."closedAt" IS NULL AND c."erasedAt" IS NULL
    WHERE d."kind" <> ALL(${NOT_PERSONAL_KINDS}::text[])`;
}

function handoverWhere(scope: NonNullable<ReturnType<typeof handoverWorkScope>>): Prisma.Sql {
  const who = scope.counsellorId
    ? Prisma.sql`h."counsellorId" = ${scope.counsellorId}`
    : Prisma.sql`h."receivingOrganisationId" = ${scope.receivingOrganisationId ?? ''}`;
  return Prisma.sql`${who} AND h."state" = ANY(${scope.states}::text[])`;
}

/** The latest closure event of each open case of the organisation (partial index "CaseEvent_closure_idx"). */
function latestClosureEvents(organisationId: string | null, since: Date): Prisma.Sql {
  const org = organisationId ? Prisma.sql`AND c."organisationId" = ${organisationId}` : Prisma.empty;
  return Prisma.sql`SELECT DISTINCT ON (e."caseId") e."caseId", e."type", e."at", e."data", c."organisationId"
    FROM "CaseEvent" e JOIN "Case" c ON c."id" = e."caseId" AND c."closedAt" IS NULL ${org}
    WHERE e."type" = ANY(${CLOSURE_EVENT_TYPES}::text[]) AND e."at" >= ${since}
    ORDER BY e."caseId", e."seq" DESC`;
}

const returnedTo = (userId: string) => Prisma.sql`l."type" = 'closure_returned' AND l."data"->>'requestedBy' = ${userId}`;

const activeDecision = Prisma.sql`d."kind" = 'closure_decision' AND d."status" IN ('open', 'reminded', 'escalated', 'missed')`;
const openCase = Prisma.sql`c."closedAt" IS NULL AND c."erasedAt" IS NULL`;

/** The number in the navigation: what needs doing now. One statement; null for users without a work queue. */
export async function taskCount({ db }: Pick<OperationDeps, 'db'>, user: AccessUser, now = new Date()): Promise<number | null> {
  const queue = workQueueOf(user);
  if (queue === null) return null;
  if (queue === 'coordination') {
    const since = new Date(now.getTime() - NEW_HANDOVER_DAYS * DAY_MS);
    const [row] = await db.$queryRaw<[{ n: number }]>`SELECT (
      (SELECT count(*) FROM "CaseDeadline" d JOIN "Case" c ON c."id" = d."caseId" AND ${openCase} WHERE ${activeDecision})
      + (SELECT count(*) FROM "Case" c WHERE ${openCase} AND c."assigneeId" IS NULL)
      + (SELECT count(*) FROM "Handover" h WHERE h."state" = ANY(${OPEN_HANDOVER_STATES}::text[]) AND h."createdAt" >= ${since})
      + (SELECT count(*) FROM "CaseDeadline" d JOIN "Case" c ON c."id" = d."caseId" AND ${openCase}
           WHERE d."status" = 'escalated' AND d."kind" <> 'retention'))::int AS n`;
    return row.n;
  }
  const cases = personalCaseScope(user)!;
  const handovers = handoverWorkScope(user);
  const since = new Date(now.getTime() - RETURNED_CLOSURE_DAYS * DAY_MS);
  const [row] = await db.$queryRaw<[{ n: number }]>`SELECT (
    (SELECT count(*) ${personalDeadlinesFrom(cases)} AND (${overdue(now)} OR (d."status" = 'open' AND d."dueAt" < ${dueTodayLimit(now)})))
    + ${handovers ? Prisma.sql`(SELECT count(*) FROM "Handover" h WHERE ${handoverWhere(handovers)})` : Prisma.sql`0`}
    + (SELECT count(*) FROM (${latestClosureEvents(cases.organisationId, since)}) l WHERE ${returnedTo(user.id)}))::int AS n`;
  return row.n;
}

// ----- the lists

interface DeadlineItemRow {
  id: string;
  caseId: string;
  kind: string;
  dueAt: Date;
  status: string;
  refId: string | null;
  organisationId: string;
  assigneeId: string | null;
}

function deadlineItem(d: DeadlineItemRow, now: Date) {
  const isOverdue = d.status === 'reminded' || d.status === 'escalated' || d.status === 'missed' || d.dueAt < now;
  return {
    id: d.id,
    caseId: d.caseId,
    kind: d.kind,
    label: DEADLINE_LABELS[d.kind as DeadlineKind] ?? d.kind,
    dueAt: d.dueAt.toISOString(),
    status: d.status,
    refId: d.refId,
    overdue: isOverdue,
    organisationId: d.organisationId,
    assigneeId: d.assigneeId,
  };
}

interface HandoverItemRow {
  id: string;
  state: string;
  caseId: string | null;
  receivingOrganisationId: string | null;
  consentDueAt: Date | null;
  meetingAt: Date | null;
  createdAt: Date;
}

/** What the handover asks of whom next (German, for the list). */
function handoverNextStep(state: string, side: 'counsellor' | 'receiver' | 'coordination'): string {
  if (state === 'awaiting_consent') return side === 'receiver' ? 'Einwilligung abwarten' : 'Einwilligung erfassen';
  if (state === 'consent_given') return 'Übergabegespräch planen';
  if (state === 'meeting_scheduled') return side === 'counsellor' ? 'Übergabegespräch führen' : 'Übergabegespräch führen, dann Fall übernehmen';
  return '';
}

function handoverItem(h: HandoverItemRow, side: 'counsellor' | 'receiver' | 'coordination') {
  return {
    id: h.id,
    state: h.state,
    stateLabel: HANDOVER_STATE_LABELS[h.state as HandoverState] ?? h.state,
    nextStep: handoverNextStep(h.state, side),
    caseId: h.caseId,
    receivingOrganisationId: h.receivingOrganisationId,
    receivingOrganisation: h.receivingOrganisationId ? organisationShortName(h.receivingOrganisationId) : null,
    consentDueAt: h.consentDueAt?.toISOString() ?? null,
    meetingAt: h.meetingAt?.toISOString() ?? null,
    createdAt: h.createdAt.toISOString(),
  };
}

const HANDOVER_COLUMNS = Prisma.sql`h."id", h."state", h."caseId", h."receivingOrganisationId", h."consentDueAt", h."meetingAt", h."createdAt"`;

async function personalTasks(db: Database, user: AccessUser, now: Date) {
  const cases = personalCaseScope(user)!;
  const handoverScope = handoverWorkScope(user);
  const since = new Date(now.getTime() - RETURNED_CLOSURE_DAYS * DAY_MS);
  const soon = new Date(dueTodayLimit(now).getTime() + (DUE_SOON_DAYS - 1) * DAY_MS);
  const [deadlines, handovers, returned] = await Promise.all([
    db.$queryRaw<DeadlineItemRow[]>`SELECT d."id", d."caseId", d."kind", d."dueAt", d."status", d."refId", c."organisationId", c."assigneeId"
      ${personalDeadlinesFrom(cases)} AND (${overdue(now)} OR (d."status" = 'open' AND d."dueAt" < ${soon}))
      ORDER BY d."dueAt", d."caseId", d."id" LIMIT ${LIST_LIMIT}`,
    handoverScope
      ? db.$queryRaw<HandoverItemRow[]>`SELECT ${HANDOVER_COLUMNS} FROM "Handover" h WHERE ${handoverWhere(handoverScope)}
          ORDER BY h."createdAt" LIMIT ${LIST_LIMIT}`
      : Promise.resolve([]),
    db.$queryRaw<Array<{ caseId: string; at: Date }>>`SELECT l."caseId", l."at"
      FROM (${latestClosureEvents(cases.organisationId, since)}) l WHERE ${returnedTo(user.id)} ORDER BY l."at" DESC LIMIT ${LIST_LIMIT}`,
  ]);
  const side = handoverScope?.counsellorId ? 'counsellor' : 'receiver';
  const limit = dueTodayLimit(now);
  const items = deadlines.map((d) => ({ ...deadlineItem(d, now), dueToday: d.dueAt < limit }));
  return {
    queue: 'personal' as const,
    deadlines: items,
    handovers: handovers.map((h) => handoverItem(h, side)),
    // Without coordination's reason: it is case content (read, and logged, on the case page).
    returnedClosures: returned.map((r) => ({ caseId: r.caseId, returnedAt: r.at.toISOString() })),
    count: items.filter((d) => d.overdue || d.dueToday).length + handovers.length + returned.length,
  };
}

async function coordinationTasks(db: Database, now: Date) {
  const since = new Date(now.getTime() - NEW_HANDOVER_DAYS * DAY_MS);
  const [closureRequests, unassigned, handovers, escalations] = await Promise.all([
    db.$queryRaw<DeadlineItemRow[]>`SELECT d."id", d."caseId", d."kind", d."dueAt", d."status", d."refId", c."organisationId", c."assigneeId"
      FROM "CaseDeadline" d JOIN "Case" c ON c."id" = d."caseId" AND ${openCase}
      WHERE ${activeDecision} ORDER BY d."dueAt", d."caseId" LIMIT ${LIST_LIMIT}`,
    db.case.findMany({
      where: { closedAt: null, erasedAt: null, assigneeId: null },
      select: { id: true, state: true, organisationId: true, openedAt: true },
      orderBy: { openedAt: 'asc' },
      take: LIST_LIMIT,
    }),
    db.$queryRaw<HandoverItemRow[]>`SELECT ${HANDOVER_COLUMNS} FROM "Handover" h
      WHERE h."state" = ANY(${OPEN_HANDOVER_STATES}::text[]) AND h."createdAt" >= ${since} ORDER BY h."createdAt" DESC LIMIT ${LIST_LIMIT}`,
    db.$queryRaw<DeadlineItemRow[]>`SELECT d."id", d."caseId", d."kind", d."dueAt", d."status", d."refId", c."organisationId", c."assigneeId"
      FROM "CaseDeadline" d JOIN "Case" c ON c."id" = d."caseId" AND ${openCase}
      WHERE d."status" = 'escalated' AND d."kind" <> 'retention' ORDER BY d."dueAt", d."caseId" LIMIT ${LIST_LIMIT}`,
  ]);
  return {
    queue: 'coordination' as const,
    closureRequests: closureRequests.map((d) => deadlineItem(d, now)),
    unassignedCases: unassigned.map((c) => ({ caseId: c.id, state: c.state, organisationId: c.organisationId, openedAt: c.openedAt.toISOString() })),
    handovers: handovers.map((h) => handoverItem(h, 'coordination')),
    escalations: escalations.map((d) => deadlineItem(d, now)),
    count: closureRequests.length + unassigned.length + handovers.length + escalations.length,
  };
}

export type PersonalTasks = Awaited<ReturnType<typeof personalTasks>>;
export type CoordinationTasks = Awaited<ReturnType<typeof coordinationTasks>>;

/**
 * GET /api/v1/tasks and the page /aufgaben. Holds case ids, deadline kinds and dates — no personal data of clients —
 * so it writes no access-log entry; opening a case from it does.
 */
export async function myTasks({ db }: Pick<OperationDeps, 'db'>, caller: Caller, now = new Date()): Promise<PersonalTasks | CoordinationTasks> {
  const queue = workQueueOf(caller.user);
  if (queue === null) throw refused();
  return queue === 'coordination' ? coordinationTasks(db, now) : personalTasks(db, caller.user, now);
}
