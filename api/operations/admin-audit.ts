// The audit of administration: every change to accounts, organisations, routing rules and settings, with who, when
// and before → after. Written in the same transaction as the change, so a change without its audit row cannot exist.
// Values pass through `auditValue`, which drops every field that could carry a secret (password hashes, tokens).
import { z } from 'zod';
import type { Database } from '../../platform/database.js';
import type { Prisma } from '../../prisma/generated/client.js';
import { canReadAdminAudit } from './access-policy.js';
import type { Caller } from './caller.js';
import { ApiError } from './errors.js';

export const AUDIT_ENTITIES = ['account', 'organisation', 'routing_rules', 'case_settings', 'case_record', 'report_settings', 'referral_catalogue', 'person_match'] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];

/** A transaction client or the database itself. */
export type Tx = Prisma.TransactionClient | Database;

const SECRET_FIELDS = /password|token|secret|hash/i;

/** A copy of `value` without any field whose name suggests a secret (at any depth). */
export function auditValue(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => auditValue(v) ?? null) as Prisma.InputJsonValue;
  if (typeof value === 'object') {
    const out: Record<string, Prisma.InputJsonValue | null> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (!SECRET_FIELDS.test(key)) out[key] = auditValue(v) ?? null;
    }
    return out;
  }
  return value as Prisma.InputJsonValue;
}

export interface AuditEntry {
  /** Who; null for the command line (npm run admin:create). */
  actor: { id: string; role: string } | null;
  entity: AuditEntity;
  entityId: string;
  action: string;
  before?: unknown;
  after?: unknown;
}

export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  const before = auditValue(entry.before);
  const after = auditValue(entry.after);
  await tx.adminAudit.create({
    data: {
      actorId: entry.actor?.id ?? null,
      actorRole: entry.actor?.role ?? null,
      entity: entry.entity,
      entityId: entry.entityId,
      action: entry.action,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
    },
  });
}

export const AdminAuditQuery = z
  .object({
    entity: z.enum(AUDIT_ENTITIES).optional(),
    entityId: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** GET /api/v1/admin-audit: newest first. */
export async function listAdminAudit(db: Database, caller: Caller, query: unknown) {
  if (!canReadAdminAudit(caller.user)) throw new ApiError(403, 'forbidden', 'Das Protokoll der Verwaltung sehen Koordination und Verwaltung/IT.');
  const parsed = AdminAuditQuery.safeParse(query ?? {});
  if (!parsed.success) throw new ApiError(422, 'validation_failed', 'Ungültige Abfrage.', { issues: parsed.error.issues.map((i) => i.message) });
  const { entity, entityId, limit } = parsed.data;
  const rows = await db.adminAudit.findMany({
    where: { ...(entity ? { entity } : {}), ...(entityId ? { entityId } : {}) },
    orderBy: [{ at: 'desc' }, { id: 'asc' }],
    take: limit,
  });
  return {
    items: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorId: r.actorId,
      actorRole: r.actorRole,
      entity: r.entity,
      entityId: r.entityId,
      action: r.action,
      before: r.before ?? null,
      after: r.after ?? null,
    })),
  };
}
