// Datenschutz of a case, for KIM coordination: the page /faelle/:id/datenschutz — who read the case's content, when,
// through which channel and for what purpose (the access log), where its data was passed on under a consent, the
// state of its encryption key — and the printable Art. 15 document, readable without a database tool.
import { Router, type Request, type Response } from 'express';
import { CASE_STATE_LABELS, ROLE_LABELS, type ActorRole, type CaseState } from '../../domain/index.js';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { exportCase, type CaseExport } from '../operations/case-export.js';
import { caseDataProtection } from '../operations/data-protection.js';
import { caseProgressModel } from './case-progress-view.js';
import { formatDate, formatDateTime } from './labels.js';
import { layout, orRefusalPage, requirePageUser, send } from './kit.js';
import { renderPage } from './views.js';

const ACTION_LABELS: Record<string, string> = {
  read_case: 'Fall gelesen',
  read_history: 'Fallverlauf gelesen',
  read_handover: 'Übergabe gelesen',
  export_report: 'Bericht exportiert',
  export_case: 'Auskunft (Art. 15 DSGVO) erstellt',
  read_shared_case: 'Freigegebene Daten gelesen (Partner)',
  list_shared_case: 'In der Liste freigegebener Fälle gesehen (Partner)',
  read_engine_history: 'Entschlüsselter Verlauf in der Temporal-UI',
};

const CHANNEL_LABELS: Record<string, string> = { api: 'API', page: 'Web-Seite', temporal_ui: 'Temporal-UI' };

type DataProtection = Awaited<ReturnType<typeof caseDataProtection>>;

function keyState(key: DataProtection['key']): string {
  if (!key) return 'Noch kein eigener Schlüssel (Fall aus der Zeit vor den Fallschlüsseln oder noch ohne Daten in der Prozess-Engine).';
  if (key.destroyedAt) return `Vernichtet am ${formatDate(key.destroyedAt)} – die Daten des Falls in der Prozess-Engine und ihren Sicherungen sind unlesbar.`;
  if (key.retiredAt) return `Stillgelegt am ${formatDate(key.retiredAt)} (Löschung läuft).`;
  return `Aktiv seit ${formatDate(key.createdAt)}.`;
}

function dataProtectionView(req: Request, data: DataProtection) {
  return {
    ...layout(req, 'Datenschutz des Falls', 'faelle'),
    caseId: data.caseId,
    personName: `${data.person.givenName} ${data.person.familyName}`,
    erasedOn: data.erasedAt ? formatDate(data.erasedAt) : undefined,
    keyState: keyState(data.key),
    sharing: data.sharing.map((s) => ({
      partner: s.partner ?? '–',
      purpose: s.purpose ?? '–',
      since: formatDate(s.recordedAt),
      until: s.withdrawnAt ? `widerrufen am ${formatDate(s.withdrawnAt)}` : 'wirksam',
    })),
    entries: data.entries.map((e) => ({
      at: formatDateTime(e.at),
      who: e.userName ?? e.userId,
      role: ROLE_LABELS[e.role as ActorRole] ?? e.role,
      organisation: e.organisationName ?? e.organisationId,
      action: ACTION_LABELS[e.action] ?? e.action,
      channel: CHANNEL_LABELS[e.channel] ?? e.channel,
      purpose: e.purpose ?? '–',
    })),
  };
}

/** The Art. 15 export as a printable document (a standalone page, without the application's navigation). */
function caseExportDocument(data: CaseExport): string {
  const c = data.case as { state: string; organisationId: string; openedAt: string; closedAt: string | null };
  return renderPage('case-export', {
    title: 'Auskunft nach Art. 15 DSGVO',
    exportedAt: formatDateTime(data.exportedAt),
    person: { ...data.person, birthDate: formatDate(data.person.birthDate), languages: data.person.languages.join(', ') || '–' },
    caseFacts: [
      { term: 'Phase', value: CASE_STATE_LABELS[c.state as CaseState] ?? c.state },
      { term: 'Träger', value: c.organisationId },
      { term: 'Eröffnet', value: formatDate(c.openedAt) },
      { term: 'Abgeschlossen', value: c.closedAt ? formatDate(c.closedAt) : '–' },
    ],
    consents: data.consents.map((x) => ({ ...x, recordedAt: formatDate(x.recordedAt), withdrawnAt: x.withdrawnAt ? formatDate(x.withdrawnAt) : '' })),
    history: data.history.map((e) => ({ at: formatDateTime(e.at), actor: e.actorName ?? 'System', summary: e.summary })),
    notifications: data.notifications.map((n) => ({ ...n, createdAt: formatDateTime(n.createdAt) })),
    disclosures: data.disclosures.map((d) => ({ ...d, at: formatDateTime(d.at) })),
    // Success criteria (with their own texts) and every rating (issue 16).
    progress: caseProgressModel(data.progress, data.progress.criteria),
  });
}

/** GET /api/v1/cases/:id/export?format=html: kept at the API's address (linked from the page, bookmarked); its
 *  errors are the API's JSON errors, its access-log entry has the channel `api`. The JSON file is api/v1/case-records.ts. */
async function sendCaseExportDocument(deps: Pick<OperationDeps, 'db' | 'temporal'>, req: Request, res: Response): Promise<void> {
  const data = await exportCase(deps, callerOf(req, 'api'), req.params.id as string);
  res.set('Cache-Control', 'no-store');
  res.type('html').send(caseExportDocument(data));
}

export function dataProtectionPagesRouter(deps: Pick<OperationDeps, 'db' | 'temporal'>): Router {
  const router = Router();

  router.get('/faelle/:id/datenschutz', requirePageUser, async (req, res) => {
    const data = await orRefusalPage(req, res, caseDataProtection(deps, callerOf(req, 'page'), req.params.id as string));
    if (!data) return;
    send(res, 200, renderPage('case-data-protection', dataProtectionView(req, data)));
  });

  router.get('/api/v1/cases/:id/export', async (req, res, next) => {
    if (req.query.format !== 'html') return next();
    await sendCaseExportDocument(deps, req, res);
  });

  return router;
}
