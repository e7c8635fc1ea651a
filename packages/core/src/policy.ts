/**
 * The session policy: how long a session lives, when its ID is renewed, how
 * often activity is written, and whether "remember me" is offered. Built once
 * and validated at construction; an invalid combination fails with a
 * `PolicyError` naming the field (OWASP ASVS 5.0 V7.3.1 inactivity timeout,
 * V7.3.2 absolute lifetime).
 */

import { type Duration, toMillis } from './duration.js';
import { PolicyError } from './errors.js';
import { unknownOption } from './option-names.js';

/**
 * What a caller writes: durations as strings such as `'30m'` or as milliseconds. A bare number
 * under one minute (one second for `touchInterval` and `renewGrace`) is refused as seconds
 * meant as milliseconds; `'5s'` says it. From text (the environment) read them with `duration()`.
 */
export interface PolicyOptions {
  /** A short name shown in the policy document, e.g. `banking`. */
  name?: string;
  /** Sliding window: a session unused for this long expires. Activity is any request that loads the session. */
  idleTimeout: Duration;
  /** Hard cap from login; sliding never extends a session past it. */
  absoluteTimeout: Duration;
  /** Issue a new session ID after this long (the data carries over). Default: a quarter of the absolute timeout, at most 1 hour. `false` turns renewal off. */
  renewInterval?: Duration | false;
  /** Write the last-seen time at most once per this interval, so a read-only request usually writes nothing. Default: a tenth of the idle timeout, at most 1 minute. */
  touchInterval?: Duration;
  /** After an ID renewal, the previous ID keeps working for this long so parallel requests in flight are not logged out. Default 10 s (at most half the renewal interval); `0` turns it off. */
  renewGrace?: Duration;
  /**
   * How long an expired record stays readable (never accepted) so a returning
   * user is told why: "signed out after 30 minutes of inactivity" rather than
   * a bare "please sign in". Default 15 minutes; `0` drops records at their deadline.
   */
  expiryNotice?: Duration;
  /** `false` forbids remember-me; otherwise how long a remembered device stays signed in. */
  rememberMe?: Duration | false;
  /** The maximum age of the last authentication for sensitive actions (step-up, ASVS V7.5.3). */
  freshAuthAge?: Duration;
  /**
   * `true`: the session cookie has no Max-Age and dies with the browser. Default `false`
   * (persistent until the absolute deadline). With `rememberMe`, the remember-me cookie is then
   * the only one that outlives the browser, and only for a person who asked for it.
   */
  sessionOnlyCookie?: boolean;
  /**
   * Device Bound Session Credentials (DBSC): `'off'` (default); `'offered'`: logins offer
   * registration, and a session that registers is held to its device; `'required'`: the same,
   * and routes guarded by `requireDeviceBound()` refuse sessions that are not bound.
   */
  deviceBinding?: 'off' | 'offered' | 'required';
  /** @internal Set by presets that forbid remember-me (`banking`, `kiosk`); not an option. */
  readonly [FORBIDS_REMEMBER_ME]?: true;
  /** Access token lifetime, for the token flows. */
  accessTokenTtl?: Duration;
  /** Refresh token lifetime, for the token flows. */
  refreshTokenTtl?: Duration;
  /** Why these numbers: one sentence each, carried into the policy document. */
  reasons?: Partial<Record<'idle' | 'absolute' | 'renew' | 'rememberMe' | 'freshAuth', string>>;
}

/** A validated policy, all durations in milliseconds. */
export interface SessionPolicy {
  readonly name: string;
  readonly idleTimeout: number;
  readonly absoluteTimeout: number;
  readonly renewInterval: number | false;
  readonly touchInterval: number;
  readonly renewGrace: number;
  readonly expiryNotice: number;
  readonly rememberMe: number | false;
  readonly freshAuthAge: number | false;
  readonly sessionOnlyCookie: boolean;
  readonly deviceBinding: 'off' | 'offered' | 'required';
  readonly accessTokenTtl: number | false;
  readonly refreshTokenTtl: number | false;
  readonly reasons: Readonly<
    Partial<Record<'idle' | 'absolute' | 'renew' | 'rememberMe' | 'freshAuth', string>>
  >;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Browsers cap cookie lifetimes at 400 days (RFC 6265bis §5.6.1). */
export const MAX_COOKIE_LIFETIME_MS = 400 * 24 * HOUR;

/**
 * Marks a preset that forbids remember-me, so that spreading it and setting
 * `rememberMe` is refused. A symbol, not an option: `rememberMe: false` is the
 * one way to say "no remember-me".
 */
export const FORBIDS_REMEMBER_ME: unique symbol = Symbol('latchkey.forbidsRememberMe');

type PolicyOptionName = Exclude<keyof PolicyOptions, symbol>;

/** Every option `definePolicy` knows, so a misspelt one is refused rather than ignored. */
export const POLICY_OPTION_NAMES: readonly PolicyOptionName[] = Object.keys({
  name: true,
  idleTimeout: true,
  absoluteTimeout: true,
  renewInterval: true,
  touchInterval: true,
  renewGrace: true,
  expiryNotice: true,
  rememberMe: true,
  freshAuthAge: true,
  sessionOnlyCookie: true,
  deviceBinding: true,
  accessTokenTtl: true,
  refreshTokenTtl: true,
  reasons: true,
} satisfies Record<PolicyOptionName, true>) as PolicyOptionName[];

const REASON_NAMES = ['idle', 'absolute', 'renew', 'rememberMe', 'freshAuth'];

const POLICY_HINTS: Record<string, string> = {
  ttl: 'say which lifetime: idleTimeout (unused for this long) or absoluteTimeout (from sign-in)',
  maxAge:
    'the cookie lives until absoluteTimeout; set idleTimeout and absoluteTimeout, or sessionOnlyCookie: true',
  timeout: 'say which: idleTimeout (unused for this long) or absoluteTimeout (from sign-in)',
  expires: 'say which: idleTimeout (unused for this long) or absoluteTimeout (from sign-in)',
};

/**
 * Bare numbers are milliseconds. Under these floors a bare number is almost always seconds
 * meant as milliseconds (`idleTimeout: 30`), so it is refused; a string (`'5s'`, `'500ms'`)
 * says the unit and stays allowed for tests and demos. The grace and touch floor is lower
 * because their defaults (10 s, up to 1 min) are rightly written as bare milliseconds.
 */
const BARE_FLOOR_MS: Partial<Record<keyof PolicyOptions, number>> = {
  idleTimeout: MINUTE,
  absoluteTimeout: MINUTE,
  renewInterval: MINUTE,
  expiryNotice: MINUTE,
  rememberMe: MINUTE,
  freshAuthAge: MINUTE,
  accessTokenTtl: MINUTE,
  refreshTokenTtl: MINUTE,
  touchInterval: 1000,
  renewGrace: 1000,
};

const underscored = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '_');

function refuseBareSmallNumber(field: PolicyOptionName, value: unknown): void {
  const floor = BARE_FLOOR_MS[field];
  if (typeof value !== 'number' || floor === undefined || !(value > 0) || value >= floor) return;
  const under = floor === MINUTE ? 'one minute' : 'one second';
  const message =
    value < 1000
      ? `${value} is a bare number, so it means ${value} ms; under ${under} that is almost always seconds meant as milliseconds. ` +
        `For ${value} seconds write '${value}s' or ${underscored(value * 1000)}; for ${value} ms write '${value}ms'`
      : `${value} is a bare number of milliseconds under ${under}, refused because short bare numbers are almost always seconds meant as milliseconds; ` +
        `a duration this short says its unit: '${value / 1000}s' (or '${value}ms')`;
  throw new PolicyError(field, message);
}

/** A duration that may be zero (`renewGrace`, `expiryNotice`), or NaN when it is not a duration. */
function zeroOrMore(field: PolicyOptionName, value: Duration): number {
  refuseBareSmallNumber(field, value);
  return toMillis(value);
}

function positive(field: PolicyOptionName, value: Duration | undefined): number {
  if (value === undefined)
    throw new PolicyError(
      field,
      `is required, e.g. definePolicy({ idleTimeout: '30m', absoluteTimeout: '12h' }), or start from a preset: { ...presets.productivity, ${field}: '...' }`,
    );
  refuseBareSmallNumber(field, value);
  const ms = toMillis(value);
  if (Number.isNaN(ms))
    throw new PolicyError(
      field,
      `expected a duration such as 30000 or '30m', got ${JSON.stringify(value)}`,
    );
  if (!(ms > 0)) throw new PolicyError(field, `must be positive, got ${JSON.stringify(value)}`);
  return ms;
}

function optional(
  field: PolicyOptionName,
  value: Duration | false | undefined,
  fallback: number | false,
): number | false {
  if (value === undefined) return fallback;
  if (value === false) return false;
  return positive(field, value);
}

function refuseUnknownNames(options: PolicyOptions): void {
  const unknown = unknownOption(options, POLICY_OPTION_NAMES, POLICY_HINTS);
  if (unknown) throw new PolicyError(unknown.key, unknown.message);
  if (options.reasons !== undefined) {
    if (options.reasons === null || typeof options.reasons !== 'object')
      throw new PolicyError('reasons', `expected an object such as { idle: '...' }`);
    const reason = unknownOption(options.reasons, REASON_NAMES);
    if (reason) throw new PolicyError(`reasons.${reason.key}`, reason.message);
  }
}

/**
 * Validate policy options and resolve defaults.
 *
 * @example
 * const policy = definePolicy({ idleTimeout: '30m', absoluteTimeout: '12h', rememberMe: '30d' });
 * @throws PolicyError naming the field, e.g. `policy.idleTimeout: must not exceed absoluteTimeout (24h)`.
 */
export function definePolicy(options: PolicyOptions): SessionPolicy {
  if (options === null || typeof options !== 'object')
    throw new TypeError('definePolicy: expected an options object');
  refuseUnknownNames(options);
  const idleTimeout = positive('idleTimeout', options.idleTimeout);
  const absoluteTimeout = positive('absoluteTimeout', options.absoluteTimeout);
  if (idleTimeout > absoluteTimeout) {
    throw new PolicyError(
      'idleTimeout',
      `must not exceed absoluteTimeout (${idleTimeout} ms > ${absoluteTimeout} ms)`,
    );
  }
  const renewInterval = optional(
    'renewInterval',
    options.renewInterval,
    Math.min(absoluteTimeout / 4, HOUR),
  );
  if (renewInterval !== false && renewInterval > absoluteTimeout) {
    throw new PolicyError(
      'renewInterval',
      `must not exceed absoluteTimeout (${renewInterval} ms > ${absoluteTimeout} ms)`,
    );
  }
  const touchInterval = optional(
    'touchInterval',
    options.touchInterval,
    Math.min(Math.max(idleTimeout / 10, 1), MINUTE),
  );
  if (touchInterval === false || touchInterval >= idleTimeout) {
    throw new PolicyError(
      'touchInterval',
      `must be shorter than idleTimeout (${String(touchInterval)} ms >= ${idleTimeout} ms)`,
    );
  }
  // The 10 s default shrinks for a short renewal interval, so a policy that sets no grace never fails on it.
  const renewGraceMs =
    options.renewGrace === undefined
      ? renewInterval === false
        ? 10_000
        : Math.min(10_000, Math.floor(renewInterval / 2))
      : zeroOrMore('renewGrace', options.renewGrace);
  if (!(renewGraceMs >= 0) || (renewInterval !== false && renewGraceMs >= renewInterval)) {
    throw new PolicyError(
      'renewGrace',
      `must be zero or positive and shorter than renewInterval, got ${JSON.stringify(options.renewGrace)}`,
    );
  }
  const expiryNotice =
    options.expiryNotice === undefined
      ? 15 * MINUTE
      : zeroOrMore('expiryNotice', options.expiryNotice);
  if (!(expiryNotice >= 0))
    throw new PolicyError(
      'expiryNotice',
      `must be zero or positive, got ${JSON.stringify(options.expiryNotice)}`,
    );
  if (
    options[FORBIDS_REMEMBER_ME] &&
    options.rememberMe !== undefined &&
    options.rememberMe !== false
  ) {
    throw new PolicyError(
      'rememberMe',
      `this policy (${options.name ?? 'custom'}) forbids remember-me`,
    );
  }
  const rememberMe = options[FORBIDS_REMEMBER_ME]
    ? false
    : optional('rememberMe', options.rememberMe, false);
  if (rememberMe !== false && rememberMe > MAX_COOKIE_LIFETIME_MS) {
    throw new PolicyError(
      'rememberMe',
      `must not exceed the 400-day cookie lifetime browsers enforce (RFC 6265bis §5.6.1)`,
    );
  }
  const freshAuthAge = optional('freshAuthAge', options.freshAuthAge, false);
  const accessTokenTtl = optional('accessTokenTtl', options.accessTokenTtl, false);
  const refreshTokenTtl = optional('refreshTokenTtl', options.refreshTokenTtl, false);
  if (accessTokenTtl !== false && refreshTokenTtl !== false && accessTokenTtl >= refreshTokenTtl) {
    throw new PolicyError(
      'accessTokenTtl',
      `must be shorter than refreshTokenTtl (${accessTokenTtl} ms >= ${refreshTokenTtl} ms)`,
    );
  }
  const deviceBinding = options.deviceBinding ?? 'off';
  if (deviceBinding !== 'off' && deviceBinding !== 'offered' && deviceBinding !== 'required')
    throw new PolicyError(
      'deviceBinding',
      `must be 'off', 'offered' or 'required', got ${JSON.stringify(options.deviceBinding)}`,
    );
  return Object.freeze({
    name: options.name ?? 'custom',
    idleTimeout,
    absoluteTimeout,
    renewInterval,
    touchInterval,
    renewGrace: renewGraceMs,
    expiryNotice,
    rememberMe,
    freshAuthAge,
    sessionOnlyCookie: options.sessionOnlyCookie ?? false,
    deviceBinding,
    accessTokenTtl,
    refreshTokenTtl,
    reasons: Object.freeze({ ...options.reasons }),
  });
}
