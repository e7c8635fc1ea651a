/**
 * The session cookie's options, resolved and validated once at startup, so a bad
 * configuration throws when the app boots rather than on the first login. Defaults
 * follow OWASP's Session Management Cheat Sheet and RFC 6265bis: HttpOnly, Secure,
 * SameSite=Lax, Path=/, and the `__Host-` prefix (§4.1.3.2), which pins the cookie
 * to the exact host so no sibling subdomain can set or shadow it.
 */

import { ConfigError, CookieError } from '../errors.js';
import { unknownOption } from '../option-names.js';
import { getCookie } from './parse.js';
import {
  clampMaxAge,
  deletionCookie,
  serializeCookie,
  type CookieAttributes,
} from './serialize.js';

/** How the session cookie is named and scoped. Every field is optional. */
export interface SessionCookieOptions {
  /** Base name; the prefix is added in front of it. Default `'session'`. */
  name?: string;
  /** Send only over HTTPS. Default `true`. Turning it off also drops the prefix. */
  secure?: boolean;
  /** Default `'Lax'`. `'None'` requires Secure, so it cannot be combined with `development`. */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** Default `'/'`. Any other path rules out `__Host-`, so `'auto'` picks `__Secure-`. */
  path?: string;
  /**
   * Share the cookie with every subdomain of this domain. Dangerous: every
   * subdomain, including a compromised one or one serving user content,
   * receives the session cookie and can overwrite it, and the cookie forfeits
   * the `__Host-` prefix (`'auto'` falls back to `__Secure-`). Leave it unset
   * unless subdomains really must share the session.
   */
  domain?: string;
  /**
   * Hide the cookie from JavaScript. Default `true`. Setting it to `false` lets
   * any script on the page, an XSS payload included, read the session ID;
   * do so only with a reason you can write down.
   */
  httpOnly?: boolean;
  /** `'auto'` (default) adds `__Host-` or `__Secure-` when Secure allows; `'none'` uses `name` as given. */
  prefix?: 'auto' | 'none';
  /**
   * Explicit fallback for plain-HTTP `localhost`, where some clients drop Secure
   * cookies (WebKit/Safari on http://localhost): turns Secure off, drops the
   * prefix and warns once. Never for production; never inferred.
   */
  development?: boolean;
  /** Where the development warning goes. Default `console.warn`. */
  warn?: (message: string) => void;
}

/** A session cookie ready to be written, cleared and read. */
export interface ResolvedCookie {
  /** The name on the wire, prefix included, e.g. `__Host-session`. */
  readonly name: string;
  /** Validated attributes, without Max-Age and Expires. */
  readonly attributes: Readonly<CookieAttributes>;
  /** True when the development fallback is on (no Secure, no prefix). */
  readonly development: boolean;
  /** When false, every cookie written is session-only, whatever the lifetime passed. */
  readonly persistent: boolean;
  /**
   * A Set-Cookie header value carrying `value`. With `maxAgeSeconds` (and a
   * persistent config) it gets Max-Age and an Expires of `now` plus that
   * lifetime, both capped at 400 days; without, it is a session-only cookie
   * the browser drops when it closes. `now` is milliseconds since the epoch.
   */
  serialize(value: string, maxAgeSeconds?: number, now?: number): string;
  /** A Set-Cookie header value that deletes the cookie (same Path, Domain and Secure, so the browser matches it). */
  clear(): string;
  /** This cookie's value in a Cookie request header, or `undefined`. */
  read(cookieHeader: string | null | undefined): string | undefined;
}

const COOKIE_OPTION_NAMES = Object.keys({
  name: true,
  secure: true,
  sameSite: true,
  path: true,
  domain: true,
  httpOnly: true,
  prefix: true,
  development: true,
  warn: true,
} satisfies Record<keyof SessionCookieOptions, true>);

const LIFETIME_HINT =
  "the cookie's lifetime follows the policy: it lasts until absoluteTimeout, or set policy.sessionOnlyCookie: true for one that dies with the browser";
const COOKIE_HINTS: Record<string, string> = {
  maxAge: LIFETIME_HINT,
  expires: LIFETIME_HINT,
  secret: 'the session cookie holds a random ID, so it needs no signing secret',
  signed: 'the session cookie holds a random ID, so it needs no signing secret',
};

const HOST_PREFIX = '__Host-';
const SECURE_PREFIX = '__Secure-';
const hasPrefix = (name: string): boolean => /^__(host|secure)-/i.test(name);

/**
 * Resolve session-cookie options into a validated name and attributes.
 * `persistent` says whether cookies carry a lifetime (e.g. "remember me") or
 * are session-only.
 *
 * @throws {CookieError} for an invalid name, domain or path, `SameSite=None`
 *   without Secure, or an explicit prefix the attributes cannot satisfy.
 * @throws {ConfigError} for an unknown option name (naming the closest known one).
 * Warns once through `warn` for `development: true`, and for `secure: false` without it.
 * @example
 * const cookie = resolveSessionCookie({}, { persistent: true });
 * cookie.name; // '__Host-session'
 * cookie.serialize('k3Jx9', 3600, clock.now());
 * // '__Host-session=k3Jx9; Max-Age=3600; Expires=…; Path=/; Secure; HttpOnly; SameSite=Lax'
 * cookie.clear();
 * // '__Host-session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; SameSite=Lax'
 */
export function resolveSessionCookie(
  opts: SessionCookieOptions,
  context: { persistent: boolean },
): ResolvedCookie {
  if (opts === null || typeof opts !== 'object')
    throw new TypeError(`cookie: expected an options object, got ${String(opts)}`);
  const unknown = unknownOption(opts, COOKIE_OPTION_NAMES, COOKIE_HINTS);
  if (unknown) throw new ConfigError(`cookie: ${unknown.message}`);
  const { domain, prefix = 'auto', development = false } = opts;
  const baseName = opts.name ?? 'session';
  const path = opts.path ?? '/';
  if (typeof baseName !== 'string')
    throw new TypeError(`cookie.name: expected a string, got ${typeof baseName}`);
  if (baseName === '')
    throw new CookieError('cookie.name is empty; RFC 6265bis §4.1.1 requires a non-empty token');
  if (prefix !== 'auto' && prefix !== 'none')
    throw new CookieError(`cookie.prefix must be 'auto' or 'none', got ${String(prefix)}`);

  // The development fallback only ever happens because it was asked for.
  const secure = development === true ? false : (opts.secure ?? true);
  let name = baseName;
  if (prefix === 'auto' && secure && !hasPrefix(baseName)) {
    name = (domain === undefined && path === '/' ? HOST_PREFIX : SECURE_PREFIX) + baseName;
  }
  const attributes: CookieAttributes = Object.freeze({
    path,
    ...(domain === undefined ? {} : { domain }),
    secure,
    httpOnly: opts.httpOnly ?? true,
    sameSite: opts.sameSite ?? 'Lax',
  });
  // Validate name and attributes now: serializing an empty value runs every rule.
  serializeCookie(name, '', attributes);

  const warn = opts.warn ?? ((message: string) => console.warn(message));
  if (development === true) {
    warn(
      `[latchkey] session cookie "${name}": development mode is on, so it is sent without Secure and without ` +
        'the __Host-/__Secure- prefix, over plain HTTP. These cookies are not Secure and must not be used in production.',
    );
  } else if (opts.secure === false) {
    // A warning, not an error: an app on a closed HTTP-only network may mean it, and should know what it costs.
    warn(
      `[latchkey] session cookie "${name}": secure: false sends it over plain HTTP, where anyone on the network ` +
        'can read and replay it, and drops the __Host- prefix. For local http://localhost use development: true; ' +
        'in production serve HTTPS and leave secure at its default.',
    );
  }

  const persistent = context.persistent;
  return Object.freeze({
    name,
    attributes,
    development: development === true,
    persistent,
    serialize(value: string, maxAgeSeconds?: number, now?: number): string {
      if (!persistent || maxAgeSeconds === undefined)
        return serializeCookie(name, value, attributes);
      const maxAge = clampMaxAge(maxAgeSeconds);
      const at = now ?? Date.now();
      if (!Number.isFinite(at))
        throw new TypeError(`cookie now: expected milliseconds since the epoch, got ${at}`);
      return serializeCookie(
        name,
        value,
        { ...attributes, maxAge, expires: new Date(at + maxAge * 1000) },
        at,
      );
    },
    clear: (): string => deletionCookie(name, attributes),
    read: (cookieHeader: string | null | undefined): string | undefined =>
      getCookie(cookieHeader, name),
  });
}
