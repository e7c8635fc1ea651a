/**
 * The CSRF fixture: a bank with one state-changing route, `POST /transfer`,
 * that every adapter serves with its CSRF option set to {@link CSRF_OPTIONS}.
 * The app answers as `https://app.example` (as behind a proxy) and trusts
 * `https://admin.example`. `GET /transfers` tells how many transfers were made.
 */

import {
  createLatchkey,
  expiryResponse,
  MemoryStore,
  type CsrfOptions,
  type Latchkey,
  type RequestSession,
} from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';

/** The origin the app's pages are served from (the tests reach it on loopback). */
export const APP_ORIGIN = 'https://app.example';
export const TRUSTED_ORIGIN = 'https://admin.example';
export const CSRF_OPTIONS: CsrfOptions = { origin: APP_ORIGIN, trustedOrigins: [TRUSTED_ORIGIN] };

export interface CsrfFixture {
  latchkey: Latchkey;
  /** The routes as a core session handler (what `withSessions` and `createHandler` wrap). */
  routes(request: Request, session: RequestSession): Promise<Response>;
  /** Transfers made so far. */
  transfers(): number;
}

export function createCsrfFixture(): CsrfFixture {
  const clock = new ManualClock();
  const latchkey = createLatchkey({
    policy: { idleTimeout: '10m', absoluteTimeout: '1h' },
    store: new MemoryStore({ clock }),
    clock,
    cookie: { development: true, warn: () => {} },
  });
  let transfers = 0;
  return {
    latchkey,
    transfers: () => transfers,
    async routes(request, session) {
      const route = `${request.method} ${new URL(request.url).pathname}`;
      if (route === 'GET /transfers') return Response.json({ transfers });
      if (route === 'POST /login') {
        await session.login('ada');
        return Response.json({ user: 'ada' });
      }
      if (!/^(POST|PUT|DELETE) \/transfer$/.test(route))
        return new Response('not found', { status: 404 });
      const outcome = await session.load();
      if (!outcome.valid) return expiryResponse(request, outcome);
      transfers += 1;
      return Response.json({ transfers });
    },
  };
}
