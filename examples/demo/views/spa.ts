/** The single-page app on @latchkey/client: access token in memory, refresh token in an HttpOnly cookie. */

import { EXPLAIN } from './explain.js';
import { html, type Html } from './html.js';

export function spaPage(): Html {
  return html`<h1>A single-page app on tokens</h1>
    <p class="hint">${EXPLAIN.accessTokens}</p>
    <section class="card" id="spa">
      <p>State: <strong id="spa-status">starting…</strong></p>
      <form id="spa-login" hidden>
        <label
          >User name <input name="username" id="spa-username" value="alice" autocomplete="username"
        /></label>
        <label
          >Password
          <input name="password" id="spa-password" type="password" autocomplete="current-password"
        /></label>
        <button type="submit" id="spa-sign-in">Sign in</button>
      </form>
      <div id="spa-signed-in" hidden>
        <p>
          Access tokens live 5 minutes (the <code>api</code> preset). The client refreshes 30 s
          before expiry, and once for any number of calls that find the token stale, across tabs.
        </p>
        <button type="button" id="spa-call">Call GET /api/me</button>
        <button type="button" id="spa-refresh">Refresh now</button>
        <button type="button" id="spa-logout">Log out (every tab)</button>
        <pre id="spa-result"></pre>
      </div>
    </section>
    <p class="hint">${EXPLAIN.refreshReuse}</p>`;
}
