// Sign-in, sessions, personal API tokens and the middleware that tells routes who is calling
// (api.md "Sessions and identity").
//
// Sessions live in PostgreSQL (`Session`): the cookie carries a random 32-byte token, the row's id is its SHA-256, so
// a copy of the database does not let anyone sign in. A new session (new token, new CSRF token) is made at every
// sign-in and the one the browser came with is deleted — no session fixation.
// Expiry: 8 h without activity (sliding; lastSeenAt/expiresAt are written at most every 5 minutes), at most 12 h after
// sign-in (one working day), whatever the activity. The cookie itself has no Max-Age, so it also ends with the
// browser — staff share office computers.
// API tokens (`Authorization: Bearer kim_…`) are stored as SHA-256 as well, shown once, revocable, and need no CSRF
// token: a browser never attaches them by itself.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import express, { Router, type CookieOptions, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { ActorRole } from '../domain/index.js';
import type { Database } from '../platform/database.js';
import { ApiError } from './errors.js';
import { createLoginLimiter, type LoginLimiter } from './rate-limit.js';

export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string;
  role: ActorRole;
  organisationId: string;
  via: 'session' | 'token';
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by authenticate() when the caller presented a valid session cookie or API token. */
    user?: AuthenticatedUser;
    /** The session behind a cookie-authenticated request (for CSRF and logout). */
    authSession?: { id: string; csrfToken: string };
  }
}

export const SESSION_COOKIE = 'kim_session';
export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Sliding expiry and token lastUsedAt are written at most this often: a read-mostly API should not write per request. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;
/** bcrypt cost of the dummy hash; the same as the stored hashes (platform/seed.ts), so both paths take as long. */
const BCRYPT_COST = 10;
const API_TOKEN_PREFIX = 'kim_';
const SECRET = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url

const messages = {
  invalidCredentials: 'E-Mail-Adresse oder Passwort ist falsch.',
  inactive: 'Dieses Konto ist deaktiviert. Bitte wenden Sie sich an die Verwaltung.',
  unauthenticated: 'Bitte melden Sie sich an.',
  forbidden: 'Dafür fehlt Ihnen die Berechtigung.',
  csrf: 'Die Sicherheitsprüfung ist fehlgeschlagen (CSRF-Token fehlt oder ist ungültig). Bitte laden Sie die Seite neu.',
};

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function publicUser(user: { id: string; email: string; name: string; role: ActorRole; organisationId: string }) {
  return { id: user.id, email: user.email, name: user.name, role: user.role, organisationId: user.organisationId };
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

let dummyHash: Promise<string> | undefined;
/** Compared against for unknown e-mail addresses, so they take as long as a wrong password. */
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= bcrypt.hash(newSecret(), BCRYPT_COST);
  return dummyHash;
}

// ---------------------------------------------------------------------------------------------------------------
// API tokens

/** Creates a personal API token for the user; the plain token exists only in the return value. */
export async function issueApiToken(db: Database, userId: string, name: string | null = null) {
  const token = `${API_TOKEN_PREFIX}${newSecret()}`;
  const row = await db.apiToken.create({ data: { userId, tokenHash: sha256(token), name } });
  return { token, id: row.id, name: row.name, createdAt: row.createdAt.toISOString() };
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
      if (!row || row.revokedAt || !row.user.active) return next();
      req.user = { ...publicUser(row.user), via: 'token' };
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
        // Conditional, so concurrent requests write once; a failed write must not fail the request.
        await db.apiToken
          .updateMany({
            where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - TOUCH_INTERVAL_MS) } }] },
            data: { lastUsedAt: now },
          })
          .catch((error: unknown) => console.warn('[auth] could not record token use', error));
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

/** The signed-in user inside a handler (behind requireUser), typed non-null; 401 if there is none. */
export function currentUser(req: Request): AuthenticatedUser {
  if (!req.user) throw new ApiError(401, 'unauthenticated', messages.unauthenticated);
  return req.user;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function routeOf(req: Request): string {
  // Express matches paths case-insensitively and ignores a trailing slash; so does this.
  return `${req.baseUrl}${req.path}`.toLowerCase().replace(/\/+$/, '');
}

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
  { methods: ['GET', 'HEAD'], path: '/openapi.json' },
];

/** Mount at `/api/v1`: requireUser for every route but sign-in and the OpenAPI document. */
export const requireUserForApi: RequestHandler = (req, res, next) => {
  const path = req.path.toLowerCase().replace(/\/+$/, '');
  if (PUBLIC_API_ROUTES.some((r) => r.path === path && r.methods.includes(req.method))) return next();
  requireUser(req, res, next);
};

// ---------------------------------------------------------------------------------------------------------------
// Routes: /api/v1/session, /api/v1/tokens

export interface AuthRouterOptions {
  db: Database;
  cookieSecure?: CookieSecure;
  /** One per app; tests pass their own. */
  limiter?: LoginLimiter;
}

const loginBody = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

const tokenBody = z.object({ name: z.string().trim().max(100).nullish() });

function fieldErrors(error: z.ZodError, labels: Record<string, string>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || 'body';
    fields[key] ??= labels[key] ?? 'Ungültiger Wert.';
  }
  return fields;
}

/** Mount at `/api/v1` (behind requireUserForApi). */
export function authRouter({ db, cookieSecure = cookieSecureFromEnv(), limiter = createLoginLimiter() }: AuthRouterOptions): Router {
  const router = Router();
  // Compute the dummy hash now, so the first unknown address is not slower than the rest.
  void dummyPasswordHash();

  router.post('/session', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const parsed = loginBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new ApiError(422, 'validation_failed', 'Bitte E-Mail-Adresse und Passwort angeben.', {
        fields: fieldErrors(parsed.error, { email: 'Bitte E-Mail-Adresse angeben.', password: 'Bitte Passwort angeben.' }),
      });
    }
    const email = parsed.data.email.toLowerCase();
    const limitKey = `${email}\n${req.ip ?? req.socket.remoteAddress ?? ''}`;
    const waitMs = limiter.retryAfterMs(limitKey);
    if (waitMs > 0) {
      // Checked before the password: during the lock even the right password is refused, or guessing would go on.
      const seconds = Math.ceil(waitMs / 1000);
      res.set('Retry-After', String(seconds));
      throw new ApiError(
        429,
        'too_many_attempts',
        `Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in ${Math.ceil(seconds / 60)} Minute(n) erneut.`,
        { retryAfter: seconds },
      );
    }

    const user = await db.user.findUnique({ where: { email } });
    // Unknown address and wrong password take the same time and get the same answer.
    const passwordOk = await bcrypt.compare(parsed.data.password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !passwordOk) {
      limiter.recordFailure(limitKey);
      throw new ApiError(401, 'invalid_credentials', messages.invalidCredentials);
    }
    // Only someone who knows the password learns that the account is switched off.
    if (!user.active) throw new ApiError(403, 'account_inactive', messages.inactive);
    limiter.reset(limitKey);

    const now = new Date();
    const previous = readCookie(req, SESSION_COOKIE);
    await db.session.deleteMany({
      where: {
        OR: [
          ...(previous ? [{ id: sha256(previous) }] : []),
          // Housekeeping: sign-ins are rare enough to sweep expired sessions of everyone here.
          { expiresAt: { lt: now } },
          { createdAt: { lt: new Date(now.getTime() - SESSION_ABSOLUTE_MS) } },
        ],
      },
    });
    const token = newSecret();
    const csrfToken = newSecret();
    await db.session.create({
      data: { id: sha256(token), userId: user.id, csrfToken, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_IDLE_MS) },
    });
    res.cookie(SESSION_COOKIE, token, sessionCookieOptions(req, cookieSecure));
    res.json({ user: publicUser(user), csrfToken });
  });

  router.get('/session', (req, res) => {
    const user = currentUser(req);
    res.set('Cache-Control', 'no-store');
    // A token caller has no session and no CSRF token; the user part still answers "who am I".
    res.json({ user: publicUser(user), csrfToken: req.authSession?.csrfToken ?? null });
  });

  router.delete('/session', async (req, res) => {
    currentUser(req);
    if (req.authSession) await db.session.deleteMany({ where: { id: req.authSession.id } });
    res.clearCookie(SESSION_COOKIE, sessionCookieOptions(req, cookieSecure));
    res.status(204).end();
  });

  router.get('/tokens', async (req, res) => {
    const user = currentUser(req);
    const rows = await db.apiToken.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'asc' } });
    res.json({
      items: rows.map((t) => ({
        id: t.id,
        name: t.name,
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        revokedAt: t.revokedAt?.toISOString() ?? null,
      })),
    });
  });

  router.post('/tokens', async (req, res) => {
    const user = currentUser(req);
    // A leaked token must not be able to mint tokens that outlive its own revocation.
    if (user.via !== 'session') {
      throw new ApiError(403, 'forbidden', 'API-Tokens können nur in einer angemeldeten Browser-Sitzung erstellt werden.');
    }
    const parsed = tokenBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new ApiError(422, 'validation_failed', 'Der Name des Tokens ist ungültig.', {
        fields: fieldErrors(parsed.error, { name: 'Höchstens 100 Zeichen.' }),
      });
    }
    const issued = await issueApiToken(db, user.id, parsed.data.name || null);
    res.set('Cache-Control', 'no-store');
    res.status(201).json(issued);
  });

  router.delete('/tokens/:id', async (req, res) => {
    const user = currentUser(req);
    const id = req.params.id as string;
    const { count } = await db.apiToken.updateMany({ where: { id, userId: user.id, revokedAt: null }, data: { revokedAt: new Date() } });
    // Someone else's token is "not found" like an unknown one; revoking twice is fine.
    if (count === 0 && !(await db.apiToken.findFirst({ where: { id, userId: user.id }, select: { id: true } }))) {
      throw new ApiError(404, 'not_found', 'Token nicht gefunden.');
    }
    res.status(204).end();
  });

  return router;
}
