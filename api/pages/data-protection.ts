// Datenschutz of a case, for KIM coordination: the page /faelle/:id/datenschutz — who read the case's content, when,
// through which channel and for what purpose (the access log), where its data was passed on under a consent, the
// state of its encryption key — and the printable Art. 15 document, readable without a database tool.
import { Router, type Request, type Response } from 'express';
import { ROLE_LABELS, type ActorRole } from '../../domain/index.js';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { exportCase } from '../operations/case-export.js';
import { organisationNames, staffDirectory } from '../operations/directory.js';
import { caseExportDocument } from './case-export-document.js';
import { caseDataProtection } from '../operations/data-protection.js';
import { formatDate, formatDateTime } from './labels.js';
import { layout, orRefusalPage, requirePageUser, send } from './kit.js';
import { renderPage } from './views.js';
import { ApiError } from '../operations/errors.js';

const ACTION_LABELS: Record<string, string> = {
  read_case: 'Fall gelesen',
  read_history: 'Fallverlauf gelesen',
  read_handover: 'Übergabe gelesen',
  export_report: 'Bericht exportiert',
  export_case: 'Auskunft (Art. 15 DSGVO) erstellt',
  read_shared_case: 'Freigegebene Daten gelesen (Partner)',
  list_shared_case: 'In der Liste freigegebener Fälle gesehen (Partner)',
  read_engine_history: 'Entschlüsselter Verlauf in der Temporal-UI',
  read_document: 'Dokument heruntergeladen',
  read_person_match: 'Im Personenabgleich der Koordination gesehen',
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

/** The access-log filters as the form shows them (values as asked, options, errors by field). */
function filterView(data: DataProtection, asked: Record<string, unknown>, errors: Record<string, string> = {}) {
  const value = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    filtered: Boolean(value(asked.userId) || value(asked.from) || value(asked.to) || value(asked.action)),
    filterFrom: value(asked.from),
    filterTo: value(asked.to),
    filterErrors: Object.values(errors),
    readerOptions: data.readers.map((r) => ({ value: r.id, label: r.name, selected: r.id === asked.userId })),
    actionOptions: Object.entries(ACTION_LABELS).map(([v, label]) => ({ value: v, label, selected: v === asked.action })),
  };
}

/** GET /api/v1/cases/:id/export?format=html: kept at the API's address (linked from the page, bookmarked); its
 *  errors are the API's JSON errors, its access-log entry has the channel `api`. The JSON file is api/v1/case-records.ts. */
async function sendCaseExportDocument(deps: Pick<OperationDeps, 'db' | 'temporal'>, req: Request, res: Response): Promise<void> {
  const data = await exportCase(deps, callerOf(req, 'api'), req.params.id as string);
  const [orgs, staff] = await Promise.all([organisationNames(deps.db), staffDirectory(deps.db)]);
  res.set('Cache-Control', 'no-store');
  res.type('html').send(caseExportDocument(data, { organisation: (id) => (id ? orgs.rows.find((o) => o.id === id)?.name ?? id : '–'), staff: (id) => staff.name(id ?? null) }));
}

export function dataProtectionPagesRouter(deps: Pick<OperationDeps, 'db' | 'temporal'>): Router {
  const router = Router();

  router.get('/faelle/:id/datenschutz', requirePageUser, async (req, res) => {
    const query = { userId: req.query.person, from: req.query.von, to: req.query.bis, action: req.query.art };
    let data: DataProtection | undefined;
    let filterErrors: Record<string, string> | undefined;
    try {
      data = await orRefusalPage(req, res, caseDataProtection(deps, callerOf(req, 'page'), req.params.id as string, query));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 422) throw error;
      // Bad filters: the page without them, and the fields' German messages.
      filterErrors = error.extra.fields as Record<string, string>;
      data = await orRefusalPage(req, res, caseDataProtection(deps, callerOf(req, 'page'), req.params.id as string));
    }
    if (!data) return;
    send(res, 200, renderPage('case-data-protection', { ...dataProtectionView(req, data), ...filterView(data, query, filterErrors) }));
  });

  router.get('/api/v1/cases/:id/export', async (req, res, next) => {
    if (req.query.format !== 'html') return next();
    await sendCaseExportDocument(deps, req, res);
  });

  return router;
}
