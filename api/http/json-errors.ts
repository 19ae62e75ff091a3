// The contract's error shape for the JSON door: { error: { code, message, fields?, allowed? } }.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import {
  ApiError,
  DATABASE_UNAVAILABLE_MESSAGE,
  TEMPORAL_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
  isTemporalUnavailable,
  isUnstorableText,
} from '../operations/errors.js';
import { errorFields } from '../../platform/logger.js';
import { requestLogger } from './request-log.js';

export function sendError(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  res.status(status).json({ error: { code, message, ...extra } });
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, 'not_found', `Nicht gefunden: ${req.method} ${req.path}`);
};

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  if (error instanceof ApiError) {
    sendError(res, error.status, error.code, error.message, error.extra);
    return;
  }
  if (isDatabaseUnavailable(error)) {
    requestLogger(req).error({ unavailable: 'database', reason: (error as Error).message.trim().split('\n').at(-1) }, 'database unavailable');
    res.set('Retry-After', '60');
    sendError(res, 503, 'database_unavailable', DATABASE_UNAVAILABLE_MESSAGE);
    return;
  }
  if (isUnstorableText(error)) {
    sendError(res, 400, 'invalid_characters', 'Die Anfrage enthält Zeichen, die nicht gespeichert werden können (z. B. ein Nullzeichen).');
    return;
  }
  if (isTemporalUnavailable(error)) {
    requestLogger(req).error({ unavailable: 'temporal', reason: (error as Error).message }, 'Temporal unavailable');
    res.set('Retry-After', '60');
    sendError(res, 503, 'temporal_unavailable', TEMPORAL_UNAVAILABLE_MESSAGE);
    return;
  }
  // express.json() reports malformed bodies as 400 with type 'entity.parse.failed'.
  const status = (error as { status?: number }).status;
  if ((error as { type?: string }).type === 'entity.parse.failed') {
    sendError(res, 400, 'invalid_json', 'Der Anfragetext ist kein gültiges JSON.');
    return;
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    sendError(res, status, 'bad_request', (error as Error).message);
    return;
  }
  requestLogger(req).error(errorFields(error), 'unexpected error');
  sendError(res, 500, 'internal_error', 'Interner Fehler. Bitte später erneut versuchen.');
};
