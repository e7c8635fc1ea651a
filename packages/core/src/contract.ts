/**
 * The contract every session mode implements: server-side sessions
 * (`createLatchkey`) and sealed cookies (`createSealedSessions`) hand out the
 * same per-request object, so `withSessions` and every adapter accept either.
 */

import type { AuthMethod } from './auth-factors.js';
import type { Clock } from './clock.js';
import type { Duration } from './duration.js';
import type { LoadOutcome } from './outcome.js';
import type { SessionPolicy } from './policy.js';
import type { DeviceFacts } from './record.js';
import type { Session, SessionData } from './session.js';
import type { FreshAuth, FreshAuthOptions } from './step-up.js';

/** Options for {@link RequestSession.login}. */
export interface LoginOptions<Data> {
  /** Data to set on the new session, over any carried from the anonymous one. */
  data?: Partial<Data>;
  /** Start with empty data instead of carrying the previous session's (carried by default; always clean when the user changes). */
  clean?: boolean;
  /** Device facts to record; the User-Agent header is recorded by default. */
  device?: DeviceFacts;
  /**
   * Remember this device: a second, persistent cookie that signs the user back
   * in when the session has gone. Throws `PolicyError` when the policy or the
   * session mode does not offer remember-me (`banking`, `kiosk`, sealed cookies).
   */
  rememberMe?: boolean;
  /**
   * How the user proved who they are, recorded as the session's first factor
   * (`session.factors`). Default `'unspecified'`: Latchkey does not see how the
   * app checked the user, and guessing `'password'` would satisfy a
   * `methods: ['password']` step-up after a magic link.
   */
  method?: AuthMethod;
  /** The authenticator verified the user (WebAuthn UV: PIN or biometrics). Default `false`. */
  userVerified?: boolean;
}

/** Options for {@link RequestSession.reauthenticate}: the factor that just succeeded. */
export interface ReauthenticateOptions {
  /** Default `'unspecified'` (see {@link LoginOptions.method}). */
  method?: AuthMethod;
  /** The authenticator verified the user (WebAuthn UV). Default `false`. */
  userVerified?: boolean;
}

/** What a request's session adds to its response: `Set-Cookie` lines and other headers. */
export interface SessionHeaders {
  setCookie: string[];
  headers: Array<[string, string]>;
}

/**
 * One request's session, whichever mode made it. Lazy: nothing is read until
 * `load()`. Login, regeneration and logout decide at once; touches, renewals
 * and data changes are written at `commit()` (or `flush()` for adapters).
 *
 * @example
 * const rs = latchkey.forRequest(request);
 * const outcome = await rs.load();
 * if (!outcome.valid) await rs.login(user.id);
 * return rs.commit(new Response('ok'));
 */
export interface RequestSession<Data extends SessionData = SessionData> {
  readonly request: Request;
  /** The loaded session, or `null` (before `load()`, or when there is none). */
  readonly current: Session<Data> | null;
  /** Load once; later calls share the result. Rejects only with `StoreError` (fail closed). */
  load(): Promise<LoadOutcome<Data>>;
  /** Sign a user in with a new session ID; any previous ID is dead at once (ASVS V7.2.4). */
  login(userId: string, options?: LoginOptions<Data>): Promise<Session<Data>>;
  /** Start an anonymous session (a cart, a preference); returns the live one if there is one. */
  start(data?: Partial<Data>): Promise<Session<Data>>;
  /** A new ID for the current session on a privilege change; data carries unless `clean`. */
  regenerate(options?: { clean?: boolean }): Promise<Session<Data>>;
  /** After a successful re-authentication (step-up): a new ID, the factor's time and the auth time now, data and lifetime kept. */
  reauthenticate(options?: ReauthenticateOptions): Promise<Session<Data>>;
  /** End every other session of this user (ASVS V7.4.3, after a credential change). Returns how many ended, or -1 where the mode cannot count them. */
  revokeOthers(): Promise<number>;
  /** End the session (server-side where there is a server side), clear the cookie, mark `no-store`. */
  logout(): Promise<void>;
  /** Write what the request changed and return the headers to add. Adapters call this. */
  flush(): Promise<SessionHeaders>;
  /** Flush and add the result to `response`; a copy whenever the original's headers are immutable. */
  commit(response: Response): Promise<Response>;
}

/** What adapters need of an engine: either `createLatchkey(...)` or `createSealedSessions(...)`. */
export interface SessionEngine<Data extends SessionData = SessionData> {
  readonly policy: SessionPolicy;
  /** The engine's clock, so adapters judge time (step-up freshness, say) exactly as the engine does. */
  readonly clock: Clock;
  /** A lazy per-request session; `facts` are what the runtime knows of the client (its address). */
  forRequest(request: Request, facts?: DeviceFacts): RequestSession<Data>;
  /**
   * Step-up (ASVS V7.5.3): did the session authenticate recently enough (with
   * one of `methods`, with user verification if asked)? If not, a 403 to return.
   * A bare duration is the `maxAge` alone, as in earlier versions.
   */
  requireFreshAuth(
    session: Session<Data> | null | undefined,
    check?: Duration | FreshAuthOptions,
  ): FreshAuth;
}

/** A session known to belong to a signed-in user: what `requireSession()`-style guards hand on. */
export type SignedInSession<Data extends SessionData = SessionData> = Session<Data> & {
  readonly userId: string;
};

/** A request session whose `current` is known to be signed in (after a guard). */
export type SignedInRequestSession<Data extends SessionData = SessionData> =
  RequestSession<Data> & {
    readonly current: SignedInSession<Data>;
  };
