// "Neuer Fall": the intake form; the same operation as POST /api/v1/cases.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { callerOf } from '../http/caller.js';
import { canOpenCase, caseAccess } from '../operations/access-policy.js';
import type { OperationDeps } from '../operations/caller.js';
import { openCase } from '../operations/cases.js';
import { organisationNames } from '../operations/directory.js';
import { ApiError } from '../operations/errors.js';
import { formPayload, formValues, formView, intakeForm, type FieldErrors, type FormValues } from './forms.js';
import { bodyOf, errorFields, errorPage, layout, parseForm, requirePageUser, send, signedInUser } from './kit.js';
import { renderPage } from './views.js';

/** A uuid the browser sends back: a double-submitted form opens one case (operations/cases.ts openCase). */
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function renderIntake(
  req: Request,
  res: Response,
  status: number,
  values?: FormValues,
  errors: FieldErrors = {},
  requestId: string = randomUUID(),
  possibleMatch?: { message: string },
): void {
  send(res, status, renderPage('case-new', { ...layout(req, 'Neuer Fall', 'neu'), form: formView(intakeForm, 'neu', values, errors), requestId, possibleMatch }));
}

export function intakePagesRouter(deps: OperationDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/faelle/neu', requirePageUser, (req, res) => {
    if (!canOpenCase(signedInUser(req))) return errorPage(req, res, 403, 'Keine Berechtigung', 'Ihre Rolle darf keine Fälle anlegen.');
    renderIntake(req, res, 200);
  });

  router.post('/faelle/neu', requirePageUser, parseForm, async (req, res) => {
    const user = signedInUser(req);
    if (!canOpenCase(user)) return errorPage(req, res, 403, 'Keine Berechtigung', 'Ihre Rolle darf keine Fälle anlegen.');
    const body = bodyOf(req);
    const values = formValues(intakeForm, body);
    const { payload: formed } = formPayload(intakeForm, values);
    // "Meine eigene Organisation" names the caller's organisation; otherwise the rule's default (domain/case-opening.ts).
    const { holder, ...payload } = formed as Record<string, unknown>;
    if (holder === 'eigene') payload.organisationId = user.organisationId;
    // The person is always sent, so each missing field is named at its field (not one bare "Pflichtfeld" for `person`).
    payload.person ??= {};
    const requestId = typeof body.requestId === 'string' && REQUEST_ID.test(body.requestId) ? body.requestId : undefined;
    if (requestId) payload.requestId = requestId;
    // "Trotzdem neuen Fall anlegen" after the duplicate check's warning (issue 16).
    if (body.confirmNewCase === 'ja') payload.confirmNewCase = true;
    let created: Awaited<ReturnType<typeof openCase>>;
    try {
      created = await openCase(deps, callerOf(req, 'page'), payload);
    } catch (error) {
      // Possibly a person already in an open case elsewhere: the form again, with the warning and a way to confirm.
      if (error instanceof ApiError && error.code === 'possible_existing_case') {
        return renderIntake(req, res, 409, values, {}, requestId ?? randomUUID(), { message: error.message });
      }
      // 409 with a way to go (domain/case-opening.ts): back onto the form; any other 409: already opened.
      if (error instanceof ApiError && error.status === 409 && typeof error.extra.allowedWay === 'string') {
        return renderIntake(req, res, 409, values, { holder: `${error.message} ${error.extra.allowedWay}` }, requestId);
      }
      if (error instanceof ApiError && error.status === 409) return errorPage(req, res, 409, 'Bereits angelegt', error.message);
      if (!(error instanceof ApiError) || ![422, 503].includes(error.status)) throw error;
      // Nothing was opened: the same id again, so a second click after fixing the form still opens one case.
      return renderIntake(req, res, error.status, values, errorFields(error, 'body'), requestId);
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
