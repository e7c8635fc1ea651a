/**
 * The refresh-token cookie for browser clients, so the refresh token never
 * touches JavaScript: HttpOnly, Secure, SameSite=Strict, scoped to the refresh
 * endpoint's path (so `__Secure-`, not `__Host-`, which requires `Path=/`).
 */

import { resolveSessionCookie } from '../cookie/session-cookie.js';

/** Options for the refresh cookie. */
export interface RefreshCookieOptions {
  /** Base name; the `__Secure-` prefix is added. Default `refresh`. */
  name?: string;
  /** The refresh endpoint's path. Default `/auth/refresh`. */
  path?: string;
  /** Plain-HTTP localhost only: drops Secure and the prefix, with a warning. */
  development?: boolean;
  warn?: (message: string) => void;
}

/** A refresh-token cookie: write, clear, and read back from a request. */
export interface RefreshCookie {
  readonly name: string;
  serialize(token: string, maxAgeSeconds: number, now: number): string;
  clear(): string;
  read(request: Request): string | undefined;
}

/**
 * @example
 * const cookie = createRefreshCookie({ path: '/auth/refresh' });
 * cookie.serialize(pair.refreshToken, pair.refreshExpiresIn, clock.now());
 * // '__Secure-refresh=…; Max-Age=1209600; Expires=…; Path=/auth/refresh; Secure; HttpOnly; SameSite=Strict'
 */
export function createRefreshCookie(options: RefreshCookieOptions = {}): RefreshCookie {
  const resolved = resolveSessionCookie(
    {
      name: options.name ?? 'refresh',
      path: options.path ?? '/auth/refresh',
      sameSite: 'Strict',
      httpOnly: true,
      ...(options.development ? { development: true } : {}),
      ...(options.warn ? { warn: options.warn } : {}),
    },
    { persistent: true },
  );
  return {
    name: resolved.name,
    serialize: (token, maxAgeSeconds, now) => resolved.serialize(token, maxAgeSeconds, now),
    clear: () => resolved.clear(),
    read: (request) => {
      try {
        return resolved.read(request.headers.get('cookie'));
      } catch {
        return undefined;
      }
    },
  };
}
