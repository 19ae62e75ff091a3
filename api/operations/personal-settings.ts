// A person's own settings for their work queue: how act-on mails reach them (one per event, or a daily digest —
// activities/outbox-dispatch.ts) and their calendar feed of deadlines (a secret URL, revocable; only the SHA-256 of
// its token is stored, like API tokens). And the feed itself: GET /kalender/<token>.ics, read without a session (a
// calendar app cannot sign in), so the token is the only key — it shows case numbers and deadline kinds and dates,
// never a client's name or any other personal data.
import { z } from 'zod';
import { DEADLINE_LABELS, type DeadlineKind } from '../../domain/index.js';
import { serializeCalendar } from '../../domain/icalendar.js';
import type { Database } from '../../platform/database.js';
import { canManageOwnNotificationSettings, personalCaseScope, workQueueOf, type AccessUser } from './access-policy.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';
import { newSecret, sha256 } from './sessions.js';

export const NOTIFICATION_MODES = ['immediate', 'daily'] as const;
export const NOTIFICATION_MODE_LABELS: Record<(typeof NOTIFICATION_MODES)[number], string> = {
  immediate: 'Sofort: eine E-Mail je Ereignis',
  daily: 'Täglich: eine Zusammenfassung um 7 Uhr',
};

export const PersonalSettingsBody = z.object({ notificationMode: z.enum(NOTIFICATION_MODES) }).strict();

/** The feed's path for a token (the page shows it with the app's address in front). */
export const calendarFeedPath = (token: string) => `/kalender/${token}.ics`;

function requireOwnSettings(user: AccessUser): void {
  if (!canManageOwnNotificationSettings(user)) throw new ApiError(403, 'forbidden', 'Für dieses Konto gibt es keine Benachrichtigungen und keinen Fristenkalender.');
}

/** GET /api/v1/me/settings */
export async function readPersonalSettings({ db }: Pick<OperationDeps, 'db'>, caller: Caller) {
  requireOwnSettings(caller.user);
  const user = await db.user.findUniqueOrThrow({ where: { id: caller.user.id }, select: { notificationMode: true, calendarTokenHash: true, calendarTokenCreatedAt: true } });
  return {
    notificationMode: user.notificationMode as (typeof NOTIFICATION_MODES)[number],
    calendarFeed: { active: user.calendarTokenHash !== null, createdAt: user.calendarTokenCreatedAt?.toISOString() ?? null },
  };
}

/** PUT /api/v1/me/settings */
export async function updatePersonalSettings(deps: Pick<OperationDeps, 'db'>, caller: Caller, input: unknown) {
  requireOwnSettings(caller.user);
  const parsed = PersonalSettingsBody.safeParse(input);
  if (!parsed.success) {
    throw new ApiError(422, 'validation_failed', 'Bitte wählen Sie, wie Sie benachrichtigt werden möchten.', {
      fields: { notificationMode: 'Bitte „Sofort“ oder „Täglich“ wählen.' },
    });
  }
  await deps.db.user.update({ where: { id: caller.user.id }, data: { notificationMode: parsed.data.notificationMode } });
  return readPersonalSettings(deps, caller);
}

/** POST /api/v1/me/calendar-token: a new feed address (the old one stops working at once); shown once. */
export async function renewCalendarToken({ db }: Pick<OperationDeps, 'db'>, caller: Caller, now = new Date()) {
  requireOwnSettings(caller.user);
  const token = newSecret();
  await db.user.update({ where: { id: caller.user.id }, data: { calendarTokenHash: sha256(token), calendarTokenCreatedAt: now } });
  return { token, path: calendarFeedPath(token), createdAt: now.toISOString() };
}

/** DELETE /api/v1/me/calendar-token: the feed address stops working (repeatable). */
export async function revokeCalendarToken({ db }: Pick<OperationDeps, 'db'>, caller: Caller): Promise<void> {
  requireOwnSettings(caller.user);
  await db.user.update({ where: { id: caller.user.id }, data: { calendarTokenHash: null, calendarTokenCreatedAt: null } });
}

const FEED_TOKEN = /^[A-Za-z0-9_-]{20,100}$/;
/** Deadlines further back than this are left out of the feed (a calendar needs no years of history). */
const FEED_PAST_DAYS = 90;

async function feedDeadlines(db: Database, user: AccessUser, since: Date) {
  const scope = personalCaseScope(user);
  if (scope) {
    return db.caseDeadline.findMany({
      where: {
        status: { in: ['open', 'reminded', 'escalated', 'missed'] },
        kind: { notIn: ['retention', 'closure_decision'] },
        dueAt: { gte: since },
        caseId: { in: (await db.case.findMany({ where: { ...scope, closedAt: null, erasedAt: null }, select: { id: true } })).map((c) => c.id) },
      },
      orderBy: { dueAt: 'asc' },
    });
  }
  if (workQueueOf(user) === 'coordination') {
    return db.caseDeadline.findMany({ where: { kind: 'closure_decision', status: { in: ['open', 'reminded', 'escalated', 'missed'] }, dueAt: { gte: since } }, orderBy: { dueAt: 'asc' } });
  }
  return [];
}

/**
 * GET /kalender/<token>.ics: the person's open deadlines as all-day events. An unknown, revoked or malformed token,
 * or a deactivated account → 404 (nothing tells a guesser whether a token ever existed).
 */
export async function calendarFeed({ db }: Pick<OperationDeps, 'db'>, token: string, appUrl: string, now = new Date()): Promise<string> {
  if (!FEED_TOKEN.test(token)) throw new ApiError(404, 'not_found', 'Nicht gefunden.');
  const user = await db.user.findUnique({ where: { calendarTokenHash: sha256(token) }, select: { id: true, role: true, organisationId: true, active: true } });
  if (!user || !user.active) throw new ApiError(404, 'not_found', 'Nicht gefunden.');
  const deadlines = await feedDeadlines(db, user as AccessUser, new Date(now.getTime() - FEED_PAST_DAYS * 86_400_000));
  return serializeCalendar({
    name: 'KIM-Fristen',
    stamp: now,
    events: deadlines.map((d) => {
      const label = DEADLINE_LABELS[d.kind as DeadlineKind] ?? d.kind;
      const ref = d.caseId.slice(0, 8);
      return {
        // The deadline's id is stable for its lifetime (a changed due date moves the same event).
        uid: `${d.id}@kim-casework`,
        // A due date keeps its calendar day as its UTC date (stored at the end of that day).
        date: d.dueAt.toISOString().slice(0, 10),
        summary: `${label} – Fall ${ref}`,
        description: `KIM-Fall ${ref}: ${label}. Einzelheiten nach der Anmeldung in KIM Casework.`,
        url: `${appUrl}/faelle/${d.caseId}`,
      };
    }),
  });
}
