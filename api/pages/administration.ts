// Verwaltung: the hub, the deadline settings (Fristen, coordinators) and the audit of administration (Protokoll).
// Same operations as /api/v1/settings/case and /api/v1/admin-audit; the refusals are theirs (access-policy.ts).
import { Router, type Request, type Response } from 'express';
import { ROLE_LABELS, type ActorRole } from '../../domain/index.js';
import type { Client } from '@temporalio/client';
import type { Database } from '../../platform/database.js';
import { callerOf } from '../http/caller.js';
import {
  canConfigureDeadlines,
  canManageAccounts,
  canManageOrganisations,
  canReadAdminAudit,
  canReadRecordRejections,
  canRetryRecordWrites,
} from '../operations/access-policy.js';
import { AUDIT_ENTITIES, listAdminAudit } from '../operations/admin-audit.js';
import { getCaseSettings, updateCaseSettings } from '../operations/case-settings.js';
import { getReportSettings, updateReportSettings } from '../operations/report-settings.js';
import { staffDirectory } from '../operations/directory.js';
import { ApiError } from '../operations/errors.js';
import { listRecordRejections, retryRecordWrite } from '../operations/record-rejections.js';
import { bodyOf, errorPage, layout, orRefusalPage, pageUserRequired, parseForm, send, signedInUser } from './kit.js';
import { formatDate, formatDateTime } from './labels.js';
import { renderPage } from './views.js';

const ENTITY_LABELS: Record<string, string> = {
  account: 'Konto',
  organisation: 'Organisation',
  routing_rules: 'Zuständigkeitsregeln',
  case_settings: 'Fristen',
  report_settings: 'Altersgruppen',
  case_record: 'Fallprotokoll',
  referral_catalogue: 'Vermittlungskatalog',
  person_match: 'Personenabgleich',
};
const ACTION_LABELS: Record<string, string> = {
  invited: 'eingeladen',
  invitation_sent: 'Einladung erneut gesendet',
  invitation_accepted: 'Einladung angenommen (Passwort festgelegt)',
  password_reset: 'Passwort zurückgesetzt',
  updated: 'geändert',
  deactivated: 'deaktiviert',
  reactivated: 'reaktiviert',
  created: 'angelegt',
  deleted: 'gelöscht',
  seeded: 'Voreinstellung angelegt',
  record_retry_requested: 'abgewiesenen Eintrag erneut schreiben lassen',
  person_linked: 'zwei Fälle einer Person zugeordnet',
  person_match_dismissed: 'möglichen Treffer verworfen',
};

function describeChange(before: unknown, after: unknown): string[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const show = (v: unknown) => (v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));
  return keys.filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).map((k) => `${k}: ${show(b[k])} → ${show(a[k])}`);
}

async function renderSettings(db: Database, req: Request, res: Response, status: number, errors: Record<string, string> = {}, entered?: Record<string, unknown>) {
  const view = await orRefusalPage(req, res, getCaseSettings(db, callerOf(req, 'page')));
  if (!view) return;
  const staff = await staffDirectory(db);
  const fields = view.fields.map((f) => {
    const key = f.key === 'reopenWithinDays' ? f.key : `deadlines.${f.key}`;
    const error = errors[key];
    return { ...f, name: key, id: `frist-${f.key}`, value: entered?.[key] ?? f.value, error, nextDue: f.nextDueAt ? formatDate(f.nextDueAt) : null };
  });
  const summary = fields.filter((f) => f.error).map((f) => ({ href: `#${f.id}`, text: `${f.label}: ${f.error}` }));
  send(res, status, renderPage('admin/settings', {
    ...layout(req, 'Fristen', 'verwaltung'),
    fields,
    summary,
    closureNeedsApproval: entered ? entered.closureNeedsApproval === true : view.settings.closureNeedsApproval,
    updatedAt: view.updatedAt ? formatDateTime(view.updatedAt) : null,
    updatedBy: staff.name(view.updatedById),
    waitingCases: view.waitingCases,
    demoClock: view.demoClock,
    openHandovers: view.openHandovers,
    saved: req.query.erledigt === '1',
  }));
}

/** urlencoded settings form → the JSON body of PUT /api/v1/settings/case (numbers stay strings if they are not). */
function settingsBody(body: Record<string, unknown>) {
  const number = (v: unknown) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v);
  const deadlines: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (k.startsWith('deadlines.')) deadlines[k.slice('deadlines.'.length)] = number(v);
  return { deadlines, closureNeedsApproval: body.closureNeedsApproval === 'ja', reopenWithinDays: number(body.reopenWithinDays) };
}

/** The age bands of the reports (issue 16): the bounds as one comma-separated field. */
async function renderAgeBands(db: Database, req: Request, res: Response, status: number, error?: string, entered?: string) {
  const view = await orRefusalPage(req, res, getReportSettings(db, callerOf(req, 'page')));
  if (!view) return;
  send(res, status, renderPage('admin/age-bands', {
    ...layout(req, 'Altersgruppen', 'verwaltung'),
    bands: view.ageBands,
    value: entered ?? view.settings.ageBandBounds.join(', '),
    error,
    saved: req.query.erledigt === '1',
  }));
}

/** "18, 27" → [18, 27]; anything that is no whole number stays as typed, for the operation's message. */
function boundsOf(raw: unknown): unknown[] {
  const text = typeof raw === 'string' ? raw : '';
  return text.split(/[,;\s]+/).filter(Boolean).map((v) => (/^\d+$/.test(v) ? Number(v) : v));
}

/** The page's filter: unknown values are dropped rather than refused (links from account pages set them). */
function auditFilter(req: Request) {
  const { entity, entityId } = req.query;
  return {
    limit: 200,
    ...(typeof entity === 'string' && (AUDIT_ENTITIES as readonly string[]).includes(entity) ? { entity } : {}),
    ...(typeof entityId === 'string' && entityId.trim() && entityId.length <= 200 ? { entityId } : {}),
  };
}

export function administrationPagesRouter({ db, temporal }: { db: Database; temporal: Client }): Router {
  const router = Router();
  const requireUser = pageUserRequired('/verwaltung');

  router.get('/verwaltung', requireUser, (req, res) => {
    const user = signedInUser(req);
    if (!canManageAccounts(user)) return errorPage(req, res, 403, 'Keine Berechtigung', 'Die Verwaltung sehen Verwaltung/IT und die KIM-Koordination.');
    send(res, 200, renderPage('admin/index', {
      ...layout(req, 'Verwaltung', 'verwaltung'),
      canDeadlines: canConfigureDeadlines(user),
      canOrganisations: canManageOrganisations(user),
      canAudit: canReadAdminAudit(user),
      canRecordRejections: canReadRecordRejections(user),
    }));
  });

  router.get('/verwaltung/schreibfehler', requireUser, async (req, res) => {
    const all = req.query.alle === '1';
    const list = await orRefusalPage(req, res, listRecordRejections(db, callerOf(req, 'page'), { status: all ? 'all' : 'open' }));
    if (!list) return;
    const canRetry = canRetryRecordWrites(signedInUser(req));
    const items = list.items.map((r) => ({
      ...r,
      firstAt: formatDateTime(r.firstAt),
      lastAt: formatDateTime(r.lastAt),
      resolvedAt: r.resolvedAt ? formatDateTime(r.resolvedAt) : null,
      canRetry: canRetry && !r.resolvedAt,
    }));
    send(res, 200, renderPage('admin/record-rejections', {
      ...layout(req, 'Schreibfehler', 'verwaltung'),
      items,
      all,
      requested: typeof req.query.angestossen === 'string' ? req.query.angestossen : null,
    }));
  });

  router.post('/verwaltung/schreibfehler/:id/erneut', requireUser, parseForm, async (req, res) => {
    const caseId = req.params.id as string;
    const done = await orRefusalPage(req, res, retryRecordWrite({ db, temporal }, callerOf(req, 'page'), caseId));
    if (!done) return;
    res.redirect(303, `/verwaltung/schreibfehler?angestossen=${encodeURIComponent(caseId)}`);
  });

  router.get('/verwaltung/fristen', requireUser, async (req, res) => {
    await renderSettings(db, req, res, 200);
  });

  router.post('/verwaltung/fristen', requireUser, parseForm, async (req, res) => {
    const raw = bodyOf(req);
    const body = settingsBody(raw);
    try {
      await updateCaseSettings(db, callerOf(req, 'page'), body);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 422) throw error;
      const entered = { ...raw, closureNeedsApproval: body.closureNeedsApproval };
      return renderSettings(db, req, res, 422, (error.extra.fields as Record<string, string>) ?? {}, entered);
    }
    res.redirect(303, '/verwaltung/fristen?erledigt=1');
  });

  ageBandRoutes(router, db, requireUser);

  router.get('/verwaltung/protokoll', requireUser, async (req, res) => {
    const list = await orRefusalPage(req, res, listAdminAudit(db, callerOf(req, 'page'), auditFilter(req)));
    if (!list) return;
    const staff = await staffDirectory(db);
    const items = list.items.map((r) => ({
      at: formatDateTime(r.at),
      actor: r.actorId ? `${staff.name(r.actorId)}${r.actorRole ? ` (${ROLE_LABELS[r.actorRole as ActorRole] ?? r.actorRole})` : ''}` : 'Kommandozeile/System',
      entity: ENTITY_LABELS[r.entity] ?? r.entity,
      subject: r.entity === 'account' ? staff.name(r.entityId) : r.entityId,
      action: ACTION_LABELS[r.action] ?? r.action,
      changes: describeChange(r.before, r.after),
    }));
    send(res, 200, renderPage('admin/audit', { ...layout(req, 'Protokoll der Verwaltung', 'verwaltung'), items }));
  });

  return router;
}

/** Verwaltung → Altersgruppen (issue 16): the age band bounds of the reports, via the report settings operation. */
function ageBandRoutes(router: Router, db: Database, requireUser: ReturnType<typeof pageUserRequired>): void {
  router.get('/verwaltung/altersgruppen', requireUser, async (req, res) => {
    await renderAgeBands(db, req, res, 200);
  });

  router.post('/verwaltung/altersgruppen', requireUser, parseForm, async (req, res) => {
    const raw = bodyOf(req).ageBandBounds;
    try {
      await updateReportSettings(db, callerOf(req, 'page'), { ageBandBounds: boundsOf(raw) });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 422) throw error;
      const fields = (error.extra.fields as Record<string, string>) ?? {};
      return renderAgeBands(db, req, res, 422, Object.values(fields)[0] ?? error.message, typeof raw === 'string' ? raw : '');
    }
    res.redirect(303, '/verwaltung/altersgruppen?erledigt=1');
  });
}
