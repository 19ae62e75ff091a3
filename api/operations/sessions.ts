// Sign-in, sign-out and personal API tokens (api.md "Sessions and identity").
//
// Sessions live in PostgreSQL (`Session`): the cookie carries a random 32-byte token, the row's id is its SHA-256, so
// a copy of the database does not let anyone sign in. A new session (new token, new CSRF token) is made at every
// sign-in and the one the browser came with is deleted — no session fixation.
// Expiry: 8 h without activity (sliding), at most 12 h after sign-in (one working day), whatever the activity.
// API tokens (`Authorization: Bearer kim_…`) are stored as SHA-256 as well, shown once, revocable.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ActorRole } from '../../domain/index.js';
import type { Database } from '../../platform/database.js';
import type { AuthenticatedUser } from './caller.js';
import { ApiError } from './errors.js';
import { BCRYPT_COST, hashPassword, PasswordHashingBusy, verifyPassword } from '../../platform/password-hashing.js';
import type { LoginThrottle } from './login-limiter.js';

export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
export const API_TOKEN_PREFIX = 'kim_';
/** 32 bytes, base64url: the shape of every session and token secret. */
export const SECRET = /^[A-Za-z0-9_-]{43}$/;

const messages = {
  invalidCredentials: 'E-Mail-Adresse oder Passwort ist falsch.',
  inactive: 'Dieses Konto ist deaktiviert. Bitte wenden Sie sich an die Verwaltung.',
};

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function publicUser(user: { id: string; email: string; name: string; role: ActorRole; organisationId: string }) {
  return { id: user.id, email: user.email, name: user.name, role: user.role, organisationId: user.organisationId };
}

let dummyHash: Promise<string> | undefined;
/** Compared against for unknown e-mail addresses, so they take as long as a wrong password. */
export function dummyPasswordHash(): Promise<string> {
  // The cost of the stored hashes (platform/seed.ts), so both paths take as long.
  dummyHash ??= hashPassword(newSecret(), BCRYPT_COST);
  return dummyHash;
}

export const signInBody = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

/** Lifetime of an API token unless its creator chooses another (at most a year): a forgotten token stops by itself. */
export const API_TOKEN_DEFAULT_DAYS = 90;
export const API_TOKEN_MAX_DAYS = 365;
export const API_TOKEN_SCOPES = ['full', 'read'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

export const tokenBody = z.object({
  name: z.string().trim().max(100).nullish(),
  expiresInDays: z.number().int().min(1).max(API_TOKEN_MAX_DAYS).optional().meta({ description: `Gültigkeit in Tagen (Standard ${API_TOKEN_DEFAULT_DAYS})` }),
  scope: z.enum(API_TOKEN_SCOPES).optional().meta({ description: '`full` (Standard) oder `read`: nur lesende Anfragen (GET/HEAD)' }),
});

export function fieldErrors(error: z.ZodError, labels: Record<string, string>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || 'body';
    fields[key] ??= labels[key] ?? 'Ungültiger Wert.';
  }
  return fields;
}

export interface SignInContext {
  /** The client's address: failures are counted per e-mail address and network, per network, per address. */
  ip: string;
  /** The session token the browser came with, if any: it is ended (no session fixation). */
  previousToken?: string | undefined;
}

export interface SignedIn {
  user: ReturnType<typeof publicUser>;
  csrfToken: string;
  /** The new session's secret: the door puts it into the session cookie. */
  sessionToken: string;
}

/** Checks e-mail and password (with the sign-in throttle) and opens a new session. Throws 422/401/403/429/503. */
export async function signIn(db: Database, throttle: LoginThrottle, input: unknown, context: SignInContext): Promise<SignedIn> {
  const parsed = signInBody.safeParse(input ?? {});
  if (!parsed.success) {
    throw new ApiError(422, 'validation_failed', 'Bitte E-Mail-Adresse und Passwort angeben.', {
      fields: fieldErrors(parsed.error, { email: 'Bitte E-Mail-Adresse angeben.', password: 'Bitte Passwort angeben.' }),
    });
  }
  const email = parsed.data.email.toLowerCase();
  const attempt = { email, ip: context.ip };
  const waitMs = await throttle.retryAfterMs(attempt);
  if (waitMs > 0) {
    // Checked before the password: during the lock even the right password is refused, or guessing would go on.
    const seconds = Math.ceil(waitMs / 1000);
    throw new ApiError(
      429,
      'too_many_attempts',
      `Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in ${Math.ceil(seconds / 60)} Minute(n) erneut.`,
      { retryAfter: seconds },
    );
  }

  const user = await db.user.findUnique({ where: { email } });
  // Unknown address and wrong password take the same time and get the same answer.
  const passwordOk = await checkPassword(parsed.data.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !passwordOk) {
    await throttle.recordFailure(attempt);
    throw new ApiError(401, 'invalid_credentials', messages.invalidCredentials);
  }
  // Only someone who knows the password learns that the account is switched off.
  if (!user.active) throw new ApiError(403, 'account_inactive', messages.inactive);
  await throttle.recordSuccess(attempt);
  return { user: publicUser(user), ...(await openSession(db, user.id, context.previousToken)) };
}

/** Off the event loop and capped (platform/password-hashing.ts): a flood of sign-ins is told to retry, not queued. */
async function checkPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await verifyPassword(password, hash);
  } catch (error) {
    if (!(error instanceof PasswordHashingBusy)) throw error;
    throw new ApiError(503, 'busy', 'Gerade melden sich sehr viele Personen an. Bitte versuchen Sie es in einigen Sekunden erneut.', { retryAfter: 5 });
  }
}

async function openSession(db: Database, userId: string, previousToken: string | undefined) {
  const now = new Date();
  await db.session.deleteMany({
    where: {
      OR: [
        ...(previousToken ? [{ id: sha256(previousToken) }] : []),
        // Housekeeping: sign-ins are rare enough to sweep expired sessions of everyone here.
        { expiresAt: { lt: now } },
        { createdAt: { lt: new Date(now.getTime() - SESSION_ABSOLUTE_MS) } },
      ],
    },
  });
  const sessionToken = newSecret();
  const csrfToken = newSecret();
  await db.session.create({
    data: { id: sha256(sessionToken), userId, csrfToken, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_IDLE_MS) },
  });
  return { sessionToken, csrfToken };
}

/** Ends the session (by its row id); a token caller has none, and that is fine. */
export async function signOut(db: Database, sessionId: string | undefined): Promise<void> {
  if (sessionId) await db.session.deleteMany({ where: { id: sessionId } });
}

// ---------------------------------------------------------------------------------------------------------------
// API tokens

function tokenView(t: { id: string; name: string | null; createdAt: Date; expiresAt: Date | null; scope: string; lastUsedAt: Date | null; revokedAt: Date | null }) {
  return {
    id: t.id,
    name: t.name,
    scope: t.scope,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

/** Creates a personal API token for the user; the plain token exists only in the return value. */
export async function issueApiToken(
  db: Database,
  userId: string,
  name: string | null = null,
  options: { expiresInDays?: number; scope?: ApiTokenScope } = {},
) {
  const token = `${API_TOKEN_PREFIX}${newSecret()}`;
  const expiresAt = new Date(Date.now() + (options.expiresInDays ?? API_TOKEN_DEFAULT_DAYS) * 86_400_000);
  const row = await db.apiToken.create({ data: { userId, tokenHash: sha256(token), name, expiresAt, scope: options.scope ?? 'full' } });
  return { token, ...tokenView(row) };
}

/** The caller's tokens, also expired and revoked ones (without the secret). */
export async function listApiTokens(db: Database, user: AuthenticatedUser) {
  const rows = await db.apiToken.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'asc' } });
  return { items: rows.map(tokenView) };
}

export async function createApiToken(db: Database, user: AuthenticatedUser, input: unknown) {
  // A leaked token must not be able to mint tokens that outlive its own revocation.
  if (user.via !== 'session') {
    throw new ApiError(403, 'forbidden', 'API-Tokens können nur in einer angemeldeten Browser-Sitzung erstellt werden.');
  }
  const parsed = tokenBody.safeParse(input ?? {});
  if (!parsed.success) {
    throw new ApiError(422, 'validation_failed', 'Die Angaben zum Token sind ungültig.', {
      fields: fieldErrors(parsed.error, {
        name: 'Höchstens 100 Zeichen.',
        expiresInDays: `Ganze Zahl von 1 bis ${API_TOKEN_MAX_DAYS}.`,
        scope: '„full“ oder „read“.',
      }),
    });
  }
  const { name, expiresInDays, scope } = parsed.data;
  return issueApiToken(db, user.id, name || null, { ...(expiresInDays ? { expiresInDays } : {}), ...(scope ? { scope } : {}) });
}

export async function revokeApiToken(db: Database, user: AuthenticatedUser, id: string): Promise<void> {
  const { count } = await db.apiToken.updateMany({ where: { id, userId: user.id, revokedAt: null }, data: { revokedAt: new Date() } });
  // Someone else's token is "not found" like an unknown one; revoking twice is fine.
  if (count === 0 && !(await db.apiToken.findFirst({ where: { id, userId: user.id }, select: { id: true } }))) {
    throw new ApiError(404, 'not_found', 'Token nicht gefunden.');
  }
}
