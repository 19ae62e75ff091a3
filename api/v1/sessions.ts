// /api/v1/session and /api/v1/tokens: the JSON door of operations/sessions.ts.
import { Router } from 'express';
import type { Database } from '../../platform/database.js';
import { clearSessionCookie, clientAddress, cookieSecureFromEnv, readCookie, SESSION_COOKIE, setSessionCookie, type CookieSecure } from '../http/authentication.js';
import { currentUser } from '../http/caller.js';
import { ApiError } from '../operations/errors.js';
import { createLoginThrottle, type LoginThrottle } from '../operations/login-limiter.js';
import { createApiToken, dummyPasswordHash, listApiTokens, publicUser, revokeApiToken, signIn, signOut } from '../operations/sessions.js';

export interface SessionRoutesOptions {
  db: Database;
  cookieSecure?: CookieSecure;
  /** One per app, shared with the sign-in page; default: the limiter shared by all processes (PostgreSQL). */
  limiter?: LoginThrottle;
}

/** Mount at `/api/v1` (behind requireUserForApi). */
export function sessionsRouter({ db, cookieSecure = cookieSecureFromEnv(), limiter = createLoginThrottle(db) }: SessionRoutesOptions): Router {
  const router = Router();
  // Compute the dummy hash now, so the first unknown address is not slower than the rest.
  void dummyPasswordHash();

  router.post('/session', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      const signedIn = await signIn(db, limiter, req.body, { ip: clientAddress(req), previousToken: readCookie(req, SESSION_COOKIE) });
      setSessionCookie(req, res, signedIn.sessionToken, cookieSecure);
      res.json({ user: signedIn.user, csrfToken: signedIn.csrfToken });
    } catch (error) {
      if (error instanceof ApiError && error.extra.retryAfter !== undefined) res.set('Retry-After', String(error.extra.retryAfter));
      throw error;
    }
  });

  router.get('/session', (req, res) => {
    const user = currentUser(req);
    res.set('Cache-Control', 'no-store');
    // A token caller has no session and no CSRF token; the user part still answers "who am I".
    res.json({ user: publicUser(user), csrfToken: req.authSession?.csrfToken ?? null });
  });

  router.delete('/session', async (req, res) => {
    currentUser(req);
    await signOut(db, req.authSession?.id);
    clearSessionCookie(req, res, cookieSecure);
    res.status(204).end();
  });

  router.get('/tokens', async (req, res) => {
    res.json(await listApiTokens(db, currentUser(req)));
  });

  router.post('/tokens', async (req, res) => {
    const issued = await createApiToken(db, currentUser(req), req.body);
    res.set('Cache-Control', 'no-store');
    res.status(201).json(issued);
  });

  router.delete('/tokens/:id', async (req, res) => {
    await revokeApiToken(db, currentUser(req), req.params.id as string);
    res.status(204).end();
  });

  return router;
}
