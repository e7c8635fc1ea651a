/**
 * A spec-conformant DBSC user agent for tests, over any `fetch`-like function: it keeps cookies,
 * registers when a response offers it (WebCrypto ES256 or RS256 keys), caches challenges,
 * refreshes before an in-scope request that would go without its bound cookie, re-signs on 403,
 * and ends a session on `continue: false` or a 4xx, as the DBSC draft's algorithms say.
 */
import { parseList, sfString, stringParam } from '../dbsc/structured-fields.js';
import { CookieJar } from './cookie-jar.js';
import { inScope, missingCredential, site, type BrowserSession } from './dbsc-scope.js';
import { generateKeyPair, sign } from './dbsc-proof.js';

/** Options for {@link DbscBrowser}. */
export interface DbscBrowserOptions {
  /** Where requests go: an app's fetch handler, or `fetch` itself. */
  fetch: (request: Request) => Promise<Response>;
  /** The clock cookies expire by (a `ManualClock`'s `now`). Default `Date.now`. */
  now?: () => number;
  /** Algorithms this user agent supports, in its order of preference. Default `['ES256', 'RS256']`. */
  algorithms?: ReadonlyArray<'ES256' | 'RS256' | 'none'>;
  /** `false`: a browser without DBSC (Firefox, Safari today), which ignores the registration header. */
  dbsc?: boolean;
}

/** One DBSC request the browser made, for assertions. */
export interface DbscExchange {
  kind: 'registration' | 'refresh';
  url: string;
  status: number;
  /** The proof sent, if any. */
  proof: string | null;
}

const MAX_403_RETRIES = 2;

/**
 * The fake browser.
 *
 * @example
 * const browser = new DbscBrowser({ fetch: app, now: () => clock.now() });
 * await browser.fetch('https://app.example/login', { method: 'POST' });
 * browser.sessions.size; // 1 once the login response offered registration
 */
export class DbscBrowser {
  readonly jar: CookieJar;
  readonly sessions: Map<string, BrowserSession> = new Map();
  readonly log: DbscExchange[] = [];
  /** When set, refreshes are skipped and reported with `Secure-Session-Skipped` instead. */
  skip: 'unreachable' | 'server_error' | 'quota_exceeded' | null = null;
  readonly #options: DbscBrowserOptions;
  readonly #algorithms: ReadonlyArray<'ES256' | 'RS256' | 'none'>;

  constructor(options: DbscBrowserOptions) {
    this.#options = options;
    this.jar = new CookieJar(options.now ?? (() => Date.now()));
    this.#algorithms = options.algorithms ?? ['ES256', 'RS256'];
  }

  /**
   * Send a request as a page would: deferred behind any refresh it needs, then the response processed.
   *
   * @example
   * const page = await browser.fetch('https://app.example/inbox');
   */
  async fetch(input: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const skipped: string[] = [];
    for (const session of [...this.sessions.values()]) {
      if (!inScope(url, session) || !missingCredential(url, session, this.jar)) continue;
      if (this.skip) skipped.push(`${this.skip};session_identifier=${sfString(session.id)}`);
      else
        await this.#send(
          url,
          session.refreshUrl,
          session.id,
          session.cachedChallenge,
          session.keys,
          session.alg,
        );
    }
    if (skipped.length > 0) headers.set('secure-session-skipped', skipped.join(', '));
    const cookie = this.jar.header(url);
    if (cookie) headers.set('cookie', cookie);
    if (!headers.has('origin') && init.method && init.method !== 'GET')
      headers.set('origin', url.origin);
    const response = await this.#options.fetch(
      new Request(url, { ...init, headers, redirect: 'manual' }),
    );
    this.#absorb(url, response);
    if (this.#options.dbsc !== false) await this.#register(url, response);
    return response;
  }

  /**
   * The value of a cookie in the jar, by name.
   *
   * @example
   * browser.cookie('__Host-session-bound'); // the bound cookie's value, or undefined
   */
  cookie(name: string): string | undefined {
    return this.jar.get(name)?.value;
  }

  #absorb(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) this.jar.store(url, line);
    this.#cacheChallenges(response.headers);
  }

  /** "Cache challenge": every Secure-Session-Challenge naming a known session is kept for its next proof. */
  #cacheChallenges(headers: Headers): void {
    for (const member of parseList(headers.get('secure-session-challenge')) ?? []) {
      if (member.inner || member.item.kind !== 'string') continue;
      const id = stringParam(member.params, 'id');
      const session = id === undefined ? undefined : this.sessions.get(id);
      if (session) session.cachedChallenge = member.item.value;
    }
  }

  /** "Process session registration". */
  async #register(url: URL, response: Response): Promise<void> {
    for (const member of parseList(response.headers.get('secure-session-registration')) ?? []) {
      if (!member.inner) continue;
      const path = stringParam(member.params, 'path');
      if (path === undefined) continue;
      const offered = member.items.map((i) => (i.item.kind === 'token' ? i.item.value : ''));
      const alg = this.#algorithms.find((a) => offered.includes(a));
      if (!alg) return;
      const keys = alg === 'none' ? null : await generateKeyPair(alg);
      await this.#send(
        url,
        new URL(path, url),
        null,
        stringParam(member.params, 'challenge') ?? null,
        keys,
        alg,
      );
    }
  }

  /** "Send request", for a registration (`id` null) or a refresh. */
  async #send(
    from: URL,
    destination: URL,
    id: string | null,
    challenge: string | null,
    keys: CryptoKeyPair | null,
    alg: BrowserSession['alg'],
  ): Promise<void> {
    if (site(from.hostname) !== site(destination.hostname)) return;
    for (let attempt = 0; attempt <= MAX_403_RETRIES; attempt++) {
      const proof = challenge === null ? null : await sign(alg, keys, challenge, id === null);
      const headers = new Headers({ origin: from.origin });
      if (proof) headers.set('secure-session-response', sfString(proof));
      if (id !== null) headers.set('sec-secure-session-id', sfString(id));
      const cookie = this.jar.header(destination);
      if (cookie) headers.set('cookie', cookie);
      const response = await this.#options.fetch(
        new Request(destination, { method: 'POST', headers, redirect: 'manual' }),
      );
      this.log.push({
        kind: id === null ? 'registration' : 'refresh',
        url: destination.href,
        status: response.status,
        proof,
      });
      this.#absorb(destination, response);
      const { status } = response;
      if (status === 407 || status === 429 || (status >= 300 && status < 400) || status >= 500)
        return;
      if (status === 403) {
        const session = id === null ? undefined : this.sessions.get(id);
        if (!session) return;
        challenge = session.cachedChallenge;
        continue;
      }
      if (status >= 400) return this.#terminate(id);
      const body = await response.text();
      if (id !== null && body === '') return;
      return this.#create(body, destination, id, keys, alg, response);
    }
  }

  #terminate(id: string | null): void {
    if (id !== null) this.sessions.delete(id);
  }

  /** "Create session": validate the instructions and keep the session, or end it. */
  #create(
    body: string,
    destination: URL,
    id: string | null,
    keys: CryptoKeyPair | null,
    alg: BrowserSession['alg'],
    response: Response,
  ): void {
    let json: Record<string, any>;
    try {
      json = JSON.parse(body);
    } catch {
      return this.#terminate(id);
    }
    if (typeof json !== 'object' || json === null) return this.#terminate(id);
    if (json.continue === false)
      return this.#terminate(
        typeof json.session_identifier === 'string' ? json.session_identifier : id,
      );
    const sid = json.session_identifier;
    const scope = json.scope;
    if (
      typeof sid !== 'string' ||
      typeof scope !== 'object' ||
      scope === null ||
      !Array.isArray(json.credentials)
    )
      return this.#terminate(id);
    if (typeof scope.include_site !== 'boolean' || (id !== null && sid !== id))
      return this.#terminate(id);
    const origin = typeof scope.origin === 'string' ? scope.origin : destination.origin;
    const refreshUrl = new URL(
      typeof json.refresh_url === 'string' ? json.refresh_url : destination.href,
      destination,
    );
    const secure = refreshUrl.protocol === 'https:' || refreshUrl.hostname === 'localhost';
    const credentials = json.credentials as Array<Record<string, unknown>>;
    const valid =
      secure &&
      site(new URL(origin).hostname) === site(destination.hostname) &&
      site(refreshUrl.hostname) === site(destination.hostname) &&
      credentials.every(
        (c) =>
          c.type === 'cookie' &&
          typeof c.name === 'string' &&
          c.name !== '' &&
          !/partitioned/i.test(String(c.attributes ?? '')),
      );
    if (!valid) return this.#terminate(id);
    const rules = Array.isArray(scope.scope_specification) ? scope.scope_specification : [];
    this.sessions.delete(sid);
    this.sessions.set(sid, {
      id: sid,
      refreshUrl,
      origin,
      includeSite: scope.include_site,
      rules: rules.map((r: Record<string, unknown>) => ({
        type: r.type === 'exclude' ? 'exclude' : 'include',
        domain: typeof r.domain === 'string' ? r.domain : '*',
        path: typeof r.path === 'string' ? r.path : '/',
      })),
      credentials: credentials.map((c) => ({
        name: String(c.name),
        attributes: String(c.attributes ?? ''),
      })),
      keys,
      alg,
      cachedChallenge: null,
    });
    // "Create session" ends with "Cache challenge" on the same response, now that the session exists.
    this.#cacheChallenges(response.headers);
  }
}
