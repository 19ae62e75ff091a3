// A browser stand-in for page tests: keeps the session cookie, reads the CSRF token from the pages, posts urlencoded
// forms. (tests/pages.test.ts has its own copy bound to its harness.)
import { TEST_PASSWORD } from '../../harness/auth.js';

export class PageClient {
  cookie = '';
  csrf = '';

  constructor(readonly baseUrl: string) {}

  async get(path: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...headers }, redirect: 'manual' });
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, html, location: res.headers.get('location'), headers: res.headers };
  }

  async post(path: string, fields: Record<string, string>, options: { csrf?: boolean } = {}) {
    const body = new URLSearchParams({ ...(options.csrf === false ? {} : { _csrf: this.csrf }), ...fields });
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body,
      redirect: 'manual',
    });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('kim_session='));
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    return { status: res.status, html: await res.text(), location: res.headers.get('location'), headers: res.headers };
  }

  static async signIn(baseUrl: string, email: string): Promise<PageClient> {
    const client = new PageClient(baseUrl);
    const res = await client.post('/anmelden', { email, password: TEST_PASSWORD, weiter: '/faelle' }, { csrf: false });
    if (res.status !== 303) throw new Error(`sign-in ${email}: HTTP ${res.status}`);
    await client.get('/faelle'); // picks up the CSRF token
    return client;
  }
}
