/**
 * What a DBSC user agent decides before each request (DBSC draft, Algorithms): whether a URL is
 * in a session's scope, and whether the request would go without the session's bound cookie.
 */
import { isSecureUrl, parseAttributes, pathMatches, type CookieJar } from './cookie-jar.js';

/** A session as a DBSC user agent keeps it. */
export interface BrowserSession {
  id: string;
  refreshUrl: URL;
  origin: string;
  includeSite: boolean;
  rules: Array<{ type: 'include' | 'exclude'; domain: string; path: string }>;
  credentials: Array<{ name: string; attributes: string }>;
  keys: CryptoKeyPair | null;
  alg: 'ES256' | 'RS256' | 'none';
  cachedChallenge: string | null;
}

/** "Identify if a host matches a pattern". */
export function hostMatches(host: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return pattern.startsWith('*.') && host.endsWith(pattern.slice(1));
  return host === pattern;
}

/** The last two labels, standing in for the registrable domain (enough for test hosts). */
export const site = (host: string): string => host.split('.').slice(-2).join('.');

/** "Identify if a URL is in scope of a session". */
export function inScope(url: URL, session: BrowserSession): boolean {
  const origin = new URL(session.origin);
  if (
    session.includeSite
      ? site(url.hostname) !== site(origin.hostname)
      : url.origin !== origin.origin
  )
    return false;
  if (url.origin === session.refreshUrl.origin && url.pathname === session.refreshUrl.pathname)
    return false;
  for (const rule of [...session.rules].reverse()) {
    if (!hostMatches(url.hostname, rule.domain)) continue;
    const p = url.pathname;
    if (
      p === rule.path ||
      (rule.path.endsWith('/') && p.startsWith(rule.path)) ||
      p.startsWith(`${rule.path}/`)
    )
      return rule.type === 'include';
  }
  return true;
}

/** "Identify if missing session credential": a bound cookie that would be sent to `url` is not in the jar. */
export function missingCredential(url: URL, session: BrowserSession, jar: CookieJar): boolean {
  const sent = jar.matching(url);
  for (const credential of session.credentials) {
    const want = parseAttributes(credential.attributes.split(';'), session.refreshUrl);
    if (!pathMatches(url.pathname, want.path) || (want.secure && !isSecureUrl(url))) continue;
    const present = sent.some(
      (c) =>
        c.name === credential.name &&
        c.path === want.path &&
        c.secure === want.secure &&
        c.httpOnly === want.httpOnly &&
        (c.sameSite ?? 'Lax') === (want.sameSite ?? 'Lax') &&
        c.domain === want.domain,
    );
    if (!present) return true;
  }
  return false;
}
