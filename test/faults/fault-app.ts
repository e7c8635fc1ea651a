/**
 * The app the fault suites run: Hono on Node through `@latchkey/hono`, with
 * a login, an authenticated read and a write, on whichever store a suite
 * gives it, and counters of what the outside world would notice: statuses,
 * cleared cookies, unhandled rejections.
 */

import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createLatchkey, presets, type SessionStore } from '@latchkey/core';
import { latchkey, requireSession } from '@latchkey/hono';

export interface FaultApp {
  readonly origin: string;
  close(): Promise<void>;
}

export async function startFaultApp(
  store: SessionStore,
  storeTimeout: `${number}${'ms' | 's'}` = '300ms',
): Promise<FaultApp> {
  const engine = createLatchkey({
    policy: { ...presets.productivity, name: 'faults' },
    store,
    storeTimeout,
    cookie: { name: 'sid', development: true, warn: () => {} },
  });
  const app = new Hono();
  // Quiet: an outage would print a stack per request. The middleware still turns a store failure into a 503.
  app.onError((_, c) => c.text('unexpected', 500));
  app.use(latchkey(engine));
  app.post('/login', async (c) => {
    const { user } = await c.req.json<{ user: string }>();
    await c.var.session.login(user);
    return c.json({ user });
  });
  app.get('/me', requireSession(), (c) =>
    c.json({ user: c.var.session.current.userId, n: c.var.session.current.get('n') ?? 0 }),
  );
  app.post('/count', requireSession(), (c) => {
    const n = Number(c.var.session.current.get('n') ?? 0) + 1;
    c.var.session.current.set('n', n);
    return c.json({ n });
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** One client with its session cookie, and what every answer looked like. */
export class Client {
  cookie = '';
  constructor(readonly origin: string) {}

  async login(user: string): Promise<void> {
    const r = await fetch(`${this.origin}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.origin },
      body: JSON.stringify({ user }),
    });
    if (r.status !== 200) throw new Error(`login answered ${r.status}`);
    this.cookie = r.headers.getSetCookie()[0]!.split(';')[0]!;
  }

  /** A read (`GET /me`) or a write (`POST /count`); the status, and whether a cookie was cleared. */
  async call(kind: 'read' | 'write'): Promise<{ status: number; cleared: boolean; body: unknown }> {
    const r = await fetch(`${this.origin}${kind === 'read' ? '/me' : '/count'}`, {
      method: kind === 'read' ? 'GET' : 'POST',
      headers: { cookie: this.cookie, accept: 'application/json', origin: this.origin },
    });
    const cleared = r.headers.getSetCookie().some((c) => /max-age=0/i.test(c));
    const body = await r.json().catch(() => null);
    return { status: r.status, cleared, body };
  }
}

/** Statuses of a batch of answers, e.g. `{ 503: 30 }`. */
export function tally(answers: ReadonlyArray<{ status: number }>): Record<number, number> {
  const out: Record<number, number> = {};
  for (const a of answers) out[a.status] = (out[a.status] ?? 0) + 1;
  return out;
}
