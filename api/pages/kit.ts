// Plumbing shared by the German pages (api/pages.ts, api/pages-handovers.ts): layout context, sending HTML without
// caching, German error pages, and the sign-in requirement.
import express, { type Request, type RequestHandler, type Response } from 'express';
import { ROLE_LABELS } from '../../domain/index.js';
import { canManageAccounts, canOpenCase, canSeeCoordination, workQueueOf } from '../operations/access-policy.js';
import type { AuthenticatedUser } from '../operations/caller.js';
import { renderPage, type LayoutContext } from './views.js';
import { ApiError } from '../operations/errors.js';

export function layout(req: Request, title: string, nav?: LayoutContext['nav']): LayoutContext {
  const user = req.user;
  return {
    title,
    nav,
    // A demo installation (npm start on an empty database): every page says its persons are invented.
    demo: req.app.locals.demoData === true,
    csrfToken: req.authSession?.csrfToken,
    user: user
      ? {
          name: user.name,
          roleLabel: ROLE_LABELS[user.role],
          isCoordinator: canSeeCoordination(user),
          canOpenCases: canOpenCase(user),
          canAdminister: canManageAccounts(user),
          // The count comes from the page middleware (api/pages/tasks.ts taskCountForPages), one query per page view.
          tasks: workQueueOf(user) ? { count: (req.res?.locals.taskCount as number | null | undefined) ?? null } : undefined,
        }
      : undefined,
  };
}

export function send(res: Response, status: number, html: string): void {
  // Pages show personal data: no shared caches, and not in the back/forward cache after logout.
  res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
}

export function errorPage(req: Request, res: Response, status: number, heading: string, message: string, nav?: LayoutContext['nav']): void {
  send(res, status, renderPage('error', { ...layout(req, heading, nav), heading, message, signedIn: Boolean(req.user) }));
}

/** Not signed in → to the sign-in page, and back here afterwards (a form post returns to `fallback`). */
export function pageUserRequired(fallback: string): RequestHandler {
  return (req, res, next) => {
    if (req.user) return next();
    const back = req.method === 'GET' ? req.originalUrl : fallback;
    res.redirect(303, `/anmelden?weiter=${encodeURIComponent(back)}`);
  };
}

export function signedInUser(req: Request): AuthenticatedUser {
  // Behind pageUserRequired.
  return req.user!;
}

export function bodyOf(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

export function notFoundPage(req: Request, res: Response): void {
  errorPage(req, res, 404, 'Seite nicht gefunden', 'Diese Seite oder dieser Fall existiert nicht, oder Sie haben keinen Zugriff darauf.');
}

/** Pages need a signed-in user; without one the browser goes to the sign-in page and comes back afterwards. */
export const requirePageUser = pageUserRequired('/faelle');

/** HTML forms post urlencoded. */
export const parseForm = express.urlencoded({ extended: false, limit: '1mb' });

/** A typed error's field messages, or its message on `fallbackField` when it has none. */
export function errorFields(error: { message: string; extra: Record<string, unknown> }, fallbackField: string): Record<string, string> {
  const fields = (error.extra.fields as Record<string, string> | undefined) ?? {};
  return Object.keys(fields).length ? fields : { [fallbackField]: error.message };
}

/**
 * The value of an operation, or — when it refuses with 404 or 403 — undefined after sending the German page for it
 * (404: "not found" as for an unknown id; 403: the refusal's own message).
 */
export async function orRefusalPage<T>(req: Request, res: Response, operation: Promise<T>): Promise<T | undefined> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return void notFoundPage(req, res);
    if (error instanceof ApiError && error.status === 403) return void errorPage(req, res, 403, 'Keine Berechtigung', error.message);
    throw error;
  }
}
