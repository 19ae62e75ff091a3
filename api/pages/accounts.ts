// Verwaltung: staff accounts (list, invite, change, deactivate/reactivate, new invitation) — the same operations as
// /api/v1/accounts (operations/accounts.ts); who may do what is theirs to decide (access-policy.ts).
import { Router, type Request, type Response } from 'express';
import { ACTOR_ROLES, ROLE_LABELS, type ActorRole } from '../../domain/index.js';
import { callerOf } from '../http/caller.js';
import type { AccountDeps } from '../operations/account-links.js';
import { canGrantRole } from '../operations/access-policy.js';
import { getAccount, inviteAccount, listAccounts, resendInvitation, setAccountActive, updateAccount } from '../operations/accounts.js';
import { organisationNames } from '../operations/directory.js';
import { ApiError } from '../operations/errors.js';
import { formValues, formView, type FieldErrors, type FormSpec, type FormValues } from './forms.js';
import { bodyOf, errorFields, errorPage, layout, orRefusalPage, parseForm, pageUserRequired, send } from './kit.js';
import { formatDateTime } from './labels.js';
import { renderPage } from './views.js';

const requireUser = pageUserRequired('/verwaltung/konten');

async function accountForm(deps: AccountDeps, req: Request, withEmail: boolean): Promise<FormSpec> {
  const orgs = await organisationNames(deps.db);
  const user = req.user!;
  const roles = ACTOR_ROLES.filter((r) => canGrantRole(user, r));
  return {
    fields: [
      ...(withEmail ? [{ name: 'email', label: 'Dienstliche E-Mail-Adresse', kind: 'email' as const, required: true, autocomplete: 'off' }] : []),
      { name: 'name', label: 'Name', kind: 'text', required: true, autocomplete: 'off' },
      { name: 'role', label: 'Rolle', kind: 'select', required: true, emptyOption: 'Bitte wählen', options: roles.map((r) => ({ value: r, label: ROLE_LABELS[r] })) },
      {
        name: 'organisationId',
        label: 'Organisation',
        kind: 'select',
        required: true,
        emptyOption: 'Bitte wählen',
        options: orgs.rows.filter((o) => o.active).map((o) => ({ value: o.id, label: o.name })),
      },
    ],
  };
}

export function accountPagesRouter(deps: AccountDeps): Router {
  const router = Router();
  const { db } = deps;

  router.get('/verwaltung/konten', requireUser, async (req, res) => {
    const list = await orRefusalPage(req, res, listAccounts(db, callerOf(req, 'page')));
    if (!list) return;
    const orgs = await organisationNames(db);
    const items = list.items.map((a) => ({
      ...a,
      roleLabel: ROLE_LABELS[a.role as ActorRole],
      organisation: orgs.short(a.organisationId),
      status: !a.active ? 'deaktiviert' : a.passwordSetAt || !a.invitationOpen ? 'aktiv' : 'eingeladen',
    }));
    send(res, 200, renderPage('admin/accounts', { ...layout(req, 'Konten', 'verwaltung'), items, notice: req.query.erledigt }));
  });

  const renderNew = async (req: Request, res: Response, status: number, values?: FormValues, errors: FieldErrors = {}) => {
    const form = formView(await accountForm(deps, req, true), 'konto', values, errors);
    send(res, status, renderPage('admin/account-new', { ...layout(req, 'Konto einladen', 'verwaltung'), form }));
  };

  router.get('/verwaltung/konten/neu', requireUser, async (req, res) => {
    if (!(await orRefusalPage(req, res, listAccounts(db, callerOf(req, 'page'))))) return;
    await renderNew(req, res, 200);
  });

  router.post('/verwaltung/konten/neu', requireUser, parseForm, async (req, res) => {
    const values = formValues(await accountForm(deps, req, true), bodyOf(req));
    try {
      const created = await inviteAccount(deps, callerOf(req, 'page'), values);
      return res.redirect(303, `/verwaltung/konten/${created.account.id}?erledigt=eingeladen`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'mail_failed') return errorPage(req, res, 502, 'E-Mail nicht versandt', `${error.message} Das Konto ist angelegt; senden Sie die Einladung später erneut.`);
      if (error.status === 403 && !error.extra.fields) return errorPage(req, res, 403, 'Keine Berechtigung', error.message);
      await renderNew(req, res, error.status, values, errorFields(error, 'email'));
    }
  });

  const renderAccount = async (req: Request, res: Response, status: number, id: string, values?: FormValues, errors: FieldErrors = {}) => {
    const account = await orRefusalPage(req, res, getAccount(db, callerOf(req, 'page'), id));
    if (!account) return;
    const shown = values ?? { name: account.name, role: account.role, organisationId: account.organisationId };
    const form = formView(await accountForm(deps, req, false), 'konto', shown, errors);
    send(res, status, renderPage('admin/account', {
      ...layout(req, account.name, 'verwaltung'),
      account: { ...account, roleLabel: ROLE_LABELS[account.role as ActorRole], createdAt: formatDateTime(account.createdAt), passwordSetAt: account.passwordSetAt ? formatDateTime(account.passwordSetAt) : null },
      form,
      notice: typeof req.query.erledigt === 'string' ? NOTICES[req.query.erledigt] : undefined,
    }));
  };

  router.get('/verwaltung/konten/:id', requireUser, async (req, res) => {
    await renderAccount(req, res, 200, req.params.id as string);
  });

  router.post('/verwaltung/konten/:id', requireUser, parseForm, async (req, res) => {
    const id = req.params.id as string;
    const values = formValues(await accountForm(deps, req, false), bodyOf(req));
    await runAction(req, res, id, 'gespeichert', () => updateAccount(db, callerOf(req, 'page'), id, values), (error) =>
      renderAccount(req, res, error.status, id, values, errorFields(error, 'role')),
    );
  });

  const actions: Record<string, (req: Request, id: string) => Promise<unknown>> = {
    deaktivieren: (req, id) => setAccountActive(db, callerOf(req, 'page'), id, false),
    reaktivieren: (req, id) => setAccountActive(db, callerOf(req, 'page'), id, true),
    einladung: (req, id) => resendInvitation(deps, callerOf(req, 'page'), id),
  };
  for (const [name, run] of Object.entries(actions)) {
    router.post(`/verwaltung/konten/:id/${name}`, requireUser, async (req, res) => {
      const id = req.params.id as string;
      await runAction(req, res, id, name, () => run(req, id), (error) => errorPage(req, res, error.status, 'Nicht möglich', error.message));
    });
  }
  return router;
}

const NOTICES: Record<string, string> = {
  eingeladen: 'Das Konto ist angelegt; die Einladung wurde per E-Mail verschickt.',
  gespeichert: 'Die Änderung ist gespeichert. Geänderte Rolle oder Organisation: Sitzungen und API-Tokens der Person wurden beendet.',
  deaktivieren: 'Das Konto ist deaktiviert; seine Sitzungen und API-Tokens sind beendet.',
  reaktivieren: 'Das Konto ist wieder aktiv.',
  einladung: 'Eine neue Einladung wurde verschickt; frühere Links gelten nicht mehr.',
};

async function runAction(req: Request, res: Response, id: string, done: string, run: () => Promise<unknown>, onError: (error: ApiError) => Promise<void> | void) {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 404) return errorPage(req, res, 404, 'Seite nicht gefunden', error.message);
    if (error.status === 403) return errorPage(req, res, 403, 'Keine Berechtigung', error.message);
    return onError(error);
  }
  res.redirect(303, `/verwaltung/konten/${encodeURIComponent(id)}?erledigt=${done}`);
}
