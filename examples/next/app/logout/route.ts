/**
 * POST /logout: ends the session in the store (so a copy of the cookie signs no one in) and
 * clears the browser's cookie. Scripts get JSON; a browser's form post gets a 303 to /login.
 */

import { answerMode } from '@latchkey/core';
import { sessionRoute } from '../../lib/latchkey';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/**
 * Sign out: the session ends in the store, the cookie is cleared.
 *
 * @example
 * POST /logout  Cookie: session=…  // 200 {"loggedOut":true}, Set-Cookie: session=; Max-Age=0
 */
export const POST = sessionRoute(
  async ({ request, session }) => {
    await session.logout(); // deletes the record in the store and clears the cookie
    if (answerMode(request) === 'page')
      return new Response(null, { status: 303, headers: { location: '/login' } });
    return Response.json({ loggedOut: true });
  },
  { csrf: true }, // a cross-site form cannot sign the user out
);
