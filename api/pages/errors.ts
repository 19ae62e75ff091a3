// German 404 and error pages for page paths; /api keeps the JSON error shape (api/http/json-errors.ts).
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ApiError } from '../operations/errors.js';
import { errorPage, notFoundPage } from './kit.js';

function isPagePath(req: Request): boolean {
  return !req.path.startsWith('/api/') && req.path !== '/healthz';
}

/** Mount before notFoundHandler: unknown page paths get a German 404 page. */
export const pageNotFoundHandler: RequestHandler = (req, res, next) => {
  if (!isPagePath(req) || (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST')) return next();
  notFoundPage(req, res);
};

/** Mount before errorHandler: errors on page paths (failed CSRF check, unexpected faults) as German pages. */
export const pageErrorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (!isPagePath(req) || res.headersSent) return next(error);
  if (error instanceof ApiError) {
    if (error.status === 401) return res.redirect(303, '/anmelden');
    if (error.code === 'csrf_failed') {
      return errorPage(req, res, 403, 'Sicherheitsprüfung fehlgeschlagen', 'Das Formular war veraltet oder wurde nicht von dieser Anwendung gesendet. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.');
    }
    if (error.status === 404) return notFoundPage(req, res);
    if (error.status < 500) return errorPage(req, res, error.status, 'Anfrage nicht möglich', error.message);
  }
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return errorPage(req, res, status, 'Anfrage nicht möglich', 'Die Anfrage konnte nicht verarbeitet werden.');
  }
  console.error('[pages] unexpected error', error);
  errorPage(req, res, 500, 'Ein Fehler ist aufgetreten', 'Die Seite konnte nicht angezeigt werden. Bitte versuchen Sie es später erneut.');
};
