// Verwaltung: organisations and routing rules (Zuständigkeit) — the same operations as /api/v1/organisations and
// /api/v1/routing-rules; who may is theirs to decide (access-policy.ts).
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { MUNICIPALITIES, ORGANISATION_KINDS, type RoutingRules } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { callerOf } from '../http/caller.js';
import { listOrganisations, staffDirectory } from '../operations/directory.js';
import { ApiError } from '../operations/errors.js';
import { createOrganisation, updateOrganisation } from '../operations/organisations.js';
import { createRoutingRuleVersion, getRoutingRules } from '../operations/routing-rules.js';
import { formValues, formView, type FieldErrors, type FormSpec, type FormValues } from './forms.js';
import { bodyOf, errorFields, errorPage, layout, orRefusalPage, pageUserRequired, parseForm, send } from './kit.js';
import { formatDate, formatDateTime } from './labels.js';
import { renderPage } from './views.js';

export const ORGANISATION_KIND_LABELS: Record<string, string> = {
  county: 'Kreis (KIM-Team)',
  abh: 'Ausländerbehörde',
  jobcenter: 'Jobcenter / Integration Point',
  provider: 'Träger',
  partner: 'Partnerdienst im Netzwerk',
};
const YES_NO = [
  { value: 'ja', label: 'ja' },
  { value: 'nein', label: 'nein' },
];

function organisationForm(withId: boolean): FormSpec {
  return {
    fields: [
      ...(withId ? [{ name: 'id', label: 'Kennung', kind: 'text' as const, required: true, hint: 'Kleinbuchstaben, Ziffern, Bindestriche, z. B. schuldnerberatung-eu; später nicht änderbar.' }] : []),
      { name: 'name', label: 'Name', kind: 'text', required: true },
      { name: 'shortName', label: 'Kurzbezeichnung', kind: 'text', required: true },
      { name: 'kind', label: 'Art', kind: 'select', required: true, options: ORGANISATION_KINDS.map((k) => ({ value: k, label: ORGANISATION_KIND_LABELS[k] ?? k })) },
      { name: 'contactEmail', label: 'Kontaktadresse für E-Mails', kind: 'email', hint: 'Leer lassen, wenn keine.' },
      { name: 'active', label: 'Aktiv', kind: 'select', options: YES_NO },
    ],
  };
}

function organisationBody(values: FormValues, withId: boolean) {
  return {
    ...(withId ? { id: values.id ?? '' } : {}),
    name: values.name ?? '',
    shortName: values.shortName ?? '',
    kind: values.kind ?? '',
    contactEmail: values.contactEmail?.trim() ? values.contactEmail : null,
    active: values.active !== 'nein',
  };
}

function rulesForm(options: { value: string; label: string }[]): FormSpec {
  const org = (name: string, label: string) => ({ name, label, kind: 'select' as const, required: true, options });
  return {
    fields: [
      ...MUNICIPALITIES.map((m) => org(`municipalProviders.${m}`, `Erwachsene in ${m}`)),
      org('youthProvider.organisationId', 'Kreisweit für junge Menschen'),
      { name: 'youthProvider.minAge', label: 'Junge Menschen ab (Jahre)', kind: 'number', required: true },
      { name: 'youthProvider.maxAge', label: 'Junge Menschen bis (Jahre, einschließlich)', kind: 'number', required: true },
      { name: 'adultFromAge', label: 'Erwachsenen-Träger zuerst ab (Jahre); im Überschneidungsbereich ist der Jugend-Träger Alternative', kind: 'number', required: true },
      { name: 'underYouthAgeToMunicipalProvider', label: 'Kinder unter dem Jugendalter mit der Familie zum Träger der Kommune', kind: 'select', options: YES_NO },
      { name: 'validFrom', label: 'Gilt für neue Zugänge ab', kind: 'date', required: true },
      { name: 'note', label: 'Anlass der Änderung', kind: 'textarea' },
    ],
  };
}

function rulesValues(rules: RoutingRules, today: string): FormValues {
  const values: FormValues = { validFrom: today, note: '' };
  for (const m of MUNICIPALITIES) values[`municipalProviders.${m}`] = rules.municipalProviders[m];
  values['youthProvider.organisationId'] = rules.youthProvider.organisationId;
  values['youthProvider.minAge'] = String(rules.youthProvider.minAge);
  values['youthProvider.maxAge'] = String(rules.youthProvider.maxAge);
  values.adultFromAge = String(rules.adultFromAge);
  values.underYouthAgeToMunicipalProvider = rules.underYouthAgeToMunicipalProvider ? 'ja' : 'nein';
  return values;
}

function rulesBody(values: FormValues) {
  const int = (v: string | undefined) => (v && /^\d+$/.test(v.trim()) ? Number(v) : v);
  return {
    rules: {
      municipalProviders: Object.fromEntries(MUNICIPALITIES.map((m) => [m, values[`municipalProviders.${m}`] ?? ''])),
      youthProvider: { organisationId: values['youthProvider.organisationId'] ?? '', minAge: int(values['youthProvider.minAge']), maxAge: int(values['youthProvider.maxAge']) },
      adultFromAge: int(values.adultFromAge),
      underYouthAgeToMunicipalProvider: values.underYouthAgeToMunicipalProvider !== 'nein',
    },
    validFrom: values.validFrom ?? '',
    ...(values.note?.trim() ? { note: values.note } : {}),
  };
}

export function organisationPagesRouter({ db }: { db: Database }): Router {
  const router = Router();
  const requireUser = pageUserRequired('/verwaltung');

  const renderList = async (req: Request, res: Response, status: number, values?: FormValues, errors: FieldErrors = {}) => {
    // The refusal comes from the operation: a read that only managers pass.
    if (!(await orRefusalPage(req, res, getRoutingRules(db, callerOf(req, 'page'))))) return;
    const { items } = await listOrganisations(db);
    send(res, status, renderPage('admin/organisations', {
      ...layout(req, 'Organisationen', 'verwaltung'),
      items: items.map((o) => ({ ...o, kindLabel: `${ORGANISATION_KIND_LABELS[o.kind] ?? o.kind}${o.countyPostLabel ? ` – ${o.countyPostLabel}` : ''}` })),
      form: formView(organisationForm(true), 'organisation', values ?? { kind: 'partner', active: 'ja' }, errors),
      notice: req.query.erledigt === '1',
    }));
  };

  router.get('/verwaltung/organisationen', requireUser, (req, res) => renderList(req, res, 200));
  router.post('/verwaltung/organisationen', requireUser, parseForm, async (req, res) => {
    const values = formValues(organisationForm(true), bodyOf(req));
    try {
      await createOrganisation(db, callerOf(req, 'page'), organisationBody(values, true));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 403) return errorPage(req, res, 403, 'Keine Berechtigung', error.message);
      return renderList(req, res, error.status, values, errorFields(error, 'id'));
    }
    res.redirect(303, '/verwaltung/organisationen?erledigt=1');
  });

  const renderOne = async (req: Request, res: Response, status: number, id: string, values?: FormValues, errors: FieldErrors = {}) => {
    if (!(await orRefusalPage(req, res, getRoutingRules(db, callerOf(req, 'page'))))) return;
    const org = (await listOrganisations(db)).items.find((o) => o.id === id);
    if (!org) return errorPage(req, res, 404, 'Seite nicht gefunden', 'Diese Organisation gibt es nicht.');
    const shown = values ?? { name: org.name, shortName: org.shortName, kind: org.kind, contactEmail: org.contactEmail ?? '', active: org.active ? 'ja' : 'nein' };
    send(res, status, renderPage('admin/organisation', { ...layout(req, org.name, 'verwaltung'), org, form: formView(organisationForm(false), 'organisation', shown, errors), notice: req.query.erledigt === '1' }));
  };

  router.get('/verwaltung/organisationen/:id', requireUser, (req, res) => renderOne(req, res, 200, req.params.id as string));
  router.post('/verwaltung/organisationen/:id', requireUser, parseForm, async (req, res) => {
    const id = req.params.id as string;
    const values = formValues(organisationForm(false), bodyOf(req));
    try {
      await updateOrganisation(db, callerOf(req, 'page'), id, organisationBody(values, false));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 403 || error.status === 404) return errorPage(req, res, error.status, error.status === 403 ? 'Keine Berechtigung' : 'Seite nicht gefunden', error.message);
      return renderOne(req, res, error.status, id, values, errorFields(error, 'active'));
    }
    res.redirect(303, `/verwaltung/organisationen/${encodeURIComponent(id)}?erledigt=1`);
  });

  addRoutingRulePages(router, db, requireUser);
  return router;
}

/** The routing rules page: the rules in force, a form for a new version, the versions. */
function addRoutingRulePages(router: Router, db: Database, requireUser: RequestHandler): void {
  const renderRules = async (req: Request, res: Response, status: number, values?: FormValues, errors: FieldErrors = {}) => {
    const view = await orRefusalPage(req, res, getRoutingRules(db, callerOf(req, 'page')));
    if (!view) return;
    const { items } = await listOrganisations(db);
    const options = items.filter((o) => o.active && (o.kind === 'provider' || o.kind === 'county')).map((o) => ({ value: o.id, label: o.shortName }));
    const short = (id: string) => items.find((o) => o.id === id)?.shortName ?? id;
    const staff = await staffDirectory(db);
    // Error paths of the API (`rules.municipalProviders.Kall`) → the form's field names.
    const fieldErrors = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k.replace(/^rules\./, ''), v]));
    send(res, status, renderPage('admin/routing', {
      ...layout(req, 'Zuständigkeitsregeln', 'verwaltung'),
      today: formatDate(view.today),
      currentVersion: view.currentVersion,
      current: MUNICIPALITIES.map((m) => ({ municipality: m, provider: short(view.current.municipalProviders[m]) })),
      youth: { ...view.current.youthProvider, provider: short(view.current.youthProvider.organisationId), adultFromAge: view.current.adultFromAge },
      versions: view.versions.map((v) => ({ ...v, validFrom: formatDate(v.validFrom), createdAt: formatDateTime(v.createdAt), by: v.createdById ? staff.name(v.createdById) : 'Voreinstellung' })),
      form: formView(rulesForm(options), 'regeln', values ?? rulesValues(view.current, view.today), fieldErrors),
      notice: req.query.erledigt === '1',
    }));
  };

  router.get('/verwaltung/zustaendigkeit', requireUser, (req, res) => renderRules(req, res, 200));
  router.post('/verwaltung/zustaendigkeit', requireUser, parseForm, async (req, res) => {
    const values = formValues(rulesForm([]), bodyOf(req));
    try {
      await createRoutingRuleVersion(db, callerOf(req, 'page'), rulesBody(values));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 403) return errorPage(req, res, 403, 'Keine Berechtigung', error.message);
      return renderRules(req, res, error.status, values, errorFields(error, 'validFrom'));
    }
    res.redirect(303, '/verwaltung/zustaendigkeit?erledigt=1');
  });

}
