// The Caller of an operation from an Express request: the signed-in user (401 without one), the channel the
// request came through and the purpose it states.
import type { Request } from 'express';
import { ApiError } from '../operations/errors.js';
import { statedPurpose, type AuthenticatedUser, type Caller, type Channel } from '../operations/caller.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by authenticate() when the caller presented a valid session cookie or API token. */
    user?: AuthenticatedUser;
    /** The session behind a cookie-authenticated request (for CSRF and logout). */
    authSession?: { id: string; csrfToken: string };
  }
}

export const UNAUTHENTICATED_MESSAGE = 'Bitte melden Sie sich an.';

/** The signed-in user inside a handler, typed non-null; 401 if there is none. */
export function currentUser(req: Request): AuthenticatedUser {
  if (!req.user) throw new ApiError(401, 'unauthenticated', UNAUTHENTICATED_MESSAGE);
  return req.user;
}

export function callerOf(req: Request, channel: Channel = req.originalUrl.startsWith('/api/') ? 'api' : 'page'): Caller {
  const stated = req.get('x-purpose') ?? (typeof req.query.purpose === 'string' ? req.query.purpose : undefined);
  return { user: currentUser(req), channel, purpose: statedPurpose(stated) };
}
