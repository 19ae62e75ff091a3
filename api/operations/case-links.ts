// Related persons as linked cases (issue 14): a related person of a case (a family member) who has a KIM case of their
// own at the same organisation is linked to it. The link holds the two case ids and the relation only — no data of
// either person — and is shown on both case pages, but only to a viewer with full access to the other case (the
// access policy decides). Unlinking deletes it; the erasure of either case deletes it (activities/erasure.ts); the
// Art. 15 export names it "verknüpfter Fall" without anything of the other person.
import { z } from 'zod';
import type { Database } from '../../platform/database.js';
import { logAccess } from './access-log.js';
import { caseAccess, type AccessUser } from './access-policy.js';
import type { Caller, OperationDeps } from './caller.js';
import { caseWithFullAccess } from './case-documents.js';
import { RELATIONS, RELATION_LABELS } from './case-contact.js';
import { loadCaseRow } from './case-lookup.js';
import { ApiError } from './errors.js';

type Relation = (typeof RELATIONS)[number];

/** The relation seen from the other case (the parent of a child is, from the child's side, its parent). */
const INVERSE: Record<Relation, Relation> = { partner: 'partner', child: 'parent', parent: 'child', sibling: 'sibling', other: 'other' };

export const CaseLinkBody = z
  .object({
    linkedCaseId: z.string({ error: 'Verknüpfter Fall: Fall-ID erwartet.' }).trim().min(1, 'Verknüpfter Fall: Bitte einen Fall wählen.').max(200),
    relation: z.enum(RELATIONS, { error: 'Beziehung: Bitte die Beziehung wählen.' }),
    requestId: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export interface CaseLinkView {
  id: string;
  /** The other case (the caller has full access to it). */
  caseId: string;
  /** From this case's view: the other case's person is this case's person's … */
  relation: Relation;
  relationLabel: string;
  createdAt: string;
}

type LinkRow = NonNullable<Awaited<ReturnType<Database['caseLink']['findFirst']>>>;

function viewFrom(caseId: string, link: LinkRow): CaseLinkView {
  const outgoing = link.caseId === caseId;
  const relation = outgoing ? (link.relation as Relation) : INVERSE[link.relation as Relation];
  return { id: link.id, caseId: outgoing ? link.linkedCaseId : link.caseId, relation, relationLabel: RELATION_LABELS[relation] ?? relation, createdAt: link.createdAt.toISOString() };
}

/** Every link of a case in both directions (no access check: for callers that did it, e.g. the export). */
export async function linksOfCase(db: Database, caseId: string): Promise<CaseLinkView[]> {
  const rows = await db.caseLink.findMany({ where: { OR: [{ caseId }, { linkedCaseId: caseId }] }, orderBy: { createdAt: 'asc' } });
  return rows.map((r) => viewFrom(caseId, r));
}

/** The links of a case the caller may follow: those whose other case the caller has full access to. */
export async function visibleLinksOfCase(db: Database, user: AccessUser, caseId: string): Promise<CaseLinkView[]> {
  const links = await linksOfCase(db, caseId);
  if (links.length === 0) return [];
  const others = await db.case.findMany({ where: { id: { in: links.map((l) => l.caseId) } }, select: { id: true, organisationId: true, erasedAt: true } });
  return links.filter((l) => {
    const other = others.find((o) => o.id === l.caseId);
    return other !== undefined && other.erasedAt === null && caseAccess(user, other) === 'full';
  });
}

/** GET /api/v1/cases/:id/links (logged as a read of the case). */
export async function listCaseLinks(deps: Pick<OperationDeps, 'db'>, caller: Caller, caseId: string) {
  const row = await caseWithFullAccess(deps.db, caller, caseId);
  const links = await visibleLinksOfCase(deps.db, caller.user, row.id);
  await logAccess(deps.db, caller, { action: 'read_case', caseId: row.id });
  return { links };
}

/** POST /api/v1/cases/:id/links: links a related person's own case of the same organisation (idempotent). */
export async function linkCase(deps: Pick<OperationDeps, 'db'>, caller: Caller, caseId: string, input: unknown): Promise<CaseLinkView> {
  const row = await caseWithFullAccess(deps.db, caller, caseId);
  const parsed = CaseLinkBody.safeParse(input ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.join('.') || 'body'] ??= issue.message;
    throw new ApiError(422, 'validation_failed', Object.values(fields)[0] ?? 'Ungültige Verknüpfung.', { fields });
  }
  const { linkedCaseId, relation } = parsed.data;
  const refuse = (message: string) => new ApiError(422, 'validation_failed', message, { fields: { linkedCaseId: message } });
  if (row.erasedAt) throw new ApiError(409, 'case_erased', 'Die Daten dieses Falls sind gelöscht; es kann nichts mehr verknüpft werden.');
  if (linkedCaseId === row.id) throw refuse('Ein Fall kann nicht mit sich selbst verknüpft werden.');
  const other = await loadCaseRow(deps.db, linkedCaseId);
  // A case the caller may not open is reported like one that does not exist (its existence is not revealed).
  if (!other || other.erasedAt || caseAccess(caller.user, other) !== 'full') throw refuse('Diesen Fall gibt es nicht oder Sie dürfen ihn nicht öffnen.');
  if (other.organisationId !== row.organisationId) throw refuse('Verknüpft werden nur Fälle derselben Organisation.');
  const existing = await deps.db.caseLink.findFirst({ where: { OR: [{ caseId: row.id, linkedCaseId }, { caseId: linkedCaseId, linkedCaseId: row.id }] } });
  const link =
    existing ??
    (await deps.db.caseLink
      .create({ data: { caseId: row.id, linkedCaseId, relation, createdById: caller.user.id } })
      // Two identical requests at once: the second finds the first one's row.
      .catch(async (error: unknown) => {
        const again = await deps.db.caseLink.findFirst({ where: { caseId: row.id, linkedCaseId } });
        if (!again) throw error;
        return again;
      }));
  await logAccess(deps.db, caller, { action: 'read_case', caseId: row.id });
  return viewFrom(row.id, link);
}

/** DELETE /api/v1/cases/:id/links/:linkId: unlinks (from either of the two cases). */
export async function unlinkCase(deps: Pick<OperationDeps, 'db'>, caller: Caller, caseId: string, linkId: string): Promise<void> {
  const row = await caseWithFullAccess(deps.db, caller, caseId);
  const link = await deps.db.caseLink.findFirst({ where: { id: linkId, OR: [{ caseId: row.id }, { linkedCaseId: row.id }] } });
  if (!link) throw new ApiError(404, 'not_found', 'Verknüpfung nicht gefunden.');
  await deps.db.caseLink.deleteMany({ where: { id: link.id } });
}

/** The Art. 15 export: each link as "verknüpfter Fall" with the relation, nothing of the other case or person. */
export async function exportedLinks(db: Database, caseId: string): Promise<Array<{ kind: 'verknüpfter Fall'; relation: Relation; relationLabel: string; since: string }>> {
  return (await linksOfCase(db, caseId)).map((l) => ({ kind: 'verknüpfter Fall', relation: l.relation, relationLabel: l.relationLabel, since: l.createdAt }));
}

/** Cases a related person may be linked to: open cases of the same organisation the user has full access to. */
export async function linkCandidates(db: Database, user: AccessUser, row: { id: string; organisationId: string }, linked: readonly string[]) {
  const rows = await db.case.findMany({
    where: { organisationId: row.organisationId, erasedAt: null, id: { notIn: [row.id, ...linked] } },
    select: { id: true, organisationId: true, openedAt: true, person: { select: { givenName: true, familyName: true, birthDate: true } } },
    orderBy: { openedAt: 'desc' },
    take: 200,
  });
  return rows.filter((c) => caseAccess(user, c) === 'full');
}
