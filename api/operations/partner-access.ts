// The partner side of consent-bound sharing (domain/consent-sharing.ts): a partner organisation's staff read the
// cases a client consented to share with it — exactly the consented categories, computed at request time from the
// consents in force, and every such read goes into the access log with the consent's purpose.
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import {
  partnerCaseView,
  sharedReadPurpose,
  sharingConsentsInForce,
  type CaseData,
  type Consent,
  type ConsentDecision,
  type ConsentScope,
  type PartnerCaseView,
} from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import type { Consent as ConsentRow } from '../../prisma/generated/client.js';
import { caseAccess, handedOverCaseIds, isHandedOverBy, sharedCaseListFilter, sharingConsentsFor, stateOnlyAddsSharedResidence } from './access-policy.js';
import { logAccess } from './access-log.js';
import type { AuthenticatedUser, Caller } from './caller.js';
import { loadCaseRow, readCaseView } from './case-lookup.js';
import { ApiError } from './errors.js';

type CaseRow = NonNullable<Awaited<ReturnType<typeof loadCaseRow>>>;

/** A Consent read-model row in the domain's shape. */
export function consentFromRow(row: ConsentRow): Consent {
  return {
    id: row.id,
    scope: row.scope as ConsentScope,
    decision: row.decision as ConsentDecision,
    ...(row.partnerOrganisationId ? { partnerOrganisationId: row.partnerOrganisationId } : {}),
    ...(row.partnerName ? { partnerName: row.partnerName } : {}),
    ...(row.purpose ? { purpose: row.purpose } : {}),
    ...(row.dataCategories.length > 0 ? { dataCategories: row.dataCategories } : {}),
    recordedBy: row.recordedById ?? '',
    recordedAt: row.recordedAt.toISOString(),
    ...(row.withdrawnAt ? { withdrawnAt: row.withdrawnAt.toISOString() } : {}),
    ...(row.withdrawnById ? { withdrawnBy: row.withdrawnById } : {}),
  };
}

/**
 * The consents a partner read may rely on: in force in the read model (current at request time) and — when the
 * engine holds the case — in force in the workflow's own state as well. Either saying "withdrawn" is enough to cut
 * access, so a stale read-model write can never reopen it.
 */
function consentsInForceNow(rows: readonly ConsentRow[], data: CaseData | null, organisationId: string): Consent[] {
  const recorded = sharingConsentsInForce(rows.map(consentFromRow), organisationId);
  if (!data) return recorded;
  const inWorkflow = new Set(sharingConsentsInForce(data.consents, organisationId).map((k) => k.id));
  return recorded.filter((k) => inWorkflow.has(k.id));
}

/** The partner projection of `row` for `user`, or null when no consent in force names the user's organisation. */
export async function partnerViewOf(db: Database, temporal: Client, user: AuthenticatedUser, row: CaseRow): Promise<PartnerCaseView | null> {
  // An erased case (end of retention) has nothing left to share, whatever its consents say.
  if (row.erasedAt) return null;
  const rows = await sharingConsentsFor(db, user, row.id);
  if (rows.length === 0) return null;
  const data = await readCaseView(db, temporal, row);
  const p = row.person;
  return partnerCaseView(
    {
      caseId: row.id,
      organisationId: data?.organisationId ?? row.organisationId,
      person: {
        givenName: p.givenName,
        familyName: p.familyName,
        birthDate: p.birthDate.toISOString().slice(0, 10),
        municipality: p.municipality,
        languages: p.languages,
      },
      data,
      consents: consentsInForceNow(rows, data, user.organisationId),
    },
    user.organisationId,
  );
}

export type CaseReadAccess =
  | { access: 'full'; row: CaseRow }
  | { access: 'state_only'; row: CaseRow; residenceTrack?: PartnerCaseView['residenceTrack'] }
  | { access: 'partner'; row: CaseRow; view: PartnerCaseView };

/**
 * Which face of the case `user` may read (GET /api/v1/cases/:id and the case page): full, state only, or the partner
 * projection — null when none (→ 404). A partner read is logged here (`read_shared_case`, purpose = the consents'
 * purposes) before anything is sent; full reads are logged by the caller as before.
 */
export async function resolveCaseRead(
  { db, temporal }: { db: Database; temporal: Client },
  caller: Caller,
  id: string,
): Promise<CaseReadAccess | null> {
  const { user } = caller;
  const row = await loadCaseRow(db, id);
  if (!row) return null;
  const handedOverBy = await isHandedOverBy(db, user, row.id);
  const direct = caseAccess(user, row, { handedOverBy });
  if (direct === 'full') return { access: direct, row };
  if (direct === 'state_only') return stateOnlyRead(db, temporal, caller, row);
  // Only now ask for consents: for everyone with direct access the partner rule cannot change the answer.
  const view = await partnerViewOf(db, temporal, user, row);
  if (!view || caseAccess(user, row, { handedOverBy, sharedWithOrganisation: true }) !== 'partner') return null;
  await logAccess(db, caller, { action: 'read_shared_case', caseId: row.id, purpose: sharedReadPurpose(view) });
  return { access: 'partner', row, view };
}

/** A handed-over case's state, with the residence-law track where a consent in force shares it with the ABH. */
async function stateOnlyRead(db: Database, temporal: Client, caller: Caller, row: CaseRow): Promise<CaseReadAccess> {
  if (!stateOnlyAddsSharedResidence(caller.user)) return { access: 'state_only', row };
  const view = await partnerViewOf(db, temporal, caller.user, row);
  if (view?.residenceTrack === undefined) return { access: 'state_only', row };
  await logAccess(db, caller, { action: 'read_shared_case', caseId: row.id, purpose: sharedReadPurpose(view) });
  return { access: 'state_only', row, residenceTrack: view.residenceTrack };
}

const sharedListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export interface SharedCaseListItem {
  id: string;
  access: 'partner';
  organisationId: string;
  /** Only when a consent in force covers master data. */
  person?: { givenName: string; familyName: string };
  dataCategories: PartnerCaseView['dataCategories'];
  consents: Array<{ id: string; purpose: string | null; recordedAt: string }>;
}

/**
 * GET /api/v1/cases/shared: the cases shared with the caller's organisation, newest consent first. A separate list
 * (not mixed into GET /api/v1/cases), because that list's filters (state, municipality, name search, overdue) would
 * reveal data the consent may not cover. Names shown count as partner reads and are logged.
 */
export async function listSharedCases(db: Database, caller: Caller, query: unknown) {
  const { user } = caller;
  const q = sharedListQuerySchema.safeParse(query);
  if (!q.success) {
    throw new ApiError(422, 'validation_failed', 'Ungültige Filter.', { fields: Object.fromEntries(q.error.issues.map((i) => [i.path.join('.'), i.message])) });
  }
  const { page, pageSize } = q.data;
  const handedOver = new Set(await handedOverCaseIds(db, user));
  const where = sharedCaseListFilter(user);
  const [total, rows] = await Promise.all([
    db.case.count({ where }),
    db.case.findMany({ where, include: { person: true, consents: true }, orderBy: [{ openedAt: 'desc' }, { id: 'asc' }], skip: (page - 1) * pageSize, take: pageSize }),
  ]);
  const items: SharedCaseListItem[] = [];
  for (const row of rows) {
    // A counsellor's own handed-over case stays state-only (caseAccess); it is listed in the ordinary list.
    if (caseAccess(user, row, { handedOverBy: handedOver.has(row.id), sharedWithOrganisation: true }) !== 'partner') continue;
    const view = partnerCaseView(
      {
        caseId: row.id,
        organisationId: row.organisationId,
        person: { givenName: row.person.givenName, familyName: row.person.familyName, birthDate: '', municipality: '', languages: [] },
        data: null,
        consents: row.consents.map(consentFromRow),
      },
      user.organisationId,
    );
    if (!view) continue;
    if (view.person) {
      await logAccess(db, caller, { action: 'list_shared_case', caseId: row.id, purpose: sharedReadPurpose(view) });
    }
    items.push({
      id: row.id,
      access: 'partner',
      organisationId: row.organisationId,
      ...(view.person ? { person: { givenName: view.person.givenName, familyName: view.person.familyName } } : {}),
      dataCategories: view.dataCategories,
      consents: view.consents.map((k) => ({ id: k.id, purpose: k.purpose, recordedAt: k.recordedAt })),
    });
  }
  return { items, total, page, pageSize };
}
