/**
 * Where the user goes to sign in, and where they come back to: a `returnTo`
 * that can only be a path on this origin (no open redirect, OWASP Unvalidated
 * Redirects and Forwards). The same rule as the core's `safeReturnTo`.
 */

/** The part of `Location` these helpers read; `window.location` fits. */
export interface LocationLike {
  readonly origin: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
  readonly href?: string;
}

/**
 * `value` as a path (with query and hash) on `origin`, or `undefined` when it
 * is not one: no scheme, no `//host`, no backslashes, no control characters.
 *
 * @example
 * sameOriginPath('/inbox?folder=work#m7', 'https://app.example') // '/inbox?folder=work#m7'
 * sameOriginPath('//evil.example/', 'https://app.example')       // undefined
 */
export function sameOriginPath(value: unknown, origin: string): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  try {
    const base = new URL(origin);
    const resolved = new URL(value, base);
    if (resolved.origin !== base.origin) return undefined;
    // Dot segments collapse: '/.//evil.example' resolves to the path '//evil.example'.
    const out = resolved.pathname + resolved.search + resolved.hash;
    return out.startsWith('//') ? undefined : out;
  } catch {
    return undefined;
  }
}

/**
 * The login page's URL with `returnTo` set to where the user is now (path,
 * query and hash), left out when they are on the login page already.
 *
 * @example
 * loginUrl('/login', 'returnTo', location) // '/login?returnTo=%2Finbox%3Ffolder%3Dwork%23m7'
 */
export function loginUrl(loginPath: string, returnToParam: string, here: LocationLike): string {
  const target = new URL(loginPath, here.origin);
  const back = sameOriginPath(here.pathname + here.search + here.hash, here.origin);
  if (back !== undefined && here.pathname !== target.pathname)
    target.searchParams.set(returnToParam, back);
  return target.pathname + target.search;
}

/**
 * On the login page, after signing in: the `returnTo` to go back to, or
 * `fallback` when it is missing or points anywhere but this origin.
 *
 * @example
 * await signIn(form);
 * location.assign(readReturnTo()); // '/inbox?folder=work#m7', never 'https://evil.example'
 */
export function readReturnTo(
  here: LocationLike = globalThis.location,
  returnToParam = 'returnTo',
  fallback = '/',
): string {
  const value = new URLSearchParams(here.search).get(returnToParam);
  return sameOriginPath(value, here.origin) ?? fallback;
}
