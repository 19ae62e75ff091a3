// Public pages of the one-time links: "Passwort vergessen" (asks for a reset link; the same answer whether or not the
// address exists) and "Passwort festlegen" (the link of an invitation or reset). Same operations as
// POST /api/v1/password-reset and POST /api/v1/password (operations/account-links.ts).
import { Router, type Request, type Response } from 'express';
import { requestPasswordReset, setPasswordWithLink, usableLink, RESET_ANSWER, type AccountDeps } from '../operations/account-links.js';
import { ApiError } from '../operations/errors.js';
import { PASSWORD_MIN_LENGTH } from '../operations/password-policy.js';
import { formValues, formView, type FieldErrors, type FormSpec } from './forms.js';
import { bodyOf, errorFields, layout, parseForm, send } from './kit.js';
import { renderPage } from './views.js';

const forgotForm: FormSpec = {
  fields: [{ name: 'email', label: 'E-Mail-Adresse', kind: 'email', required: true, autocomplete: 'username' }],
};

const setForm: FormSpec = {
  fields: [
    {
      name: 'password',
      label: 'Neues Passwort',
      kind: 'password',
      required: true,
      autocomplete: 'new-password',
      hint: `Mindestens ${PASSWORD_MIN_LENGTH} Zeichen, keine weiteren Vorgaben. Gut zu merken und schwer zu erraten sind mehrere zufällige Wörter.`,
    },
    { name: 'confirm', label: 'Passwort wiederholen', kind: 'password', required: true, autocomplete: 'new-password' },
  ],
};

/** Cross-site form posts are refused when the browser names another origin. */
function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

export function passwordPagesRouter(deps: AccountDeps): Router {
  const router = Router();

  const renderForgot = (req: Request, res: Response, status: number, errors: FieldErrors = {}, sent = false) =>
    send(res, status, renderPage('admin/password-forgot', { ...layout(req, 'Passwort vergessen'), form: formView(forgotForm, 'vergessen', {}, errors), sent, answer: RESET_ANSWER }));

  router.get('/passwort-vergessen', (req, res) => renderForgot(req, res, 200));

  router.post('/passwort-vergessen', parseForm, async (req, res) => {
    if (!sameOrigin(req)) return renderForgot(req, res, 403, { email: 'Die Anfrage muss von dieser Seite aus kommen.' });
    try {
      await requestPasswordReset(deps, { email: formValues(forgotForm, bodyOf(req)).email ?? '' });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return renderForgot(req, res, error.status, errorFields(error, 'email'));
    }
    renderForgot(req, res, 200, {}, true);
  });

  const renderSet = (req: Request, res: Response, status: number, token: string, errors: FieldErrors = {}) =>
    send(res, status, renderPage('admin/password-set', { ...layout(req, 'Passwort festlegen'), form: formView(setForm, 'passwort', {}, errors), token }));

  const invalidLink = (req: Request, res: Response, message: string) =>
    send(res, 410, renderPage('admin/password-invalid', { ...layout(req, 'Link ungültig'), message }));

  router.get('/konto/passwort/:token', async (req, res) => {
    // The secret must not travel on to other sites in a Referer (same-origin, not no-referrer: with that, browsers
    // send `Origin: null` on the form post and the origin check could not tell it from a cross-site post).
    res.set('Referrer-Policy', 'same-origin');
    const token = req.params.token as string;
    if (!(await usableLink(deps.db, token))) {
      return invalidLink(req, res, 'Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet.');
    }
    renderSet(req, res, 200, token);
  });

  router.post('/konto/passwort/:token', parseForm, async (req, res) => {
    res.set('Referrer-Policy', 'same-origin');
    const token = req.params.token as string;
    if (!sameOrigin(req)) return renderSet(req, res, 403, token, { password: 'Die Anfrage muss von dieser Seite aus kommen.' });
    const values = formValues(setForm, bodyOf(req));
    if ((values.password ?? '') !== (values.confirm ?? '')) {
      return renderSet(req, res, 422, token, { confirm: 'Die beiden Eingaben stimmen nicht überein.' });
    }
    try {
      await setPasswordWithLink(deps.db, { token, password: values.password ?? '' });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 410) return invalidLink(req, res, error.message);
      return renderSet(req, res, error.status, token, errorFields(error, 'password'));
    }
    res.redirect(303, '/anmelden?passwort=1');
  });

  return router;
}
