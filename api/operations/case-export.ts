// Right of access (Art. 15 GDPR): a coordinator produces everything stored about the person of a case — master
// data, the case as the engine holds it, consents, the full history, notifications sent, the partners it was
// disclosed to. The JSON door sends it as a file, the pages door as a readable, printable document. Each export is
// written to the access log before it is returned.
import { caseProgress } from '../../domain/index.js';
import { canExportCaseData, requireCaseAccess } from './access-policy.js';
import { logAccess } from './access-log.js';
import type { Caller, OperationDeps } from './caller.js';
import { contactOfCase } from './case-contact.js';
import { exportedLinks } from './case-links.js';
import { documentsOfCase } from './case-documents.js';
import { caseHistory } from './case-history.js';
import { loadCaseRow, readCaseView, type CaseRow } from './case-lookup.js';
import { toCaseResponse } from './case-responses.js';
import { ApiError } from './errors.js';
import { caseLinkState } from './person-matches.js';

async function caseExportData({ db, temporal }: Pick<OperationDeps, 'db' | 'temporal'>, row: CaseRow) {
  const [view, history, consents, notifications, disclosures, organisations, documents, contact, linkedCases, personMatch] = await Promise.all([
    readCaseView(db, temporal, row),
    caseHistory(db, row.id),
    db.consent.findMany({ where: { caseId: row.id }, orderBy: { recordedAt: 'asc' } }),
    db.notification.findMany({ where: { caseId: row.id }, orderBy: { createdAt: 'asc' } }),
    // Art. 15(1)(c): the recipients the data was disclosed to — partner organisations that read it under a consent.
    db.accessLog.findMany({ where: { caseId: row.id, action: 'read_shared_case' }, orderBy: { at: 'asc' } }),
    db.organisation.findMany({ select: { id: true, name: true } }),
    documentsOfCase({ db, temporal }, row.id),
    contactOfCase({ db, temporal }, row.id),
    exportedLinks(db, row.id),
    caseLinkState(db, row.id),
  ]);
  const organisationName = new Map(organisations.map((o) => [o.id, o.name]));
  return {
    exportedAt: new Date().toISOString(),
    legalBasis: 'Art. 15 DSGVO (Auskunftsrecht der betroffenen Person)',
    person: {
      givenName: row.person.givenName,
      familyName: row.person.familyName,
      birthDate: row.person.birthDate.toISOString().slice(0, 10),
      municipality: row.person.municipality,
      languages: row.person.languages,
      recordedAt: row.person.createdAt.toISOString(),
      // Contact data (api/operations/case-contact.ts), kept per case.
      contact,
      // Related persons linked to their own case (issue 14): only that there is one and the relation.
      linkedCases,
      // Whether coordination linked this case to another case of the same person (issue 16): yes or no, nothing of
      // the other case — it is another provider's data.
      linkedToAnotherCase: personMatch.linkedToAnotherCase,
    },
    case: toCaseResponse(row, view),
    consents: consents.map((c) => ({
      scope: c.scope,
      decision: c.decision,
      partnerName: c.partnerName,
      partnerOrganisationId: c.partnerOrganisationId,
      purpose: c.purpose,
      recordedAt: c.recordedAt.toISOString(),
      withdrawnAt: c.withdrawnAt?.toISOString() ?? null,
    })),
    history: history.events,
    // Success criteria and every rating of the life areas and criteria (issue 16), also in the history above.
    progress: caseProgress(history.events),
    notifications: notifications.map((n) => ({ kind: n.kind, subject: n.subject, status: n.status, createdAt: n.createdAt.toISOString(), sentAt: n.sentAt?.toISOString() ?? null })),
    // The case file's documents (their content is downloaded from the case page; listed here with who filed them).
    documents: documents.map((d) => ({ title: d.title, kind: d.kind, fileName: d.fileName, contentType: d.contentType, size: d.size, createdAt: d.createdAt, createdById: d.createdById })),
    disclosures: disclosures.map((d) => ({
      organisationId: d.organisationId,
      organisation: organisationName.get(d.organisationId) ?? d.organisationId,
      at: d.at.toISOString(),
      purpose: d.purpose,
    })),
  };
}

export type CaseExport = Awaited<ReturnType<typeof caseExportData>>;

/**
 * GET /api/v1/cases/:id/export: the Art. 15 export of a case. 404 as for an unknown case when the caller does not
 * see it in full, 403 for anyone but KIM coordination; logged (`export_case`) before it is returned.
 */
export async function exportCase(deps: Pick<OperationDeps, 'db' | 'temporal'>, caller: Caller, caseId: string): Promise<CaseExport> {
  const row = await loadCaseRow(deps.db, caseId);
  requireCaseAccess(caller.user, row, 'full');
  if (!canExportCaseData(caller.user)) throw new ApiError(403, 'forbidden', 'Die Auskunft nach Art. 15 DSGVO erstellt die KIM-Koordination.');
  const data = await caseExportData(deps, row!);
  await logAccess(deps.db, caller, { action: 'export_case', caseId: row!.id });
  return data;
}

// TEMPORARY, until api/app.ts mounts caseRecordsRouter (api/v1/case-records.ts) once at /api/v1/cases: the old
// router name, so the app keeps running. Drop this re-export then (operations import no door).
