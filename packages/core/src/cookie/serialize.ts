/**
 * Set-Cookie serialization, strict per RFC 6265bis: anything a browser would
 * silently drop or mangle is refused with a `CookieError`, so a misconfiguration
 * fails loudly at the server instead of as a mysterious logout.
 */

import { CookieError } from '../errors.js';

/** Attributes of one Set-Cookie header, in the field's own words. */
export interface CookieAttributes {
  /** Lifetime in seconds. Fractions round down; above 400 days it is clamped; `0` deletes the cookie. */
  maxAge?: number;
  /** Absolute expiry; capped at 400 days after `now`. `Max-Age` wins in every current browser when both are set. */
  expires?: Date;
  /** Hostname the cookie is shared with, subdomains included. Forfeits the `__Host-` prefix. */
  domain?: string;
  /** Path prefix the cookie is sent to; must start with `/`. */
  path?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** CHIPS partitioned cookie; requires Secure. */
  partitioned?: boolean;
  /** Chromium's non-standard eviction priority. */
  priority?: 'Low' | 'Medium' | 'High';
}

/** RFC 6265bis §4.1.2.2: the longest lifetime a user agent keeps, 400 days in seconds. */
export const MAX_COOKIE_AGE_SECONDS = 34_560_000;
/** RFC 6265bis §5.6: user agents ignore cookies whose name plus value exceed this many octets. */
export const MAX_COOKIE_SIZE = 4096;
/** RFC 6265bis §5.6: user agents ignore attribute values longer than this many octets. */
const MAX_ATTRIBUTE_VALUE = 1024;
const EPOCH = new Date(0);
const TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";
const SAME_SITE = ['Strict', 'Lax', 'None'];
const PRIORITY = ['Low', 'Medium', 'High'];

const isTchar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  TCHAR_SYMBOLS.includes(String.fromCharCode(c));

/** RFC 6265 §4.1.1 cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E. */
const isCookieOctet = (c: number): boolean =>
  c === 0x21 ||
  (c >= 0x23 && c <= 0x2b) ||
  (c >= 0x2d && c <= 0x3a) ||
  (c >= 0x3c && c <= 0x5b) ||
  (c >= 0x5d && c <= 0x7e);

/** Index of the first UTF-16 unit in `s[from, to)` that fails `ok`, or -1. */
function firstInvalid(s: string, ok: (c: number) => boolean, from = 0, to = s.length): number {
  for (let i = from; i < to; i++) if (!ok(s.charCodeAt(i))) return i;
  return -1;
}

const describe = (s: string, i: number): string =>
  `character U+${(s.codePointAt(i) ?? 0).toString(16).toUpperCase().padStart(4, '0')} at index ${i}`;
const quote = (s: string): string => JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);

function checkName(name: string): void {
  if (typeof name !== 'string')
    throw new TypeError(`cookie name: expected a string, got ${typeof name}`);
  if (name.length === 0)
    throw new CookieError('cookie name is empty; RFC 6265bis §4.1.1 requires a non-empty token');
  const bad = firstInvalid(name, isTchar);
  if (bad !== -1) {
    throw new CookieError(
      `cookie name ${quote(name)} is not an RFC 9110 token: ${describe(name, bad)} is not allowed ` +
        '(no whitespace, control characters, non-ASCII or separators ()<>@,;:\\"/[]?={})',
    );
  }
}

// The value is a secret (a session ID), so messages give the position, never the value.
function checkValue(name: string, value: string): void {
  if (typeof value !== 'string')
    throw new TypeError(`cookie value of ${quote(name)}: expected a string, got ${typeof value}`);
  const quoted =
    value.length >= 2 &&
    value.charCodeAt(0) === 0x22 &&
    value.charCodeAt(value.length - 1) === 0x22;
  const bad = quoted
    ? firstInvalid(value, isCookieOctet, 1, value.length - 1)
    : firstInvalid(value, isCookieOctet);
  if (bad !== -1) {
    throw new CookieError(
      `cookie value of ${quote(name)} is not RFC 6265 cookie-octets: ${describe(value, bad)} is not allowed ` +
        '(no whitespace, DQUOTE, comma, semicolon, backslash, control characters or non-ASCII; encode it, e.g. base64url)',
    );
  }
  // Both are ASCII once validated, so string length equals the UTF-8 octet count.
  const size = name.length + value.length;
  if (size > MAX_COOKIE_SIZE) {
    throw new CookieError(
      `cookie ${quote(name)} is ${size} bytes (name + value), over the ${MAX_COOKIE_SIZE}-byte limit; ` +
        'RFC 6265bis §5.6: user agents ignore larger cookies',
    );
  }
}

function checkDomain(domain: string): void {
  const host = domain.startsWith('.') ? domain.slice(1) : domain; // §5.6.3: a leading dot is ignored
  const ok =
    host.length > 0 &&
    host.length <= 253 &&
    host.split('.').every((label) => /^[A-Za-z0-9_-]{1,63}$/.test(label));
  if (!ok) {
    throw new CookieError(
      `cookie Domain ${quote(domain)} is not a hostname (ASCII letters, digits, '-', '_' and '.'; encode IDNs as punycode)`,
    );
  }
}

function checkPath(path: string): void {
  // §5.6.4: a path that does not start with "/" is replaced by the default path, silently.
  if (!path.startsWith('/'))
    throw new CookieError(`cookie Path ${quote(path)} must start with "/" (RFC 6265bis §5.6.4)`);
  if (path.length > MAX_ATTRIBUTE_VALUE) {
    throw new CookieError(
      `cookie Path is ${path.length} bytes, over the ${MAX_ATTRIBUTE_VALUE}-byte limit (RFC 6265bis §5.6)`,
    );
  }
  // §4.1.1 path-value: any CHAR except CTLs or ";".
  const bad = firstInvalid(path, (c) => c >= 0x20 && c <= 0x7e && c !== 0x3b);
  if (bad !== -1)
    throw new CookieError(
      `cookie Path ${quote(path)}: ${describe(path, bad)} is not allowed (no ";", CTLs or non-ASCII)`,
    );
}

function checkAttributes(name: string, a: CookieAttributes): void {
  if (a.domain !== undefined) checkDomain(a.domain);
  if (a.path !== undefined) checkPath(a.path);
  if (a.sameSite !== undefined && !SAME_SITE.includes(a.sameSite)) {
    throw new CookieError(
      `cookie SameSite must be Strict, Lax or None, got ${quote(String(a.sameSite))}`,
    );
  }
  if (a.priority !== undefined && !PRIORITY.includes(a.priority)) {
    throw new CookieError(
      `cookie Priority must be Low, Medium or High, got ${quote(String(a.priority))}`,
    );
  }
  if (a.sameSite === 'None' && !a.secure)
    throw new CookieError(
      `cookie ${quote(name)}: SameSite=None requires Secure (RFC 6265bis §5.6.7)`,
    );
  if (a.partitioned && !a.secure)
    throw new CookieError(`cookie ${quote(name)}: Partitioned requires Secure (CHIPS)`);
  const lower = name.toLowerCase();
  if (lower.startsWith('__secure-') && !a.secure) {
    throw new CookieError(
      `cookie ${quote(name)}: RFC 6265bis §4.1.3.1: the __Secure- prefix requires the Secure attribute`,
    );
  }
  if (lower.startsWith('__host-') && (!a.secure || a.path !== '/' || a.domain !== undefined)) {
    throw new CookieError(
      `cookie ${quote(name)}: RFC 6265bis §4.1.3.2: the __Host- prefix requires Secure, Path=/ and no Domain ` +
        `(got ${a.secure ? 'Secure' : 'no Secure'}, ${a.path === undefined ? 'no Path' : `Path=${a.path}`}, ` +
        `${a.domain === undefined ? 'no Domain' : `Domain=${a.domain}`})`,
    );
  }
}

/**
 * Validate a Max-Age in seconds and bring it into range: fractions round down
 * (a cookie must not outlive what it stands for) and anything above 400 days,
 * `Infinity` included, becomes 400 days (RFC 6265bis §4.1.2.2).
 *
 * @throws {CookieError} for a negative or NaN value.
 * @example
 * clampMaxAge(3600.7); // 3600
 * clampMaxAge(10 * 365 * 86_400); // 34560000
 */
export function clampMaxAge(seconds: number): number {
  if (typeof seconds !== 'number')
    throw new TypeError(`cookie Max-Age: expected a number of seconds, got ${typeof seconds}`);
  if (Number.isNaN(seconds) || seconds < 0) {
    throw new CookieError(
      `cookie Max-Age must be a non-negative number of seconds, got ${seconds} (use 0 to delete)`,
    );
  }
  return Math.min(Math.floor(seconds), MAX_COOKIE_AGE_SECONDS);
}

function formatExpires(expires: Date, now: number | undefined): string {
  if (!(expires instanceof Date) || Number.isNaN(expires.getTime()))
    throw new TypeError('cookie Expires: expected a valid Date');
  const base = now ?? Date.now();
  if (!Number.isFinite(base))
    throw new TypeError(`cookie Expires: now must be a finite number of milliseconds, got ${base}`);
  const cap = base + MAX_COOKIE_AGE_SECONDS * 1000;
  // toUTCString() is the IMF-fixdate of RFC 9110 §5.6.7, e.g. "Thu, 01 Jan 1970 00:00:00 GMT".
  return (expires.getTime() > cap ? new Date(cap) : expires).toUTCString();
}

/**
 * Serialize one Set-Cookie header value. Attributes come out in a fixed order:
 * Max-Age, Expires, Domain, Path, Secure, HttpOnly, SameSite, Partitioned, Priority.
 *
 * @param now Milliseconds since the epoch, used only to cap `expires` at 400
 *   days; pass the injected clock's value. `Date.now()` is read only when an
 *   `expires` is given and `now` is not.
 * @throws {CookieError} when the name, value or an attribute breaks RFC 6265bis
 *   (the message names the rule); `TypeError` for arguments of the wrong type.
 * @example
 * serializeCookie('__Host-session', 'k3Jx9', { maxAge: 3600, path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
 * // '__Host-session=k3Jx9; Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax'
 */
export function serializeCookie(
  name: string,
  value: string,
  attrs: CookieAttributes = {},
  now?: number,
): string {
  checkName(name);
  checkValue(name, value);
  checkAttributes(name, attrs);
  let out = `${name}=${value}`;
  if (attrs.maxAge !== undefined) out += `; Max-Age=${clampMaxAge(attrs.maxAge)}`;
  if (attrs.expires !== undefined) out += `; Expires=${formatExpires(attrs.expires, now)}`;
  if (attrs.domain !== undefined) out += `; Domain=${attrs.domain}`;
  if (attrs.path !== undefined) out += `; Path=${attrs.path}`;
  if (attrs.secure) out += '; Secure';
  if (attrs.httpOnly) out += '; HttpOnly';
  if (attrs.sameSite !== undefined) out += `; SameSite=${attrs.sameSite}`;
  if (attrs.partitioned) out += '; Partitioned';
  if (attrs.priority !== undefined) out += `; Priority=${attrs.priority}`;
  return out;
}

/**
 * A Set-Cookie header value that makes the browser delete the cookie: an empty
 * value, `Max-Age=0` and an Expires in 1970. Pass the same Domain, Path,
 * Secure, SameSite and Partitioned the cookie was set with: the browser only
 * replaces a cookie with the same name, domain, path (and partition), and a
 * prefixed name must satisfy its prefix rules again. `maxAge` and `expires` in
 * `attrs` are ignored.
 *
 * @example
 * deletionCookie('__Host-session', { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
 * // '__Host-session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; SameSite=Lax'
 */
export function deletionCookie(name: string, attrs: CookieAttributes = {}): string {
  // now = 0: the epoch is never above the 400-day cap, and no clock is read.
  return serializeCookie(name, '', { ...attrs, maxAge: 0, expires: EPOCH }, 0);
}
