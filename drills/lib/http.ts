// HTTP against the app as a client would: JSON in and out, every answer kept with its status and time.
import { login, type SignedIn } from '../../harness/auth.js';
import { DEMO_PASSWORD } from './stack.js';

export interface Answer {
  status: number;
  /** Parsed JSON, or the text when the body is not JSON; null for no body. */
  body: unknown;
  text: string;
  ms: number;
  /** Set when no HTTP answer came at all (connection refused/reset, timeout). */
  networkError?: string;
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; rawBody?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const started = Date.now();
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined && body === undefined) {
    body = JSON.stringify(options.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
      redirect: 'manual',
    });
    const text = await res.text();
    let parsed: unknown = text || null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (pages, redirects)
    }
    return { status: res.status, body: parsed, text, ms: Date.now() - started };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    return { status: 0, body: null, text: '', ms: Date.now() - started, networkError: e.cause?.code ?? e.cause?.message ?? e.name ?? String(e) };
  }
}

export const errorCode = (a: Answer): string | undefined => (a.body as { error?: { code?: string } } | null)?.error?.code;

export function describe(a: Answer): string {
  if (a.networkError) return `no answer (${a.networkError}) after ${a.ms} ms`;
  return `${a.status} ${a.text.length > 300 ? `${a.text.slice(0, 300)}…` : a.text} (${a.ms} ms)`;
}

/** A signed-in demo account (cookie session + CSRF) whose headers work for every request. */
export async function signIn(baseUrl: string, email: string): Promise<SignedIn> {
  return login(baseUrl, email, DEMO_PASSWORD);
}

export interface CreatedCase {
  id: string;
  organisationId: string;
  person: { givenName: string; familyName: string };
}

/** POST /api/v1/cases; throws unless 201. */
export async function createCase(
  baseUrl: string,
  user: SignedIn,
  person: { givenName: string; familyName: string; municipality: string; birthDate?: string },
): Promise<CreatedCase> {
  const answer = await call(baseUrl, 'POST', '/api/v1/cases', {
    headers: user.headers(),
    body: { person: { birthDate: '1984-03-02', languages: ['de'], ...person }, source: 'outreach' },
  });
  if (answer.status !== 201) throw new Error(`POST /api/v1/cases: ${describe(answer)}`);
  const body = answer.body as CreatedCase;
  return { id: body.id, organisationId: body.organisationId, person: { givenName: person.givenName, familyName: person.familyName } };
}
