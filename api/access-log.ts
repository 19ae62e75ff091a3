// The access log: every read of case content (API and pages) and every export, with who, when, which case and
// why — ids only. Written before the content is sent, so a failed log write means no content leaves.
import type { Request } from 'express';
import { Router } from 'express';
import type { Database } from '../platform/database.js';
import { requireCaseAccess } from './access.js';
import { currentUser, type AuthenticatedUser } from './auth.js';
import { ApiError } from './errors.js';

export type AccessAction =
  | 'read_case'
  | 'read_history'
  | 'read_handover'
  | 'export_report'
  | 'export_case'
  // A partner organisation read a case shared with it (consent-bound sharing), or saw its name in the shared list.
  | 'read_shared_case'
  | 'list_shared_case'
  // A coordinator read a case's decrypted engine history in the Temporal UI (api/codec-server.ts).
  | 'read_engine_history';

/** The purpose a caller states (header X-Purpose or ?purpose=), trimmed; staff work is the default. */
function purposeOf(req: Request): string {
  const stated = req.get('x-purpose') ?? (typeof req.query.purpose === 'string' ? req.query.purpose : undefined);
  return (stated ?? '').trim().slice(0, 200) || 'Fallbearbeitung';
}

export async function logAccess(
  db: Database,
  req: Request,
  user: AuthenticatedUser,
  /** `purpose` overrides the stated one: a partner read's purpose is what the client consented to, not what is claimed. */
  entry: { action: AccessAction; caseId?: string; handoverId?: string; channel?: 'api' | 'page' | 'temporal_ui'; purpose?: string },
): Promise<void> {
  await db.accessLog.create({
    data: {
      userId: user.id,
      role: user.role,
      organisationId: user.organisationId,
      caseId: entry.caseId ?? null,
      handoverId: entry.handoverId ?? null,
      action: entry.action,
      channel: entry.channel ?? (req.originalUrl.startsWith('/api/') ? 'api' : 'page'),
      purpose: entry.purpose?.trim().slice(0, 200) || purposeOf(req),
    },
  });
}

/** The access log of a case, newest first, with the readers' names (the API and the coordinators' page share it). */
export async function caseAccessLog(db: Database, caseId: string) {
  const entries = await db.accessLog.findMany({ where: { caseId }, orderBy: { at: 'desc' }, take: 1000 });
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

/** GET /api/v1/cases/:id/access-log — coordinators only: who read this case's content, newest first. */
export function accessLogRouter({ db }: { db: Database }): Router {
  const router = Router();
  router.get('/:id/access-log', async (req, res) => {
    const user = currentUser(req);
    const row = await db.case.findUnique({ where: { id: req.params.id } });
    requireCaseAccess(user, row, 'full');
    if (user.role !== 'coordinator') throw new ApiError(403, 'forbidden', 'Das Zugriffsprotokoll sehen nur die KIM-Koordination.');
    res.json({ caseId: row!.id, items: await caseAccessLog(db, row!.id) });
  });
  return router;
}
