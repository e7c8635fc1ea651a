/**
 * The optimistic check, on the edge runtime: no well-formed session cookie, no entry. It reads
 * the cookie with Latchkey's parser but cannot reach the store (the edge runs apart from the
 * Node process), so a logged-out or expired cookie passes here and is refused next to the data.
 */

import { expiryResponse } from '@latchkey/core';
import { resolveSessionCookie } from '@latchkey/core/cookie';
import { NextResponse, type NextRequest } from 'next/server';
import { sessionCookieOptions } from './lib/cookie-options';

// The same name the engine writes; the engine already warned about the development cookie.
const cookie = resolveSessionCookie(
  { ...sessionCookieOptions, warn: () => {} },
  { persistent: false },
);

/** A session ID is 43 base64url characters (256 bits); anything else is never looked up. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** The API routes: refused with 401 JSON. Every other matched path is a page: 303 to /login. */
const API = new Set(['/me']);

/**
 * Let a request with a well-formed session cookie through; answer every other at the edge.
 *
 * @example
 * GET /   (no cookie)  // 303 Location: …/login?returnTo=%2F
 * GET /me (no cookie)  // 401 {"error":"session_expired","reason":"unauthenticated"}
 */
export function middleware(request: NextRequest): Response {
  const id = cookie.read(request.headers.get('cookie'));
  if (id !== undefined && SESSION_ID.test(id)) return NextResponse.next();
  const mode = API.has(request.nextUrl.pathname) ? 'json' : 'page';
  const answer = expiryResponse(
    request,
    { reason: id === undefined ? 'missing' : 'malformed' },
    { mode },
  );
  // Next's middleware wants an absolute Location; the core gives a path (`/login?returnTo=%2F`).
  // (Next then writes a loopback host, 127.0.0.1 or [::1], as `localhost`: see the README.)
  const location = answer.headers.get('location');
  if (location) answer.headers.set('location', new URL(location, request.url).href);
  return answer;
}

// No `runtime` key: edge is Next 15's default for middleware (and `runtime: 'edge'` is refused
// there as "experimental"; only 'nodejs' may be named).
export const config = {
  matcher: ['/', '/me'], // the signed-in pages and API routes; /login and /logout stay open
};
