// "Meine Fälle" (the caller's cases, filters, the cases shared with their organisation) and "Neuer Fall" (intake).
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { CASE_STATES, CASE_STATE_LABELS, DEADLINE_LABELS, MUNICIPALITIES, type CaseState } from '../../domain/index.js';
import { callerOf } from '../http/caller.js';
import { canOpenCase, caseAccess } from '../operations/access-policy.js';
import type { OperationDeps } from '../operations/caller.js';
import { listCases, openCase } from '../operations/cases.js';
import { organisationNames, staffDirectory } from '../operations/directory.js';
import { ApiError } from '../operations/errors.js';
import { listSharedCases } from '../operations/partner-access.js';
import { formPayload, formValues, formView, intakeForm, type FieldErrors, type FormValues } from './forms.js';
import { formatDate } from './labels.js';
import { bodyOf, errorFields, errorPage, layout, parseForm, requirePageUser, send, signedInUser } from './kit.js';
import { renderPage } from './views.js';

const PAGE_SIZE = 25;

export function caseListPagesRouter(deps: OperationDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/faelle', requirePageUser, async (req, res) => {
    const user = signedInUser(req);
    const q = req.query;
    const pick = (v: unknown, allowed: readonly string[]) => (typeof v === 'string' && allowed.includes(v) ? v : undefined);
    const filters = {
      state: pick(q.status, CASE_STATES),
      municipality: pick(q.gemeinde, MUNICIPALITIES),
      overdue: q.ueberfaellig === '1',
      mine: q.zugewiesen === 'ich',
      search: typeof q.suche === 'string' ? q.suche.trim().slice(0, 200) : '',
      page: Math.max(1, Number.parseInt(typeof q.seite === 'string' ? q.seite : '1', 10) || 1),
    };
    const list = await listCases(deps, callerOf(req, 'page'), {
      ...(filters.state ? { state: filters.state } : {}),
      ...(filters.municipality ? { municipality: filters.municipality } : {}),
      ...(filters.overdue ? { overdue: 'true' } : {}),
      ...(filters.mine ? { assignee: 'me' } : {}),
      ...(filters.search ? { q: filters.search } : {}),
      page: String(filters.page),
      pageSize: String(PAGE_SIZE),
    });
    const [orgs, staff] = await Promise.all([organisationNames(db), staffDirectory(db)]);
    const items = list.items.map((item) => {
      if ('access' in item) {
        return { id: item.id, stateOnly: true, state: CASE_STATE_LABELS[item.state as CaseState] ?? item.state, organisation: orgs.short(item.organisationId) };
      }
      return {
        id: item.id,
        name: `${item.person.familyName}, ${item.person.givenName}`,
        state: CASE_STATE_LABELS[item.state as CaseState] ?? item.state,
        onHold: item.onHold,
        municipality: item.municipality,
        organisation: orgs.short(item.organisationId),
        assignee: item.assignee ? staff.name(item.assignee) : '–',
        next: item.nextDeadline
          ? `${DEADLINE_LABELS[item.nextDeadline.kind as keyof typeof DEADLINE_LABELS] ?? item.nextDeadline.kind}, ${formatDate(item.nextDeadline.dueAt)}`
          : '–',
        overdue: item.overdue,
      };
    });
    // Cases other organisations shared with this one (consent-bound sharing): a list of its own, unfiltered.
    const shared = await listSharedCases(db, callerOf(req, 'page'), { pageSize: '200' });
    const sharedItems = shared.items.map((item) => ({
      id: item.id,
      name: item.person ? `${item.person.familyName}, ${item.person.givenName}` : undefined,
      holder: orgs.short(item.organisationId),
      purposes: item.consents.map((k) => k.purpose ?? '–').join('; '),
      since: formatDate(item.consents[0]?.recordedAt ?? ''),
    }));
    const pageCount = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
    const link = (page: number) => {
      const params = new URLSearchParams();
      if (filters.state) params.set('status', filters.state);
      if (filters.municipality) params.set('gemeinde', filters.municipality);
      if (filters.overdue) params.set('ueberfaellig', '1');
      if (filters.mine) params.set('zugewiesen', 'ich');
      if (filters.search) params.set('suche', filters.search);
      params.set('seite', String(page));
      return `/faelle?${params.toString()}`;
    };
    send(
      res,
      200,
      renderPage('cases', {
        ...layout(req, 'Meine Fälle', 'faelle'),
        items,
        total: list.total,
        stateOptions: CASE_STATES.map((s) => ({ value: s, label: CASE_STATE_LABELS[s], selected: s === filters.state })),
        municipalityOptions: MUNICIPALITIES.map((m) => ({ value: m, label: m, selected: m === filters.municipality })),
        filters,
        filtered: Boolean(filters.state || filters.municipality || filters.overdue || filters.mine || filters.search),
        page: filters.page,
        pageCount,
        prev: filters.page > 1 ? link(filters.page - 1) : undefined,
        next: filters.page < pageCount ? link(filters.page + 1) : undefined,
        canOpenCases: canOpenCase(user),
        sharedItems,
        sharedTotal: shared.total,
      }),
    );
  });

  // ----- Neuer Fall

  const renderIntake = (req: Request, res: Response, status: number, values?: FormValues, errors: FieldErrors = {}) => {
    send(
      res,
      status,
      renderPage('case-new', { ...layout(req, 'Neuer Fall', 'neu'), form: formView(intakeForm, 'neu', values, errors), requestId: randomUUID() }),
    );
  };

  router.get('/faelle/neu', requirePageUser, (req, res) => {
    if (!canOpenCase(signedInUser(req))) return errorPage(req, res, 403, 'Keine Berechtigung', 'Ihre Rolle darf keine Fälle anlegen.');
    renderIntake(req, res, 200);
  });

  router.post('/faelle/neu', requirePageUser, parseForm, async (req, res) => {
    const user = signedInUser(req);
    if (!canOpenCase(user)) return errorPage(req, res, 403, 'Keine Berechtigung', 'Ihre Rolle darf keine Fälle anlegen.');
    const values = formValues(intakeForm, bodyOf(req));
    const { payload } = formPayload(intakeForm, values);
    let created: Awaited<ReturnType<typeof openCase>>;
    try {
      created = await openCase(deps, callerOf(req, 'page'), payload);
    } catch (error) {
      if (!(error instanceof ApiError) || ![422, 503].includes(error.status)) throw error;
      return renderIntake(req, res, error.status, values, errorFields(error, 'body'));
    }
    // Usually the case lands at the creator's own organisation; when the proposal names another provider, the creator
    // may not open it any more — then this page is the last they see of it, with the proposal.
    if (caseAccess(user, { organisationId: created.organisationId }) === 'full') {
      return res.redirect(303, `/faelle/${encodeURIComponent(created.id)}?angelegt=1`);
    }
    const orgs = await organisationNames(db);
    send(
      res,
      201,
      renderPage('case-created', {
        ...layout(req, 'Fall angelegt', 'neu'),
        personName: `${created.person.givenName} ${created.person.familyName}`,
        provider: orgs.short(created.proposedProvider.organisationId),
        reason: created.proposedProvider.reason,
      }),
    );
  });

  return router;
}
