/**
 * One request's server-side session: per-request state only. Nothing is read
 * until `load()`; login, regeneration and logout write at once (so a limit or
 * a store failure reaches the handler); touches, renewals and data changes are
 * written at commit. Every store write goes through the session ledger.
 */

import type { BindingHooks, IssueCause } from './binding.js';
import { assertOpen, withSessionHeaders } from './commit.js';
import { factorOptions, recordFactor } from './auth-factors.js';
import type {
  LoginOptions,
  ReauthenticateOptions,
  RequestSession,
  SessionHeaders,
} from './contract.js';
import type { ResolvedCookie } from './cookie/session-cookie.js';
import { decide } from './decide.js';
import { SessionRequiredError } from './errors.js';
import { emit, type EventSink } from './events.js';
import type { Entry, NewSession, SessionLedger } from './ledger.js';
import type { LoadOutcome } from './outcome.js';
import type { SessionPolicy } from './policy.js';
import { hashSecret, isSecretShaped } from './random.js';
import { clientAddress, deviceFactsOf, type DeviceFacts } from './record.js';
import {
  assertRememberMeAllowed,
  type DeviceCookie,
  type RememberMe,
} from './remember-me/remember-me.js';
import { Session, type SessionData } from './session.js';

/** @internal What every request session of one engine shares. */
export interface ServerSessionParts<Data extends SessionData> {
  readonly policy: SessionPolicy;
  readonly ledger: SessionLedger<Data>;
  readonly cookie: ResolvedCookie;
  readonly rememberMe: RememberMe<Data> | undefined;
  readonly clearSiteData: string | undefined;
  readonly sink: EventSink | undefined;
  /** End every session of a user but `except`, remembered logins first (log out everywhere). */
  revokeUser(userId: string, except?: string): Promise<number>;
  /** Device binding (DBSC), when the engine has one. */
  readonly binding?: BindingHooks | undefined;
  /** The DBSC refresh endpoint's session: it reads a bound session's long-lived cookie. */
  readonly atRefresh?: boolean;
}

/** A store whose clock runs a little behind the engine's (a TTL counted from when it got the write) is not stale. */
const STALE_SLACK_MS = 60_000;

type CookieAction =
  | { kind: 'set'; id: string; absoluteDeadline: number; cause?: IssueCause }
  | { kind: 'clear' }
  | null;
type Cause = 'login' | 'privilege-change' | 'reauthentication';

/**
 * The server-side {@link RequestSession}: what `createLatchkey(...).forRequest()` returns.
 *
 * @example
 * const rs = latchkey.forRequest(request);
 * const outcome = await rs.load();
 * if (!outcome.valid) await rs.login(user.id);
 * return rs.commit(new Response('ok'));
 */
export class ServerRequestSession<
  Data extends SessionData = SessionData,
> implements RequestSession<Data> {
  #loading: Promise<LoadOutcome<Data>> | undefined;
  #session: Session<Data> | null = null;
  /** The bytes the session was read or written as, for compare-and-set. */
  #raw = '';
  #renew = false;
  #touch = false;
  #cookie: CookieAction = null;
  #loggedOut = false;
  #deviceCookie: DeviceCookie = null;
  #committed = false;

  /** @internal */
  constructor(
    private readonly parts: ServerSessionParts<Data>,
    readonly request: Request,
    private readonly deviceFacts: DeviceFacts = {},
  ) {}

  /** Load the session once; later calls share the result. Rejects with `StoreError` when the store fails (fail closed). */
  load(): Promise<LoadOutcome<Data>> {
    // Without remember-me there is nothing to recall: no extra promise hop on every read.
    // At the DBSC refresh endpoint a remembered login is resumed only beside a proof (dbsc/refresh.ts).
    this.#loading ??=
      this.parts.rememberMe && !this.parts.atRefresh
        ? this.#load().then((outcome) => this.#recall(outcome))
        : this.#load();
    return this.#loading;
  }

  /** The loaded session, or `null` (before load, or when there is none). */
  get current(): Session<Data> | null {
    return this.#session;
  }

  #adopt(entry: Entry<Data>): Session<Data> {
    this.#raw = entry.raw;
    this.#session = new Session(entry.handle, entry.record);
    return this.#session;
  }

  async #load(): Promise<LoadOutcome<Data>> {
    const { ledger, sink } = this.parts;
    const id = this.parts.cookie.read(this.request.headers.get('cookie'));
    // No session cookie: a bound session (DBSC) comes with its short-lived bound cookie instead.
    const bound =
      id === undefined ? await this.parts.binding?.boundHandle(this.request) : undefined;
    if (id === undefined && bound === undefined) return { valid: false, reason: 'missing' };
    if (id !== undefined && !isSecretShaped(id))
      return this.#failed('malformed', undefined, ledger.now());
    const handle = bound ?? hashSecret(id!);
    const found = await ledger.resolve(handle, false);
    const now = ledger.now();
    if (found.kind === 'none') return this.#failed('unknown', handle, now);
    if (found.kind === 'revoked') {
      // A logged-out ID is simply unknown; a revoked one is told so (a tab of a revoked session, too).
      if (found.logout) return this.#failed('unknown', handle, now);
      if (found.handle === handle) emit(sink, { type: 'revoked-used', at: now, handle });
      return { valid: false, reason: 'revoked', at: found.at };
    }
    const { record } = found;
    const decision = decide(this.parts.policy, record, now);
    if (decision.kind === 'expired') {
      const reason = decision.expiry.kind;
      if (found.handle === handle) {
        emit(sink, { type: 'expired', at: now, handle, userId: record.uid, reason });
        // The TTL the engine gave the store ran out: a store that keeps records past it never expires them.
        const ttlEnd =
          Math.min(record.idleDeadline, record.absoluteDeadline) + this.parts.policy.expiryNotice;
        if (now >= ttlEnd + STALE_SLACK_MS)
          emit(sink, { type: 'stale-record', at: now, handle, userId: record.uid, reason, ttlEnd });
      }
      return { valid: false, reason: `expired-${reason}`, at: decision.expiry.at };
    }
    // A bound session's long-lived cookie counts only at the refresh endpoint, with a proof there.
    if (record.dbsc && bound === undefined && !this.parts.atRefresh) {
      this.parts.binding?.refusedLongLived(found.handle, record, now);
      return { valid: false, reason: 'unknown' };
    }
    // A request that followed a renewal alias rides on the successor: no touch, no second renewal.
    // A bound cookie's request renews nothing: the ID is renewed where its cookie goes, at refresh.
    if (found.handle === handle) {
      this.#touch = decision.touch;
      this.#renew = decision.renew && bound === undefined;
    }
    return { valid: true, session: this.#adopt(found) };
  }

  /** A cookie that names no session: said in a `validation-failed` event, with the client for burst detection. */
  #failed(
    reason: 'malformed' | 'unknown',
    handle: string | undefined,
    at: number,
  ): LoadOutcome<Data> {
    const client = clientAddress(this.deviceFacts);
    emit(this.parts.sink, {
      type: 'validation-failed',
      at,
      reason,
      ...(handle === undefined ? {} : { handle }),
      ...(client === undefined ? {} : { client }),
    });
    return { valid: false, reason };
  }

  /** No live session: sign the user back in from a remembered login, if the request carries one. */
  async #recall(outcome: LoadOutcome<Data>): Promise<LoadOutcome<Data>> {
    const { rememberMe } = this.parts;
    if (outcome.valid || !rememberMe) return outcome;
    const recall = await rememberMe.recall(this.request, this.#device());
    if (recall.kind !== 'recalled') {
      if (recall.kind === 'refused') this.#deviceCookie = recall.cookie;
      return outcome;
    }
    const session = this.#adopt(recall.entry);
    this.#cookie = {
      kind: 'set',
      id: recall.id,
      absoluteDeadline: recall.entry.record.absoluteDeadline,
      cause: 'remember-me',
    };
    this.#deviceCookie = recall.cookie;
    return { valid: true, session, via: 'remember-me' };
  }

  /**
   * Sign a user in. A new session ID is issued every time (ASVS V7.2.4;
   * session-fixation defence): any previous ID is dead at once. The previous
   * session's data carries over unless `clean` is set or the user changes.
   * Rejects with `SessionLimitError` when the per-user limit says refuse.
   */
  async login(userId: string, options: LoginOptions<Data> = {}): Promise<Session<Data>> {
    assertOpen(this.#committed, 'login()');
    if (typeof userId !== 'string' || userId === '')
      throw new TypeError('login: userId must be a non-empty string');
    const { policy, ledger, rememberMe } = this.parts;
    if (options.rememberMe) assertRememberMeAllowed(policy);
    const outcome = await this.load();
    const previous = outcome.valid ? outcome.session : null;
    const carry =
      previous && !options.clean && (previous.userId === null || previous.userId === userId);
    const data = { ...(carry ? previous.data : {}), ...options.data } as Data;
    const authTime = ledger.now();
    const { method, userVerified } = factorOptions(options, 'login');
    const af = recordFactor(undefined, method, authTime, userVerified);
    const device = this.#device(options.device);
    const session = await ledger.admit(userId, previous?.handle, async () => {
      // A login replaces whatever login this browser had remembered; with rememberMe it remembers it afresh.
      const forgotten = rememberMe
        ? await rememberMe.forget(this.request, previous?.record.rm, 'login')
        : null;
      const remembered =
        options.rememberMe && rememberMe ? await rememberMe.issue(userId, authTime, device) : null;
      this.#deviceCookie = remembered ? remembered.cookie : forgotten;
      const init = { uid: userId, data, authTime, device, rm: remembered?.handle, af };
      return this.#issue(init, previous, 'login');
    });
    return session;
  }

  /**
   * Issue a new ID for the current session on a privilege change (role,
   * permissions, password change). The old ID is dead at once; the data
   * carries over unless `clean` is set.
   */
  async regenerate(options: { clean?: boolean } = {}): Promise<Session<Data>> {
    assertOpen(this.#committed, 'regenerate()');
    const outcome = await this.load();
    if (!outcome.valid)
      throw new SessionRequiredError('regenerate: there is no valid session to regenerate');
    const previous = outcome.session;
    const data = (options.clean ? {} : previous.data) as Data;
    const { record } = previous;
    const init = {
      uid: previous.userId,
      data,
      authTime: previous.authTime,
      device: record.device,
      rm: record.rm,
      af: record.af,
      dbsc: record.dbsc,
    };
    return this.#issue(init, previous, 'privilege-change');
  }

  /**
   * After a successful re-authentication (password, passkey) for step-up:
   * the factor's time and the auth time become now, under a new ID (ASVS
   * V7.2.4), keeping the data, the lifetime, the other factors and the
   * remembered login. Never creates a session: without a signed-in one it
   * throws `SessionRequiredError`.
   *
   * @example
   * if (!latchkey.requireFreshAuth(rs.current).fresh && (await checkPassword(user, form.password))) await rs.reauthenticate({ method: 'password' });
   */
  async reauthenticate(options: ReauthenticateOptions = {}): Promise<Session<Data>> {
    assertOpen(this.#committed, 'reauthenticate()');
    const now = this.parts.ledger.now();
    const { method, userVerified } = factorOptions(options, 'reauthenticate');
    const outcome = await this.load();
    if (!outcome.valid || outcome.session.userId === null)
      throw new SessionRequiredError('reauthenticate: no signed-in session');
    const previous = outcome.session;
    const { record } = previous;
    const init = {
      uid: previous.userId,
      data: previous.data as Data,
      authTime: now,
      device: record.device,
      rm: record.rm,
      af: recordFactor(record.af, method, now, userVerified),
      dbsc: record.dbsc,
    };
    return this.#issue(init, previous, 'reauthentication');
  }

  /** Start an anonymous session (a cart, a preference) without a user. */
  async start(data: Partial<Data> = {}): Promise<Session<Data>> {
    assertOpen(this.#committed, 'start()');
    const outcome = await this.load();
    if (outcome.valid) return outcome.session;
    return this.#issue(
      { uid: null, data: data as Data, authTime: null, device: this.#device() },
      null,
      'login',
    );
  }

  async #issue(
    init: NewSession<Data>,
    previous: Session<Data> | null,
    cause: Cause,
  ): Promise<Session<Data>> {
    const { ledger, sink } = this.parts;
    const now = ledger.now();
    const lifetime =
      previous && cause !== 'login'
        ? { createdAt: previous.createdAt, absoluteDeadline: previous.absoluteExpiresAt }
        : undefined;
    const created = await ledger.create({ ...init, lifetime }, now);
    let entry = created.entry;
    if (previous) {
      const before = { handle: previous.handle, raw: this.#raw, record: previous.record };
      // A login ends the previous session outright; a regeneration moves it, so parallel requests
      // neither fork it nor lose their writes.
      if (cause === 'login') await ledger.end(before, 'logout');
      else entry = await ledger.move(before, previous.patch, entry, init.data === previous.data);
      emit(sink, {
        type: 'regenerated',
        at: now,
        handle: entry.handle,
        previous: previous.handle,
        userId: entry.record.uid,
        cause,
      });
    } else {
      emit(sink, { type: 'created', at: now, handle: entry.handle, userId: entry.record.uid });
    }
    const session = this.#adopt(entry);
    this.#loading = Promise.resolve({ valid: true, session });
    this.#touch = false;
    this.#renew = false;
    this.#loggedOut = false;
    this.#cookie = {
      kind: 'set',
      id: created.id,
      absoluteDeadline: entry.record.absoluteDeadline,
      cause,
    };
    return session;
  }

  /**
   * End the session: the server-side record is ended (clearing the cookie
   * alone is not logout), the cookie is cleared, the remembered login is
   * forgotten, and the response is marked `Cache-Control: no-store`.
   */
  async logout(): Promise<void> {
    assertOpen(this.#committed, 'logout()');
    const outcome = await this.load();
    const { ledger, rememberMe, sink } = this.parts;
    this.#loggedOut = true;
    this.#cookie = { kind: 'clear' };
    this.#session = null;
    this.#loading = Promise.resolve({ valid: false, reason: 'missing' });
    if (rememberMe)
      this.#deviceCookie = await rememberMe.forget(
        this.request,
        outcome.valid ? outcome.session.record.rm : undefined,
        'logout',
      );
    if (!outcome.valid) return;
    const { handle, userId, record } = outcome.session;
    // Compare-and-set against what this request loaded, so a parallel renewal cannot keep the session alive.
    await ledger.end({ handle, raw: this.#raw, record }, 'logout');
    emit(sink, { type: 'logout', at: ledger.now(), handle, userId });
  }

  /** End every other session of this user (ASVS V7.4.3, after a credential change). Returns how many ended. */
  async revokeOthers(): Promise<number> {
    const outcome = await this.load();
    if (!outcome.valid || outcome.session.userId === null)
      throw new SessionRequiredError('revokeOthers: no signed-in session');
    return this.parts.revokeUser(outcome.session.userId, outcome.session.handle);
  }

  #device(extra?: DeviceFacts): DeviceFacts {
    return deviceFactsOf(this.request, { ...this.deviceFacts, ...extra });
  }

  /**
   * Write what the request changed (touch, renewal, data) and return the
   * Set-Cookie values and headers to add. Adapters call this; most code
   * calls {@link commit}.
   */
  async flush(): Promise<SessionHeaders> {
    const { ledger, cookie, rememberMe, clearSiteData } = this.parts;
    const session = this.#session;
    // What this flush writes; a change made while it runs (a streamed response) waits for the next one.
    const written = new Map(session?.patch);
    if (session && !this.#loggedOut && this.#due(session)) await this.#write(session);
    const setCookie: string[] = [];
    const headers: Array<[string, string]> = [];
    const now = ledger.now();
    const action = this.#cookie;
    const device = this.#deviceCookie;
    const binding = this.parts.binding;
    if (action?.kind === 'set') {
      const bound =
        binding && session
          ? await binding.issued({
              request: this.request,
              id: action.id,
              handle: session.handle,
              record: session.record,
              cause: action.cause ?? 'renewal',
              now,
            })
          : null;
      const maxAge = Math.ceil((action.absoluteDeadline - now) / 1000);
      if (!bound?.replacesSessionCookie) setCookie.push(cookie.serialize(action.id, maxAge, now));
      if (bound) {
        setCookie.push(...bound.setCookie);
        headers.push(...bound.headers);
      }
    } else if (action?.kind === 'clear') {
      setCookie.push(cookie.clear());
      if (binding) setCookie.push(...binding.cleared(this.request));
    }
    if (device && rememberMe) {
      const c = rememberMe.cookie;
      const maxAge = device.kind === 'set' ? Math.ceil((device.expiresAt - now) / 1000) : 0;
      setCookie.push(device.kind === 'set' ? c.serialize(device.value, maxAge, now) : c.clear());
    }
    // A shared cache must never store one user's new session ID and hand it to the next visitor.
    if (action?.kind === 'set' || device?.kind === 'set' || this.#loggedOut)
      headers.push(['cache-control', 'no-store']);
    if (this.#loggedOut && clearSiteData) headers.push(['clear-site-data', clearSiteData]);
    this.#cookie = null;
    this.#deviceCookie = null;
    this.#touch = false;
    this.#renew = false;
    for (const [key, value] of written)
      if (session && session.patch.get(key) === value) session.patch.delete(key);
    return { setCookie, headers };
  }

  /** Persist touch, renewal and data changes; a session issued in this request is neither renewed nor touched. */
  #due(session: Session<Data>): boolean {
    const issued = this.#cookie !== null;
    return session.dirty || (!issued && (this.#touch || this.#renew));
  }

  async #write(session: Session<Data>): Promise<void> {
    const { ledger, sink } = this.parts;
    const issued = this.#cookie !== null;
    const entry = { handle: session.handle, raw: this.#raw, record: session.record };
    if (this.#renew && !issued) {
      const result = await ledger.renew(entry, session.patch);
      if (result.renewed) {
        this.#cookie = {
          kind: 'set',
          id: result.id,
          absoluteDeadline: result.entry.record.absoluteDeadline,
        };
      }
      if (result.entry) this.#update(session, result.entry);
      return;
    }
    const saved = await ledger.save(entry, session.patch);
    if (!saved) return;
    this.#update(session, saved.entry);
    if (saved.written && this.#touch && !issued)
      emit(sink, {
        type: 'touched',
        at: ledger.now(),
        handle: saved.entry.handle,
        userId: saved.entry.record.uid,
      });
  }

  #update(session: Session<Data>, entry: Entry<Data>): void {
    session.handle = entry.handle;
    session.record = entry.record;
    this.#raw = entry.raw;
  }

  /**
   * Flush and add the result to `response`, on a copy with mutable headers.
   * An existing `Cache-Control` is kept, except after logout and on a response
   * that sets a session cookie, which always say `no-store`. After commit the
   * request's session is closed: `login()`, `set()` and the like throw `SessionCommittedError`.
   */
  async commit(response: Response): Promise<Response> {
    const added = await this.flush();
    this.#committed = true;
    this.#session?.close();
    return withSessionHeaders(response, added);
  }
}
