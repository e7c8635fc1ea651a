/**
 * The engine: one per application. It validates the options, wires the
 * session ledger, the cookie and remember-me together, hands out a request
 * session per request, and answers what is about a user rather than a
 * request: list sessions, revoke one, log out everywhere.
 */

import type { BindingContext, BindingHooks, DeviceBindingPlugin } from './binding.js';
import { type Clock, systemClock } from './clock.js';
import type { SessionEngine } from './contract.js';
import { resolveSessionCookie, type SessionCookieOptions } from './cookie/session-cookie.js';
import { decide } from './decide.js';
import type { Duration } from './duration.js';
import { ConfigError } from './errors.js';
import { emit, type EventSink } from './events.js';
import { SessionLedger, type SessionLimit } from './ledger.js';
import { checkLatchkeyOptions, requireRequest } from './input-checks.js';
import { describePolicy } from './policy-document.js';
import { definePolicy, type PolicyOptions, type SessionPolicy } from './policy.js';
import { cryptoRandom, type RandomSource } from './random.js';
import type { DeviceFacts } from './record.js';
import {
  RememberMe,
  type RememberedLogin,
  type RememberMeOptions,
} from './remember-me/remember-me.js';
import { ServerRequestSession, type ServerSessionParts } from './request-session.js';
import { summarize, type SessionSummary } from './session-list.js';
import type { Session, SessionData } from './session.js';
import { judgeFreshAuth, type FreshAuth, type FreshAuthOptions } from './step-up.js';
import { StoreDeadline } from './store/deadline.js';
import { StoreAccess } from './store/typed-store.js';
import type { SessionStore } from './store/types.js';

const DEFAULT_KEY_PREFIX = 'lk:';

export type { SessionLimit } from './ledger.js';
export type { SessionSummary } from './session-list.js';

/** Options for {@link createLatchkey}. */
export interface LatchkeyOptions {
  /** A policy from `definePolicy`, or options for one (a preset, say). */
  policy: SessionPolicy | PolicyOptions;
  store: SessionStore;
  cookie?: SessionCookieOptions;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: `crypto.getRandomValues`. */
  random?: RandomSource;
  onEvent?: EventSink;
  /** At most this many concurrent sessions per user; atomic for concurrent logins on stores with compare-and-set. */
  sessionLimit?: SessionLimit;
  /**
   * Prefix of every store key, to share a store between apps. Default `lk:`.
   * Any other prefix also namespaces the user index, so each app lists and
   * revokes only its own sessions.
   */
  keyPrefix?: string;
  /** Send `Clear-Site-Data` on logout: `true` for `"cache", "cookies", "storage"`, or the exact header value. */
  clearSiteData?: boolean | string;
  /** Remember-me cookie name and grace window; remember-me itself is on when `policy.rememberMe` is a duration. */
  rememberMe?: RememberMeOptions;
  /**
   * Most time one store call may take before it fails closed with `StoreTimeoutError`
   * (a 503 from every adapter), so a hung store costs a request at most this. Default
   * `'500ms'`; `false` for none. Give the store's client its own timeout too (ioredis
   * `commandTimeout`, the SQL stores' `statementTimeout`), so a late write does not land later.
   */
  storeTimeout?: Duration | false;
  /**
   * Device Bound Session Credentials: `deviceBoundSessions({...})` from `@latchkey/core/dbsc`.
   * Needs `policy.deviceBinding` `'offered'` or `'required'` (docs/device-bound-sessions.md).
   */
  deviceBinding?: DeviceBindingPlugin;
}

/** The application's session engine. */
export interface Latchkey<Data extends SessionData = SessionData> extends SessionEngine<Data> {
  /** A lazy per-request session: nothing is read until `load()`. `facts.ip` comes from the adapter. */
  forRequest(request: Request, facts?: DeviceFacts): ServerRequestSession<Data>;
  /** A user's live sessions, most recently used first, the one with handle `current` marked. Needs a store with a user index. */
  listSessions(userId: string, current?: string): Promise<SessionSummary[]>;
  /** End one live session by its public handle; `false` when there was no live session under it (an expired one keeps its reason). */
  revokeSession(handle: string): Promise<boolean>;
  /** Log out everywhere: end every session and remembered login of a user (ASVS V7.4.2, V7.4.5). Returns how many sessions ended. */
  revokeUser(userId: string, options?: { except?: string }): Promise<number>;
  /** A user's remembered logins (remember-me), each with its current live session, so a person can end either (ASVS V7.5.2). */
  listRememberedLogins(userId: string, currentSession?: string): Promise<RememberedLogin[]>;
  /** Forget a remembered login and end the sessions it re-created; `false` when none is remembered under `handle`. */
  revokeRememberedLogin(handle: string): Promise<boolean>;
  /**
   * Step-up (ASVS V7.5.3): did `session` authenticate within `maxAge` (default
   * `policy.freshAuthAge`), by one of `methods` and with user verification if
   * asked? If not, a 403 to return. A bare duration is `maxAge` alone.
   */
  requireFreshAuth(
    session: Session<Data> | null | undefined,
    check?: Duration | FreshAuthOptions,
  ): FreshAuth;
  /** The policy as a short statement for users and auditors (ASVS V7.1.1, V7.1.2). */
  describePolicy(): string;
}

/** Attach a device binding (DBSC) when the policy asks for one, refusing a half-configured pair. */
function attachBinding(
  plugin: DeviceBindingPlugin | undefined,
  policy: SessionPolicy,
  context: () => BindingContext,
): BindingHooks | undefined {
  const mode = policy.deviceBinding ?? 'off';
  if (mode === 'off') {
    if (plugin)
      throw new ConfigError(
        "createLatchkey: deviceBinding is given but policy.deviceBinding is 'off'; set it to 'offered' or 'required'",
      );
    return undefined;
  }
  if (!plugin || typeof plugin.attach !== 'function')
    throw new ConfigError(
      `createLatchkey: policy.deviceBinding is '${mode}' but no deviceBinding is given; pass deviceBinding: deviceBoundSessions({...}) from @latchkey/core/dbsc`,
    );
  return plugin.attach(context());
}

function isPolicy(p: SessionPolicy | PolicyOptions): p is SessionPolicy {
  return (
    typeof (p as SessionPolicy).idleTimeout === 'number' &&
    'touchInterval' in p &&
    typeof p.touchInterval === 'number' &&
    'renewGrace' in p
  );
}

function checkLimit(limit: SessionLimit | undefined): void {
  if (!limit) return;
  if (!Number.isInteger(limit.max) || limit.max < 1)
    throw new RangeError(`sessionLimit.max must be a positive integer, got ${String(limit.max)}`);
  if (limit.onLimit !== 'evict-oldest' && limit.onLimit !== 'refuse')
    throw new TypeError(
      `sessionLimit.onLimit must be 'evict-oldest' or 'refuse', got ${String(limit.onLimit)}`,
    );
}

/**
 * Create the session engine.
 *
 * @example
 * const latchkey = createLatchkey({ policy: presets.productivity, store: new MemoryStore() });
 * export default { fetch: withSessions(latchkey, async ({ session }) => {
 *   const outcome = await session.load();
 *   return new Response(outcome.valid ? `hello ${outcome.session.userId}` : 'hello stranger');
 * }) };
 */
export function createLatchkey<Data extends SessionData = SessionData>(
  options: LatchkeyOptions,
): Latchkey<Data> {
  checkLatchkeyOptions(options);
  const policy = isPolicy(options.policy) ? options.policy : definePolicy(options.policy);
  const { store } = options;
  checkLimit(options.sessionLimit);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const sink = options.onEvent;
  const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const deadline = StoreDeadline.of('createLatchkey', options.storeTimeout);
  // The default prefix keeps the index keyed by user ID alone, as it always was, so an upgrade
  // finds every session already indexed; any other prefix also namespaces the index.
  const indexPrefix = prefix === DEFAULT_KEY_PREFIX ? '' : prefix;
  const access = new StoreAccess(store, () => clock.now(), sink, deadline, indexPrefix);
  const ledger = new SessionLedger<Data>(
    policy,
    access,
    prefix,
    random,
    sink,
    options.sessionLimit,
  );
  const cookieOptions = options.cookie ?? {};
  const cookie = resolveSessionCookie(cookieOptions, { persistent: !policy.sessionOnlyCookie });
  const rememberMe =
    policy.rememberMe === false
      ? undefined
      : new RememberMe<Data>(
          ledger,
          random,
          sink,
          policy.rememberMe,
          prefix,
          cookieOptions,
          cookie.name,
          options.rememberMe,
        );
  const clearSiteData =
    options.clearSiteData === true
      ? '"cache", "cookies", "storage"'
      : options.clearSiteData || undefined;

  const revokeUser = (userId: string, except?: string): Promise<number> =>
    ledger.revokeUser(userId, {
      ...(except === undefined ? {} : { except }),
      ...(rememberMe && { forgetLogins: (keep) => rememberMe.revokeUser(userId, keep) }),
    });
  const parts: ServerSessionParts<Data> = {
    policy,
    ledger,
    cookie,
    rememberMe,
    clearSiteData,
    sink,
    revokeUser,
  };
  const binding = attachBinding(options.deviceBinding, policy, () => ({
    policy,
    ledger: ledger as unknown as SessionLedger,
    random,
    sink,
    prefix,
    cookieOptions,
    cookie,
    open: (request, facts, other) =>
      new ServerRequestSession(
        { ...parts, binding: undefined, cookie: other, atRefresh: true },
        request,
        facts,
      ),
    remembered: rememberMe && {
      bind: (handle, bound) => rememberMe.bind(handle, bound),
      binding: (request) => rememberMe.boundDevice(request),
      resume: (request, facts, sid) => rememberMe.resume(request, facts, sid),
    },
  }));
  if (binding) Object.assign(parts, { binding });

  return {
    policy,
    clock,
    forRequest: (request, facts) =>
      new ServerRequestSession<Data>(parts, requireRequest(request, 'forRequest'), facts),
    listSessions: async (userId, current) =>
      summarize(await ledger.live(userId, "listing a user's sessions"), current),
    async revokeSession(handle) {
      if (typeof handle !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(handle)) return false;
      // Renewed since the caller listed it (the list showed the handle a moment ago): revoke it where it is now.
      const found = await ledger.resolve(handle, true);
      // An expired session is not revoked: it keeps its reason (`expired-idle`, `expired-absolute`).
      if (found.kind !== 'session' || decide(policy, found.record, clock.now()).kind !== 'valid')
        return false;
      const ended = await ledger.end(found, 'revoke');
      if (ended)
        emit(sink, { type: 'revoked', at: clock.now(), handle: ended, userId: found.record.uid });
      return ended !== null;
    },
    revokeUser: (userId, opts = {}) => revokeUser(userId, opts.except),
    listRememberedLogins: async (userId, current) =>
      rememberMe ? rememberMe.list(userId, current) : [],
    revokeRememberedLogin: async (handle) => (rememberMe ? rememberMe.revoke(handle) : false),
    requireFreshAuth: (session, check) =>
      judgeFreshAuth(session, check, { policy, now: clock.now() }),
    describePolicy: () =>
      describePolicy(policy, {
        listable: store.userIndex !== undefined,
        sessionLimit: options.sessionLimit,
        cookie: {
          name: cookie.name,
          sessionOnly: !cookie.persistent,
          secure: cookie.attributes.secure === true,
          httpOnly: cookie.attributes.httpOnly !== false,
          sameSite: cookie.attributes.sameSite ?? 'Lax',
        },
      }),
  };
}
