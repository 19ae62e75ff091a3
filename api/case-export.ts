// Right of access (Art. 15 GDPR): a coordinator produces everything stored about the person of a case — master
// data, the case as the engine holds it, consents, the full history, notifications sent — as JSON or as a readable,
// printable HTML page. Each export is written to the access log.
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { CASE_STATE_LABELS, type CaseState } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import { requireCaseAccess } from './access.js';
import { logAccess } from './access-log.js';
import { currentUser } from './auth.js';
import { caseHistory, loadCaseRow, queryCaseView, toCaseResponse } from './cases.js';
import { ApiError } from './errors.js';
import { formatDate, formatDateTime } from './page-labels.js';
import { renderPage } from './views.js';

export async function buildCaseExport(db: Database, temporal: Client, caseId: string) {
  const row = await loadCaseRow(db, caseId);
  if (!row) return null;
  const [view, history, consents, notifications, disclosures, organisations] = await Promise.all([
    queryCaseView(temporal, row),
    caseHistory(db, row.id),
    db.consent.findMany({ where: { caseId: row.id }, orderBy: { recordedAt: 'asc' } }),
    db.notification.findMany({ where: { caseId: row.id }, orderBy: { createdAt: 'asc' } }),
    // Art. 15(1)(c): the recipients the data was disclosed to — partner organisations that read it under a consent.
    db.accessLog.findMany({ where: { caseId: row.id, action: 'read_shared_case' }, orderBy: { at: 'asc' } }),
    db.organisation.findMany({ select: { id: true, name: true } }),
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
    notifications: notifications.map((n) => ({ kind: n.kind, subject: n.subject, status: n.status, createdAt: n.createdAt.toISOString(), sentAt: n.sentAt?.toISOString() ?? null })),
    disclosures: disclosures.map((d) => ({
      organisationId: d.organisationId,
      organisation: organisationName.get(d.organisationId) ?? d.organisationId,
      at: d.at.toISOString(),
      purpose: d.purpose,
    })),
  };
}

export function caseExportRouter({ db, temporal }: { db: Database; temporal: Client }): Router {
  const router = Router();
  router.get('/:id/export', async (req, res) => {
    const user = currentUser(req);
    const row = await db.case.findUnique({ where: { id: req.params.id } });
    requireCaseAccess(user, row, 'full');
    if (user.role !== 'coordinator') throw new ApiError(403, 'forbidden', 'Die Auskunft nach Art. 15 DSGVO erstellt die KIM-Koordination.');
    const data = await buildCaseExport(db, temporal, row!.id);
    await logAccess(db, req, user, { action: 'export_case', caseId: row!.id });
    res.set('Cache-Control', 'no-store');
    if (req.query.format === 'html') {
      const c = data!.case as { state: string; organisationId: string; openedAt: string; closedAt: string | null };
      res.type('html').send(
        renderPage('case-export', {
          title: 'Auskunft nach Art. 15 DSGVO',
          exportedAt: formatDateTime(data!.exportedAt),
          person: { ...data!.person, birthDate: formatDate(data!.person.birthDate), languages: data!.person.languages.join(', ') || '–' },
          caseFacts: [
            { term: 'Phase', value: CASE_STATE_LABELS[c.state as CaseState] ?? c.state },
            { term: 'Träger', value: c.organisationId },
            { term: 'Eröffnet', value: formatDate(c.openedAt) },
            { term: 'Abgeschlossen', value: c.closedAt ? formatDate(c.closedAt) : '–' },
          ],
          consents: data!.consents.map((x) => ({ ...x, recordedAt: formatDate(x.recordedAt), withdrawnAt: x.withdrawnAt ? formatDate(x.withdrawnAt) : '' })),
          history: data!.history.map((e) => ({ at: formatDateTime(e.at), actor: e.actorName ?? 'System', summary: e.summary })),
          notifications: data!.notifications.map((n) => ({ ...n, createdAt: formatDateTime(n.createdAt) })),
          disclosures: data!.disclosures.map((d) => ({ ...d, at: formatDateTime(d.at) })),
        }),
      );
      return;
    }
    res.attachment(`auskunft-${row!.id}.json`).json(data);
  });
  return router;
}
