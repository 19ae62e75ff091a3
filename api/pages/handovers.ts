// The German handover pages (domain.md "ABH-to-CM handover"): the list of handovers, the proposal form of the ABH
// counsellor, and the handover page with its state, deadlines, meeting and only the actions allowed now.
//
// The pages are the second door of the handover operations (api/operations/handovers.ts), not a second
// implementation: proposing, listing, reading and acting call the very operations the JSON door calls — the same
// validation, the same receiving-organisation check, the same view (the receiving case manager gets the state-only
// view before consent), the same workflow updates with the same request ids, the same access log (channel `page`).
// Here: read the form, call the operation, render; typed errors go back onto the form's fields.
import express, { Router, type Request, type Response } from 'express';
import { HANDOVER_STATES } from '../../domain/index.js';
import { callerOf } from '../http/caller.js';
import { canProposeHandover, canSeeHandovers } from '../operations/access-policy.js';
import type { OperationDeps } from '../operations/caller.js';
import { organisationNames, staffDirectory } from '../operations/directory.js';
import { ApiError } from '../operations/errors.js';
import type { HandoverView } from '../operations/handover-responses.js';
import {
  actOnHandover,
  canReceiveHandovers,
  findHandover,
  isHandoverAction,
  listHandovers,
  proposeHandover,
  readHandover,
  viewHandover,
} from '../operations/handovers.js';
import type { FieldErrors } from './forms.js';
import { readActionForm, readProposalForm, type ActionFailure, type SubmittedProposal } from './handover-forms.js';
import { handoverPageModel, listPageModel, proposalPageModel } from './handover-view.js';
import { bodyOf, errorPage as kitErrorPage, layout as kitLayout, pageUserRequired, send, signedInUser } from './kit.js';
import { renderPage } from './views.js';

const PAGE_SIZE = 25;
const parseForm = express.urlencoded({ extended: false, limit: '1mb' });

// ---------------------------------------------------------------------------------------------------------------
// Page plumbing (api/pages/kit.ts)

const layout = (req: Request, title: string) => kitLayout(req, title, 'uebergaben');
const errorPage = (req: Request, res: Response, status: number, heading: string, message: string) =>
  kitErrorPage(req, res, status, heading, message, 'uebergaben');

function notFoundPage(req: Request, res: Response): void {
  errorPage(req, res, 404, 'Seite nicht gefunden', 'Diese Seite oder diese Übergabe existiert nicht, oder Sie haben keinen Zugriff darauf.');
}

const requirePageUser = pageUserRequired('/uebergaben');
const FORBIDDEN_PROPOSAL = 'Übergaben schlägt die Sozialberatung der Ausländerbehörde vor.';

/** The operation's answer, or null where it answered 404 (→ the 404 page, as for an unknown id). */
async function orNotFound<T>(answer: Promise<T>): Promise<T | null> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The field errors a refusal carries (422), keyed by the operation's input paths. */
function fieldsOf(error: ApiError): FieldErrors {
  return (error.extra.fields as FieldErrors | undefined) ?? {};
}

// ---------------------------------------------------------------------------------------------------------------
// Routes

export function handoverPagesRouter(deps: OperationDeps): Router {
  const router = Router();
  listRoutes(router, deps);
  proposalRoutes(router, deps);
  handoverRoutes(router, deps);
  return router;
}

/** GET /uebergaben: the handovers the user may see, filtered by state, paginated. */
function listRoutes(router: Router, deps: OperationDeps): void {
  router.get('/uebergaben', requirePageUser, async (req, res) => {
    const caller = callerOf(req, 'page');
    if (!canSeeHandovers(caller.user)) return errorPage(req, res, 403, 'Keine Berechtigung', 'Ihre Rolle sieht keine Übergaben.');
    const q = req.query;
    const state = typeof q.status === 'string' && (HANDOVER_STATES as readonly string[]).includes(q.status) ? q.status : undefined;
    const page = Math.max(1, Number.parseInt(typeof q.seite === 'string' ? q.seite : '1', 10) || 1);
    const [list, staff, organisations] = await Promise.all([
      listHandovers(deps, caller, { state, page, pageSize: PAGE_SIZE }),
      staffDirectory(deps.db),
      organisationNames(deps.db),
    ]);
    send(res, 200, renderPage('handovers', { ...layout(req, 'Übergaben'), ...listPageModel(caller.user, { ...list, state }, staff, organisations) }));
  });
}

/** /uebergaben/neu: the proposal form of the ABH counsellor. */
function proposalRoutes(router: Router, deps: OperationDeps): void {
  async function renderProposal(req: Request, res: Response, status: number, submitted?: SubmittedProposal, errors: FieldErrors = {}) {
    const { rows } = await organisationNames(deps.db);
    const organisations = rows.filter((o) => canReceiveHandovers(o)).map((o) => ({ value: o.id, label: o.shortName }));
    send(res, status, renderPage('handover-new', { ...layout(req, 'Neue Übergabe'), ...proposalPageModel(organisations, submitted, errors) }));
  }

  router.get('/uebergaben/neu', requirePageUser, async (req, res) => {
    if (!canProposeHandover(signedInUser(req))) return errorPage(req, res, 403, 'Keine Berechtigung', FORBIDDEN_PROPOSAL);
    await renderProposal(req, res, 200);
  });

  router.post('/uebergaben/neu', requirePageUser, parseForm, async (req, res) => {
    const { input, submitted } = readProposalForm(bodyOf(req));
    let created: { id: string };
    try {
      // The operation decides who may propose (403 before it looks at the form).
      created = await proposeHandover(deps, callerOf(req, 'page'), input);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 403) return errorPage(req, res, 403, 'Keine Berechtigung', error.message);
      if (![409, 422, 503].includes(error.status)) throw error;
      const fields = fieldsOf(error);
      return renderProposal(req, res, error.status, submitted, Object.keys(fields).length ? fields : { body: error.message });
    }
    res.redirect(303, `/uebergaben/${encodeURIComponent(created.id)}?angelegt=1`);
  });
}

/** /uebergaben/:id: the handover page and its action forms. */
function handoverRoutes(router: Router, deps: OperationDeps): void {
  async function renderHandoverPage(req: Request, res: Response, view: HandoverView, options: { status?: number; failure?: ActionFailure } = {}) {
    const [staff, organisations] = await Promise.all([staffDirectory(deps.db), organisationNames(deps.db)]);
    const erledigt = req.query.erledigt;
    const page = handoverPageModel(view, {
      user: signedInUser(req),
      staff,
      organisations,
      done: typeof erledigt === 'string' && isHandoverAction(erledigt) ? erledigt : undefined,
      created: req.query.angelegt === '1',
      failure: options.failure,
      csrfToken: req.authSession?.csrfToken,
    });
    send(res, options.status ?? 200, renderPage(page.template, { ...layout(req, page.title), ...page.model }));
  }

  router.get('/uebergaben/:id', requirePageUser, async (req, res) => {
    const view = await orNotFound(readHandover(deps, callerOf(req, 'page'), req.params.id as string));
    if (!view) return notFoundPage(req, res);
    await renderHandoverPage(req, res, view);
  });

  router.post('/uebergaben/:id/aktionen/:action', requirePageUser, parseForm, async (req, res) => {
    const id = req.params.id as string;
    const action = req.params.action as string;
    if (!isHandoverAction(action)) return notFoundPage(req, res);
    const caller = callerOf(req, 'page');
    const form = readActionForm(action, bodyOf(req));
    // One read and one access check of the handover for the whole submission: the action and, if it is refused,
    // the page that shows the refusal work on the same row.
    const row = await orNotFound(findHandover(deps.db, caller, id));
    if (!row) return notFoundPage(req, res);
    if (Object.keys(form.errors).length > 0) {
      // Date or time not understood: said in German at the field, nothing is sent.
      const view = await orNotFound(viewHandover(deps, caller, row));
      if (!view) return notFoundPage(req, res);
      return renderHandoverPage(req, res, view, { status: 422, failure: { action, values: form.values, errors: form.errors, message: 'Bitte prüfen Sie Datum und Uhrzeit.' } });
    }
    try {
      await actOnHandover(deps, caller, row, action, form.input);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 404) return notFoundPage(req, res);
      if (![403, 409, 422, 503].includes(error.status)) throw error;
      const errors = Object.fromEntries(Object.entries(fieldsOf(error)).map(([k, v]) => [form.errorKey(k), v]));
      const view = await orNotFound(viewHandover(deps, caller, row));
      if (!view) return notFoundPage(req, res);
      return renderHandoverPage(req, res, view, { status: error.status, failure: { action, values: form.values, errors, message: error.message } });
    }
    res.redirect(303, `/uebergaben/${encodeURIComponent(id)}?erledigt=${action}`);
  });
}
