/**
 * One way for both session modes to put their headers on a response: always
 * on a copy with fresh, mutable headers, whichever `Response` class made the
 * original (a `fetch()` response and `Response.redirect()` have immutable ones).
 */

import type { SessionHeaders } from './contract.js';
import { SessionCommittedError } from './errors.js';

/**
 * `response` with the session's `Set-Cookie` lines appended and its other
 * headers set (they override: a response that sets a session cookie or logs
 * out always says `Cache-Control: no-store`). Unchanged when there is nothing to add.
 *
 * @example
 * return withSessionHeaders(new Response('ok'), await rs.flush());
 */
export function withSessionHeaders(response: Response, added: SessionHeaders): Response {
  if (added.setCookie.length === 0 && added.headers.length === 0) return response;
  // A fresh Headers object, never the original's: @hono/node-server's Response class keeps a
  // `fetch()` response's immutable headers when copied with `new Response(body, response)`.
  const headers = new Headers(response.headers);
  for (const value of added.setCookie) headers.append('set-cookie', value);
  for (const [name, value] of added.headers) headers.set(name, value);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** Refuse a session operation after `commit()`: its headers have already left with the response. */
export function assertOpen(committed: boolean, operation: string): void {
  if (committed)
    throw new SessionCommittedError(
      `${operation} after commit(): the response already left with this request's session headers; call ${operation} before committing (before returning the response from the handler)`,
    );
}
