// The access log: every read of case content (API and pages) and every export, with who, when, which case and
// why — ids only. Written before the content is sent, so a failed log write means no content leaves.
import { z } from 'zod';
import { berlinOffsetMinutes } from '../../domain/act-on-notifications.js';
import type { Database } from '../../platform/database.js';
import type { Prisma } from '../../prisma/generated/client.js';
import { canReadAccessLog, requireCaseAccess } from './access-policy.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';

export const ACCESS_ACTIONS = ['read_case', 'read_history', 'read_handover', 'export_report', 'export_case', 'read_shared_case', 'list_shared_case', 'read_engine_history', 'read_document', 'read_person_match'] as const;

export type AccessAction =
  | 'read_case'
  | 'read_history'
  | 'read_handover'
  | 'export_report'
  | 'export_case'
  // A partner organisation read a case shared with it (consent-bound sharing), or saw its name in the shared list.
  | 'read_shared_case'
  | 'list_shared_case'
  // A coordinator read a case's decrypted engine history in the Temporal UI (api/operations/engine-history.ts).
  | 'read_engine_history'
  // A document of the case file was downloaded (api/operations/case-documents.ts).
  | 'read_document'
  // Coordination read the persons of a possible match across providers (api/operations/person-matches.ts).
  | 'read_person_match';

export async function logAccess(
  db: Database,
  caller: Caller,
  /** `purpose` overrides the stated one: a partner read's purpose is what the client consented to, not what is claimed. */
  entry: { action: AccessAction; caseId?: string; handoverId?: string; purpose?: string },
): Promise<void> {
  const { user } = caller;
  await db.accessLog.create({
    data: {
      userId: user.id,
      role: user.role,
      organisationId: user.organisationId,
      caseId: entry.caseId ?? null,
      handoverId: entry.handoverId ?? null,
      action: entry.action,
      channel: caller.channel,
      purpose: entry.purpose?.trim().slice(0, 200) || caller.purpose,
    },
  });
}

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Datum als JJJJ-MM-TT')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && v >= '2000-01-01' && v <= '2100-12-31', 'Kein gültiges Datum zwischen 2000 und 2100');

/** Filters of a case's access log: person (user id), period (days in Germany, both included), kind (action). */
export const AccessLogQuery = z
  .object({
    userId: z.string().uuid('Unbekannte Person').optional(),
    from: day.optional(),
    to: day.optional(),
    action: z.enum(ACCESS_ACTIONS).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'Das Ende liegt vor dem Anfang.', path: ['to'] });
export type AccessLogQuery = z.infer<typeof AccessLogQuery>;

/** 00:00 of a day in Germany, as an instant. */
function startOfBerlinDay(date: string): Date {
  const guess = new Date(`${date}T00:00:00Z`);
  return new Date(guess.getTime() - berlinOffsetMinutes(guess) * 60_000);
}
const nextDay = (date: string) => new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The query's filters, or a 422 naming the fields (German messages). */
export function parseAccessLogQuery(input: unknown): AccessLogQuery {
  // Empty form fields mean "no filter"; anything else (a repeated parameter, too) is checked.
  const cleaned = Object.fromEntries(Object.entries((input ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = AccessLogQuery.safeParse(cleaned);
  if (!parsed.success) {
    throw new ApiError(422, 'validation_failed', 'Ungültige Filter.', {
      fields: Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'filter', i.message])),
    });
  }
  return parsed.data;
}

/** The access log of a case, newest first, with the readers' names (the API and the coordinators' page share it). */
export async function caseAccessLog(db: Database, caseId: string, filter: AccessLogQuery = {}) {
  const where: Prisma.AccessLogWhereInput = {
    caseId,
    ...(filter.userId ? { userId: filter.userId } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.from || filter.to
      ? { at: { ...(filter.from ? { gte: startOfBerlinDay(filter.from) } : {}), ...(filter.to ? { lt: startOfBerlinDay(nextDay(filter.to)) } : {}) } }
      : {}),
  };
  const entries = await db.accessLog.findMany({ where, orderBy: { at: 'desc' }, take: 1000 });
  const users = await db.user.findMany({ where: { id: { in: [...new Set(entries.map((e) => e.userId))] } }, select: { id: true, name: true } });
  const names = new Map(users.map((u) => [u.id, u.name]));
  return entries.map((e) => ({
    at: e.at.toISOString(),
    userId: e.userId,
    userName: names.get(e.userId) ?? null,
    role: e.role,
    organisationId: e.organisationId,
    action: e.action,
    channel: e.channel,
    purpose: e.purpose,
  }));
}

/** Everyone who appears in a case's access log (the page's person filter). */
export async function accessLogReaders(db: Database, caseId: string) {
  const ids = await db.accessLog.findMany({ where: { caseId }, distinct: ['userId'], select: { userId: true } });
  const users = await db.user.findMany({ where: { id: { in: ids.map((r) => r.userId) } }, select: { id: true, name: true }, orderBy: { name: 'asc' } });
  return users;
}

/** GET /api/v1/cases/:id/access-log — KIM coordination only: who read this case's content, newest first. */
export async function readAccessLog({ db }: Pick<OperationDeps, 'db'>, caller: Caller, caseId: string, query: unknown = {}) {
  const row = await db.case.findUnique({ where: { id: caseId } });
  requireCaseAccess(caller.user, row, 'full');
  if (!canReadAccessLog(caller.user)) throw new ApiError(403, 'forbidden', 'Das Zugriffsprotokoll sehen nur die KIM-Koordination.');
  const filter = parseAccessLogQuery(query);
  return { caseId: row!.id, filter, items: await caseAccessLog(db, row!.id, filter) };
}

// TEMPORARY, until api/app.ts mounts caseRecordsRouter (api/v1/case-records.ts) once at /api/v1/cases: the old
// router name, so the app keeps running. Drop this re-export then (operations import no door).
