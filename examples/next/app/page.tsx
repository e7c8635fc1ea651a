/**
 * The account page, a server component: it loads the session from the store with the request's
 * headers and shows who is signed in. A cookie the middleware let through but the store no
 * longer knows (logged out, idle, revoked) is sent to /login from here.
 */

import { expiryResponse } from '@latchkey/core';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { latchkey } from '../lib/latchkey';

export const dynamic = 'force-dynamic';

/**
 * GET /: "Signed in as ada", or a redirect to /login.
 *
 * @example
 * GET /  Cookie: session=…  // 200 text/html <h1>Signed in as ada</h1>
 */
export default async function AccountPage() {
  const incoming = await headers();
  const request = new Request(`http://${incoming.get('host') ?? 'localhost'}/`, {
    headers: incoming,
  });
  // load() only: a server component cannot set cookies, so it never commits (no touch, no
  // renewal that would need a new cookie); the route handlers do. A store outage rejects, and
  // Next shows its error page: the visitor is neither signed in nor out.
  const outcome = await latchkey().forRequest(request).load();
  if (outcome.valid && outcome.session.userId !== null)
    return <Account user={outcome.session.userId} idleUntil={outcome.session.idleExpiresAt} />;
  // Not signed in: the core's own redirect target, /login?returnTo=%2F (plus `reason=idle`, say).
  const failed = outcome.valid ? { reason: 'missing' as const } : outcome;
  redirect(expiryResponse(request, failed, { mode: 'page' }).headers.get('location')!);
}

/** What a signed-in visitor sees: who they are, and a sign-out button. */
function Account({ user, idleUntil }: { user: string; idleUntil: number }) {
  return (
    <main>
      <h1>{`Signed in as ${user}`}</h1>
      <p>{`Idle deadline: ${new Date(idleUntil).toISOString()}.`}</p>
      <form method="post" action="/logout">
        <button>Sign out</button>
      </form>
    </main>
  );
}
