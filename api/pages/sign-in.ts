// Sign-in and sign-out pages: the same operation as POST /api/v1/session (operations/sessions.ts) with the same login
// limiter, and the same session cookie.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import type { Database } from '../../platform/database.js';
import { repoRoot } from '../../platform/paths.js';
import { clearSessionCookie, clientAddress, readCookie, SESSION_COOKIE, setSessionCookie, type CookieSecure } from '../http/authentication.js';
import { ApiError } from '../operations/errors.js';
import type { LoginThrottle } from '../operations/login-limiter.js';
import { signIn, signOut } from '../operations/sessions.js';
import { formValues, formView, loginForm, type FieldErrors, type FormValues } from './forms.js';
import { bodyOf, errorFields, layout, parseForm, send } from './kit.js';
import { renderPage } from './views.js';

export interface SignInPagesDependencies {
  db: Database;
  /** The app's one login limiter, shared with POST /api/v1/session. */
  limiter: LoginThrottle;
  cookieSecure: CookieSecure;
}

/** A same-site path to return to after sign-in; anything else (other hosts, `//evil`, the login page) → /faelle. */
function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])/.test(value) || value.startsWith('/anmelden')) return '/faelle';
  return value;
}

/** Cross-site form posts to /anmelden (login CSRF) are refused when the browser names another origin. */
function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true; // older browsers and non-browser clients send none
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

export function signInPagesRouter({ db, limiter, cookieSecure }: SignInPagesDependencies): Router {
  const router = Router();
  const asset = (name: string) => readFileSync(join(repoRoot, 'templates', 'assets', name), 'utf8');
  const css = asset('kim.css');
  const js = asset('kim.js');
  const favicon = asset('favicon.svg');

  // The pages' only stylesheet and script: files, because the Content-Security-Policy allows nothing inline.
  router.get('/assets/kim.css', (_req, res) => {
    res.type('css').set('Cache-Control', 'public, max-age=300').send(css);
  });
  router.get('/assets/kim.js', (_req, res) => {
    res.type('js').set('Cache-Control', 'public, max-age=300').send(js);
  });
  // The icon of the browser tab (an image of our own origin, as the CSP's img-src allows); /favicon.ico for clients
  // that ask there without reading the page.
  router.get('/assets/favicon.svg', (_req, res) => {
    res.type('image/svg+xml').set('Cache-Control', 'public, max-age=86400').send(favicon);
  });
  router.get('/favicon.ico', (_req, res) => {
    res.redirect(301, '/assets/favicon.svg');
  });

  router.get('/', (req, res) => {
    res.redirect(303, req.user ? '/faelle' : '/anmelden');
  });

  const renderLogin = (req: Request, res: Response, status: number, values?: FormValues, errors: FieldErrors = {}) => {
    const form = formView(loginForm, 'anmelden', values, errors);
    send(
      res,
      status,
      renderPage('login', {
        ...layout(req, 'Anmelden'),
        form,
        next: safeReturnPath(req.body?.weiter ?? req.query.weiter),
        loggedOut: req.query.abgemeldet === '1',
        passwordSet: req.query.passwort === '1',
        // A browser with a still valid session must send its token (csrfProtection checks every session POST).
        formCsrf: req.authSession?.csrfToken,
      }),
    );
  };

  router.get('/anmelden', (req, res) => {
    if (req.user) return res.redirect(303, safeReturnPath(req.query.weiter));
    renderLogin(req, res, 200);
  });

  router.post('/anmelden', parseForm, async (req, res) => {
    const body = bodyOf(req);
    const values = formValues(loginForm, body);
    // Never show the password again.
    const shown = { ...values, password: '' };
    if (!sameOrigin(req)) return renderLogin(req, res, 403, shown, { body: 'Die Anmeldung muss von dieser Seite aus erfolgen.' });
    try {
      const credentials = { email: values.email ?? '', password: values.password ?? '' };
      const signedIn = await signIn(db, limiter, credentials, { ip: clientAddress(req), previousToken: readCookie(req, SESSION_COOKIE) });
      setSessionCookie(req, res, signedIn.sessionToken, cookieSecure);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.extra.retryAfter !== undefined) res.set('Retry-After', String(error.extra.retryAfter));
      return renderLogin(req, res, error.status, shown, errorFields(error, 'email'));
    }
    res.redirect(303, safeReturnPath(body.weiter));
  });

  router.post('/abmelden', async (req, res) => {
    // CSRF was checked by csrfProtection (app-wide) for session requests.
    await signOut(db, req.authSession?.id);
    clearSessionCookie(req, res, cookieSecure);
    res.redirect(303, '/anmelden?abgemeldet=1');
  });

  return router;
}
