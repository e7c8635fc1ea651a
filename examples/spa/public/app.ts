/**
 * The page's script, bundled by page.ts. The access token lives in the client's memory only;
 * the refresh token is an HttpOnly cookie that only /auth/* receives. An expired access token
 * costs one refresh however many calls meet it, and the user never notices.
 */

import { createClient, type SessionState } from '@latchkey/client';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const client = createClient({
  refreshPath: '/auth/refresh',
  logoutPath: '/auth/logout',
  loginPath: '/',
  // This page shows the sign-in form itself when signed out: no redirect to a login page.
  onSignedOut: () => {},
});

function show(state: SessionState, message?: string) {
  const signedIn = state.status === 'signed-in';
  $('login').hidden = signedIn || state.status === 'unknown';
  $('signed-in').hidden = !signedIn;
  $('status').textContent =
    message ??
    (state.status === 'signed-in'
      ? 'Signed in.'
      : state.status === 'signed-out'
        ? state.reason === 'logout'
          ? 'Signed out.'
          : `Signed out (${state.reason}).`
        : 'Loading…');
}

/** Who is signed in and until when the access token lasts: two API calls in parallel. */
async function load() {
  const [me, token] = await Promise.all([client.fetch('/api/me'), client.fetch('/api/token')]);
  if (!me.ok || !token.ok) return; // signed out meanwhile: `subscribe` shows it
  const { user } = (await me.json()) as { user: string };
  const { expiresAt } = (await token.json()) as { expiresAt: number };
  $('user').textContent = user;
  $('expires').textContent = new Date(expiresAt).toLocaleTimeString();
}

// Every change (this tab's and other tabs') redraws; signing in loads the user.
client.subscribe((state) => {
  show(state);
  if (state.status === 'signed-in' && state.source === 'other-tab') void load();
});

$<HTMLFormElement>('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      username: $<HTMLInputElement>('username').value,
      password: $<HTMLInputElement>('password').value,
    }),
  });
  if (!response.ok) return show(client.state, 'Wrong user name or password.');
  $<HTMLInputElement>('password').value = '';
  client.signIn((await response.json()) as { accessToken: string; expiresIn: number });
  await load();
});
$('reload').addEventListener('click', () => void load());
$('logout').addEventListener('click', () => void client.signOut());

// A reload of the page has no access token (memory only): resume from the refresh cookie, if any.
const outcome = await client.refresh();
if (outcome === 'refreshed') await load();
else show({ status: 'signed-out', reason: 'unauthenticated', source: 'this-tab' }, 'Signed out.');
