// Shared harness (harness/): helpers that tests, benchmarks, drills and the history-recording scripts share. No vitest here.
// Signing in: a browser-like session (cookie + CSRF token) over HTTP, or a bearer token made directly
// in the database. The demo accounts the tests' startHarness() seeds all have the password `test-password`.
import { SESSION_COOKIE, issueApiToken } from '../api/http/authentication.js';
import type { Database } from '../platform/database.js';

export const TEST_PASSWORD = 'test-password';

export interface SignedIn {
  user: { id: string; email: string; name: string; role: string; organisationId: string };
  /** `kim_session=<token>`, ready for a Cookie header. */
  cookie: string;
  csrfToken: string;
  /** Cookie + X-CSRF-Token (+ JSON content type unless json=false): enough for any request of this user. */
  headers(json?: boolean): Record<string, string>;
}

/** POST /api/v1/session as `email`; throws unless the sign-in succeeds. */
export async function login(baseUrl: string, email: string, password = TEST_PASSWORD): Promise<SignedIn> {
  const res = await fetch(`${baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: SignedIn['user']; csrfToken: string };
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!setCookie) throw new Error(`login ${email}: no session cookie`);
  const cookie = setCookie.split(';')[0]!;
  return {
    user: body.user,
    cookie,
    csrfToken: body.csrfToken,
    headers(json = true) {
      return { cookie, 'x-csrf-token': body.csrfToken, ...(json ? { 'content-type': 'application/json' } : {}) };
    },
  };
}

export interface Bearer {
  token: string;
  id: string;
  /** Authorization (+ JSON content type unless json=false). */
  headers(json?: boolean): Record<string, string>;
}

/** A personal API token for the seeded user `email`, created directly in the database. */
export async function bearerFor(db: Database, email: string, name = 'test'): Promise<Bearer> {
  const user = await db.user.findUniqueOrThrow({ where: { email } });
  const { token, id } = await issueApiToken(db, user.id, name);
  return {
    token,
    id,
    headers(json = true) {
      return { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) };
    },
  };
}

/** A JSON request to the API as `who` (or anonymously): status and parsed body (null when the body is not JSON). */
export async function apiCall(baseUrl: string, who: { headers(json?: boolean): Record<string, string> } | null, method: string, path: string, body?: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: who ? who.headers(body !== undefined) : body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // Untyped on purpose: the tests read whatever JSON the API answered.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}
