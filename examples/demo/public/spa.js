// The single-page app: tokens through @latchkey/client. The access token stays in this tab's
// memory; the refresh token is an HttpOnly cookie only /spa/auth/* receives. One tab's refresh
// serves the others, and logging out in one tab signs every tab out.
import { createClient } from '/client.js';

const $ = (selector) => document.querySelector(selector);
const client = createClient({
  refreshPath: '/spa/auth/refresh',
  logoutPath: '/spa/auth/logout',
  loginPath: '/spa',
  refreshAhead: 30,
  // Stay on this page when signed out; it shows the sign-in form itself.
  onSignedOut: () => {},
});

function show(state) {
  const signedIn = state.status === 'signed-in';
  $('#spa-status').textContent = [state.status, state.reason, state.source]
    .filter(Boolean)
    .join(' · ');
  $('#spa-login').hidden = signedIn || state.status === 'unknown';
  $('#spa-signed-in').hidden = !signedIn;
}
client.subscribe(show);

// Resume from the refresh cookie, if this browser has one.
client.refresh().then((outcome) => {
  if (outcome !== 'refreshed') show({ status: 'signed-out', reason: 'unauthenticated' });
  else show(client.state);
});

$('#spa-login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const r = await fetch('/spa/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      username: $('#spa-username').value,
      password: $('#spa-password').value,
    }),
  });
  if (!r.ok) {
    $('#spa-status').textContent = 'wrong user name or password';
    return;
  }
  const tokens = await r.json();
  client.signIn(tokens);
});

$('#spa-call').addEventListener('click', async () => {
  const r = await client.fetch('/api/me', { headers: { accept: 'application/json' } });
  $('#spa-result').textContent = `${r.status} ${JSON.stringify(await r.json(), null, 2)}`;
});
$('#spa-refresh').addEventListener('click', async () => {
  $('#spa-result').textContent = `refresh: ${await client.refresh()}`;
});
$('#spa-logout').addEventListener('click', () => client.signOut());
