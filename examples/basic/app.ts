/**
 * The example app as a plain fetch handler, `(Request) => Promise<Response>`,
 * with no framework: server.ts serves it on Node, and the tests call it
 * in-process. It shows the whole life of a session with `@latchkey/core`:
 * sign in, the session and its deadlines, the user's devices, ending one,
 * log out everywhere, logout, the published policy, and graceful expiry for
 * pages (a redirect to the login page) and for JSON clients (a 401 with a
 * reason).
 *
 * Routes: GET / · GET /login · POST /login · POST /logout ·
 * POST /sessions/end · POST /logout-everywhere · GET /policy · GET /api/me
 */

import {
  createLatchkey,
  expiryResponse,
  MemoryStore,
  csrfGuard,
  presets,
  safeReturnTo,
  StoreError,
  storeUnavailableResponse,
  type Clock,
  type DeviceFacts,
  type SessionStore,
} from '@latchkey/core';
import { systemClock } from '@latchkey/core/store';
import { loginPage, page, policyPage, sessionPage } from './pages.js';

/** What can be swapped in: the tests inject a `ManualClock` and their own store. */
export interface ExampleOptions {
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: a `MemoryStore` on the same clock. */
  store?: SessionStore;
  /** Plain-HTTP localhost only: drop `Secure` and the `__Host-` prefix (core warns once). Default `false`. */
  development?: boolean;
  /** Where core's development-cookie warning goes. Default `console.warn`. */
  warn?: (message: string) => void;
}

/** The app: its fetch handler and the engine behind it. */
export interface ExampleApp {
  /** `device.ip` is what the server saw; a plain fetch handler cannot know it. */
  fetch(request: Request, device?: DeviceFacts): Promise<Response>;
  latchkey: ReturnType<typeof createLatchkey>;
}

/**
 * @example
 * const app = createApp({ development: true });
 * const res = await app.fetch(new Request('http://localhost:3000/policy'));
 */
export function createApp(options: ExampleOptions = {}): ExampleApp {
  const clock = options.clock ?? systemClock;
  const latchkey = createLatchkey({
    policy: presets.productivity, // idle 30 min sliding, absolute 24 h
    store: options.store ?? new MemoryStore({ clock }),
    clock,
    cookie: {
      development: options.development ?? false,
      ...(options.warn ? { warn: options.warn } : {}),
    },
  });

  const csrf = csrfGuard({ unverifiable: 'refuse' });

  async function handle(request: Request, device: DeviceFacts): Promise<Response> {
    const url = new URL(request.url);
    // Every state change is a POST, and a POST must come from a page of this origin (OWASP
    // ASVS V3.5): the core's CSRF guard checks Origin and Sec-Fetch-Site. This example also
    // refuses a POST that carries neither, which only non-browser clients send.
    const refused = csrf(request);
    if (refused) return refused;
    const rs = latchkey.forRequest(request, device); // lazy: nothing is read until load()
    const route = `${request.method} ${url.pathname}`;

    switch (route) {
      case 'GET /login':
        return html(
          loginPage({
            reason: url.searchParams.get('reason'),
            returnTo: url.searchParams.get('returnTo') ?? '',
          }),
        );

      case 'POST /login': {
        const form = await readForm(request);
        const username = form.get('username')?.trim() ?? '';
        const returnTo = form.get('returnTo') ?? '';
        if (!/^[\w.@+-]{1,64}$/.test(username)) {
          return html(
            loginPage({
              error: 'Pick a username of 1 to 64 letters, digits or . _ @ + -',
              returnTo,
            }),
            400,
          );
        }
        // A demo: anyone may be anyone. A real app checks a password or a passkey first.
        await rs.login(username); // a new session ID every time: session-fixation defence
        return rs.commit(redirect(safeReturnTo(returnTo, url.origin) ?? '/'));
      }

      case 'GET /policy':
        return html(policyPage(latchkey.describePolicy()));

      case 'GET /api/me': {
        const outcome = await rs.load();
        // JSON clients get 401 {"error":"session_expired","reason":"idle"|"absolute"|"revoked"|"unauthenticated"}.
        if (!outcome.valid) return expiryResponse(request, outcome, { loginPath: '/login' });
        const s = outcome.session;
        return rs.commit(
          Response.json(
            {
              user: s.userId,
              handle: s.handle,
              createdAt: iso(s.createdAt),
              lastSeenAt: iso(s.lastSeenAt),
              idleExpiresAt: iso(s.idleExpiresAt),
              absoluteExpiresAt: iso(s.absoluteExpiresAt),
            },
            { headers: { 'cache-control': 'no-store' } },
          ),
        );
      }
    }

    // Everything below needs a signed-in user; page requests without one are sent to /login.
    if (
      route !== 'GET /' &&
      !['POST /logout', 'POST /sessions/end', 'POST /logout-everywhere'].includes(route)
    ) {
      return html(page('Not found', '<p>No such page. <a href="/">Home</a></p>'), 404);
    }
    const outcome = await rs.load();
    if (route === 'POST /logout') {
      await rs.logout(); // deletes the server-side record, clears the cookie, sends no-store
      return rs.commit(redirect('/login'));
    }
    if (!outcome.valid || outcome.session.userId === null)
      return expiryResponse(request, outcome.valid ? { reason: 'missing' } : outcome);
    const session = outcome.session;
    const userId = session.userId as string;

    if (route === 'GET /') {
      const devices = await latchkey.listSessions(userId, session.handle);
      return rs.commit(html(sessionPage({ session, devices, now: clock.now() })));
    }
    if (route === 'POST /sessions/end') {
      const handle = (await readForm(request)).get('handle') ?? '';
      // Only the user's own sessions: a handle is not secret, so ownership is checked here.
      const own = (await latchkey.listSessions(userId)).some((d) => d.handle === handle);
      if (!own)
        return html(
          page('Not found', '<p>No such session of yours. <a href="/">Back</a></p>'),
          404,
        );
      if (handle === session.handle) await rs.logout();
      else await latchkey.revokeSession(handle); // that device is told "revoked" on its next request
      return rs.commit(redirect(handle === session.handle ? '/login' : '/'));
    }
    // POST /logout-everywhere (ASVS V7.4.2): end this session, then every other one of this user.
    await rs.logout();
    await latchkey.revokeUser(userId);
    return rs.commit(redirect('/login'));
  }

  return {
    latchkey,
    async fetch(request, device = {}) {
      try {
        return await handle(request, device);
      } catch (error) {
        // Fail closed: a store outage is neither "signed in" nor "signed out".
        if (error instanceof StoreError) return storeUnavailableResponse(request);
        throw error;
      }
    },
  };
}

/** Form fields of a urlencoded body; anything else, or more than 4 KiB, reads as empty. */
async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  const body = await request.text();
  return new URLSearchParams(body.length <= 4096 ? body : '');
}

function html(body: string, status = 200): Response {
  // Pages about a session are personal: never cached.
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
