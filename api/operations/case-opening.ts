// Who holds a case the caller opens and whether a transfer is one (the rule is domain/case-opening.ts; this looks up
// the organisations it needs and turns a refusal into the contract's error: 409/422 with the German allowed way).
import {
  caseHolderAtOpening,
  transferError,
  type OpeningBasis,
  type OpeningOrganisation,
  type OpeningRefusal,
} from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import type { AccessUser } from './access-policy.js';
import { ApiError } from './errors.js';

async function organisationOf(db: Database, id: string): Promise<OpeningOrganisation | null> {
  const o = await db.organisation.findUnique({ where: { id }, select: { id: true, kind: true, countyPost: true } });
  return o ? { id: o.id, kind: o.kind, countyPost: o.countyPost } : null;
}

function refusalError(r: OpeningRefusal, field: string): ApiError {
  return new ApiError(r.status, r.code, r.message, {
    allowedWay: r.allowed,
    ...(r.code === 'validation_failed' ? { fields: { [field]: `${r.message} ${r.allowed}` } } : {}),
  });
}

/** The organisation that holds the new case; throws 409/422 when the caller may not open it there. */
export async function caseHolder(
  db: Database,
  user: AccessUser,
  proposedOrganisationId: string,
  requestedId: string | undefined,
): Promise<{ organisationId: string; basis: OpeningBasis }> {
  const own = await organisationOf(db, user.organisationId);
  if (!own) throw new ApiError(403, 'forbidden', 'Ihr Konto gehört zu keiner bekannten Organisation.');
  const requested = requestedId === undefined ? undefined : await organisationOf(db, requestedId);
  const decision = caseHolderAtOpening({ role: user.role, own, proposedOrganisationId, ...(requested !== undefined ? { requested } : {}) });
  if (!decision.ok) throw refusalError(decision, 'organisationId');
  return { organisationId: decision.organisationId, basis: decision.basis };
}

/** A transfer out of the ABH is refused (409): the client's consent comes first, through a handover. */
export async function checkTransfer(db: Database, action: string, body: Record<string, unknown>, caseOrganisationId: string): Promise<void> {
  if (action !== 'transfer' || typeof body.organisationId !== 'string') return;
  const [from, to] = await Promise.all([organisationOf(db, caseOrganisationId), organisationOf(db, body.organisationId)]);
  if (!from || !to) return; // unknown organisations are refused by checkOrganisation
  const refusal = transferError(from, to);
  if (refusal) throw refusalError(refusal, 'organisationId');
}
