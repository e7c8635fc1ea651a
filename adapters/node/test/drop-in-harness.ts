/**
 * What the express-session drop-in tests share: a real server on 127.0.0.1,
 * a one-cookie jar that follows every Set-Cookie, and a store that can be
 * made to fail.
 */

import type express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { MemoryStore, type SessionStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import type { DropInSession } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Serve `app` on a free loopback port; closed after the test. */
export async function listen(app: express.Express): Promise<string> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `req.session` as the drop-in makes it (the repo's tests keep latchkeyMiddleware's global type). */
export const dropIn = (req: express.Request) =>
  req.session as unknown as DropInSession & Record<string, any>;

/** `req.sessionID` as the drop-in sets it (typed by @types/express-session, which the app no longer has). */
export const sessionID = (req: express.Request): string | null =>
  (req as { sessionID?: string }).sessionID ?? null;

/** The session cookie's `name=value`, or `undefined` when the response sets none. */
export const sessionCookieOf = (response: Response): string | undefined =>
  response.headers
    .getSetCookie()
    .find((line) => line.startsWith('__Host-session=') || line.startsWith('__Host-sid='))
    ?.split(';')[0];

/** A browser's cookie jar for one session cookie: sends it, and follows every Set-Cookie. */
export function browser(base: string) {
  let cookie: string | undefined;
  return {
    get cookie() {
      return cookie;
    },
    set cookie(value: string | undefined) {
      cookie = value;
    },
    async fetch(path: string, init: RequestInit = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      if (cookie) headers.set('cookie', cookie);
      const response = await fetch(base + path, { ...init, headers });
      const set = sessionCookieOf(response);
      if (set !== undefined) cookie = set.endsWith('=') ? undefined : set;
      return response;
    },
  };
}

/** A MemoryStore on a manual clock whose reads or writes fail on demand. */
export function failingStore() {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock });
  const fail = { reads: false, writes: false };
  const down = () => Promise.reject(new Error('store down'));
  const store: SessionStore = {
    name: 'failing-on-demand',
    userIndex: memory.userIndex,
    get: (key) => (fail.reads ? down() : memory.get(key)),
    set: (key, value, ttl, hint) => (fail.writes ? down() : memory.set(key, value, ttl, hint)),
    delete: (key) => (fail.writes ? down() : memory.delete(key)),
    compareAndSet: (key, expected, value, ttl, hint) =>
      fail.writes ? down() : memory.compareAndSet(key, expected, value, ttl, hint),
  };
  return { clock, store, fail };
}
