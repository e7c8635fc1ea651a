/**
 * The scenario fixture: one small app, defined once as a plain fetch handler
 * on the core, that every adapter and runtime serves. Its numbers are small
 * and known so the suite can walk a session through its whole life with the
 * ManualClock:
 *
 *   idle 10 min, absolute 60 min, renewal every 20 min, step-up after 5 min,
 *   remember-me (on request) for a day.
 *
 * Two test-only routes (part of this fixture, never of the library) let the
 * suite steer the app when it runs in another process or runtime:
 * `POST /__clock {"advance": ms}` moves the clock and
 * `POST /__store {"down": boolean}` makes the store fail.
 */

import {
  createLatchkey,
  expiryResponse,
  MemoryStore,
  withSessions,
  type Latchkey,
  type RequestSession,
  type SessionStore,
} from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';

const MINUTE = 60_000;

/** The fixture's policy: productivity-like, scaled down to numbers a test can walk through. */
export const scenarioPolicy = {
  name: 'scenario',
  idleTimeout: 10 * MINUTE,
  absoluteTimeout: 60 * MINUTE,
  renewInterval: 20 * MINUTE,
  touchInterval: MINUTE,
  freshAuthAge: 5 * MINUTE,
  rememberMe: 24 * 60 * MINUTE,
} as const;

/** A store that can be switched off, to show the app fails closed. The data survives an outage. */
class SwitchableStore implements SessionStore {
  readonly name: string;
  down = false;
  readonly userIndex;
  constructor(private readonly inner: SessionStore) {
    this.name = `switchable ${inner.name}`;
    const index = inner.userIndex!;
    this.userIndex = {
      add: (u: string, m: string, ttl: number) => this.guard(() => index.add(u, m, ttl)),
      list: (u: string) => this.guard(() => index.list(u)),
      remove: (u: string, m: string) => this.guard(() => index.remove(u, m)),
      removeAll: (u: string) => this.guard(() => index.removeAll(u)),
    };
  }
  private async guard<T>(op: () => Promise<T>): Promise<T> {
    if (this.down) throw new Error('connection refused (the fixture switched the store off)');
    return op();
  }
  get(key: string) {
    return this.guard(() => this.inner.get(key));
  }
  set(key: string, value: string, ttlMs: number) {
    return this.guard(() => this.inner.set(key, value, ttlMs));
  }
  delete(key: string) {
    return this.guard(() => this.inner.delete(key));
  }
  compareAndSet(key: string, expected: string | null, value: string, ttlMs: number) {
    return this.guard(() => this.inner.compareAndSet!(key, expected, value, ttlMs));
  }
}

export interface Fixture {
  clock: ManualClock;
  store: SwitchableStore;
  /** The app's engine: development cookies, since the suite talks plain HTTP to 127.0.0.1. */
  latchkey: Latchkey;
  /** An engine with the production cookie defaults, behind `/secure-login`. */
  secure: Latchkey;
  /** The test-only control routes; `null` for any other request. */
  control(request: Request): Promise<Response | null>;
  /** The app's routes as a core session handler (what `withSessions` and `createHandler` wrap). */
  routes(request: Request, session: RequestSession): Promise<Response>;
  /** The whole app as a plain fetch handler. */
  fetch(request: Request): Promise<Response>;
}

/** The login form: `{ "user": string, "remember"?: boolean }`. */
export function loginForm(body: unknown): { user: string; rememberMe: boolean } {
  const { user, remember } = (body ?? {}) as { user?: unknown; remember?: unknown };
  if (typeof user !== 'string' || user === '')
    throw new TypeError('body.user must be a non-empty string');
  return { user, rememberMe: remember === true };
}

/** Log in on the production-cookie engine; shared by every variant. */
export async function secureLogin(fixture: Fixture, request: Request): Promise<Response> {
  const rs = fixture.secure.forRequest(request);
  const session = await rs.login(loginForm(await request.json()).user);
  return rs.commit(Response.json({ user: session.userId }));
}

/** What `/me` answers for a valid session, in every variant. */
export function describeSession(session: NonNullable<RequestSession['current']>) {
  return {
    user: session.userId,
    handle: session.handle,
    data: session.data,
    authTime: session.authTime,
  };
}

/** A second, app-owned cookie next to the session's, to show several Set-Cookie headers survive each adapter. */
export const APP_COOKIE = 'seen=1; Path=/; SameSite=Lax';

/** How the fixture gets its store (it must have a user index and compare-and-set); a MemoryStore by default. */
export type FixtureStore = (clock: ManualClock) => SessionStore;

/** The fixture; `makeStore` puts it on a runtime's own store (Deno KV, a Durable Object). */
export function createFixture(
  makeStore: FixtureStore = (clock) => new MemoryStore({ clock }),
): Fixture {
  const clock = new ManualClock();
  const store = new SwitchableStore(makeStore(clock));
  const quiet = { warn: () => {} };
  const latchkey = createLatchkey({
    policy: scenarioPolicy,
    store,
    clock,
    cookie: { development: true, ...quiet },
  });
  const secure = createLatchkey({ policy: scenarioPolicy, store, clock, keyPrefix: 'secure:' });

  const fixture: Fixture = {
    clock,
    store,
    latchkey,
    secure,
    async control(request) {
      const path = new URL(request.url).pathname;
      if (request.method !== 'POST' || (path !== '/__clock' && path !== '/__store')) return null;
      const body = (await request.json()) as { advance?: number; down?: boolean };
      if (path === '/__clock') return Response.json({ now: clock.advance(Number(body.advance)) });
      store.down = body.down === true;
      return Response.json({ down: store.down });
    },
    async routes(request, rs) {
      const route = `${request.method} ${new URL(request.url).pathname}`;
      switch (route) {
        case 'GET /public':
          return new Response('public'); // never loads the session: no store read, no cookie
        case 'POST /login': {
          const { user, rememberMe } = loginForm(await request.json());
          const session = await rs.login(user, { rememberMe });
          const response = Response.json({ user: session.userId, handle: session.handle });
          response.headers.append('set-cookie', APP_COOKIE);
          return response;
        }
        case 'POST /secure-login':
          return secureLogin(fixture, request);
        case 'POST /logout':
          await rs.logout();
          return Response.json({ ok: true });
      }
      const outcome = await rs.load();
      if (!outcome.valid) return expiryResponse(request, outcome);
      const session = outcome.session;
      switch (route) {
        case 'GET /me':
          return Response.json(describeSession(session));
        case 'POST /data': {
          const { key, value } = (await request.json()) as { key: string; value: unknown };
          session.set(key, value);
          return Response.json(describeSession(session));
        }
        case 'POST /privilege':
          return Response.json(describeSession(await rs.regenerate()));
        case 'GET /sensitive': {
          const check = latchkey.requireFreshAuth(session);
          return check.fresh ? Response.json({ ok: true }) : check.response;
        }
      }
      return new Response('not found', { status: 404 });
    },
    fetch: async (request) => (await fixture.control(request)) ?? handler(request),
  };
  const handler = withSessions(latchkey, ({ request, session }) =>
    fixture.routes(request, session),
  );
  return fixture;
}
