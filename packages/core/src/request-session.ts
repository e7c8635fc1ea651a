/**
 * One request's view of its session. Nothing happens until it is asked for:
 * a route that never loads the session costs nothing, and an anonymous
 * request gets no Set-Cookie. Login, regeneration and logout write at once
 * (so a limit or a store failure reaches the handler); activity touches, ID
 * renewal and data changes are written once, at commit.
 */

import type { LoginOptions, RequestSession, SessionHeaders } from './contract.js';
import type { Engine } from './engine.js';
import { SessionConflictError, SessionRequiredError } from './errors.js';
import { decide, freshRecord, storeTtl, touched } from './decide.js';
import { emit } from './events.js';
import type { LoadOutcome } from './outcome.js';
import { hashSecret, isSecretShaped, newSecret } from './random.js';
import { encodeRecord, type DeviceFacts, type SessionRecord } from './record.js';
import { applyPatch, Session, type SessionData } from './session.js';
import { assertRememberMeAllowed, type DeviceCookie } from './remember-me/remember-me.js';

type CookieAction =
  { kind: 'set'; id: string; absoluteDeadline: number } | { kind: 'clear' } | null;

/**
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
  /** The raw stored value the session was read from, for compare-and-set; `null` after a fresh write. */
  #raw: string | null = null;
  #renew = false;
  #touch = false;
  #cookie: CookieAction = null;
  #loggedOut = false;
  #deviceCookie: DeviceCookie = null;

  /** @internal */
  constructor(
    private readonly engine: Engine<Data>,
    readonly request: Request,
    private readonly deviceFacts: DeviceFacts = {},
  ) {}

  /** Load the session once; later calls share the result. Rejects with `StoreError` when the store fails (fail closed). */
  load(): Promise<LoadOutcome<Data>> {
    this.#loading ??= this.#load().then((outcome) => this.#recall(outcome));
    return this.#loading;
  }

  /** The loaded session, or `null` (before load, or when there is none). */
  get current(): Session<Data> | null {
    return this.#session;
  }
  /** @deprecated Use `current`. */
  get session(): Session<Data> | null {
    return this.#session;
  }

  /** No live session: sign the user back in from a remembered device, if the request carries one (remember-me/). */
  async #recall(outcome: LoadOutcome<Data>): Promise<LoadOutcome<Data>> {
    const rememberMe = this.engine.rememberMe;
    if (outcome.valid || !rememberMe) return outcome;
    const recall = await rememberMe.recall(this.request, this.#device());
    if (recall.kind !== 'recalled') {
      if (recall.kind === 'refused') this.#deviceCookie = recall.cookie;
      return outcome;
    }
    this.#session = new Session(recall.handle, recall.record);
    this.#raw = recall.raw;
    this.#cookie = { kind: 'set', id: recall.id, absoluteDeadline: recall.record.absoluteDeadline };
    this.#deviceCookie = recall.cookie;
    return { valid: true, session: this.#session, via: 'remember-me' };
  }

  async #load(): Promise<LoadOutcome<Data>> {
    const { engine } = this;
    const id = engine.cookie.read(this.request.headers.get('cookie'));
    if (id === undefined) return { valid: false, reason: 'missing' };
    if (!isSecretShaped(id)) return { valid: false, reason: 'malformed' };
    let handle = hashSecret(id);
    let read = await engine.records.read(handle);
    const now = engine.clock.now();
    if (read?.record.t === 'alias') {
      // A renewal moved this session a moment ago; requests already in flight follow it during the grace window.
      if (now >= read.record.until) return { valid: false, reason: 'unknown' };
      handle = read.record.to;
      read = await engine.records.read(handle);
      // A tab still holding the pre-renewal cookie of a revoked session is told `revoked`, as the renewed tab is.
      if (read?.record.t === 'revoked')
        return { valid: false, reason: 'revoked', at: read.record.at };
      if (read?.record.t !== 'session') return { valid: false, reason: 'unknown' };
      const decision = decide(engine.policy, read.record, now);
      if (decision.kind === 'expired')
        return { valid: false, reason: `expired-${decision.expiry.kind}`, at: decision.expiry.at };
      this.#raw = read.raw;
      this.#session = new Session(handle, read.record);
      return { valid: true, session: this.#session };
    }
    if (!read) return { valid: false, reason: 'unknown' };
    const { record } = read;
    if (record.t === 'revoked') {
      emit(engine.onEvent, { type: 'revoked-used', at: now, handle });
      return { valid: false, reason: 'revoked', at: record.at };
    }
    const decision = decide(engine.policy, record, now);
    if (decision.kind === 'expired') {
      emit(engine.onEvent, {
        type: 'expired',
        at: now,
        handle,
        userId: record.uid,
        reason: decision.expiry.kind,
      });
      return { valid: false, reason: `expired-${decision.expiry.kind}`, at: decision.expiry.at };
    }
    this.#raw = read.raw;
    this.#touch = decision.touch;
    this.#renew = decision.renew;
    this.#session = new Session(handle, record);
    return { valid: true, session: this.#session };
  }

  /**
   * Sign a user in. A new session ID is issued every time (ASVS V7.2.4;
   * session-fixation defence): any previous ID is dead at once. The previous
   * session's data carries over unless `clean` is set or the user changes.
   * Rejects with `SessionLimitError` when the per-user limit says refuse.
   */
  async login(userId: string, options: LoginOptions<Data> = {}): Promise<Session<Data>> {
    if (typeof userId !== 'string' || userId === '')
      throw new TypeError('login: userId must be a non-empty string');
    if (options.rememberMe) assertRememberMeAllowed(this.engine.policy);
    const outcome = await this.load();
    const previous = outcome.valid ? outcome.session : null;
    const carry =
      previous && !options.clean && (previous.userId === null || previous.userId === userId);
    await this.engine.enforceLimit(userId, previous?.handle);
    const data = { ...(carry ? previous.data : {}), ...options.data } as Data;
    const authTime = this.engine.clock.now();
    const device = this.#device(options.device);
    // A login replaces whatever device this browser had remembered; with rememberMe it remembers it afresh.
    const rememberMe = this.engine.rememberMe;
    const forgotten = rememberMe
      ? await rememberMe.forget(this.request, previous?.record.rm, 'login')
      : null;
    const remembered =
      options.rememberMe && rememberMe ? await rememberMe.issue(userId, authTime, device) : null;
    const session = await this.#issue(
      { uid: userId, data, authTime, device, ...(remembered ? { rm: remembered.handle } : {}) },
      previous,
      'login',
    );
    this.#deviceCookie = remembered ? remembered.cookie : forgotten;
    return session;
  }

  /**
   * Issue a new ID for the current session on a privilege change (role,
   * permissions, password change). The old ID is dead at once; the data
   * carries over unless `clean` is set.
   */
  async regenerate(options: { clean?: boolean } = {}): Promise<Session<Data>> {
    const outcome = await this.load();
    if (!outcome.valid)
      throw new SessionRequiredError('regenerate: there is no valid session to regenerate');
    const previous = outcome.session;
    const data = (options.clean ? {} : previous.data) as Data;
    return this.#issue(
      {
        uid: previous.userId,
        data,
        authTime: previous.authTime,
        device: previous.record.device,
        rm: previous.record.rm,
      },
      previous,
      'privilege-change',
    );
  }

  /**
   * After a successful re-authentication (password, passkey) for step-up:
   * the auth time becomes now without a new login. The session gets a new
   * ID (ASVS V7.2.4: a new token on re-authentication, the old one dead at
   * once) and keeps its data, its lifetime and its remembered device.
   *
   * @example
   * if (!latchkey.requireFreshAuth(rs.session).fresh && (await checkPassword(user, form.password))) await rs.reauthenticate();
   */
  async reauthenticate(): Promise<Session<Data>> {
    const outcome = await this.load();
    if (!outcome.valid || outcome.session.userId === null)
      throw new SessionRequiredError('reauthenticate: no signed-in session');
    const previous = outcome.session;
    const init = {
      uid: previous.userId,
      data: previous.data as Data,
      authTime: this.engine.clock.now(),
      device: previous.record.device,
      rm: previous.record.rm,
    };
    return this.#issue(init, previous, 'reauthentication');
  }

  /** Start an anonymous session (a cart, a preference) without a user. */
  async start(data: Partial<Data> = {}): Promise<Session<Data>> {
    const outcome = await this.load();
    if (outcome.valid) return outcome.session;
    return this.#issue(
      { uid: null, data: data as Data, authTime: null, device: this.#device() },
      null,
      'login',
    );
  }

  async #issue(
    init: {
      uid: string | null;
      data: Data;
      authTime: number | null;
      device: DeviceFacts;
      rm?: string | undefined;
    },
    previous: Session<Data> | null,
    cause: 'login' | 'privilege-change' | 'reauthentication',
  ): Promise<Session<Data>> {
    const { engine } = this;
    const now = engine.clock.now();
    const id = newSecret(engine.random);
    const handle = hashSecret(id);
    const { rm, ...fresh } = init;
    const base: SessionRecord<Data> = {
      ...freshRecord(engine.policy, fresh, now),
      ...(rm ? { rm } : {}),
    };
    // Regeneration keeps the session's lifetime: a privilege change or a re-authentication is not a new login.
    let record: SessionRecord<Data> =
      previous && cause !== 'login'
        ? {
            ...base,
            createdAt: previous.createdAt,
            absoluteDeadline: previous.absoluteExpiresAt,
            idleDeadline: Math.min(base.idleDeadline, previous.absoluteExpiresAt),
          }
        : base;
    await engine.records.write(handle, record, storeTtl(engine.policy, record, now));
    if (record.uid !== null)
      await engine.records.indexAdd(record.uid, handle, record.absoluteDeadline - now);
    if (previous) {
      // A login ends the previous session outright (following it if a parallel request renewed it);
      // a regeneration moves it, so that parallel requests neither fork it nor lose their writes.
      if (cause === 'login')
        await engine.end(previous.handle, this.#raw, previous.record, 'delete', now);
      else record = await this.#move(previous, handle, record, init.data === previous.data, now);
      if (previous.userId !== null)
        await engine.records.indexRemove(previous.userId, previous.handle);
      emit(engine.onEvent, {
        type: 'regenerated',
        at: now,
        handle,
        previous: previous.handle,
        userId: record.uid,
        cause,
      });
    } else {
      emit(engine.onEvent, { type: 'created', at: now, handle, userId: record.uid });
    }
    const session = new Session(handle, record);
    this.#session = session;
    this.#loading = Promise.resolve({ valid: true, session });
    this.#raw = encodeRecord(record);
    this.#touch = false;
    this.#renew = false;
    this.#loggedOut = false;
    this.#cookie = { kind: 'set', id, absoluteDeadline: record.absoluteDeadline };
    return session;
  }

  /**
   * Point the previous ID at its regenerated successor, by compare-and-set against the version
   * this request read. The pointer is an alias that has already expired, so the old ID is dead at
   * once for loading (session fixation), while a request in flight on it still finds the session
   * to write its change to, and a racing logout still finds the session to end. A parallel write
   * that got in first is carried over; a parallel logout, revocation, renewal or regeneration that
   * got in first wins, and this regeneration is undone and fails with `SessionConflictError`.
   */
  async #move(
    previous: Session<Data>,
    handle: string,
    record: SessionRecord<Data>,
    carried: boolean,
    now: number,
  ): Promise<SessionRecord<Data>> {
    const { engine } = this;
    let raw = this.#raw;
    for (let attempt = 0; attempt < 8; attempt++) {
      const forward = { t: 'alias' as const, to: handle, until: now };
      if (
        await engine.records.replace(
          previous.handle,
          raw,
          forward,
          Math.max(engine.policy.renewGrace, 1000),
        )
      )
        return record;
      const current = await engine.records.read(previous.handle);
      if (
        current?.record.t !== 'session' ||
        decide(engine.policy, current.record, now).kind !== 'valid'
      )
        break;
      raw = current.raw;
      if (carried) {
        record = { ...record, data: applyPatch(current.record.data, previous.patch) };
        await engine.records.write(handle, record, storeTtl(engine.policy, record, now));
      }
    }
    await engine.records.delete(handle);
    if (record.uid !== null) await engine.records.indexRemove(record.uid, handle);
    throw new SessionConflictError(
      'regenerate: a parallel request ended or moved this session first; load it again',
    );
  }

  /**
   * End the session: the server-side record is deleted (clearing the cookie
   * alone is not logout), the cookie is cleared, and the response is marked
   * `Cache-Control: no-store`.
   */
  async logout(): Promise<void> {
    const outcome = await this.load();
    this.#loggedOut = true;
    this.#cookie = { kind: 'clear' };
    this.#session = null;
    this.#loading = Promise.resolve({ valid: false, reason: 'missing' });
    const { engine } = this;
    // Logout forgets the remembered device too (server-side), and clears its cookie.
    if (engine.rememberMe)
      this.#deviceCookie = await engine.rememberMe.forget(
        this.request,
        outcome.valid ? outcome.session.record.rm : undefined,
        'logout',
      );
    if (!outcome.valid) return;
    const { handle, userId } = outcome.session;
    // Compare-and-set against what this request loaded, so a parallel renewal cannot keep the session alive.
    await engine.end(handle, this.#raw, outcome.session.record, 'delete', engine.clock.now());
    emit(engine.onEvent, { type: 'logout', at: engine.clock.now(), handle, userId });
  }

  /** End every other session of this user (ASVS V7.4.3, after a credential change). Returns how many ended. */
  async revokeOthers(): Promise<number> {
    const outcome = await this.load();
    if (!outcome.valid || outcome.session.userId === null)
      throw new SessionRequiredError('revokeOthers: no signed-in session');
    return this.engine.revokeUser(outcome.session.userId, { except: outcome.session.handle });
  }

  #device(extra?: DeviceFacts): DeviceFacts {
    const facts: DeviceFacts = {
      userAgent: this.request.headers.get('user-agent') ?? undefined,
      ...this.deviceFacts,
      ...extra,
    };
    // Device facts come from the client (a header, a forwarded address): stored for display only, and bounded.
    const out: DeviceFacts = {};
    if (typeof facts.userAgent === 'string' && facts.userAgent)
      out.userAgent = facts.userAgent.slice(0, 512);
    if (typeof facts.ip === 'string' && facts.ip) out.ip = facts.ip.trim().slice(0, 64);
    return out;
  }

  /**
   * Write what the request changed (touch, renewal, data) and return the
   * Set-Cookie values and headers to add. Adapters call this; most code
   * calls {@link commit}.
   */
  async flush(): Promise<SessionHeaders> {
    const { engine } = this;
    const session = this.#session;
    if (session && !this.#loggedOut) {
      // A session issued in this request (login, regenerate) is neither renewed nor touched, but a
      // `set` made after issuing it must still be written, or `(await rs.login(id)).set(k, v)` is lost.
      if (this.#cookie === null && this.#renew) await this.#renewId(session);
      else if (session.dirty || (this.#cookie === null && this.#touch)) await this.#save(session);
    }
    const setCookie: string[] = [];
    const headers: Array<[string, string]> = [];
    const now = engine.clock.now();
    if (this.#cookie?.kind === 'set') {
      setCookie.push(
        engine.cookie.serialize(
          this.#cookie.id,
          Math.ceil((this.#cookie.absoluteDeadline - now) / 1000),
          now,
        ),
      );
      headers.push(['cache-control', 'no-store']);
    } else if (this.#cookie?.kind === 'clear') {
      setCookie.push(engine.cookie.clear());
    }
    const device = this.#deviceCookie;
    if (device && engine.rememberMe) {
      const { cookie } = engine.rememberMe;
      setCookie.push(
        device.kind === 'set'
          ? cookie.serialize(device.value, Math.ceil((device.expiresAt - now) / 1000), now)
          : cookie.clear(),
      );
      if (device.kind === 'set' && !headers.some(([name]) => name === 'cache-control'))
        headers.push(['cache-control', 'no-store']);
    }
    this.#deviceCookie = null;
    if (this.#loggedOut) {
      headers.push(['cache-control', 'no-store']);
      if (engine.clearSiteData) headers.push(['clear-site-data', engine.clearSiteData]);
    }
    this.#cookie = null;
    this.#touch = false;
    this.#renew = false;
    session?.patch.clear();
    return { setCookie, headers };
  }

  /**
   * Flush and add the result to `response`. Returns a response whose headers
   * can be changed (a copy when the original's are immutable). An existing
   * `Cache-Control` is kept, except after logout and on a response that sets a
   * session cookie, which always say `no-store`: a shared cache must never
   * store one user's new session ID and hand it to the next visitor.
   */
  async commit(response: Response): Promise<Response> {
    const { setCookie, headers } = await this.flush();
    if (setCookie.length === 0 && headers.length === 0) return response;
    const out = new Response(response.body, response);
    for (const value of setCookie) out.headers.append('set-cookie', value);
    for (const [name, value] of headers) {
      if (
        name === 'cache-control' &&
        out.headers.has(name) &&
        !this.#loggedOut &&
        setCookie.length === 0
      )
        continue;
      out.headers.set(name, value);
    }
    return out;
  }

  /** Persist touch and data changes without resurrecting or overwriting a newer version. */
  async #save(session: Session<Data>): Promise<void> {
    const { engine } = this;
    // Every failed attempt means another request's write succeeded, so a handful of tabs settle well within this.
    for (let attempt = 0; attempt < 8; attempt++) {
      const now = engine.clock.now();
      const next: SessionRecord<Data> = {
        ...touched(engine.policy, session.record, now),
        v: session.record.v + 1,
      };
      if (
        await engine.records.replace(
          session.handle,
          this.#raw,
          next,
          storeTtl(engine.policy, next, now),
        )
      ) {
        this.#raw = encodeRecord(next);
        session.record = next;
        if (this.#touch)
          emit(engine.onEvent, {
            type: 'touched',
            at: now,
            handle: session.handle,
            userId: next.uid,
          });
        return;
      }
      // Someone wrote first. Re-read: a session that is gone stays gone; a newer one gets only our changes,
      // and a session a parallel request just renewed gets them under its new ID.
      let current = await engine.records.read(session.handle);
      // Follow a renewal (or a regeneration's forward) even past its grace: this request loaded the session legitimately.
      if (current?.record.t === 'alias') {
        session.handle = current.record.to;
        current = await engine.records.read(session.handle);
      }
      if (
        current?.record.t !== 'session' ||
        decide(engine.policy, current.record, now).kind !== 'valid'
      )
        return;
      if (!session.dirty) return; // a newer write already recorded activity at least as recent
      emit(engine.onEvent, {
        type: 'conflict',
        at: now,
        handle: session.handle,
        userId: current.record.uid,
      });
      this.#raw = current.raw;
      session.record = { ...current.record, data: applyPatch(current.record.data, session.patch) };
    }
    // Never drop a change silently (expressjs/session#935): say it was not saved.
    throw new SessionConflictError(
      `session data was not saved: parallel writes to the same session won the race 8 times in a row`,
    );
  }

  /** Renewal: a new ID for the same session; the old one follows it for `renewGrace`, then is dead. */
  async #renewId(session: Session<Data>): Promise<void> {
    const { engine } = this;
    const now = engine.clock.now();
    const id = newSecret(engine.random);
    const handle = hashSecret(id);
    const next: SessionRecord<Data> = {
      ...touched(engine.policy, session.record, now),
      v: session.record.v + 1,
      issuedAt: now,
    };
    await engine.records.write(handle, next, storeTtl(engine.policy, next, now));
    // Indexed before the move: a "log out everywhere" listing the user's sessions in between must find
    // either the old ID (still a session) or the new one, never an alias and an unlisted successor.
    if (next.uid !== null)
      await engine.records.indexAdd(next.uid, handle, next.absoluteDeadline - now);
    // Only one of several racing renewals may move the session; the losers undo their copy.
    const alias = { t: 'alias' as const, to: handle, until: now + engine.policy.renewGrace };
    const moved = await engine.records.replace(
      session.handle,
      this.#raw,
      alias,
      Math.max(engine.policy.renewGrace, 1000),
    );
    if (!moved) {
      await engine.records.delete(handle);
      if (next.uid !== null) await engine.records.indexRemove(next.uid, handle);
      if (session.dirty) await this.#save(session);
      return;
    }
    if (next.uid !== null) await engine.records.indexRemove(next.uid, session.handle);
    emit(engine.onEvent, {
      type: 'renewed',
      at: now,
      handle,
      previous: session.handle,
      userId: next.uid,
    });
    session.handle = handle;
    session.record = next;
    this.#raw = encodeRecord(next);
    this.#cookie = { kind: 'set', id, absoluteDeadline: next.absoluteDeadline };
  }
}
