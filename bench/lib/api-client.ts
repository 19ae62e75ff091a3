// Small HTTP helpers for the benchmarks: JSON calls with a bearer token against the app started by the bench.
import { randomUUID } from 'node:crypto';

export type Headers = Record<string, string>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

/** One request; resolves with the parsed body and its size, rejects on any status other than `expect`. */
export async function call<T = unknown>(
  baseUrl: string,
  headers: Headers,
  method: string,
  path: string,
  body?: unknown,
  expect = method === 'POST' && path === '/api/v1/cases' ? 201 : 200,
): Promise<{ status: number; body: T; bytes: number }> {
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== expect) throw new HttpError(res.status, text, `${method} ${path}`);
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, bytes: Buffer.byteLength(text) };
}

/** A contact "now", as a case manager records it after a phone call. */
export function contactNow(durationMinutes = 10) {
  return { kind: 'phone', date: new Date().toISOString(), durationMinutes };
}

const GIVEN = ['Yusuf', 'Lina', 'Amir', 'Olena', 'Samira', 'Dmytro', 'Fatma', 'Karim', 'Nour', 'Elif'];
const FAMILY = ['Demir', 'Haddad', 'Kovalenko', 'Rahimi', 'Yilmaz', 'Petrenko', 'Aziz', 'Nowak', 'Hussein', 'Kaya'];

/** A POST /api/v1/cases body; Schleiden proposes Caritas Eifel. */
export function intakeBody(i: number) {
  return {
    person: {
      givenName: GIVEN[i % GIVEN.length],
      familyName: `${FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]}-${randomUUID().slice(0, 6)}`,
      birthDate: '1988-03-01',
      municipality: 'Schleiden',
      languages: ['tr'],
    },
    source: 'self',
  };
}
