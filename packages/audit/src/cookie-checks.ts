/**
 * The checks of the session cookie's attributes (OWASP ASVS 5.0 V3.3, RFC
 * 6265bis): each a pure function of the observations.
 */

import type { Observations } from './observations.js';
import {
  lifetimeSeconds,
  MAX_LIFETIME_SECONDS,
  MAX_NAME_VALUE_BYTES,
  nameValueBytes,
  type SetCookie,
} from './set-cookie.js';

/** What a check concludes, before the catalog adds its severity, ASVS number and fix. */
export interface Finding {
  status: 'pass' | 'fail' | 'n/a';
  message: string;
  /** Context that does not change the verdict (e.g. "the target is plain HTTP"). */
  note?: string;
}

export type Check = (o: Observations) => Finding;

const PLAIN_HTTP_NOTE =
  'the target is plain HTTP, where a browser neither keeps a Secure cookie nor a prefixed one: audit the HTTPS deployment';

/** Runs `test` on every session cookie; fails naming the ones that fail. */
function eachCookie(
  o: Observations,
  test: (c: SetCookie) => string | null,
  passed: (names: string) => string,
): Finding {
  if (o.sessionCookies.length === 0) return { status: 'n/a', message: 'no session cookie found' };
  const failures = o.sessionCookies.flatMap((c) => {
    const why = test(c);
    return why === null ? [] : [`${c.name}: ${why}`];
  });
  if (failures.length > 0) return { status: 'fail', message: failures.join('; ') };
  return { status: 'pass', message: passed(o.sessionCookies.map((c) => c.name).join(', ')) };
}

export const cookieHttpOnly: Check = (o) =>
  eachCookie(
    o,
    (c) => (c.httpOnly ? null : 'no HttpOnly, so any script on the page can read it'),
    (n) => `${n}: HttpOnly`,
  );

export const cookieSecure: Check = (o) => {
  const finding = eachCookie(
    o,
    (c) => (c.secure ? null : 'no Secure, so it is sent over plain HTTP too'),
    (n) => `${n}: Secure`,
  );
  if (o.plainHttp && o.sessionCookies.length > 0)
    return {
      status: 'fail',
      message:
        finding.status === 'pass'
          ? `${finding.message}, but served over plain HTTP`
          : finding.message,
      note: PLAIN_HTTP_NOTE,
    };
  return finding;
};

export const cookieSameSite: Check = (o) =>
  eachCookie(
    o,
    (c) => {
      const v = c.sameSite?.toLowerCase();
      if (v === 'strict' || v === 'lax') return null;
      if (v === 'none') return 'SameSite=None: sent on cross-site requests';
      if (v === undefined)
        return 'no SameSite: Firefox and Safari send it on cross-site requests (Chrome assumes Lax)';
      return `SameSite=${c.sameSite} is not a value browsers know, so it counts as unset`;
    },
    (n) => `${n}: SameSite=${o.sessionCookies[0]?.sameSite}`,
  );

/** RFC 6265bis §4.1.3: what each prefix demands, which browsers enforce by dropping the cookie. */
function prefixProblem(c: SetCookie): string | null {
  if (c.name.startsWith('__Host-')) {
    if (!c.secure) return '__Host- without Secure: browsers drop it';
    if (c.domain !== undefined) return '__Host- with Domain: browsers drop it';
    if (c.path !== '/') return '__Host- without Path=/: browsers drop it';
    return null;
  }
  if (c.name.startsWith('__Secure-')) {
    if (!c.secure) return '__Secure- without Secure: browsers drop it';
    return null;
  }
  return 'no __Host- or __Secure- prefix, so a subdomain or a plain-HTTP page can overwrite it';
}

export const cookiePrefix: Check = (o) => {
  const finding = eachCookie(
    o,
    prefixProblem,
    (n) => `${n}: prefixed, and the prefix's rules hold`,
  );
  if (o.plainHttp && o.sessionCookies.length > 0)
    return { status: 'fail', message: finding.message, note: PLAIN_HTTP_NOTE };
  return finding;
};

export const cookieScope: Check = (o) =>
  eachCookie(
    o,
    (c) =>
      c.domain !== undefined
        ? `Domain=${c.domain}: every subdomain receives it and can overwrite it`
        : null,
    (n) => `${n}: host-only (no Domain), Path=${o.sessionCookies[0]?.path ?? '(default)'}`,
  );

export const cookieLifetime: Check = (o) => {
  const kinds: string[] = [];
  const finding = eachCookie(
    o,
    (c) => {
      const seconds = lifetimeSeconds(c, o.loginAt);
      if (seconds === undefined) {
        kinds.push(`${c.name}: session-only (dies with the browser)`);
        return null;
      }
      if (seconds > MAX_LIFETIME_SECONDS)
        return `lifetime ${Math.round(seconds / 86400)} days, past the 400 days browsers keep a cookie: the app cannot rely on it`;
      kinds.push(`${c.name}: persistent, ${formatSeconds(seconds)}`);
      return null;
    },
    () => kinds.join('; '),
  );
  return finding;
};

export const cookieSize: Check = (o) =>
  eachCookie(
    o,
    (c) => {
      const bytes = nameValueBytes(c);
      return bytes > MAX_NAME_VALUE_BYTES
        ? `name and value are ${bytes} bytes, over the ${MAX_NAME_VALUE_BYTES} a browser keeps`
        : null;
    },
    () =>
      o.sessionCookies.map((c) => `${c.name}: ${nameValueBytes(c)} bytes`).join(', ') +
      ` (limit ${MAX_NAME_VALUE_BYTES})`,
  );

export function formatSeconds(seconds: number): string {
  if (seconds >= 86400 && seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds >= 3600) return `${+(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 60) return `${+(seconds / 60).toFixed(1)} min`;
  return `${seconds} s`;
}
