// The referral catalogue (Vermittlungskatalog, issue 14): services and partner institutions kept by coordination and
// IT, every change audited in the same transaction. Entries are deactivated, never deleted once a referral names them
// (the controlling report groups by code). A refer names entries by code: resolveReferralBody checks the codes against
// the catalogue before the workflow's Update and hands the workflow the names with the codes (the workflow does not
// read the database and has no zod).
import { z } from 'zod';
import {
  CATALOGUE_CODE_MESSAGE,
  codeFromName,
  isCatalogueCode,
  normaliseTargetName,
  REFERRAL_CATALOGUE_KINDS,
  resolveCatalogueChoice,
  type ReferralCatalogueEntry,
  type ReferralCatalogueKind,
} from '../../domain/referral-catalogue.js';
import type { Database } from '../../platform/database.js';
import { canManageReferralCatalogue } from './access-policy.js';
import { recordAudit, type Tx } from './admin-audit.js';
import type { Caller } from './caller.js';
import { ApiError } from './errors.js';

type Row = NonNullable<Awaited<ReturnType<Database['referralCatalogueEntry']['findFirst']>>>;

export interface CatalogueEntryView extends ReferralCatalogueEntry {
  createdAt: string;
  updatedAt: string;
}

const entryView = (r: Row): CatalogueEntryView => ({
  code: r.code,
  name: r.name,
  kind: r.kind as ReferralCatalogueKind,
  organisationId: r.organisationId,
  active: r.active,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const name = z
  .string({ error: 'Name: Text erwartet.' })
  .trim()
  .min(2, 'Name: mindestens 2 Zeichen.')
  .max(200, 'Name: höchstens 200 Zeichen.')
  .refine((v) => !v.includes('\u0000'), 'Name: unzulässiges Steuerzeichen.');

export const CatalogueEntryCreateBody = z
  .object({
    code: z.string().trim().refine(isCatalogueCode, CATALOGUE_CODE_MESSAGE).optional(),
    name,
    kind: z.enum(REFERRAL_CATALOGUE_KINDS, { error: 'Art: „service“ (Angebot/Dienst) oder „partner“ (Partnerinstitution).' }),
    organisationId: z.string().trim().min(1).max(100).nullable().optional(),
    requestId: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const CatalogueEntryUpdateBody = z
  .object({ name: name.optional(), active: z.boolean({ error: 'Aktiv: ja oder nein.' }).optional(), organisationId: z.string().trim().min(1).max(100).nullable().optional() })
  .strict();

function invalid(error: z.ZodError): ApiError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.join('.') || 'body'] ??= issue.message;
  return new ApiError(422, 'validation_failed', Object.values(fields)[0] ?? 'Bitte prüfen Sie die Angaben.', { fields });
}

function requireManager(caller: Caller): void {
  if (!canManageReferralCatalogue(caller.user)) throw new ApiError(403, 'forbidden', 'Den Vermittlungskatalog pflegen die KIM-Koordination und Verwaltung/IT.');
}

/** Every entry (active first, by kind and name): the whole catalogue, what the refer form and the report read. */
export async function catalogueEntries(db: Pick<Database, 'referralCatalogueEntry'> | Tx): Promise<CatalogueEntryView[]> {
  const rows = await db.referralCatalogueEntry.findMany({ orderBy: [{ kind: 'desc' }, { name: 'asc' }] });
  return rows.map(entryView);
}

/** GET /api/v1/referral-catalogue: the catalogue for every signed-in staff member (no client data in it). */
export async function listReferralCatalogue(db: Database, _caller: Caller, query: Record<string, unknown> = {}) {
  const all = await catalogueEntries(db);
  const includeInactive = query.includeInactive === 'true' || query.includeInactive === '1';
  return { entries: includeInactive ? all : all.filter((e) => e.active) };
}

/** The name must differ from every other entry's once normalised: otherwise two codes would split one target again. */
async function requireDistinctName(tx: Tx, value: string, exceptCode?: string): Promise<void> {
  const norm = normaliseTargetName(value);
  const clash = (await tx.referralCatalogueEntry.findMany({ select: { code: true, name: true } })).find((e) => e.code !== exceptCode && normaliseTargetName(e.name) === norm);
  if (clash) throw new ApiError(409, 'duplicate_name', `Einen Eintrag „${clash.name}“ gibt es schon (Code „${clash.code}“).`, { fields: { name: 'Name schon vergeben' } });
}

async function requireOrganisation(tx: Tx, organisationId: string | null | undefined): Promise<void> {
  if (!organisationId) return;
  if (!(await tx.organisation.findUnique({ where: { id: organisationId }, select: { id: true } }))) {
    throw new ApiError(422, 'validation_failed', 'Unbekannte Organisation.', { fields: { organisationId: 'Unbekannte Organisation' } });
  }
}

/** POST /api/v1/referral-catalogue: a new entry (idempotent by requestId; the code is proposed from the name). */
export async function createReferralCatalogueEntry(db: Database, caller: Caller, input: unknown): Promise<CatalogueEntryView> {
  requireManager(caller);
  const parsed = CatalogueEntryCreateBody.safeParse(input ?? {});
  if (!parsed.success) throw invalid(parsed.error);
  const b = parsed.data;
  if (b.requestId) {
    const earlier = await db.referralCatalogueEntry.findUnique({ where: { requestId: `${caller.user.id}:${b.requestId}` } });
    if (earlier) return entryView(earlier);
  }
  const code = b.code ?? codeFromName(b.name);
  const row = await db.$transaction(async (tx) => {
    // One change of the catalogue at a time: the name check and the insert see the same catalogue.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(1414)`;
    // The name first: another spelling of a name gives the same proposed code, and the name is what is meant.
    await requireDistinctName(tx, b.name);
    if (await tx.referralCatalogueEntry.findUnique({ where: { code } })) {
      throw new ApiError(409, 'duplicate_code', `Den Code „${code}“ gibt es schon.`, { fields: { code: 'Code schon vergeben' } });
    }
    await requireOrganisation(tx, b.organisationId);
    const created = await tx.referralCatalogueEntry.create({
      data: { code, name: b.name, kind: b.kind, organisationId: b.organisationId ?? null, ...(b.requestId ? { requestId: `${caller.user.id}:${b.requestId}` } : {}) },
    });
    await recordAudit(tx, { actor: caller.user, entity: 'referral_catalogue', entityId: code, action: 'created', after: entryView(created) });
    return created;
  });
  return entryView(row);
}

/** PATCH /api/v1/referral-catalogue/:code: rename, (de)activate, link an organisation. */
export async function updateReferralCatalogueEntry(db: Database, caller: Caller, code: string, input: unknown): Promise<CatalogueEntryView> {
  requireManager(caller);
  const parsed = CatalogueEntryUpdateBody.safeParse(input ?? {});
  if (!parsed.success) throw invalid(parsed.error);
  const b = parsed.data;
  const row = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(1414)`;
    const before = await tx.referralCatalogueEntry.findUnique({ where: { code } });
    if (!before) throw new ApiError(404, 'not_found', 'Eintrag nicht gefunden.');
    if (b.name !== undefined) await requireDistinctName(tx, b.name, code);
    await requireOrganisation(tx, b.organisationId);
    const after = await tx.referralCatalogueEntry.update({
      where: { code },
      data: { ...(b.name !== undefined ? { name: b.name } : {}), ...(b.active !== undefined ? { active: b.active } : {}), ...(b.organisationId !== undefined ? { organisationId: b.organisationId } : {}) },
    });
    const action = before.active && !after.active ? 'deactivated' : !before.active && after.active ? 'reactivated' : 'updated';
    await recordAudit(tx, { actor: caller.user, entity: 'referral_catalogue', entityId: code, action, before: entryView(before), after: entryView(after) });
    return after;
  });
  return entryView(row);
}

/** Referrals that name an entry (service or partner): while there is one, the entry can only be deactivated. */
async function referenceCount(tx: Tx, code: string): Promise<number> {
  const [row] = await tx.$queryRaw<Array<{ n: bigint }>>`
    SELECT count(*) AS "n" FROM "CaseEvent"
    WHERE "type" = 'referral_sent' AND ("data"->'referral'->>'serviceCode' = ${code} OR "data"->'referral'->>'partnerCode' = ${code})`;
  return Number(row?.n ?? 0);
}

/** DELETE /api/v1/referral-catalogue/:code: only an entry no referral names (a typo just created); else 409. */
export async function deleteReferralCatalogueEntry(db: Database, caller: Caller, code: string): Promise<void> {
  requireManager(caller);
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(1414)`;
    const before = await tx.referralCatalogueEntry.findUnique({ where: { code } });
    if (!before) throw new ApiError(404, 'not_found', 'Eintrag nicht gefunden.');
    const used = await referenceCount(tx, code);
    if (used > 0) {
      throw new ApiError(409, 'entry_referenced', `„${before.name}“ ist in ${used} Vermittlung(en) genannt und kann nur deaktiviert werden.`, { referrals: used });
    }
    await tx.referralCatalogueEntry.delete({ where: { code } });
    await recordAudit(tx, { actor: caller.user, entity: 'referral_catalogue', entityId: code, action: 'deleted', before: entryView(before) });
  });
}

/**
 * A refer body with its codes checked against the catalogue: `service`/`partnerName` become the entries' names and
 * the codes stay; "Sonstiges" (or no code) keeps the free text. Unknown or deactivated codes: 422 with the field.
 */
export async function resolveReferralBody(db: Pick<Database, 'referralCatalogueEntry'>, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const hasCode = str(body.serviceCode) !== undefined || str(body.partnerCode) !== undefined;
  if (!hasCode) return body; // free text as before: the workflow's own checks apply
  const catalogue = await catalogueEntries(db);
  const service = resolveCatalogueChoice(catalogue, 'service', { code: str(body.serviceCode), text: str(body.service) }, { code: 'serviceCode', text: 'service' }, true);
  const partner = resolveCatalogueChoice(catalogue, 'partner', { code: str(body.partnerCode), text: str(body.partnerName) }, { code: 'partnerCode', text: 'partnerName' }, false);
  const fields: Record<string, string> = {};
  for (const r of [service, partner]) if (!r.ok) fields[r.field] = r.message;
  if (!service.ok || !partner.ok) throw new ApiError(422, 'validation_failed', Object.values(fields)[0]!, { fields });
  const { serviceCode: _s, partnerCode: _p, partnerName: _n, ...rest } = body;
  return {
    ...rest,
    service: service.name,
    ...(service.code ? { serviceCode: service.code } : {}),
    ...(partner.name ? { partnerName: partner.name } : {}),
    ...(partner.code ? { partnerCode: partner.code } : {}),
  };
}
