/**
 * Reading `Set-Cookie` lines the way a browser does (RFC 6265bis §5.6), and
 * the few attribute facts the checks need. Lenient by design: a garbage line
 * yields `null`, never an exception, because the target may be hostile.
 */

/** One `Set-Cookie` line, parsed. Attribute names are as RFC 6265bis spells them. */
export interface SetCookie {
  name: string;
  value: string;
  /** `Expires` as epoch ms, when it parsed as a date. */
  expires?: number;
  /** `Max-Age` in seconds, when it was an integer. */
  maxAge?: number;
  domain?: string;
  path?: string;
  secure: boolean;
  httpOnly: boolean;
  /** The `SameSite` value as sent (`Strict`, `Lax`, `None`, or anything else). */
  sameSite?: string;
  /** The line as received, for the report. */
  raw: string;
}

/** The most a browser keeps of name plus value (RFC 6265bis §5.6, step 8). */
export const MAX_NAME_VALUE_BYTES = 4096;
/** Browsers cap a cookie's lifetime at 400 days (RFC 6265bis §5.6.1, §5.6.2). */
export const MAX_LIFETIME_SECONDS = 400 * 24 * 60 * 60;

// Controls other than tab make a browser ignore the whole line (RFC 6265bis §5.6, step 1).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Parses one `Set-Cookie` line; `null` for a line a browser would ignore.
 *
 * @example
 * parseSetCookie('sid=abc; Path=/; HttpOnly')?.httpOnly // true
 */
export function parseSetCookie(line: string): SetCookie | null {
  if (typeof line !== 'string' || CONTROL.test(line)) return null;
  const parts = line.split(';');
  const pair = parts.shift() ?? '';
  const eq = pair.indexOf('=');
  const name = (eq < 0 ? '' : pair.slice(0, eq)).trim();
  const value = (eq < 0 ? pair : pair.slice(eq + 1)).trim();
  if (name === '' && value === '') return null;
  const cookie: SetCookie = { name, value, secure: false, httpOnly: false, raw: line };
  for (const part of parts) {
    const at = part.indexOf('=');
    const key = (at < 0 ? part : part.slice(0, at)).trim().toLowerCase();
    const val = at < 0 ? '' : part.slice(at + 1).trim();
    if (val.length > 1024) continue; // §5.6, step 6: attribute values over 1024 octets are ignored
    switch (key) {
      case 'expires': {
        const at = Date.parse(val);
        if (Number.isFinite(at)) cookie.expires = at;
        break;
      }
      case 'max-age':
        if (/^-?\d+$/.test(val)) cookie.maxAge = Number(val);
        break;
      case 'domain':
        if (val !== '') cookie.domain = val.replace(/^\./, '').toLowerCase();
        break;
      case 'path':
        cookie.path = val.startsWith('/') ? val : undefined;
        break;
      case 'secure':
        cookie.secure = true;
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'samesite':
        cookie.sameSite = val;
        break;
    }
  }
  return cookie;
}

/** Does this line delete the cookie (`Max-Age` ≤ 0 or an `Expires` at or before `now`)? */
export function isDeletion(cookie: SetCookie, now: number): boolean {
  if (cookie.maxAge !== undefined) return cookie.maxAge <= 0;
  return cookie.expires !== undefined && cookie.expires <= now;
}

/**
 * Seconds the browser would keep the cookie, `undefined` for a session-only cookie
 * (`Max-Age` wins over `Expires`, RFC 6265bis §5.6.2). `now` is the response's time.
 */
export function lifetimeSeconds(cookie: SetCookie, now: number): number | undefined {
  if (cookie.maxAge !== undefined) return cookie.maxAge;
  if (cookie.expires !== undefined) return Math.round((cookie.expires - now) / 1000);
  return undefined;
}

/** Bytes of name plus value, as RFC 6265bis counts them. */
export const nameValueBytes = (cookie: SetCookie): number =>
  new TextEncoder().encode(cookie.name + cookie.value).length;
