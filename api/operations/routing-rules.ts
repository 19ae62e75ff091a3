// Routing rules (Zuständigkeit) edited by coordinators and admins: every change is a new version with the first day
// it applies to new intakes (platform/routing-rules.ts). Nothing is overwritten; each version keeps who made it and
// when; the audit of administration holds the rules before → after. Cases opened earlier keep the proposal of their
// intake: a rule change never reaches a running case.
import { z } from 'zod';
import { isIsoDate, MUNICIPALITIES, routingRulesSchema, type RoutingRules } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { berlinDay, routingRulesOn } from '../../platform/routing-rules.js';
import { canConfigureRouting } from './access-policy.js';
import { recordAudit } from './admin-audit.js';
import type { Caller } from './caller.js';
import { ApiError } from './errors.js';

/** Organisations that can be proposed for a new case: the providers and the county's KIM team. */
const PROPOSABLE_KINDS: readonly string[] = ['provider', 'county'];

export const RoutingRuleVersionBody = z
  .object({
    rules: routingRulesSchema,
    validFrom: z.string().refine(isIsoDate, 'Datum im Format JJJJ-MM-TT'),
    note: z.string().trim().max(500).optional(),
  })
  .strict();

type VersionRow = NonNullable<Awaited<ReturnType<Database['routingRuleVersion']['findFirst']>>>;

const versionView = (v: VersionRow) => ({
  version: v.version,
  validFrom: v.validFrom.toISOString().slice(0, 10),
  createdAt: v.createdAt.toISOString(),
  createdById: v.createdById,
  note: v.note,
  rules: v.rules as unknown as RoutingRules,
});

function requireConfigurer(caller: Caller): void {
  if (!canConfigureRouting(caller.user)) throw new ApiError(403, 'forbidden', 'Die Zuständigkeitsregeln pflegen die KIM-Koordination und Verwaltung/IT.');
}

/** GET /api/v1/routing-rules: the rules new intakes use today, and every version, newest first. */
export async function getRoutingRules(db: Database, caller: Caller) {
  requireConfigurer(caller);
  const today = berlinDay(new Date());
  const [current, versions] = await Promise.all([routingRulesOn(db, today), db.routingRuleVersion.findMany({ orderBy: { version: 'desc' } })]);
  return { today, currentVersion: current.version, current: current.rules, versions: versions.map(versionView) };
}

async function checkOrganisations(db: Pick<Database, 'organisation'>, rules: RoutingRules): Promise<Record<string, string>> {
  const named = [...MUNICIPALITIES.map((m) => [`rules.municipalProviders.${m}`, rules.municipalProviders[m]] as const), ['rules.youthProvider.organisationId', rules.youthProvider.organisationId] as const];
  const orgs = await db.organisation.findMany({ where: { id: { in: named.map(([, id]) => id) } } });
  const fields: Record<string, string> = {};
  for (const [field, id] of named) {
    const org = orgs.find((o) => o.id === id);
    if (!org || !org.active || !PROPOSABLE_KINDS.includes(org.kind)) fields[field] = 'Kein aktiver Träger und nicht das KIM-Team des Kreises.';
  }
  return fields;
}

/** POST /api/v1/routing-rules: a new version, valid from today or a later day. */
export async function createRoutingRuleVersion(db: Database, caller: Caller, input: unknown) {
  requireConfigurer(caller);
  const parsed = RoutingRuleVersionBody.safeParse(input ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'body'] ??= issue.message;
    throw new ApiError(422, 'validation_failed', 'Bitte prüfen Sie die Regeln.', { fields });
  }
  const { rules, validFrom, note } = parsed.data;
  const today = berlinDay(new Date());
  // A version for the past would rewrite which rules earlier intakes "had": the history stays as it was.
  if (validFrom < today) throw new ApiError(422, 'validation_failed', 'Regeln gelten frühestens ab heute.', { fields: { validFrom: `Frühestens ab heute (${today}).` } });
  const orgFields = await checkOrganisations(db, rules);
  if (Object.keys(orgFields).length) throw new ApiError(422, 'validation_failed', 'Die Regeln nennen Organisationen, die keine Fälle übernehmen können.', { fields: orgFields });
  const created = await db.$transaction(async (tx) => {
    // One version at a time: the lock orders concurrent saves, so version numbers never collide.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(1313)`;
    const latest = await tx.routingRuleVersion.findFirst({ orderBy: { version: 'desc' } });
    const before = await routingRulesOn(tx as unknown as Database, validFrom);
    const row = await tx.routingRuleVersion.create({
      data: { version: (latest?.version ?? 0) + 1, rules: rules as unknown as object, validFrom: new Date(`${validFrom}T00:00:00Z`), createdById: caller.user.id, note: note || null },
    });
    await recordAudit(tx, {
      actor: caller.user,
      entity: 'routing_rules',
      entityId: `v${row.version}`,
      action: 'created',
      before: { version: before.version, ...before.rules },
      after: { version: row.version, validFrom, ...rules },
    });
    return row;
  });
  return versionView(created);
}
