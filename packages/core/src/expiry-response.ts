/**
 * Graceful expiry: turn a failed load into the response the caller can use.
 * Scripts get 401 with a machine-readable reason; page navigations get a 303
 * to the login page with a same-origin `returnTo` (see negotiation.ts for who
 * is which). Store outages and lost write races get a try-again answer (503, 409).
 */

import type { ExpiryReason, SessionErrorBody } from './error-body.js';
import { errorResponse } from './error-response.js';
import { SessionConflictError, StoreError, StoreTimeoutError } from './errors.js';
import { answerMode, NEGOTIATION_VARY, type AnswerMode } from './negotiation.js';
import type { InvalidReason } from './outcome.js';

export type { ExpiryReason } from './error-body.js';

/**
 * Map a load failure to what a client is told. `unknown` and `malformed` say no more than `unauthenticated`.
 *
 * @example
 * expiryReason('expired-idle') // 'idle'
 */
export function expiryReason(reason: InvalidReason): ExpiryReason {
  switch (reason) {
    case 'expired-idle':
      return 'idle';
    case 'expired-absolute':
      return 'absolute';
    case 'revoked':
      return 'revoked';
    default:
      return 'unauthenticated';
  }
}

/**
 * Whether the request should get JSON rather than a page (see {@link answerMode}).
 *
 * @example
 * wantsJson(new Request('https://app.example/api', { headers: { accept: '*\/*' } })) // true
 */
export function wantsJson(request: Request): boolean {
  return answerMode(request) === 'json';
}

/**
 * A same-origin relative path to return to, or `undefined`. Accepts only
 * `/path?query` forms: no scheme, no `//host`, no backslash tricks, no
 * control characters, and the resolved URL must stay on the request's origin.
 *
 * @example
 * safeReturnTo('/settings?tab=2', 'https://app.example') // '/settings?tab=2'
 * safeReturnTo('//evil.example', 'https://app.example')  // undefined
 */
export function safeReturnTo(path: string | null | undefined, origin: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0 || path.length > 2048) return undefined;
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return undefined;
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return undefined;
  try {
    const base = new URL(origin);
    const resolved = new URL(path, base);
    if (resolved.origin !== base.origin) return undefined;
    // Dot segments collapse during resolution: '/.//evil.example' resolves to the path
    // '//evil.example', which a browser reads as another host when it is used as a Location.
    const out = resolved.pathname + resolved.search + resolved.hash;
    return out.startsWith('//') ? undefined : out;
  } catch {
    return undefined;
  }
}

/** Options for {@link expiryResponse}. */
export interface ExpiryResponseOptions {
  /** Where page requests are sent to sign in. A same-origin path; default `/login`. */
  loginPath?: string;
  /** Query parameter that carries the path to come back to. Default `returnTo`. */
  returnToParam?: string;
  /** Answer as `json` (401) or as a `page` (303) whatever the request says; default: negotiated. */
  mode?: AnswerMode;
}

/**
 * The response for a request whose session failed to load.
 *
 * @example
 * const outcome = await rs.load();
 * if (!outcome.valid) return expiryResponse(request, outcome);
 * // JSON: 401 {"error":"session_expired","reason":"idle"}; pages: 303 Location: /login?returnTo=%2Finbox&reason=idle
 */
export function expiryResponse(
  request: Request,
  outcome: { reason: InvalidReason },
  options: ExpiryResponseOptions = {},
): Response {
  const reason = expiryReason(outcome.reason);
  const vary = options.mode === undefined ? `${NEGOTIATION_VARY}, Cookie` : 'Cookie';
  if (answerMode(request, options.mode) === 'json') {
    const body: SessionErrorBody = { error: 'session_expired', reason };
    return new Response(JSON.stringify(body), {
      status: 401,
      headers: {
        'cache-control': 'no-store',
        vary,
        'content-type': 'application/json',
        'www-authenticate': `Cookie realm="session", error="session_expired", reason="${reason}"`,
      },
    });
  }
  const headers = new Headers({ 'cache-control': 'no-store', vary });
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    url = new URL('http://localhost/');
  }
  // A URL without a web origin (origin "null": file:, data:, an unknown scheme) cannot resolve paths against it.
  if (url.origin === 'null') url = new URL('http://localhost/');
  const loginPath = safeReturnTo(options.loginPath ?? '/login', url.origin) ?? '/login';
  const target = new URL(loginPath, url.origin);
  const back =
    request.method === 'GET' ? safeReturnTo(url.pathname + url.search, url.origin) : undefined;
  if (back && back !== target.pathname)
    target.searchParams.set(options.returnToParam ?? 'returnTo', back);
  if (reason !== 'unauthenticated') target.searchParams.set('reason', reason);
  headers.set('location', target.pathname + target.search);
  return new Response(null, { status: 303, headers });
}

/** A try-again answer: the typed JSON body for scripts, a short text for pages; never cached. */
function retryLater(
  request: Request,
  status: number,
  retryAfterSeconds: number,
  body: SessionErrorBody,
  text: string,
): Response {
  return errorResponse(request, body, {
    status,
    text,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/**
 * The response when the store is down: 503 with `Retry-After`, never a
 * sign-in page (the user is not logged out) and never the page itself (nor in).
 *
 * @example
 * storeUnavailableResponse(request) // 503, Retry-After: 5, {"error":"session_store_unavailable"}
 */
export function storeUnavailableResponse(request: Request, retryAfterSeconds = 5): Response {
  return retryLater(
    request,
    503,
    retryAfterSeconds,
    { error: 'session_store_unavailable' },
    'The session service is unavailable. Please try again shortly.',
  );
}

/** Whether `error` carries Latchkey's stable `code` (by class, or by code for a second copy of the library). */
function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === code;
}

/**
 * Whether `error` is a store failure, by class or by its stable code (a second copy of the library, say).
 *
 * @example
 * catch (error) { if (isStoreError(error)) return storeUnavailableResponse(request); throw error; }
 */
export function isStoreError(error: unknown): boolean {
  return (
    error instanceof StoreError ||
    hasCode(error, StoreError.code) ||
    hasCode(error, StoreTimeoutError.code)
  );
}

/**
 * The answer for a session failure a request cannot get past, or `null` for
 * any other error (an application bug stays the app's to answer):
 * `StoreError` is 503 (see {@link storeUnavailableResponse}), and a write that
 * lost its race too often (`SessionConflictError`) is 409 Conflict with
 * `Retry-After: 1` and `{"error":"session_conflict"}`: the request may be
 * sent again as it is. Every adapter answers through this, never with a 500.
 *
 * @example
 * catch (error) { return sessionFailureResponse(request, error) ?? new Response('bug', { status: 500 }) }
 */
export function sessionFailureResponse(request: Request, error: unknown): Response | null {
  if (isStoreError(error)) return storeUnavailableResponse(request);
  if (error instanceof SessionConflictError || hasCode(error, SessionConflictError.code))
    return retryLater(
      request,
      409,
      1,
      { error: 'session_conflict' },
      'Another request changed this session at the same moment. Please try again.',
    );
  return null;
}
