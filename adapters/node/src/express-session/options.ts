/**
 * express-session's options, read once at startup: each one with a meaning on
 * Latchkey becomes the engine's cookie or the drop-in's behaviour; each one
 * without (`secret`, `resave`, `store`, …) is refused with what to do instead.
 */

import {
  ConfigError,
  definePolicy,
  type LatchkeyOptions,
  type PolicyOptions,
  type SessionPolicy,
} from '@latchkey/core';
import type { SessionCookieOptions } from '@latchkey/core/cookie';
import type { CsrfOptions } from '@latchkey/core';

/** express-session's `cookie` options, as far as they mean something on Latchkey. */
export interface ExpressSessionCookieOptions {
  /**
   * Milliseconds the browser keeps the cookie; at most the policy's `absoluteTimeout` (a longer
   * one is refused: no session outlives its absolute cap). `null` for a cookie that dies with the
   * browser. Default: the cookie lasts until the absolute deadline.
   */
  maxAge?: number | null;
  /** Default `true` (express-session's is `false`); `'auto'` is refused, see the README. */
  secure?: boolean;
  /** Default `true`. */
  httpOnly?: boolean;
  /** express-session's spelling: `true` is `Strict`, `false` is Latchkey's default `Lax`. */
  sameSite?: boolean | 'lax' | 'strict' | 'none';
  /** Default `'/'`. */
  path?: string;
  /** Share the cookie with subdomains; see the core's `cookie.domain` warning. */
  domain?: string;
}

/** Options for {@link expressSession}: express-session's names, and Latchkey's engine under `latchkey`. */
export interface ExpressSessionOptions {
  /** The engine's options (`policy`, `store`, `clock`, …); the cookie comes from `name` and `cookie` below. */
  latchkey: Omit<LatchkeyOptions, 'cookie'> & {
    /** Only what express-session has no name for: `prefix`, `development`, `warn`. */
    cookie?: Pick<SessionCookieOptions, 'prefix' | 'development' | 'warn'>;
  };
  /** The cookie's base name (Latchkey adds `__Host-` when Secure allows). Default `'session'`. */
  name?: string;
  cookie?: ExpressSessionCookieOptions;
  /** Send the cookie again on every response, so `cookie.maxAge` counts from the last request. Default `false`. */
  rolling?: boolean;
  /** Store a session for every visitor, even one with no data. Default `false`. */
  saveUninitialized?: boolean;
  /** Trust forwarded headers (express-session's `proxy`). Default `false`. */
  trustProxy?: boolean;
  /** Refuse cross-site state-changing requests with 403, as on `latchkeyMiddleware`. */
  csrf?: CsrfOptions | true;
  /** Latchkey's user ID for what passport's `serializeUser` stored. Default: a string as is, a number or an object's `id` as a string. */
  userId?: (passportUser: unknown) => string;
}

/** What {@link readExpressSessionOptions} resolves. */
export interface DropInSettings {
  engineOptions: LatchkeyOptions;
  policy: SessionPolicy;
  /** The cookie's Max-Age cap in seconds, or `undefined` for none. */
  maxAgeSeconds: number | undefined;
  rolling: boolean;
  saveUninitialized: boolean;
  userId: (passportUser: unknown) => string;
}

// Each option express-session has and Latchkey does not, with what to do instead.
const REFUSED: Record<string, string> = {
  secret:
    'Latchkey session IDs are 256-bit random values looked up by their SHA-256 hash, so the cookie needs no signature; remove secret',
  resave:
    'Latchkey writes only the keys a request changed (key by key, so parallel requests keep each other’s writes) and touches idle sessions itself; remove resave',
  store:
    'express-session stores (connect-redis, connect-pg-simple, …) do not fit; pass a Latchkey store to createLatchkey instead: latchkey: { policy, store: new MemoryStore() } (or the Redis and SQL stores)',
  genid:
    'Latchkey generates every session ID itself (256 bits from a CSPRNG) and never takes one from the app; remove genid',
  unset:
    'a session is ended with req.session.destroy(cb) (or req.logout(cb)), which ends it server-side; remove unset',
  proxy: 'use trustProxy: true (only behind a proxy that overwrites X-Forwarded-*)',
};
const REFUSED_COOKIE: Record<string, string> = {
  expires:
    'use maxAge (milliseconds), at most the policy’s absoluteTimeout; a fixed date would outlive the policy',
  signed: 'the cookie holds a random ID, so it needs no signature; remove signed',
  partitioned: 'Latchkey does not set Partitioned; remove it',
  priority: 'Latchkey does not set Priority; remove it',
  encode: 'the cookie value is base64url and needs no encoding; remove encode',
};
const KNOWN = [
  'latchkey',
  'name',
  'cookie',
  'rolling',
  'saveUninitialized',
  'trustProxy',
  'csrf',
  'userId',
];
const KNOWN_COOKIE = ['maxAge', 'secure', 'httpOnly', 'sameSite', 'path', 'domain'];

const fail = (option: string, message: string): never => {
  throw new ConfigError(`expressSession: ${option}: ${message}`);
};

function checkNames(options: object, known: string[], refused: Record<string, string>, at = '') {
  for (const key of Object.keys(options)) {
    if (key in refused) fail(at + key, refused[key]!);
    if (!known.includes(key))
      fail(at + key, `unknown option; the known ones are ${known.join(', ')}`);
  }
}

const SAME_SITE = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;

/** express-session's `sameSite`: `true` means Strict; `false` (no attribute) has no Latchkey form, so it is Lax. */
function sameSite(
  value: ExpressSessionCookieOptions['sameSite'],
): SessionCookieOptions['sameSite'] {
  if (value === undefined || value === false) return undefined;
  if (value === true) return 'Strict';
  const mapped = typeof value === 'string' ? SAME_SITE[value.toLowerCase() as 'lax'] : undefined;
  return (
    mapped ??
    fail('cookie.sameSite', `expected true, false, 'lax', 'strict' or 'none', got ${String(value)}`)
  );
}

function maxAgeSeconds(value: unknown, policy: SessionPolicy): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail('cookie.maxAge', `expected positive milliseconds or null, got ${String(value)}`);
  // Refused, not clamped: an app that asked for a longer life should learn it will not get it.
  if ((value as number) > policy.absoluteTimeout)
    fail(
      'cookie.maxAge',
      `${String(value)} ms exceeds the policy's absoluteTimeout (${policy.absoluteTimeout} ms); no Latchkey session outlives its absolute cap, so lower maxAge or raise policy.absoluteTimeout`,
    );
  return Math.floor((value as number) / 1000);
}

/**
 * Check express-session's options and map them onto Latchkey's.
 *
 * @example
 * const settings = readExpressSessionOptions({ latchkey: { policy, store }, cookie: { sameSite: 'lax' } });
 * createLatchkey(settings.engineOptions);
 */
export function readExpressSessionOptions(options: ExpressSessionOptions): DropInSettings {
  if (options === null || typeof options !== 'object')
    throw new TypeError('expressSession: expected an options object');
  checkNames(options, KNOWN, REFUSED);
  const { latchkey } = options;
  if (latchkey === null || typeof latchkey !== 'object')
    fail(
      'latchkey',
      'required: the engine options, e.g. latchkey: { policy: presets.productivity, store: new MemoryStore() }',
    );
  if (latchkey.policy === undefined)
    fail('latchkey.policy', 'required, e.g. latchkey: { policy: presets.productivity, store }');
  for (const key of Object.keys(latchkey.cookie ?? {}))
    if (!['prefix', 'development', 'warn'].includes(key))
      fail(
        `latchkey.cookie.${key}`,
        `set it with express-session's names here (name, cookie.secure, cookie.sameSite, cookie.path, …); latchkey.cookie takes only prefix, development and warn`,
      );
  const cookie = options.cookie ?? {};
  checkNames(cookie, KNOWN_COOKIE, REFUSED_COOKIE, 'cookie.');
  if ((cookie.secure as unknown) === 'auto')
    fail(
      'cookie.secure',
      "'auto' has no Latchkey form: keep the default (true) for HTTPS; for plain-HTTP localhost set latchkey: { cookie: { development: true } }",
    );
  const policy =
    typeof latchkey.policy === 'object' &&
    latchkey.policy !== null &&
    'touchInterval' in latchkey.policy
      ? (latchkey.policy as SessionPolicy)
      : definePolicy(latchkey.policy as PolicyOptions);
  const cap = maxAgeSeconds(cookie.maxAge, policy);
  const engineCookie: SessionCookieOptions = {
    ...latchkey.cookie,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(cookie.secure === undefined ? {} : { secure: cookie.secure }),
    ...(cookie.httpOnly === undefined ? {} : { httpOnly: cookie.httpOnly }),
    ...(cookie.path === undefined ? {} : { path: cookie.path }),
    ...(cookie.domain === undefined ? {} : { domain: cookie.domain }),
  };
  const site = sameSite(cookie.sameSite);
  if (site) engineCookie.sameSite = site;
  // express-session's maxAge: null is a cookie that dies with the browser: the policy's sessionOnlyCookie.
  const enginePolicy = cookie.maxAge === null ? { ...policy, sessionOnlyCookie: true } : policy;
  return {
    engineOptions: { ...latchkey, policy: enginePolicy, cookie: engineCookie },
    policy: enginePolicy,
    maxAgeSeconds: cap,
    rolling: options.rolling === true,
    saveUninitialized: options.saveUninitialized === true,
    userId: options.userId ?? defaultUserId,
  };
}

/** passport's `serializeUser` usually stores `user.id`: a string, a number, or the user object. */
function defaultUserId(user: unknown): string {
  const id = typeof user === 'object' && user !== null ? (user as { id?: unknown }).id : user;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  throw new ConfigError(
    `expressSession: passport stored ${JSON.stringify(user)} as its user; Latchkey needs a user ID: serialize to user.id in serializeUser, or pass userId: (user) => …`,
  );
}
