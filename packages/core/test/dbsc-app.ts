/**
 * A small app with device-bound sessions for the DBSC tests: login, a page, a route that
 * requires a bound session, step-up and logout, over the core's fetch handler.
 */
import {
  createLatchkey,
  MemoryStore,
  withSessions,
  type PolicyOptions,
  type SessionEvent,
} from '@latchkey/core';
import {
  deviceBindingResponse,
  deviceBoundEnough,
  deviceBoundSessions,
  isDeviceBound,
} from '@latchkey/core/dbsc';
import type { SessionCookieOptions } from '@latchkey/core/cookie';
import { ManualClock } from '@latchkey/core/testing';

export interface DbscAppOptions {
  deviceBinding?: 'offered' | 'required';
  cookie?: SessionCookieOptions;
  policy?: Partial<PolicyOptions>;
  allowNone?: boolean;
}

export function dbscApp(options: DbscAppOptions = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock });
  const events: SessionEvent[] = [];
  const dbsc = deviceBoundSessions({
    boundCookieLifetime: '10m',
    allowNone: options.allowNone ?? false,
  });
  const latchkey = createLatchkey({
    policy: {
      idleTimeout: '30m',
      absoluteTimeout: '8h',
      renewInterval: '1h',
      deviceBinding: options.deviceBinding ?? 'required',
      ...options.policy,
    },
    store,
    clock,
    cookie: options.cookie ?? {},
    deviceBinding: dbsc,
    onEvent: (e) => {
      events.push(e);
    },
  });
  const app = withSessions(latchkey, async ({ request, session }) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/login' && request.method === 'POST') {
      await session.login('alice', {
        rememberMe: new URL(request.url).searchParams.has('remember'),
      });
      return new Response('signed in');
    }
    if (pathname === '/logout' && request.method === 'POST') {
      await session.logout();
      return new Response('bye');
    }
    const outcome = await session.load();
    if (!outcome.valid) return Response.json({ reason: outcome.reason }, { status: 401 });
    if (pathname === '/step-up' && request.method === 'POST') {
      await session.reauthenticate();
      return new Response('fresh');
    }
    if (pathname === '/secure' && !deviceBoundEnough(latchkey.policy, outcome.session))
      return deviceBindingResponse(request);
    return Response.json({ user: outcome.session.userId, bound: isDeviceBound(outcome.session) });
  });
  const fetch = async (request: Request): Promise<Response> =>
    (await dbsc.handle(request)) ?? app(request);
  return { clock, store, events, dbsc, latchkey, fetch };
}
