// One structured log line per request (platform/logger.ts) and the HTTP metrics (api/http/metrics.ts): request id
// (a sane incoming X-Request-Id is kept, otherwise a new uuid; always echoed as X-Request-Id), method, route pattern
// (`/api/v1/cases/:id`, never the ids themselves), status, duration, user id. No query strings, bodies or names.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { logger } from '../../platform/logger.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id (X-Request-Id) of this request. */
    requestId?: string;
    /** The process log with this request's id. */
    log?: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,100}$/;

/** The route pattern that answered, or a fixed word: unmatched paths must not blow up log and metric labels. */
export function routePattern(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl}${path}` || '/';
  if (req.path.startsWith('/assets/')) return '/assets';
  return 'unmatched';
}

export interface RequestObserver {
  (entry: { method: string; route: string; status: number; seconds: number }): void;
}

/** The log of a request, or the process log outside one. */
export function requestLogger(req: Request): Logger {
  return req.log ?? logger;
}

export function requestLog(observe?: RequestObserver, log: Logger = logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.requestId = requestId;
    req.log = log.child({ requestId });
    res.set('X-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routePattern(req);
      const entry = {
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 10_000) / 10,
        ...(req.user ? { userId: req.user.id } : {}),
      };
      if (res.statusCode >= 500) req.log!.error(entry, 'request');
      else req.log!.info(entry, 'request');
      observe?.({ method: req.method, route, status: res.statusCode, seconds });
    });
    next();
  };
}
