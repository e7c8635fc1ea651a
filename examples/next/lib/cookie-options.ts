/**
 * The session cookie's options, in one place for both sides: the engine (route handlers, the
 * server component, on Node) writes the cookie with them, and the edge middleware resolves the
 * same name from them to read it. Nothing here touches Node, so the edge bundle can import it.
 */

import type { SessionCookieOptions } from '@latchkey/core/cookie';

/**
 * Served on plain http://127.0.0.1, where a Secure cookie is not sent back: no Secure, no __Host-
 * prefix. Behind HTTPS in production, drop `development` (Secure and __Host- are the default).
 *
 * @example
 * createLatchkey({ policy, store, cookie: sessionCookieOptions });
 */
export const sessionCookieOptions: SessionCookieOptions = { development: true };
