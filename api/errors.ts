// The contract's error shape: { error: { code, message, fields?, allowed? } }.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function sendError(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  res.status(status).json({ error: { code, message, ...extra } });
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, 'not_found', `Nicht gefunden: ${req.method} ${req.path}`);
};

export const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  if (error instanceof ApiError) {
    sendError(res, error.status, error.code, error.message, error.extra);
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
  console.error('[api] unexpected error', error);
  sendError(res, 500, 'internal_error', 'Interner Fehler. Bitte später erneut versuchen.');
};
