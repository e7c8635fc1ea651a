/**
 * Just enough of a browser for the audit: a cookie jar that follows RFC
 * 6265bis by hand (name and path, deletion, path matching), same-origin
 * redirects, and reading a login form's action and hidden fields.
 */

import type { HttpResponse, Transport } from './http.js';
import { isDeletion, parseSetCookie, type SetCookie } from './set-cookie.js';

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/** RFC 6265bis §5.1.4: the default path is the request path up to its last `/`. */
function defaultPath(url: URL): string {
  const p = url.pathname;
  const last = p.lastIndexOf('/');
  return last <= 0 ? '/' : p.slice(0, last);
}

/** RFC 6265bis §5.1.4: path-match. */
function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (cookiePath === requestPath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** The cookies one simulated browser holds for the target. */
export class CookieJar {
  #cookies = new Map<string, StoredCookie>();

  /** Applies the response's `Set-Cookie` lines; returns those that parsed. */
  apply(lines: readonly string[], url: URL, now: number): SetCookie[] {
    const parsed: SetCookie[] = [];
    for (const line of lines) {
      const cookie = parseSetCookie(line);
      if (!cookie) continue;
      parsed.push(cookie);
      const path = cookie.path ?? defaultPath(url);
      const key = `${cookie.name}\u0000${path}`;
      if (isDeletion(cookie, now)) this.#cookies.delete(key);
      else this.#cookies.set(key, { name: cookie.name, value: cookie.value, path });
    }
    return parsed;
  }

  /** Plants a cookie (an attacker's chosen ID, a replay). */
  set(name: string, value: string, path = '/'): void {
    this.#cookies.set(`${name}\u0000${path}`, { name, value, path });
  }

  /** The value of `name` (the longest path wins), if held. */
  get(name: string): string | undefined {
    let best: StoredCookie | undefined;
    for (const c of this.#cookies.values())
      if (c.name === name && (!best || c.path.length > best.path.length)) best = c;
    return best?.value;
  }

  names(): string[] {
    return [...new Set([...this.#cookies.values()].map((c) => c.name))];
  }

  /** The `Cookie` header for `url`: longer paths first, as RFC 6265bis §5.8.3 orders them. */
  header(url: URL): string {
    return [...this.#cookies.values()]
      .filter((c) => pathMatches(c.path, url.pathname))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => (c.name === '' ? c.value : `${c.name}=${c.value}`))
      .join('; ');
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [k, v] of this.#cookies) copy.#cookies.set(k, { ...v });
    return copy;
  }

  /** A copy without any cookie named `name`. */
  without(name: string): CookieJar {
    const copy = this.clone();
    for (const [k, v] of copy.#cookies) if (v.name === name) copy.#cookies.delete(k);
    return copy;
  }
}

export interface BrowseOptions {
  body?: string;
  headers?: Record<string, string>;
  /** Follow same-origin redirects (at most 5). Default true. */
  follow?: boolean;
  /** Apply `Set-Cookie` to the jar. Default true. */
  keepCookies?: boolean;
}

export interface BrowseResult {
  /** The first response (of the request as sent). */
  first: HttpResponse;
  /** The last response, after redirects. */
  last: HttpResponse;
  lastUrl: URL;
  /** Every `Set-Cookie` that parsed, over all hops. */
  setCookies: SetCookie[];
  /** A redirect elsewhere that was not followed. */
  offOrigin?: string;
}

const MAX_REDIRECTS = 5;

/** One navigation: the request, then same-origin redirects as a browser would (303 → GET). */
export async function browse(
  send: Transport,
  jar: CookieJar,
  method: string,
  url: URL,
  now: () => number,
  options: BrowseOptions = {},
): Promise<BrowseResult> {
  let current = url;
  let currentMethod = method;
  let body = options.body;
  let first: HttpResponse | undefined;
  const setCookies: SetCookie[] = [];
  for (let hop = 0; ; hop++) {
    const cookie = jar.header(current);
    const headers: Record<string, string> = { ...options.headers };
    if (body === undefined) delete headers['content-type'];
    if (cookie) headers.cookie = cookie;
    const response = await send({ method: currentMethod, url: current, headers, body });
    first ??= response;
    if (options.keepCookies !== false)
      setCookies.push(...jar.apply(response.setCookie, current, now()));
    const location = response.headers.location;
    const redirect = response.status >= 300 && response.status < 400 && location;
    if (!redirect || options.follow === false || hop >= MAX_REDIRECTS)
      return { first, last: response, lastUrl: current, setCookies };
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return { first, last: response, lastUrl: current, setCookies };
    }
    if (next.origin !== url.origin)
      return { first, last: response, lastUrl: current, setCookies, offOrigin: next.origin };
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && currentMethod === 'POST')
    ) {
      currentMethod = 'GET';
      body = undefined;
    }
    current = next;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(
          e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)),
        )
      : (ENTITIES[e.toLowerCase()] ?? m),
  );

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (!(name in out)) out[name] = decode(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** Each `<form …>…</form>`, found in one pass (a lazy regex would be quadratic on a hostile page). */
function formsIn(html: string): Array<{ tag: string; body: string }> {
  const lower = html.toLowerCase();
  const forms: Array<{ tag: string; body: string }> = [];
  let at = 0;
  for (;;) {
    const start = lower.indexOf('<form', at);
    if (start < 0) break;
    const tagEnd = lower.indexOf('>', start);
    const end = tagEnd < 0 ? -1 : lower.indexOf('</form', tagEnd);
    if (end < 0) break;
    forms.push({ tag: html.slice(start + 5, tagEnd), body: html.slice(tagEnd + 1, end) });
    at = end + 6;
  }
  return forms;
}

/** The login form found in a page: where it posts, and the fields a browser would send unprompted. */
export interface LoginForm {
  action?: string;
  /** Hidden inputs (CSRF tokens, `returnTo`) and other pre-filled, non-checkbox values. */
  fields: Record<string, string>;
}

/**
 * Reads the form with a password input (else the first form) from `html`. Not a full HTML
 * parser: enough for the forms login pages have.
 *
 * @example
 * readLoginForm('<form action="/s"><input type=hidden name=t value=1><input type=password name=p></form>')
 * // { action: '/s', fields: { t: '1' } }
 */
export function readLoginForm(html: string): LoginForm | null {
  const forms = formsIn(html.slice(0, 512 * 1024));
  const form = forms.find((f) => /type\s*=\s*["']?password/i.test(f.body)) ?? forms[0];
  if (!form) return null;
  const attrs = attributes(form.tag.slice(0, 4096));
  const fields: Record<string, string> = {};
  for (const input of form.body.matchAll(/<input\b([^>]*)>/gi)) {
    const a = attributes(input[1]!);
    const type = (a.type ?? 'text').toLowerCase();
    if (
      !a.name ||
      ['checkbox', 'radio', 'submit', 'button', 'image', 'file', 'password'].includes(type)
    )
      continue;
    if (type === 'hidden' || a.value) fields[a.name] = a.value ?? '';
  }
  return { ...(attrs.action ? { action: attrs.action } : {}), fields };
}
