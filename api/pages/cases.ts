// The case page: what the caller may see of the case (full, state only, or the partner's "Freigegebene Daten") and
// the action forms allowed now; a submitted action runs the same operation as POST /api/v1/cases/:id/actions/:action.
import { Router } from 'express';
import { CASE_STATE_LABELS, isCaseAction, type CaseState } from '../../domain/index.js';
import { callerOf } from '../http/caller.js';
import type { OperationDeps } from '../operations/caller.js';
import { loadCaseRow, readCaseView } from '../operations/case-lookup.js';
import { actOnCase, findCaseToAct, showCaseAfterRefusal } from '../operations/case-acts.js';
import { readCase } from '../operations/cases.js';
import { residenceTrackFacts } from './residence-forms.js';
import { caseFileOf } from './case-documents.js';
import { organisationNames } from '../operations/directory.js';
import { ApiError } from '../operations/errors.js';
import { renderCasePage, sharedCaseModel } from './case-view.js';
import { afterActionUrl } from './case-header.js';
import { actionForm } from './case-action-forms.js';
import { formPayload, formValues } from './forms.js';
import { formatDate, todayInGermany } from './labels.js';
import { bodyOf, errorPage, layout, notFoundPage, orRefusalPage, parseForm, requirePageUser, send } from './kit.js';
import { renderPage } from './views.js';

export function casePagesRouter(deps: OperationDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/faelle/:id', requirePageUser, async (req, res) => {
    const found = await orRefusalPage(req, res, readCase(deps, callerOf(req, 'page'), req.params.id as string));
    if (!found) return;
    if (found.access === 'full') return renderCasePage(db, req, res, found.row, found.view, await caseFileOf(deps, found.row.id));
    const orgs = await organisationNames(db);
    if (found.access === 'partner') {
      // Consent-bound sharing: the "Freigegebene Daten" view only (the read is logged by the operation).
      return send(res, 200, renderPage('case-shared', { ...layout(req, 'Freigegebene Daten', 'faelle'), ...sharedCaseModel(found.partnerView, orgs.short) }));
    }
    const r = found.row;
    send(
      res,
      200,
      renderPage('case-state-only', {
        ...layout(req, 'Stand des Falls', 'faelle'),
        state: CASE_STATE_LABELS[r.state as CaseState] ?? r.state,
        onHold: r.onHold,
        organisation: orgs.short(r.organisationId),
        opened: formatDate(r.openedAt),
        closed: r.closedAt ? formatDate(r.closedAt) : undefined,
        // Shared with the ABH under the client's consent (issue 16).
        residenceTrack: found.residenceTrack ? residenceTrackFacts({ ...found.residenceTrack, setBy: '' }) : null,
      }),
    );
  });

  router.post('/faelle/:id/aktionen/:action', requirePageUser, parseForm, async (req, res) => {
    const caller = callerOf(req, 'page');
    const action = req.params.action as string;
    const id = req.params.id as string;
    if (!isCaseAction(action)) return notFoundPage(req, res);
    const row = await orRefusalPage(req, res, findCaseToAct(deps, caller, id));
    if (!row) return;
    // The form as it was rendered for this case (the choices depend on its consents, goals, …).
    const view = await readCaseView(db, deps.temporal, row);
    if (!view) {
      return errorPage(req, res, 409, 'Aktion nicht möglich', 'Dieser Fall wird derzeit nicht von der Prozess-Engine geführt; Aktionen sind nicht möglich.');
    }
    // Only the field names matter for reading the form, not the choices offered.
    const spec = actionForm(action, { c: view, today: todayInGermany(), userId: caller.user.id, assignees: [], organisations: [] });
    const body = bodyOf(req);
    const values = formValues(spec, body);
    const { payload, errorKey } = formPayload(spec, values);
    if (typeof body.requestId === 'string' && body.requestId) payload.requestId = body.requestId;
    let result: object;
    try {
      ({ result } = await actOnCase(deps, caller, row, action, payload));
    } catch (error) {
      if (!(error instanceof ApiError) || ![403, 409, 422, 503].includes(error.status)) throw error;
      const fields = (error.extra.fields as Record<string, string> | undefined) ?? {};
      const errors = Object.fromEntries(Object.entries(fields).map(([k, v]) => [errorKey(k), v]));
      // Refused: nothing changed — unless the state moved on meanwhile (409), then show the case as it is now.
      // Logged as a read (operations/cases.ts): the refusal page shows the case's content — after a 409 as it is now.
      const now = error.status === 409 ? ((await loadCaseRow(db, id)) ?? row) : row;
      const current = await showCaseAfterRefusal(deps, caller, now);
      const shown = error.status === 409 ? current : view;
      const file = await caseFileOf(deps, row.id);
      return renderCasePage(db, req, res, row, shown, { status: error.status, failure: { action, values, errors, message: error.message }, ...file });
    }
    res.redirect(303, afterActionUrl(id, action, row.lastEventSeq, result));
  });

  return router;
}
