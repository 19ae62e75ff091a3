// Organisations as data: providers, county posts, the ABH and partner services, edited by coordinators and admins
// (name, short name, kind, contact address for mail, active). Ids are stable slugs, since cases, accounts, consents
// and routing rules refer to them; an organisation is never deleted, only set inactive. Seeding inserts the
// county's defaults only where they are missing (platform/seed.ts), so edits here survive every start.
import { z } from 'zod';
import { COUNTY_POST_LABELS, COUNTY_POSTS, ORGANISATION_KINDS } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { berlinDay } from '../../platform/routing-rules.js';
import { canManageOrganisations } from './access-policy.js';
import { recordAudit } from './admin-audit.js';
import type { Caller } from './caller.js';
import { ApiError } from './errors.js';

const name = z.string().trim().min(1).max(200);
const shortName = z.string().trim().min(1).max(60);
const kind = z.enum(ORGANISATION_KINDS);
/** The focus of a county post (Integration Point/Jobcenter, BNE, ABH-CM, KIM team): coordination sees which post holds a case. */
const countyPost = z.enum(COUNTY_POSTS).nullable();
const contactEmail = z.string().trim().toLowerCase().max(320).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Ungültige E-Mail-Adresse').nullable();

export const CreateOrganisationBody = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,49}$/, 'Kennung: 2–50 Kleinbuchstaben, Ziffern oder Bindestriche'),
    name,
    shortName,
    kind,
    countyPost: countyPost.optional(),
    contactEmail: contactEmail.optional(),
    active: z.boolean().optional(),
  })
  .strict();
export const UpdateOrganisationBody = z
  .object({ name: name.optional(), shortName: shortName.optional(), kind: kind.optional(), countyPost: countyPost.optional(), contactEmail: contactEmail.optional(), active: z.boolean().optional() })
  .strict();

const LABELS: Record<string, string> = {
  id: 'Kennung: 2–50 Kleinbuchstaben, Ziffern oder Bindestriche.',
  name: 'Bitte den Namen angeben.',
  shortName: 'Bitte die Kurzbezeichnung angeben.',
  kind: 'Bitte die Art wählen.',
  contactEmail: 'Bitte eine gültige E-Mail-Adresse angeben oder das Feld leer lassen.',
};

type OrganisationRow = NonNullable<Awaited<ReturnType<Database['organisation']['findUnique']>>>;

export function organisationView(o: OrganisationRow) {
  return {
    id: o.id,
    name: o.name,
    shortName: o.shortName,
    kind: o.kind,
    countyPost: o.countyPost,
    countyPostLabel: o.countyPost ? COUNTY_POST_LABELS[o.countyPost] : null,
    contactEmail: o.contactEmail,
    active: o.active,
    municipalities: o.municipalities,
    ...(o.minAge !== null || o.maxAge !== null ? { ageRange: { min: o.minAge, max: o.maxAge } } : {}),
  };
}
const audited = (o: OrganisationRow) => ({ name: o.name, shortName: o.shortName, kind: o.kind, countyPost: o.countyPost, contactEmail: o.contactEmail, active: o.active });

function requireManager(caller: Caller): void {
  if (!canManageOrganisations(caller.user)) throw new ApiError(403, 'forbidden', 'Organisationen pflegen die KIM-Koordination und Verwaltung/IT.');
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'body'] ??= LABELS[String(issue.path[0])] ?? issue.message;
    throw new ApiError(422, 'validation_failed', 'Bitte prüfen Sie die markierten Angaben.', { fields });
  }
  return parsed.data;
}

/** POST /api/v1/organisations */
export async function createOrganisation(db: Database, caller: Caller, input: unknown) {
  requireManager(caller);
  const body = parse(CreateOrganisationBody, input);
  const created = await db.$transaction(async (tx) => {
    if (await tx.organisation.findUnique({ where: { id: body.id } })) {
      throw new ApiError(409, 'organisation_exists', 'Eine Organisation mit dieser Kennung gibt es bereits.', { fields: { id: 'Kennung bereits vergeben.' } });
    }
    const row = await tx.organisation.create({ data: { ...body, contactEmail: body.contactEmail ?? null, municipalities: [] } });
    await recordAudit(tx, { actor: caller.user, entity: 'organisation', entityId: row.id, action: 'created', after: audited(row) });
    return row;
  });
  return organisationView(created);
}

/** Organisation ids the routing rules valid today or later name: they must stay active. */
async function organisationsInRouting(db: Pick<Database, 'routingRuleVersion'>): Promise<Set<string>> {
  const today = new Date(`${berlinDay(new Date())}T00:00:00Z`);
  const current = await db.routingRuleVersion.findFirst({ where: { validFrom: { lte: today } }, orderBy: [{ validFrom: 'desc' }, { version: 'desc' }] });
  const future = await db.routingRuleVersion.findMany({ where: { validFrom: { gt: today } } });
  const ids = new Set<string>();
  for (const v of [current, ...future]) {
    const rules = v?.rules as { municipalProviders?: Record<string, string>; youthProvider?: { organisationId?: string } } | undefined;
    for (const id of Object.values(rules?.municipalProviders ?? {})) ids.add(id);
    if (rules?.youthProvider?.organisationId) ids.add(rules.youthProvider.organisationId);
  }
  return ids;
}

/** PATCH /api/v1/organisations/:id */
export async function updateOrganisation(db: Database, caller: Caller, id: string, input: unknown) {
  requireManager(caller);
  const body = parse(UpdateOrganisationBody, input);
  const updated = await db.$transaction(async (tx) => {
    const before = await tx.organisation.findUnique({ where: { id } });
    if (!before) throw new ApiError(404, 'not_found', 'Organisation nicht gefunden.');
    if (body.active === false && before.active && (await organisationsInRouting(tx)).has(id)) {
      throw new ApiError(409, 'in_routing_rules', 'Die Zuständigkeitsregeln schlagen diese Organisation vor; ändern Sie zuerst die Regeln.');
    }
    const after = await tx.organisation.update({ where: { id }, data: body });
    await recordAudit(tx, { actor: caller.user, entity: 'organisation', entityId: id, action: 'updated', before: audited(before), after: audited(after) });
    return after;
  });
  return organisationView(updated);
}
