// Verwaltung: the referral catalogue (issue 14) — the same operations as /api/v1/referral-catalogue; who may is the
// policy's to decide. Entries are deactivated and reactivated here; a referral that names one keeps it.
import { Router, type Request, type Response } from 'express';
import { REFERRAL_CATALOGUE_KIND_LABELS, REFERRAL_CATALOGUE_KINDS } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { callerOf } from '../http/caller.js';
import { canManageReferralCatalogue } from '../operations/access-policy.js';
import { listOrganisations } from '../operations/directory.js';
import { ApiError } from '../operations/errors.js';
import { catalogueEntries, createReferralCatalogueEntry, updateReferralCatalogueEntry } from '../operations/referral-catalogue.js';
import { formValues, formView, type FieldErrors, type FormSpec, type FormValues } from './forms.js';
import { bodyOf, errorFields, errorPage, layout, pageUserRequired, parseForm, send, signedInUser } from './kit.js';
import { formatDateTime } from './labels.js';
import { renderPage } from './views.js';

function entryForm(organisations: { value: string; label: string }[]): FormSpec {
  return {
    fields: [
      { name: 'name', label: 'Name', kind: 'text', required: true, hint: 'So erscheint der Eintrag in der Vermittlung und im Controlling.' },
      { name: 'kind', label: 'Art', kind: 'select', required: true, options: REFERRAL_CATALOGUE_KINDS.map((k) => ({ value: k, label: REFERRAL_CATALOGUE_KIND_LABELS[k] })) },
      { name: 'code', label: 'Code', kind: 'text', hint: 'Leer lassen: wird aus dem Namen gebildet. Kleinbuchstaben, Ziffern, Bindestriche; später nicht änderbar.' },
      { name: 'organisationId', label: 'Organisation im System', kind: 'select', emptyOption: 'Keine', options: organisations },
    ],
  };
}

export function referralCataloguePagesRouter({ db }: { db: Database }): Router {
  const router = Router();
  const requireUser = pageUserRequired('/verwaltung');

  const render = async (req: Request, res: Response, status: number, values?: FormValues, errors: FieldErrors = {}) => {
    if (!canManageReferralCatalogue(signedInUser(req))) {
      return errorPage(req, res, 403, 'Keine Berechtigung', 'Den Vermittlungskatalog pflegen die KIM-Koordination und Verwaltung/IT.');
    }
    const [entries, { items }] = await Promise.all([catalogueEntries(db), listOrganisations(db)]);
    const orgName = (id: string | null | undefined) => (id ? (items.find((o) => o.id === id)?.shortName ?? id) : '–');
    send(res, status, renderPage('admin/referral-catalogue', {
      ...layout(req, 'Vermittlungskatalog', 'verwaltung'),
      entries: entries.map((e) => ({ ...e, kindLabel: REFERRAL_CATALOGUE_KIND_LABELS[e.kind], organisation: orgName(e.organisationId), updatedAt: formatDateTime(e.updatedAt) })),
      form: formView(entryForm(items.map((o) => ({ value: o.id, label: o.shortName }))), 'eintrag', values ?? { kind: 'service' }, errors),
      notice: typeof req.query.erledigt === 'string' ? NOTICES[req.query.erledigt] : undefined,
    }));
  };
  /** Answers a refusal the form cannot show (403, 404) with an error page; true when it did. */
  const refused = (req: Request, res: Response, error: unknown): boolean => {
    if (!(error instanceof ApiError)) throw error;
    if (error.status !== 403 && error.status !== 404) return false;
    errorPage(req, res, error.status, error.status === 403 ? 'Keine Berechtigung' : 'Seite nicht gefunden', error.message);
    return true;
  };

  router.get('/verwaltung/vermittlungskatalog', requireUser, (req, res) => render(req, res, 200));
  router.post('/verwaltung/vermittlungskatalog', requireUser, parseForm, async (req, res) => {
    const values = formValues(entryForm([]), bodyOf(req));
    try {
      await createReferralCatalogueEntry(db, callerOf(req, 'page'), {
        name: values.name ?? '',
        kind: values.kind ?? '',
        ...(values.code?.trim() ? { code: values.code } : {}),
        ...(values.organisationId?.trim() ? { organisationId: values.organisationId } : {}),
      });
    } catch (error) {
      if (refused(req, res, error) || !(error instanceof ApiError)) return;
      return render(req, res, error.status, values, errorFields(error, 'name'));
    }
    res.redirect(303, '/verwaltung/vermittlungskatalog?erledigt=angelegt');
  });
  router.post('/verwaltung/vermittlungskatalog/:code/status', requireUser, parseForm, async (req, res) => {
    const active = bodyOf(req).active === 'ja';
    try {
      await updateReferralCatalogueEntry(db, callerOf(req, 'page'), req.params.code as string, { active });
    } catch (error) {
      if (refused(req, res, error) || !(error instanceof ApiError)) return;
      return render(req, res, error.status, undefined, errorFields(error, 'name'));
    }
    res.redirect(303, `/verwaltung/vermittlungskatalog?erledigt=${active ? 'reaktiviert' : 'deaktiviert'}`);
  });
  return router;
}

const NOTICES: Record<string, string> = {
  angelegt: 'Der Eintrag ist angelegt.',
  deaktiviert: 'Der Eintrag ist deaktiviert: er wird für neue Vermittlungen nicht mehr angeboten; bisherige behalten ihn.',
  reaktiviert: 'Der Eintrag ist wieder aktiv.',
};
