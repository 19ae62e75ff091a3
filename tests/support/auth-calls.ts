// Calls of the sign-in and session tests (tests/auth*.test.ts): JSON over HTTP against a harness's app, reading the
// status, headers and body; the session cookie of a sign-in; an extra app on a free port.
import type { Express } from 'express';
import { SESSION_COOKIE } from '../../api/http/authentication.js';
import { serveApp } from '../../harness/app-server.js';
import { TEST_PASSWORD } from '../../harness/auth.js';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export function authCalls(baseUrl: () => string) {
  async function call(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown; baseUrl?: string } = {},
  ): Promise<Reply> {
    const res = await fetch(`${options.baseUrl ?? baseUrl()}${path}`, {
      method,
      headers: { ...(options.body !== undefined && typeof options.body !== 'string' ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }
  const signIn = (email: string, password = TEST_PASSWORD) => call('POST', '/api/v1/session', { body: { email, password } });
  return { call, signIn };
}

export function sessionCookie(reply: Reply): string | undefined {
  return reply.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
}

/** Another app on a free port (e.g. with its own login limiter); `url` is its base URL. */
export async function listen(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const served = await serveApp(app);
  return { url: served.baseUrl, close: served.close };
}
