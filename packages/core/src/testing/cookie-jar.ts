/**
 * A small RFC 6265bis cookie jar for test user agents: Set-Cookie parsing, the `__Host-` and
 * `__Secure-` prefix rules, Max-Age against an injected clock, path matching, and the Cookie
 * header with longer paths first. One host at a time; Domain cookies are kept host-only.
 */

/** One stored cookie. */
export interface JarCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'Strict' | 'Lax' | 'None' | undefined;
  domain: string | undefined;
  /** Milliseconds since the epoch, or `null` for a session cookie. */
  expiresAt: number | null;
}

/** Secure contexts for cookies: HTTPS, and `localhost` as Chromium treats it. */
export const isSecureUrl = (url: URL): boolean =>
  url.protocol === 'https:' || url.hostname === 'localhost' || url.hostname === '127.0.0.1';

/** RFC 6265bis §5.1.4 path-match. */
export function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

/** RFC 6265bis §5.1.4 default-path of a request URL. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/') || path.lastIndexOf('/') === 0) return '/';
  return path.slice(0, path.lastIndexOf('/'));
}

/** The attributes of a Set-Cookie line (or of a DBSC credential's `attributes` string). */
export function parseAttributes(
  parts: string[],
  url: URL,
): Omit<JarCookie, 'name' | 'value' | 'host' | 'expiresAt'> & { maxAge?: number } {
  const out: ReturnType<typeof parseAttributes> = {
    path: defaultPath(url),
    secure: false,
    httpOnly: false,
    sameSite: undefined,
    domain: undefined,
  };
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(value)) out.maxAge = Number(value);
    else if (key === 'path' && value.startsWith('/')) out.path = value;
    else if (key === 'secure') out.secure = true;
    else if (key === 'httponly') out.httpOnly = true;
    else if (key === 'domain' && value) out.domain = value.replace(/^\./, '').toLowerCase();
    else if (key === 'samesite') {
      const v = value.toLowerCase();
      out.sameSite = v === 'strict' ? 'Strict' : v === 'none' ? 'None' : 'Lax';
    }
  }
  return out;
}

/**
 * A cookie jar over an injected clock.
 *
 * @example
 * const jar = new CookieJar(() => clock.now());
 * jar.store(new URL('https://app.example/login'), '__Host-session=abc; Path=/; Secure; HttpOnly');
 * jar.header(new URL('https://app.example/')); // '__Host-session=abc'
 */
export class CookieJar {
  readonly #cookies = new Map<string, JarCookie>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /**
   * Store one Set-Cookie line received from `url`; invalid lines are ignored, as browsers do.
   *
   * @example
   * jar.store(new URL('https://app.example/'), 'theme=dark; Path=/; Max-Age=60');
   */
  store(url: URL, line: string): void {
    const [pair = '', ...rest] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const attrs = parseAttributes(rest, url);
    if (attrs.secure && !isSecureUrl(url)) return;
    const lower = name.toLowerCase();
    if (lower.startsWith('__secure-') && !attrs.secure) return;
    if (lower.startsWith('__host-') && (!attrs.secure || attrs.path !== '/' || attrs.domain))
      return;
    const key = `${name};${attrs.path}`;
    if (attrs.maxAge !== undefined && attrs.maxAge <= 0) {
      this.#cookies.delete(key);
      return;
    }
    const expiresAt = attrs.maxAge === undefined ? null : this.now() + attrs.maxAge * 1000;
    const { maxAge: _, ...kept } = attrs;
    this.#cookies.set(key, { name, value, host: url.hostname, ...kept, expiresAt });
  }

  /**
   * Every live cookie, expired ones dropped.
   *
   * @example
   * jar.all().map((c) => c.name);
   */
  all(): JarCookie[] {
    const now = this.now();
    for (const [key, c] of this.#cookies)
      if (c.expiresAt !== null && now >= c.expiresAt) this.#cookies.delete(key);
    return [...this.#cookies.values()];
  }

  /**
   * The cookies sent to `url`, longer paths first.
   *
   * @example
   * jar.matching(new URL('https://app.example/dbsc/refresh'));
   */
  matching(url: URL): JarCookie[] {
    return this.all()
      .filter(
        (c) =>
          c.host === url.hostname &&
          pathMatches(url.pathname, c.path) &&
          (!c.secure || isSecureUrl(url)),
      )
      .sort((a, b) => b.path.length - a.path.length);
  }

  /**
   * The Cookie header for `url`, or `''`.
   *
   * @example
   * new Request(url, { headers: { cookie: jar.header(url) } });
   */
  header(url: URL): string {
    return this.matching(url)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /**
   * A live cookie by name (and path, when given).
   *
   * @example
   * jar.get('__Secure-session', '/dbsc/refresh')?.value;
   */
  get(name: string, path?: string): JarCookie | undefined {
    return this.all().find((c) => c.name === name && (path === undefined || c.path === path));
  }

  /**
   * Put a cookie in by hand (a test copying a cookie from one jar to another, as a thief would).
   *
   * @example
   * thief.jar.set({ ...victim.jar.get('__Secure-session')!, path: '/' });
   */
  set(cookie: JarCookie): void {
    this.#cookies.set(`${cookie.name};${cookie.path}`, { ...cookie });
  }

  /**
   * Remove a cookie by name and path.
   *
   * @example
   * jar.delete('__Host-session-bound', '/');
   */
  delete(name: string, path: string): void {
    this.#cookies.delete(`${name};${path}`);
  }
}
