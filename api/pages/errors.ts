// German 404 and error pages for page paths; /api keeps the JSON error shape (api/http/json-errors.ts).
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { errorFields } from '../../platform/logger.js';
import { requestLogger } from '../http/request-log.js';
import { ApiError, isDatabaseUnavailable, isTemporalUnavailable, isUnstorableText } from '../operations/errors.js';
import { errorPage, notFoundPage } from './kit.js';

function isPagePath(req: Request): boolean {
  return !req.path.startsWith('/api/') && req.path !== '/healthz' && req.path !== '/metrics';
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
    if (error.status === 503) {
      res.set('Retry-After', '60');
      return errorPage(req, res, 503, 'Vorübergehend nicht verfügbar', error.message);
    }
  }
  // An outage is a 503 the person can retry, not a fault of the page (the JSON door answers the same).
  if (isDatabaseUnavailable(error) || isTemporalUnavailable(error)) {
    const what = isDatabaseUnavailable(error) ? 'database' : 'temporal';
    requestLogger(req).error({ unavailable: what, ...errorFields(error) }, 'service unavailable');
    res.set('Retry-After', '60');
    return errorPage(req, res, 503, 'Vorübergehend nicht verfügbar', 'KIM Casework ist gerade nicht erreichbar (Wartung oder Störung). Bitte versuchen Sie es in einigen Minuten erneut.');
  }
  if (isUnstorableText(error)) {
    return errorPage(req, res, 400, 'Anfrage nicht möglich', 'Die Anfrage enthält Zeichen, die nicht verarbeitet werden können (z. B. ein Nullzeichen).');
  }
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return errorPage(req, res, status, 'Anfrage nicht möglich', 'Die Anfrage konnte nicht verarbeitet werden.');
  }
  requestLogger(req).error(errorFields(error), 'unexpected error');
  errorPage(req, res, 500, 'Ein Fehler ist aufgetreten', 'Die Seite konnte nicht angezeigt werden. Bitte versuchen Sie es später erneut.');
};
