/**
 * A browser-like HTTP client for the demo's contract tests: a cookie jar that
 * honours Max-Age=0 deletions, no redirect following, and JSON by default
 * (`Accept: application/json`), as a script on the page would send.
 */

export interface Cookie {
  name: string;
  value: string;
  /** `Max-Age` in seconds, when the server set one: a persistent cookie. */
  maxAge?: number;
  attributes: string[];
}

export function parseSetCookie(line: string): Cookie {
  const [pair, ...attributes] = line.split(';').map((p) => p.trim());
  const eq = pair!.indexOf('=');
  const cookie: Cookie = { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes };
  const maxAge = attributes.find((a) => /^max-age=/i.test(a));
  if (maxAge) cookie.maxAge = Number(maxAge.split('=')[1]);
  return cookie;
}

export class Agent {
  readonly jar = new Map<string, string>();
  constructor(
    readonly origin: string,
    readonly userAgent = 'demo-contract-test',
  ) {}

  get cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    headers.set('user-agent', this.userAgent);
    if (this.jar.size && !headers.has('cookie')) headers.set('cookie', this.cookieHeader);
    // A browser sends its page's Origin with every POST; the demo's CSRF guard checks it.
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD' && !headers.has('origin'))
      headers.set('origin', this.origin);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const { json: _json, ...rest } = init;
    const response = await fetch(this.origin + path, {
      ...rest,
      headers,
      body: body ?? null,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const c = parseSetCookie(line);
      if (c.maxAge === 0 || c.value === '') this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    return response;
  }

  get = (path: string, headers?: HeadersInit) => this.fetch(path, headers ? { headers } : {});
  post = (path: string, json?: unknown, headers?: HeadersInit) =>
    this.fetch(path, { method: 'POST', json: json ?? {}, ...(headers ? { headers } : {}) });

  async login(username: string, password: string, extra: Record<string, unknown> = {}) {
    return this.post('/login', { username, password, ...extra });
  }
}

export const ALICE = ['alice', 'correct horse battery staple'] as const;
export const BOB = ['bob', 'hunter2hunter2'] as const;
export const MINUTE = 60_000;
