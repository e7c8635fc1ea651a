/**
 * The account page, a server component: it loads the session from the store with the request's
 * headers and shows who is signed in. A cookie the middleware let through but the store no
 * longer knows (logged out, idle, revoked) is sent to /login from here.
 */

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { latchkey } from '../lib/latchkey';

export const dynamic = 'force-dynamic';

export default async function AccountPage() {
  const incoming = await headers();
  const request = new Request(`http://${incoming.get('host') ?? 'localhost'}/`, {
    headers: incoming,
  });
  // load() only: a server component cannot set cookies, so it never commits (no touch, no
  // renewal that would need a new cookie); the route handlers do.
  const outcome = await latchkey().forRequest(request).load();
  if (!outcome.valid || outcome.session.userId === null) redirect('/login?returnTo=%2F');
  const user = outcome.session.userId;
  return (
    <main>
      <h1>{`Signed in as ${user}`}</h1>
      <p>{`Session ends when idle past ${new Date(outcome.session.idleExpiresAt).toISOString()}.`}</p>
      <form method="post" action="/logout">
        <button>Sign out</button>
      </form>
    </main>
  );
}
