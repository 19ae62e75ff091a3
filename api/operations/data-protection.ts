// Datenschutz of a case, for KIM coordination: who read the case's content (the access log), where its data was
// passed on under a consent, and the state of its encryption key. Reading it names the person and the consents,
// so it is itself a read of the case (logged, purpose "Datenschutzkontrolle").
import { canReadAccessLog, caseAccess } from './access-policy.js';
import { accessLogReaders, caseAccessLog, logAccess, parseAccessLogQuery } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { ApiError } from './errors.js';

/** The page /faelle/:id/datenschutz. Anyone but coordination: 404 as for an unknown case (they do not learn it exists). */
export async function caseDataProtection({ db }: Pick<OperationDeps, 'db'>, caller: Caller, caseId: string, query: unknown = {}) {
  const row = await db.case.findUnique({ where: { id: caseId }, include: { person: true, consents: true } });
  if (!row || !canReadAccessLog(caller.user) || caseAccess(caller.user, row) !== 'full') {
    throw new ApiError(404, 'not_found', 'Fall nicht gefunden.');
  }
  // Bad filters are refused before anything is read or logged.
  const filter = parseAccessLogQuery(query);
  await logAccess(db, caller, { action: 'read_case', caseId: row.id, purpose: 'Datenschutzkontrolle' });
  const [entries, key, organisations, readers] = await Promise.all([
    caseAccessLog(db, row.id, filter),
    db.dataKey.findUnique({ where: { subject: row.workflowId } }),
    db.organisation.findMany({ select: { id: true, shortName: true } }),
    accessLogReaders(db, row.id),
  ]);
  const organisationName = new Map(organisations.map((o) => [o.id, o.shortName]));
  return {
    caseId: row.id,
    person: { givenName: row.person.givenName, familyName: row.person.familyName },
    erasedAt: row.erasedAt,
    /** null: the case has no key of its own (from before per-case keys, or nothing in the engine yet). */
    key: key ? { createdAt: key.createdAt, retiredAt: key.retiredAt, destroyedAt: key.destroyedAt } : null,
    sharing: row.consents
      .filter((c) => c.scope === 'share_with_partner' && c.decision === 'given')
      .map((c) => ({
        partner: (c.partnerOrganisationId && organisationName.get(c.partnerOrganisationId)) || c.partnerName || null,
        purpose: c.purpose,
        recordedAt: c.recordedAt,
        withdrawnAt: c.withdrawnAt,
      })),
    entries: entries.map((e) => ({ ...e, organisationName: organisationName.get(e.organisationId) ?? null })),
    filter,
    readers,
  };
}
