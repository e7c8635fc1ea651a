/**
 * Sealed cookie sessions, for apps that want no session store: the whole
 * session travels in the cookie as a JWE and is judged by the same `decide()`
 * as server-side sessions. What that costs is in docs/remember-me-and-tokens.md.
 */

import { systemClock } from '../clock.js';
import { clampMaxAge, type CookieAttributes } from '../cookie/serialize.js';
import { decide, freshRecord, touched } from '../decide.js';
import { assertOpen, withSessionHeaders } from '../commit.js';
import { factorOptions, recordFactor, type StoredFactors } from '../auth-factors.js';
import type {
  LoginOptions,
  ReauthenticateOptions,
  RequestSession,
  SessionEngine,
} from '../contract.js';
import { ConfigError, PolicyError, SessionRequiredError } from '../errors.js';
import { clientAddress, type DeviceFacts } from '../record.js';
import { judgeFreshAuth } from '../step-up.js';
import { emit } from '../events.js';
import type { LoadOutcome } from '../outcome.js';
import { definePolicy, type PolicyOptions, type SessionPolicy } from '../policy.js';
import { cryptoRandom, newSecret } from '../random.js';
import { Session, type SessionData } from '../session.js';
import { clearChunked, readChunked, writeChunked, type ChunkedRead } from './chunks.js';
import { SealedEngine, type SealedSessionsOptions } from './engine.js';
import { sealingKeys } from './keys.js';
import { checkSealedOptions, requireRequest } from '../input-checks.js';

export type { SealedSessionsOptions } from './engine.js';

/**
 * One request's sealed session. Same shape as the server-side `RequestSession`:
 * lazy `load()`, `login()`, `start()`, `logout()`, `flush()`, `commit()`.
 *
 * @example
 * const rs = sessions.forRequest(request);
 * const outcome = await rs.load();
 * if (!outcome.valid) return expiryResponse(request, outcome);
 * return rs.commit(new Response(`hello ${outcome.session.userId}`));
 */
export class SealedRequestSession<
  Data extends SessionData = SessionData,
> implements RequestSession<Data> {
  #loading: Promise<LoadOutcome<Data>> | undefined;
  #session: Session<Data> | null = null;
  #previous: ChunkedRead | undefined;
  #write = false;
  #touch = false;
  #clear = false;
  #committed = false;

  /** @internal */
  constructor(
    private readonly engine: SealedEngine<Data>,
    readonly request: Request,
    private readonly facts: DeviceFacts = {},
  ) {}

  /** The loaded session, or `null`. */
  get current(): Session<Data> | null {
    return this.#session;
  }

  /**
   * Unseal and judge the cookie once; later calls share the result. Rejects with `StoreError` only when a not-before store fails.
   *
   * @example
   * const outcome = await sessions.forRequest(request).load();
   * if (!outcome.valid) return expiryResponse(request, outcome, { loginPath: '/sign-in' });
   */
  load(): Promise<LoadOutcome<Data>> {
    this.#loading ??= this.#load();
    return this.#loading;
  }

  #read(): ChunkedRead {
    this.#previous ??= readChunked(
      this.request.headers.get('cookie'),
      this.engine.cookie.name,
      this.engine.maxChunks,
    );
    return this.#previous;
  }

  /** A cookie that does not unseal (forged, truncated, another app's key): said for burst detection, with the client. */
  #malformed(): LoadOutcome<Data> {
    const client = clientAddress(this.facts);
    emit(this.engine.onEvent, {
      type: 'validation-failed',
      at: this.engine.clock.now(),
      reason: 'malformed',
      ...(client === undefined ? {} : { client }),
    });
    return { valid: false, reason: 'malformed' };
  }

  async #load(): Promise<LoadOutcome<Data>> {
    const { engine } = this;
    const read = this.#read();
    if (read.value === undefined)
      return read.plain || read.chunks > 0
        ? this.#malformed()
        : { valid: false, reason: 'missing' };
    const opened = await engine.unseal(read.value);
    if (!opened) return this.#malformed();
    const { sealed, kid } = opened;
    const now = engine.clock.now();
    const decision = decide(engine.policy, sealed.r, now);
    if (decision.kind === 'expired') {
      emit(engine.onEvent, {
        type: 'expired',
        at: now,
        handle: sealed.sid,
        userId: sealed.r.uid,
        reason: decision.expiry.kind,
      });
      return { valid: false, reason: `expired-${decision.expiry.kind}`, at: decision.expiry.at };
    }
    if (engine.revocation && sealed.r.uid !== null) {
      const revoked = await engine.revocation.check({
        userId: sealed.r.uid,
        issuedAt: sealed.r.issuedAt,
      });
      if (revoked) return { valid: false, reason: 'revoked' };
    }
    this.#touch = decision.touch;
    // Sealed with an older key: reseal now with the current one.
    this.#write = kid !== engine.keys.current.kid;
    this.#session = new Session(sealed.sid, sealed.r);
    return { valid: true, session: this.#session };
  }

  /**
   * Sign a user in: a new session (new ID, new deadlines, auth time now). Data carries over from an anonymous session unless `clean`.
   *
   * @example
   * const rs = sessions.forRequest(request);
   * await rs.login(user.id, { data: { role: 'editor' } });
   * return rs.commit(Response.redirect(new URL('/', request.url), 303));
   */
  async login(userId: string, options: LoginOptions<Data> = {}): Promise<Session<Data>> {
    assertOpen(this.#committed, 'login()');
    if (typeof userId !== 'string' || userId === '')
      throw new TypeError('login: userId must be a non-empty string');
    if (options.rememberMe) {
      throw new PolicyError(
        'rememberMe',
        'sealed cookie sessions do not offer remember-me (it needs a store that rotates the device token); sign in without { rememberMe: true }, or use createLatchkey with a store',
      );
    }
    const outcome = await this.load();
    const previous = outcome.valid ? outcome.session : null;
    const carry =
      previous && !options.clean && (previous.userId === null || previous.userId === userId);
    const data = { ...(carry ? previous.data : {}), ...options.data } as Data;
    const { method, userVerified } = factorOptions(options, 'login');
    const now = this.engine.clock.now();
    return this.#begin(
      userId,
      data,
      now,
      previous,
      'login',
      recordFactor(undefined, method, now, userVerified),
    );
  }

  /**
   * A new session ID on a privilege change, keeping the user, auth time and lifetime; data carries unless `clean`.
   *
   * @example
   * const session = await rs.regenerate();
   * session.set('role', 'admin');
   * return rs.commit(new Response('promoted'));
   */
  async regenerate(options: { clean?: boolean } = {}): Promise<Session<Data>> {
    assertOpen(this.#committed, 'regenerate()');
    const outcome = await this.load();
    if (!outcome.valid)
      throw new SessionRequiredError('regenerate: there is no valid session to regenerate');
    const previous = outcome.session;
    const data = (options.clean ? {} : previous.data) as Data;
    const session = this.#begin(
      previous.userId,
      data,
      previous.authTime,
      previous,
      'privilege-change',
      previous.record.af,
    );
    // A privilege change is not a new login: the session keeps its lifetime.
    session.record = {
      ...session.record,
      createdAt: previous.createdAt,
      absoluteDeadline: previous.absoluteExpiresAt,
      idleDeadline: Math.min(session.record.idleDeadline, previous.absoluteExpiresAt),
    };
    return session;
  }

  /**
   * After a successful re-authentication (step-up): a new ID, the factor's time and the auth time
   * now; data, lifetime and other factors kept.
   *
   * @example
   * if (await verifyPassword(user, form.get('password'))) await rs.reauthenticate({ method: 'password' });
   * return rs.commit(Response.redirect(new URL('/settings', request.url), 303));
   */
  async reauthenticate(options: ReauthenticateOptions = {}): Promise<Session<Data>> {
    assertOpen(this.#committed, 'reauthenticate()');
    const { method, userVerified } = factorOptions(options, 'reauthenticate');
    const outcome = await this.load();
    if (!outcome.valid || outcome.session.userId === null)
      throw new SessionRequiredError('reauthenticate: no signed-in session');
    const session = await this.regenerate();
    const now = this.engine.clock.now();
    const af = recordFactor(session.record.af, method, now, userVerified);
    session.record = { ...session.record, authTime: now, af };
    return session;
  }

  /**
   * End every other sealed session of this user: needs the `notBefore` option.
   * Every session of the user issued before now is refused; this one is reissued
   * now, so it survives. Sealed sessions cannot be counted, so this returns -1.
   *
   * @example
   * const sessions = createSealedSessions({ policy: presets.productivity, secrets: [env.SESSION_SECRET], notBefore: { store } });
   * const rs = sessions.forRequest(request);
   * await rs.revokeOthers();
   * return rs.commit(new Response('signed out on every other device'));
   */
  async revokeOthers(): Promise<number> {
    // Before the not-before write: after the commit, the reissued cookie would never reach the browser.
    assertOpen(this.#committed, 'revokeOthers()');
    const outcome = await this.load();
    if (!outcome.valid || outcome.session.userId === null)
      throw new SessionRequiredError('revokeOthers: no signed-in session');
    if (!this.engine.revocation)
      throw new ConfigError(
        'revokeOthers on sealed sessions needs the notBefore option (a store for the per-user not-before time)',
      );
    await this.engine.revocation.setNotBefore(outcome.session.userId);
    await this.regenerate();
    return -1;
  }

  /**
   * Start an anonymous session (a cart, a preference) without a user; an existing valid session is returned as is.
   *
   * @example
   * const session = await rs.start({ theme: 'dark' });
   * session.set('cart', [sku]);
   * return rs.commit(new Response('added'));
   */
  async start(data: Partial<Data> = {}): Promise<Session<Data>> {
    assertOpen(this.#committed, 'start()');
    const outcome = await this.load();
    if (outcome.valid) return outcome.session;
    return this.#begin(null, data as Data, null, null, 'login', undefined);
  }

  #begin(
    uid: string | null,
    data: Data,
    authTime: number | null,
    previous: Session<Data> | null,
    cause: 'login' | 'privilege-change',
    af: StoredFactors | undefined,
  ): Session<Data> {
    const { engine } = this;
    const now = engine.clock.now();
    const fresh = freshRecord(engine.policy, { uid, data, authTime, device: {} }, now);
    const record = af ? { ...fresh, af } : fresh;
    const session = new Session<Data>(newSecret(engine.random), record);
    this.#session = session;
    this.#loading = Promise.resolve({ valid: true, session });
    this.#write = true;
    this.#touch = false;
    this.#clear = false;
    emit(
      engine.onEvent,
      previous
        ? {
            type: 'regenerated',
            at: now,
            handle: session.handle,
            previous: previous.handle,
            userId: uid,
            cause,
          }
        : { type: 'created', at: now, handle: session.handle, userId: uid },
    );
    return session;
  }

  /**
   * Clear the cookie (every chunk) and mark the response `no-store`. With
   * `everywhere` and a not-before store, also refuse every sealed session and
   * token of the user issued before now (ASVS V7.4.1); without one, a copied
   * cookie stays valid until its deadline.
   *
   * @example
   * const rs = sessions.forRequest(request);
   * await rs.logout();
   * return rs.commit(Response.redirect(new URL('/', request.url), 303));
   */
  async logout(options: { everywhere?: boolean } = {}): Promise<void> {
    assertOpen(this.#committed, 'logout()');
    const outcome = await this.load();
    const { engine } = this;
    this.#clear = true;
    this.#write = false;
    this.#session = null;
    this.#loading = Promise.resolve({ valid: false, reason: 'missing' });
    if (!outcome.valid) return;
    const { handle, userId } = outcome.session;
    if (options.everywhere) {
      if (!engine.revocation)
        throw new ConfigError(
          'logout({ everywhere: true }) on sealed sessions needs the notBefore option (a store for the per-user not-before time)',
        );
      if (userId !== null) await engine.revocation.setNotBefore(userId);
    }
    emit(engine.onEvent, { type: 'logout', at: engine.clock.now(), handle, userId });
  }

  /**
   * Reseal if anything changed (login, data, touch interval, old key) and return the Set-Cookie lines and headers to add.
   * For frameworks that write headers themselves; `commit` does this on a `Response`.
   *
   * @example
   * const { setCookie, headers } = await rs.flush();
   * for (const line of setCookie) res.append('set-cookie', line);
   * for (const [name, value] of headers) res.setHeader(name, value);
   */
  async flush(): Promise<{ setCookie: string[]; headers: Array<[string, string]> }> {
    const { engine } = this;
    const now = engine.clock.now();
    const setCookie: string[] = [];
    const headers: Array<[string, string]> = [];
    const session = this.#session;
    if (this.#clear) {
      setCookie.push(...clearChunked(engine.cookie.name, engine.cookie.attributes, this.#read()));
      headers.push(['cache-control', 'no-store']);
    } else if (session && (this.#write || this.#touch || session.dirty)) {
      const record = this.#touch ? touched(engine.policy, session.record, now) : session.record;
      const value = await engine.seal({ sid: session.handle, r: record });
      const attributes: CookieAttributes = { ...engine.cookie.attributes };
      if (engine.cookie.persistent) {
        const maxAge = clampMaxAge(Math.ceil((record.absoluteDeadline - now) / 1000));
        Object.assign(attributes, { maxAge, expires: new Date(now + maxAge * 1000) });
      }
      setCookie.push(
        ...writeChunked(engine.cookie.name, value, attributes, now, this.#read(), engine),
      );
      if (this.#touch)
        emit(engine.onEvent, {
          type: 'touched',
          at: now,
          handle: session.handle,
          userId: record.uid,
        });
      session.record = record;
      // A shared cache must never store one visitor's session cookie for the next.
      headers.push(['cache-control', 'no-store']);
    }
    this.#write = false;
    this.#touch = false;
    this.#clear = false;
    session?.patch.clear();
    return { setCookie, headers };
  }

  /**
   * Flush and add the result to `response`, on a copy with mutable headers.
   * After commit the request's session is closed: `login()`, `set()` and the
   * like throw `SessionCommittedError`.
   *
   * @example
   * const rs = sessions.forRequest(request);
   * const outcome = await rs.load();
   * return rs.commit(Response.json({ signedIn: outcome.valid }));
   */
  async commit(response: Response): Promise<Response> {
    const added = await this.flush();
    this.#committed = true;
    this.#session?.close();
    return withSessionHeaders(response, added);
  }
}

/** A sealed-session configuration. */
export interface SealedSessions<
  Data extends SessionData = SessionData,
> extends SessionEngine<Data> {
  /** The cookie's name on the wire (chunks are `name.0`, `name.1`, …). */
  readonly cookieName: string;
  forRequest(request: Request, facts?: DeviceFacts): SealedRequestSession<Data>;
  /** Log a user out everywhere (needs `notBefore`): sessions issued before now are refused. Returns the not-before time. */
  setNotBefore(userId: string): Promise<number>;
}

function isPolicy(p: SessionPolicy | PolicyOptions): p is SessionPolicy {
  return typeof (p as SessionPolicy).touchInterval === 'number' && 'renewGrace' in p;
}

/**
 * Create sealed (store-less) cookie sessions.
 *
 * Do not put secrets or large values in session data: the cookie is
 * encrypted, but it is sent with every request, it can be replayed until its
 * deadline unless `notBefore` is configured, and past 4 KB it must be split
 * or is refused.
 *
 * @throws ConfigError for an empty secret list, RangeError for a secret under 32 bytes, PolicyError / CookieError for bad policy or cookie options.
 * @example
 * const sessions = createSealedSessions({
 *   policy: presets.productivity,
 *   secrets: [env.SESSION_SECRET, env.PREVIOUS_SESSION_SECRET],
 *   chunking: 'refuse',
 * });
 * const rs = sessions.forRequest(request);
 * if (!(await rs.load()).valid) await rs.login('ada');
 * return rs.commit(new Response('ok'));
 */
export function createSealedSessions<Data extends SessionData = SessionData>(
  options: SealedSessionsOptions,
): SealedSessions<Data> {
  checkSealedOptions(options);
  if (!options || typeof options !== 'object')
    throw new TypeError('createSealedSessions: expected an options object');
  const policy = isPolicy(options.policy) ? options.policy : definePolicy(options.policy);
  const keys = sealingKeys(options.secrets);
  const engine = new SealedEngine<Data>(
    policy,
    keys,
    options.clock ?? systemClock,
    options.random ?? cryptoRandom,
    options.onEvent,
    options,
  );
  return {
    policy,
    clock: engine.clock,
    cookieName: engine.cookie.name,
    forRequest: (request, facts) =>
      new SealedRequestSession<Data>(engine, requireRequest(request, 'forRequest'), facts),
    requireFreshAuth: (session, check) =>
      judgeFreshAuth(session, check, { policy, now: engine.clock.now() }),
    setNotBefore: async (userId) => {
      if (!engine.revocation)
        throw new ConfigError(
          'setNotBefore on sealed sessions needs the notBefore option (a store for the per-user not-before time)',
        );
      return engine.revocation.setNotBefore(userId);
    },
  };
}
