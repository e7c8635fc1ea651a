/**
 * One request's link between the drop-in's `req.session` object and Latchkey's
 * `RequestSession`: at `save(cb)` and at the end of the response the object's
 * changes become `set`/`delete` calls key by key, and passport's
 * `passport.user` becomes Latchkey's `login()` / `logout()`.
 */

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestSession, SessionEngine, SessionHeaders } from '@latchkey/core';
import type { ResolvedCookie } from '@latchkey/core/cookie';
import { commitHeaders } from '../hold.js';
import type { DropInSettings } from './options.js';
import { dataOf, DropInSession, type SessionCookieView, type SessionHost } from './session.js';

type Callback = (error?: unknown) => void;
type Req = IncomingMessage & { session?: DropInSession; sessionID?: string };

const fingerprint = (data: Record<string, unknown>) =>
  new Map(Object.entries(data).map(([key, value]) => [key, JSON.stringify(value)]));

/**
 * @internal The per-request state behind a drop-in `req.session`.
 *
 * @example
 * const link = new SessionLink(engine, open, rs, settings, cookie, req, res, next);
 * holdUntilCommitted(res, link); // the response waits for link.flush()
 */
export class SessionLink implements SessionHost {
  /** Each key as last written to (or read from) the Latchkey session, as JSON, so nested changes show. */
  #written = new Map<string, string>();
  /** Latchkey's user ID for `passport.user` as last written. */
  #writtenUser: string | null = null;
  #touched = false;

  constructor(
    private readonly engine: SessionEngine,
    /** A new request session for this request (reload reads the store again). */
    private readonly reopen: () => RequestSession,
    private rs: RequestSession,
    private readonly settings: DropInSettings,
    private readonly sessionCookie: ResolvedCookie,
    private readonly req: Req,
    private readonly res: ServerResponse,
    private readonly next: (error: unknown) => void,
  ) {
    this.#adopt();
  }

  get request(): Request {
    return this.rs.request;
  }

  /** A new `req.session` from the loaded Latchkey session (an empty one when there is none). */
  #adopt(): void {
    const current = this.rs.current;
    const data: Record<string, unknown> = current ? structuredClone({ ...current.data }) : {};
    // A session signed in with Latchkey's own login() is signed in for passport too.
    const user = current?.userId ?? null;
    const passport = data.passport as { user?: unknown } | undefined;
    if (user !== null && passport?.user === undefined) data.passport = { ...passport, user };
    this.#written = fingerprint(data);
    this.#writtenUser = user;
    this.#attach(new DropInSession(this, data));
  }

  #attach(session: DropInSession | undefined): void {
    if (session) this.req.session = session;
    else delete this.req.session;
    Object.defineProperty(this.req, 'sessionID', {
      configurable: true,
      enumerable: true,
      get: () => this.id,
    });
  }

  #passportUser(data: Record<string, unknown>): string | null {
    const user = (data.passport as { user?: unknown } | undefined)?.user;
    return user === undefined ? null : this.settings.userId(user);
  }

  /** Carry the object's changes into the Latchkey session. */
  async #sync(): Promise<void> {
    const session = this.req.session;
    if (!(session instanceof DropInSession)) return; // destroyed: nothing left to write
    const data = dataOf(session);
    const user = this.#passportUser(data);
    let current = this.rs.current;
    if (user !== this.#writtenUser && user !== null) {
      // Passport signed someone in: Latchkey's login, a new ID (session fixation), the absolute cap from now.
      await this.rs.login(user, { clean: true, data });
    } else {
      if (user !== this.#writtenUser && current?.userId != null) {
        // passport.user deleted (req.logout): the signed-in session ends server-side, not just in the cookie.
        await this.rs.logout();
        current = null;
      }
      if (current) this.#writeChanges(data);
      else if (Object.keys(data).length > 0 || this.settings.saveUninitialized)
        await this.rs.start(data);
    }
    this.#written = fingerprint(data);
    this.#writtenUser = user;
  }

  #writeChanges(data: Record<string, unknown>): void {
    const current = this.rs.current!;
    for (const [key, value] of Object.entries(data))
      if (this.#written.get(key) !== JSON.stringify(value)) current.set(key, value);
    for (const key of this.#written.keys()) if (!(key in data)) current.delete(key);
  }

  /** What the hold calls before the first byte and before the last: sync, write, then the cookie. */
  async flush(): Promise<SessionHeaders> {
    await this.#sync();
    const { setCookie, headers } = await this.rs.flush();
    const now = this.engine.clock.now();
    const name = this.sessionCookie.name + '=';
    const lines = setCookie.map((line) => (line.startsWith(name) ? this.#capped(line, now) : line));
    const resend = this.settings.rolling || this.#touched;
    this.#touched = false;
    if (resend && !lines.some((line) => line.startsWith(name))) {
      const line = this.#resent(now);
      if (line) {
        lines.push(line);
        // A response carrying a session cookie must never be cached and handed to someone else.
        if (!headers.some(([h]) => h === 'cache-control'))
          headers.push(['cache-control', 'no-store']);
      }
    }
    return { setCookie: lines, headers };
  }

  /** The cookie's Max-Age lowered to `cookie.maxAge`; the core sets it to the absolute deadline. */
  #capped(line: string, now: number): string {
    const cap = this.settings.maxAgeSeconds;
    const maxAge = /;\s*Max-Age=(\d+)/i.exec(line);
    if (cap === undefined || !maxAge || Number(maxAge[1]) <= cap) return line;
    const value = line.slice(this.sessionCookie.name.length + 1, line.indexOf(';'));
    return this.sessionCookie.serialize(value, cap, now);
  }

  /** The request's own cookie again (rolling, touch), only if it still names the live session. */
  #resent(now: number): string | null {
    const current = this.rs.current;
    const id = this.sessionCookie.read(this.rs.request.headers.get('cookie'));
    if (!current || id === undefined) return null;
    // Its handle is the SHA-256 of the ID: a cookie that reached an older, renewed ID is not re-sent.
    if (createHash('sha256').update(id).digest('base64url') !== current.handle) return null;
    const left = Math.ceil((current.absoluteExpiresAt - now) / 1000);
    return this.sessionCookie.serialize(
      id,
      Math.min(left, this.settings.maxAgeSeconds ?? left),
      now,
    );
  }

  #settle(work: () => Promise<unknown>, callback?: Callback): void {
    work()
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error),
      )
      .catch(this.next);
  }

  get id(): string | undefined {
    return this.rs.current?.handle;
  }

  get cookie(): SessionCookieView {
    const { attributes, persistent } = this.sessionCookie;
    const now = this.engine.clock.now();
    const cap =
      this.settings.maxAgeSeconds === undefined ? Infinity : this.settings.maxAgeSeconds * 1000;
    const deadline =
      this.rs.current?.absoluteExpiresAt ?? now + this.settings.policy.absoluteTimeout;
    const expires = persistent ? Math.min(deadline, now + cap) : null;
    return Object.freeze({
      maxAge: expires === null ? null : expires - now,
      originalMaxAge: persistent ? Math.min(cap, this.settings.policy.absoluteTimeout) : null,
      expires: expires === null ? null : new Date(expires),
      httpOnly: attributes.httpOnly !== false,
      secure: attributes.secure === true,
      sameSite: (attributes.sameSite ?? 'Lax').toLowerCase() as SessionCookieView['sameSite'],
      path: attributes.path ?? '/',
      domain: attributes.domain,
    });
  }

  regenerate(callback: Callback): void {
    this.#settle(async () => {
      // express-session destroys the old session at once; so does Latchkey, server-side.
      if (this.rs.current) await this.rs.logout();
      this.#written = new Map();
      this.#writtenUser = null;
      this.#attach(new DropInSession(this, {}));
    }, callback);
  }

  save(callback?: Callback): void {
    this.#settle(async () => {
      if (this.res.headersSent) await this.flush();
      else await commitHeaders(this.res, this);
    }, callback);
  }

  destroy(callback?: Callback): void {
    this.#settle(async () => {
      await this.rs.logout();
      this.#attach(undefined);
    }, callback);
  }

  reload(callback: Callback): void {
    this.#settle(async () => {
      // A fresh read of the request cookie's session; unsaved changes on req.session are dropped, as in
      // express-session. After a login in this same request that cookie names the old session: reload first.
      const fresh = this.reopen();
      await fresh.load();
      this.rs = fresh;
      this.#adopt();
    }, callback);
  }

  touch(): void {
    this.#touched = true;
  }
}
