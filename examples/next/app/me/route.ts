/**
 * GET /me: the signed-in user as JSON, or 401 with the reason (idle, absolute, revoked,
 * unauthenticated). The authoritative check: the middleware only saw that a cookie was there;
 * this loads it from the store, on the Node runtime, and counts as activity.
 */

import { expiryResponse } from '@latchkey/core';
import { sessionRoute } from '../../lib/latchkey';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

// An API route: JSON whatever the client accepts, never a redirect.
const json = { mode: 'json' } as const;

/**
 * The signed-in user, loaded from the store.
 *
 * @example
 * GET /me  Cookie: session=…  // 200 {"user":"ada"}; without one, 401 {"error":"session_expired",…}
 */
export const GET = sessionRoute(async ({ request, session }) => {
  const outcome = await session.load();
  if (!outcome.valid) return expiryResponse(request, outcome, json);
  if (outcome.session.userId === null) return expiryResponse(request, { reason: 'missing' }, json);
  return Response.json({ user: outcome.session.userId });
});
