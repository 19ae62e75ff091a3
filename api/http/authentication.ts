// Who is calling: the session cookie or an API token (authenticate), CSRF protection for cookie sessions, and the
// session cookie itself (api.md "Sessions and identity"). Sign-in and tokens are operations (operations/sessions.ts).
//
// The cookie has no Max-Age, so it also ends with the browser — staff share office computers. API tokens need no
// CSRF token: a browser never attaches them by itself.
import { timingSafeEqual } from 'node:crypto';
import express, { type CookieOptions, type Request, type RequestHandler, type Response } from 'express';
import type { ActorRole } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import { ApiError } from '../operations/errors.js';
import { API_TOKEN_PREFIX, SECRET, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, publicUser, sha256 } from '../operations/sessions.js';
import { UNAUTHENTICATED_MESSAGE } from './caller.js';
import { errorFields } from '../../platform/logger.js';
import { requestLogger } from './request-log.js';

export { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, issueApiToken, sha256 } from '../operations/sessions.js';

export const SESSION_COOKIE = 'kim_session';
/** Sliding expiry and token lastUsedAt are written at most this often: a read-mostly API should not write per request. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

const messages = {
  unauthenticated: UNAUTHENTICATED_MESSAGE,
  forbidden: 'Dafür fehlt Ihnen die Berechtigung.',
  csrf: 'Die Sicherheitsprüfung ist fehlgeschlagen (CSRF-Token fehlt oder ist ungültig). Bitte laden Sie die Seite neu.',
};

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * COOKIE_SECURE: `true` → always Secure, `false` → never, unset/`auto` → Secure when the request came over HTTPS
 * (req.secure; behind a reverse proxy that needs Express' `trust proxy`) or NODE_ENV=production (which is always
 * behind TLS).
 */
export type CookieSecure = boolean | 'auto';

export function cookieSecureFromEnv(env: NodeJS.ProcessEnv = process.env): CookieSecure {
  const raw = env.COOKIE_SECURE?.trim().toLowerCase();
  if (raw && ['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (raw && ['0', 'false', 'no', 'off'].includes(raw)) return false;
  return 'auto';
}

function sessionCookieOptions(req: Request, secure: CookieSecure): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: secure === 'auto' ? req.secure || process.env.NODE_ENV === 'production' : secure,
  };
}

/** The new session's cookie (after operations/sessions.ts signIn). */
export function setSessionCookie(req: Request, res: Response, sessionToken: string, secure: CookieSecure): void {
  res.cookie(SESSION_COOKIE, sessionToken, sessionCookieOptions(req, secure));
}

export function clearSessionCookie(req: Request, res: Response, secure: CookieSecure): void {
  res.clearCookie(SESSION_COOKIE, sessionCookieOptions(req, secure));
}

/** The client address sign-in failures are counted for. */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? '';
}

// ---------------------------------------------------------------------------------------------------------------
// Middleware

/**
 * Resolves the caller from `Authorization: Bearer <token>` or else the session cookie and sets req.user (and
 * req.authSession for sessions). Never rejects: routes decide with requireUser/requireRole. When an Authorization
 * header is present the cookie is not looked at, so a request is either a token request or a session request.
 */
export function authenticate(db: Database): RequestHandler {
  return async (req, _res, next) => {
    const now = new Date();
    const authorization = req.get('authorization');
    if (authorization && /^bearer(\s|$)/i.test(authorization)) {
      const token = authorization.slice(6).trim();
      if (!token.startsWith(API_TOKEN_PREFIX) || !SECRET.test(token.slice(API_TOKEN_PREFIX.length))) return next();
      const row = await db.apiToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
      if (!row || row.revokedAt || !row.user.active || (row.expiresAt && row.expiresAt <= now)) return next();
      req.user = { ...publicUser(row.user), via: 'token', ...(row.scope === 'read' ? { readOnly: true } : {}) };
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
        // Conditional, so concurrent requests write once; a failed write must not fail the request.
        await db.apiToken
          .updateMany({
            where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - TOUCH_INTERVAL_MS) } }] },
            data: { lastUsedAt: now },
          })
          .catch((error: unknown) => requestLogger(req).warn(errorFields(error), 'could not record token use'));
      }
      return next();
    }

    const cookie = readCookie(req, SESSION_COOKIE);
    if (!cookie || !SECRET.test(cookie)) return next();
    const id = sha256(cookie);
    const session = await db.session.findUnique({ where: { id }, include: { user: true } });
    if (!session) return next();
    const expired =
      session.expiresAt <= now || session.createdAt.getTime() + SESSION_ABSOLUTE_MS <= now.getTime() || !session.user.active;
    if (expired) {
      await db.session.deleteMany({ where: { id } });
      // The stale cookie is not cleared here: this answer could race a sign-in in another tab and delete its new cookie.
      return next();
    }
    req.user = { ...publicUser(session.user), via: 'session' };
    req.authSession = { id, csrfToken: session.csrfToken };
    if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      const expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, session.createdAt.getTime() + SESSION_ABSOLUTE_MS));
      await db.session.updateMany({ where: { id }, data: { lastSeenAt: now, expiresAt } });
    }
    next();
  };
}

/** 401 `unauthenticated` unless authenticate() found a user. */
export const requireUser: RequestHandler = (req, _res, next) => {
  if (!req.user) throw new ApiError(401, 'unauthenticated', messages.unauthenticated);
  next();
};

/** 401 without a user, 403 `forbidden` when the user has none of the roles. */
export function requireRole(...roles: ActorRole[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) throw new ApiError(401, 'unauthenticated', messages.unauthenticated);
    if (!roles.includes(req.user.role)) throw new ApiError(403, 'forbidden', messages.forbidden);
    next();
  };
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function routeOf(req: Request): string {
  // Express matches paths case-insensitively and ignores a trailing slash; so does this.
  return `${req.baseUrl}${req.path}`.toLowerCase().replace(/\/+$/, '');
}

/** A read-only API token changes nothing: 403 `read_only_token` for POST/PUT/PATCH/DELETE. Mount after authenticate(). */
export const readOnlyTokens: RequestHandler = (req, _res, next) => {
  if (req.user?.readOnly && STATE_CHANGING.has(req.method)) {
    throw new ApiError(403, 'read_only_token', 'Dieses API-Token darf nur lesen.');
  }
  next();
};

/** Sign-in comes without a session (or replaces one), so it cannot carry that session's CSRF token. */
function isSignIn(req: Request): boolean {
  return req.method === 'POST' && routeOf(req) === '/api/v1/session';
}

// HTML forms post urlencoded; their `_csrf` field must be readable here, before any route's own body parser.
const parseForm = express.urlencoded({ extended: false, limit: '1mb' });

/**
 * CSRF protection for cookie-authenticated POST/PUT/PATCH/DELETE: header `X-CSRF-Token` or form field `_csrf` must
 * equal the session's token → else 403 `csrf_failed`. Token requests and anonymous requests pass (the latter meet
 * requireUser); sign-in is exempt. Mount after authenticate().
 */
export function csrfProtection(): RequestHandler {
  return (req, res, next) => {
    if (!STATE_CHANGING.has(req.method) || req.user?.via !== 'session' || !req.authSession || isSignIn(req)) return next();
    const expected = req.authSession.csrfToken;
    parseForm(req, res, (error?: unknown) => {
      if (error) return next(error);
      const header = req.get('x-csrf-token');
      const field = (req.body as Record<string, unknown> | undefined)?._csrf;
      const given = header ?? (typeof field === 'string' ? field : undefined);
      if (given === undefined || !sameSecret(given, expected)) {
        return next(new ApiError(403, 'csrf_failed', messages.csrf));
      }
      next();
    });
  };
}

/** Routes under /api/v1 open to anonymous callers; everything else there needs a user. */
const PUBLIC_API_ROUTES: ReadonlyArray<{ methods: readonly string[]; path: string }> = [
  { methods: ['POST'], path: '/session' },
  // One-time links of invitations and password resets (operations/account-links.ts).
  { methods: ['POST'], path: '/password-reset' },
  { methods: ['POST'], path: '/password' },
  { methods: ['GET', 'HEAD'], path: '/openapi.json' },
];

/** Mount at `/api/v1`: requireUser for every route but sign-in and the OpenAPI document. */
export const requireUserForApi: RequestHandler = (req, res, next) => {
  const path = req.path.toLowerCase().replace(/\/+$/, '');
  if (PUBLIC_API_ROUTES.some((r) => r.path === path && r.methods.includes(req.method))) return next();
  requireUser(req, res, next);
};
