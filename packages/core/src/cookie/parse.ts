/**
 * Cookie request-header parsing, lenient as RFC 6265bis §5.6 is: split on
 * ";", trim, split each pair at its first "=". It never throws (the header is
 * attacker-controlled) and bounds the header's length and pair count.
 */

/** Bounds on how much of a Cookie header is read. */
export interface CookieParseOptions {
  /** Stop after this many name=value pairs, duplicates included. Default 100. */
  maxPairs?: number;
  /** Read only this many leading characters of the header. Default 16384. */
  maxLength?: number;
}

/** Default for {@link CookieParseOptions.maxLength}: 16 KiB, four maximum-size cookies and change. */
export const MAX_COOKIE_HEADER_LENGTH = 16_384;
/** Default for {@link CookieParseOptions.maxPairs}. */
export const DEFAULT_MAX_COOKIE_PAIRS = 100;

const SP = 0x20;
const HTAB = 0x09;
const DQUOTE = 0x22;
const isOws = (c: number): boolean => c === SP || c === HTAB;

/** Read a bound from options without ever throwing: anything but a non-negative number falls back to the default. */
function bound(value: unknown, fallback: number): number {
  return typeof value === 'number' && value >= 0 ? Math.floor(value) : fallback;
}

/**
 * Walk the pairs of `header`, calling `visit` with the bounds of each trimmed
 * name and unquoted value until it returns true. Index arithmetic only: nothing
 * is allocated for pairs the caller does not keep.
 */
function scan(
  header: unknown,
  opts: CookieParseOptions | undefined,
  visit: (
    h: string,
    nameStart: number,
    nameEnd: number,
    valueStart: number,
    valueEnd: number,
  ) => boolean,
): void {
  if (typeof header !== 'string' || header.length === 0) return;
  const maxLength = bound(opts?.maxLength, MAX_COOKIE_HEADER_LENGTH);
  const maxPairs = bound(opts?.maxPairs, DEFAULT_MAX_COOKIE_PAIRS);
  let end = header.length;
  if (end > maxLength) {
    // Keep whole pairs only: cut at the last ";" within the limit (a ";" right at the limit still closes a whole pair).
    end = Math.max(header.lastIndexOf(';', maxLength), 0);
  }
  let pos = 0;
  let pairs = 0;
  let eq = -1; // the next "=" at or after pos; reused across pairs so the walk stays linear
  while (pos < end && pairs < maxPairs) {
    let semi = header.indexOf(';', pos);
    if (semi === -1 || semi > end) semi = end;
    if (eq < pos) {
      eq = header.indexOf('=', pos);
      if (eq === -1 || eq >= end) return; // no pair can follow
    }
    if (eq < semi) {
      let nameStart = pos;
      let nameEnd = eq;
      while (nameStart < nameEnd && isOws(header.charCodeAt(nameStart))) nameStart++;
      while (nameEnd > nameStart && isOws(header.charCodeAt(nameEnd - 1))) nameEnd--;
      if (nameEnd > nameStart) {
        let valueStart = eq + 1;
        let valueEnd = semi;
        while (valueStart < valueEnd && isOws(header.charCodeAt(valueStart))) valueStart++;
        while (valueEnd > valueStart && isOws(header.charCodeAt(valueEnd - 1))) valueEnd--;
        if (
          valueEnd - valueStart >= 2 &&
          header.charCodeAt(valueStart) === DQUOTE &&
          header.charCodeAt(valueEnd - 1) === DQUOTE
        ) {
          valueStart++;
          valueEnd--;
        }
        pairs++;
        if (visit(header, nameStart, nameEnd, valueStart, valueEnd)) return;
      }
    }
    pos = semi + 1;
  }
}

/**
 * Parse a Cookie request header into a map of name to value. Never throws;
 * `null`, `undefined` and anything that is not a string give an empty map.
 * See the module comment for how the input is bounded.
 *
 * @example
 * parseCookieHeader('__Host-session=k3Jx9; theme="dark"; theme=light');
 * // Map { '__Host-session' => 'k3Jx9', 'theme' => 'dark' }
 */
export function parseCookieHeader(
  header: string | null | undefined,
  opts?: CookieParseOptions,
): Map<string, string> {
  const cookies = new Map<string, string>();
  scan(header, opts, (h, ns, ne, vs, ve) => {
    const name = h.slice(ns, ne);
    if (!cookies.has(name)) cookies.set(name, h.slice(vs, ve));
    return false;
  });
  return cookies;
}

/**
 * The value of one cookie, or `undefined`. Agrees with
 * `parseCookieHeader(header, opts).get(name)` for every input, but allocates
 * nothing except the returned value and rejects a header that does not contain
 * `name` with a single `indexOf`. Never throws.
 *
 * @example
 * getCookie(request.headers.get('cookie'), '__Host-session'); // 'k3Jx9' or undefined
 */
export function getCookie(
  header: string | null | undefined,
  name: string,
  opts?: CookieParseOptions,
): string | undefined {
  if (typeof header !== 'string' || typeof name !== 'string' || name.length === 0) return undefined;
  if (!header.includes(name)) return undefined;
  let found: string | undefined;
  scan(header, opts, (h, ns, ne, vs, ve) => {
    if (ne - ns !== name.length || !h.startsWith(name, ns)) return false;
    found = h.slice(vs, ve);
    return true;
  });
  return found;
}
