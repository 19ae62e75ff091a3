// Datenschutz of a case, for KIM coordination (page /faelle/:id/datenschutz): who read the case's content, when,
// through which channel and for what purpose (the access log), where its data was passed on under a consent, the
// state of its encryption key, and the Art. 15 export — readable without a database tool.
import { Router, type Request, type Response } from 'express';
import { ROLE_LABELS, type ActorRole } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import { caseAccessLog, logAccess } from './access-log.js';
import { formatDate, formatDateTime } from './page-labels.js';
import { errorPage, layout, pageUserRequired, send, signedInUser } from './page-kit.js';
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

function notFound(req: Request, res: Response) {
  errorPage(req, res, 404, 'Seite nicht gefunden', 'Diese Seite oder dieser Fall existiert nicht, oder Sie haben keinen Zugriff darauf.');
}

export function dataProtectionPagesRouter({ db }: { db: Database }): Router {
  const router = Router();
  router.get('/faelle/:id/datenschutz', pageUserRequired('/faelle'), async (req, res) => {
    const user = signedInUser(req);
    const row = await db.case.findUnique({ where: { id: req.params.id as string }, include: { person: true, consents: true } });
    if (!row) return notFound(req, res);
    // Only coordination: everyone else does not learn from here that the case exists.
    if (user.role !== 'coordinator') return notFound(req, res);
    // The page names the person and the consents: a read of the case like any other, for data-protection control.
    await logAccess(db, req, user, { action: 'read_case', caseId: row.id, channel: 'page', purpose: 'Datenschutzkontrolle' });
    const [entries, key, organisations] = await Promise.all([
      caseAccessLog(db, row.id),
      db.dataKey.findUnique({ where: { subject: row.workflowId } }),
      db.organisation.findMany({ select: { id: true, shortName: true } }),
    ]);
    const orgName = new Map(organisations.map((o) => [o.id, o.shortName]));
    const sharing = row.consents
      .filter((c) => c.scope === 'share_with_partner' && c.decision === 'given')
      .map((c) => ({
        partner: (c.partnerOrganisationId && orgName.get(c.partnerOrganisationId)) || c.partnerName || '–',
        purpose: c.purpose ?? '–',
        since: formatDate(c.recordedAt),
        until: c.withdrawnAt ? `widerrufen am ${formatDate(c.withdrawnAt)}` : 'wirksam',
      }));
    const keyState = !key
      ? 'Noch kein eigener Schlüssel (Fall aus der Zeit vor den Fallschlüsseln oder noch ohne Daten in der Prozess-Engine).'
      : key.destroyedAt
        ? `Vernichtet am ${formatDate(key.destroyedAt)} – die Daten des Falls in der Prozess-Engine und ihren Sicherungen sind unlesbar.`
        : key.retiredAt
          ? `Stillgelegt am ${formatDate(key.retiredAt)} (Löschung läuft).`
          : `Aktiv seit ${formatDate(key.createdAt)}.`;
    send(
      res,
      200,
      renderPage('case-data-protection', {
        ...layout(req, 'Datenschutz des Falls', 'faelle'),
        caseId: row.id,
        personName: `${row.person.givenName} ${row.person.familyName}`,
        erasedOn: row.erasedAt ? formatDate(row.erasedAt) : undefined,
        keyState,
        sharing,
        entries: entries.map((e) => ({
          at: formatDateTime(e.at),
          who: e.userName ?? e.userId,
          role: ROLE_LABELS[e.role as ActorRole] ?? e.role,
          organisation: orgName.get(e.organisationId) ?? e.organisationId,
          action: ACTION_LABELS[e.action] ?? e.action,
          channel: CHANNEL_LABELS[e.channel] ?? e.channel,
          purpose: e.purpose ?? '–',
        })),
      }),
    );
  });
  return router;
}
