/**
 * The browser tests' app: Hono on @hono/node-server on a loopback port, serving
 * pages that load the client's ESM bundle, with token routes (core's token
 * issuer) or cookie sessions (@latchkey/hono), a ManualClock, and a handle for
 * the test process: the request log, the refresh count, the clock.
 */

import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createLatchkey, csrfGuard, MemoryStore, presets } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { createTokenIssuer } from '@latchkey/core/tokens';
import { createDpopVerifier, dpopErrorResponse } from '@latchkey/core/dpop';
import { latchkey, requireAccessToken, requireSession } from '../../adapters/hono/src/index.js';

/** `dpop`: token mode with DPoP-bound tokens (RFC 9449) and server nonces. */
export type AppMode = 'token' | 'cookie' | 'dpop';

/** What a test sees of a running app. */
export interface TestApp {
  readonly mode: AppMode;
  readonly origin: string;
  readonly clock: ManualClock;
  /** Every request, in order: method and path (with query). */
  readonly requests: string[];
  /** Every request, in order: method, path, the Authorization scheme (or -) and `proof` when it carried a DPoP proof. */
  readonly schemes: string[];
  /** Refresh requests answered. */
  readonly refreshes: () => number;
  /** Every access and refresh token issued, to look for in the browser's storage. */
  readonly issued: string[];
  /** Answer refresh requests only once this many API calls were refused (bounded), so tabs meet expiry together. */
  holdRefreshUntilRefused(count: number): void;
  /** Transfers `POST /account/transfer` carried out (it is behind the core's CSRF guard). */
  readonly transfers: () => number;
  /** The refresh cookie's name (token mode) or the session cookie's (cookie mode). */
  readonly cookieName: string;
  close(): Promise<void>;
}

/** A page whose form posts itself to `action` as soon as it loads: what a cross-site attacker serves. */
export const transferForm = (action: string): string =>
  `<!doctype html><title>form</title><form method="post" action="${action}">` +
  `<input name="amount" value="100"></form><script>document.forms[0].submit()</script>`;

let apps = 0;
const MINUTE = 60_000;

const expired = (reason: string) =>
  new Response(JSON.stringify({ error: 'session_expired', reason }), {
    status: 401,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });

function page(title: string, mode: AppMode): string {
  // The spy goes first, so every storage write the client could make is seen.
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><link rel="icon" href="data:,">
<script>
  window.__storageWrites = [];
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    window.__storageWrites.push([this === localStorage ? 'local' : 'session', key, String(value)]);
    return setItem.call(this, key, value);
  };
</script></head><body><h1>${title}</h1><p id="status">unknown</p>
<script type="module">
  import { createClient, readReturnTo } from '/client.js';
  const params = new URLSearchParams(location.search);
  const mode = ${JSON.stringify(mode)};
  const client = createClient({
    ...(mode !== 'cookie' ? { refreshPath: '/auth/refresh' } : {}),
    ...(mode === 'dpop' ? { dpop: true } : {}),
    crossTab: params.get('crossTab') ?? 'auto',
    // A loaded CI machine may deliver the other tab's token slowly; bounded all the same.
    handoffTimeout: 10000,
  });
  const status = document.getElementById('status');
  const show = (s) => { status.textContent = [s.status, s.reason, s.source].filter(Boolean).join(' '); };
  client.subscribe(show);
  const results = {};
  window.test = {
    client,
    status: () => status.textContent,
    async login(user, goBack) {
      // With DPoP the login goes through the client, which signs its proof (and retries for a nonce).
      const r = await (mode === 'dpop' ? client.fetch : fetch)('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
      if (!r.ok) return r.status;
      client.signIn(mode !== 'cookie' ? await r.json() : undefined);
      if (goBack) location.assign(readReturnTo());
      return r.status;
    },
    async whoami() {
      const r = await client.fetch('/api/me');
      return r.ok ? (await r.json()).user : r.status;
    },
    /** Start a call without waiting (the driver polls \`result\`): a navigation may follow. */
    start(key, path) {
      results[key] = null;
      client.fetch(path).then((r) => { results[key] = r.status; }, (e) => { results[key] = String(e); });
      return true;
    },
    result: (key) => results[key],
  };
  window.test.ready = mode !== 'cookie' ? client.refresh().then(() => show(client.state)) : Promise.resolve();
</script></body></html>`;
}

/**
 * Start the app on a free loopback port, reached as `http://localhost:<port>`.
 * Cookies use the core's `development: true` option (no `Secure`, no prefix),
 * since WebKit, like Safari, drops `Secure` cookies on plain-HTTP localhost;
 * each app has its own cookie names, since cookies ignore the port.
 *
 * @example
 * const app = await startApp('token', bundle); await page.goto(app.origin + '/app/home');
 */
export async function startApp(mode: AppMode, clientBundle: string): Promise<TestApp> {
  const n = ++apps;
  // Started at the real time: cookies carry `Expires` from this clock, and WebKit honours it
  // even beside `Max-Age`, so a clock in the past would have it drop every cookie at once.
  const clock = new ManualClock(Date.now());
  const store = new MemoryStore({ clock });
  const quiet = { warn: () => {} };
  const requests: string[] = [];
  const issued: string[] = [];
  let refreshes = 0;
  let transfers = 0;
  let refused = 0;
  let holdUntil = 0;
  const refusals = new Set<() => void>();
  const noteRefusal = () => {
    refused++;
    for (const wake of [...refusals]) wake();
  };
  const held = () =>
    new Promise<void>((resolve) => {
      const limit = setTimeout(done, 10_000); // bounded: a broken client fails the test, it does not hang it
      function done() {
        clearTimeout(limit);
        refusals.delete(check);
        resolve();
      }
      function check() {
        if (refused >= holdUntil) done();
      }
      refusals.add(check);
      check();
    });

  const app = new Hono();
  // Listening first: a DPoP verifier needs the origin the browser calls, port included.
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: (r) => app.fetch(r), hostname: '127.0.0.1', port: 0 }, () =>
      resolve(s),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://localhost:${port}`;
  /** Per request: `DPoP` when it carried a proof, and the Authorization scheme. */
  const schemes: string[] = [];
  app.use(async (c, next) => {
    const url = new URL(c.req.url);
    requests.push(`${c.req.method} ${url.pathname}${url.search}`);
    schemes.push(
      `${c.req.method} ${url.pathname} ${c.req.header('authorization')?.split(' ')[0] ?? '-'} ${c.req.header('dpop') ? 'proof' : '-'}`,
    );
    await next();
    // DPoP proofs carry the browser's time; the server's is the ManualClock, and its Date says so.
    if (mode === 'dpop') c.res.headers.set('date', new Date(clock.now()).toUTCString());
  });
  app.get('/client.js', (c) =>
    c.body(clientBundle, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/app/*', (c) => c.html(page('App', mode)));
  app.get('/login', (c) => c.html(page('Sign in', mode)));

  let cookieName: string;
  if (mode !== 'cookie') {
    const dpop =
      mode === 'dpop'
        ? createDpopVerifier({
            origin,
            store,
            clock,
            nonce: { secret: 'browser-test-nonce-secret-0123456789', step: '5m' },
          })
        : undefined;
    const tokens = createTokenIssuer({
      keys: [{ kid: 'k1', alg: 'HS256', secret: 'browser-test-secret-0123456789abcdef' }],
      store,
      clock,
      policy: presets.api,
      ...(dpop ? { dpop } : {}),
      // Path /auth: the refresh route and the logout route (which revokes the family) both get it.
      cookie: { name: `refresh${n}`, path: '/auth', development: true, ...quiet },
    });
    cookieName = `refresh${n}`;
    const answer = (pair: Awaited<ReturnType<typeof tokens.issue>>) => {
      issued.push(pair.accessToken, pair.refreshToken);
      return new Response(
        JSON.stringify({ accessToken: pair.accessToken, expiresIn: pair.expiresIn }),
        {
          headers: {
            'content-type': 'application/json',
            'cache-control': 'no-store',
            'set-cookie': tokens.refreshCookie(pair),
          },
        },
      );
    };
    app.post('/auth/login', async (c) => {
      const { user } = await c.req.json<{ user: string }>();
      if (!dpop) return answer(await tokens.issue(user));
      // RFC 9449 §5: the token endpoint binds the new family to the proof's key.
      const verdict = await dpop.verify(c.req.raw);
      if (!verdict.valid) return dpopErrorResponse(c.req.raw, verdict, dpop);
      return answer(await tokens.issue(user, {}, { dpop: verdict }));
    });
    app.post('/auth/refresh', async (c) => {
      refreshes++;
      if (holdUntil > 0) await held();
      const presented = tokens.readRefreshToken(c.req.raw);
      if (!presented) return expired('unauthenticated');
      const outcome = await tokens.refresh(presented, { dpop: c.req.raw });
      if (outcome.valid) return answer(outcome.tokens);
      // A bound family without a valid proof: nothing changed, the cookie stays (its holder may still prove the key).
      if (outcome.dpop && dpop) return dpopErrorResponse(c.req.raw, outcome.dpop, dpop);
      const reason =
        outcome.reason === 'expired-idle'
          ? 'idle'
          : outcome.reason === 'expired-absolute'
            ? 'absolute'
            : outcome.reason === 'revoked' || outcome.reason === 'reuse-detected'
              ? 'revoked'
              : 'unauthenticated';
      const response = expired(reason);
      response.headers.append('set-cookie', tokens.clearRefreshCookie());
      return response;
    });
    app.post('/auth/logout', async (c) => {
      const bearer = c.req.header('authorization')?.replace(/^(Bearer|DPoP) /, '');
      const refreshToken = tokens.readRefreshToken(c.req.raw);
      await tokens.logout({
        ...(bearer ? { accessToken: bearer } : {}),
        ...(refreshToken ? { refreshToken } : {}),
        ...(dpop ? { dpop: c.req.raw } : {}),
      });
      return c.json({ ok: true }, 200, { 'set-cookie': tokens.clearRefreshCookie() });
    });
    // The core's bearer guard answers a stale token 401 invalid_token; counted for the hold.
    app.use('/api/*', async (c, next) => {
      await next();
      if (c.res.status === 401) noteRefusal();
    });
    app.get('/api/me', requireAccessToken(tokens), (c) => c.json({ user: c.var.claims.sub }));
  } else {
    const engine = createLatchkey({
      policy: { ...presets.productivity, name: 'browser', idleTimeout: 30 * MINUTE },
      store,
      clock,
      cookie: { name: `sid${n}`, development: true, ...quiet },
    });
    cookieName = `sid${n}`;
    app.use(latchkey(engine));
    app.post('/auth/login', async (c) => {
      const { user } = await c.req.json<{ user: string }>();
      await c.var.session.login(user);
      return c.json({ user });
    });
    app.post('/auth/logout', async (c) => {
      await c.var.session.logout();
      return c.json({ ok: true });
    });
    app.get('/api/me', requireSession(), async (c) =>
      c.json({ user: c.var.session.current.userId }),
    );
  }

  // A state-changing route behind the core's CSRF guard, for the cross-origin form test.
  const csrf = csrfGuard();
  app.post('/account/transfer', (c) => {
    const refused = csrf(c.req.raw);
    if (refused) return refused;
    transfers++;
    return c.text('transferred');
  });

  return {
    mode,
    origin,
    clock,
    requests,
    schemes,
    refreshes: () => refreshes,
    transfers: () => transfers,
    issued,
    cookieName,
    holdRefreshUntilRefused(count) {
      holdUntil = count;
      refused = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections alive; the test is over, so end them.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
