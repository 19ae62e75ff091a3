// Plumbing shared by the German pages (api/pages.ts, api/pages-handovers.ts): layout context, sending HTML without
// caching, German error pages, and the sign-in requirement.
import type { Request, RequestHandler, Response } from 'express';
import { ROLE_LABELS } from '../domain/index.js';
import { canOpenCase } from './access.js';
import type { AuthenticatedUser } from './auth.js';
import { renderPage, type LayoutContext } from './views.js';

export function layout(req: Request, title: string, nav?: LayoutContext['nav']): LayoutContext {
  const user = req.user;
  return {
    title,
    nav,
    csrfToken: req.authSession?.csrfToken,
    user: user
      ? { name: user.name, roleLabel: ROLE_LABELS[user.role], isCoordinator: user.role === 'coordinator', canOpenCases: canOpenCase(user) }
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
