/**
 * The client's retry and single-flight logic against a fake server (a plain
 * function from Request to Response, as the issue allows); the cross-tab
 * parts run for real in test/browser.
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, readReturnTo, type ClientOptions, type StepUpEvent } from '@latchkey/client';

const ORIGIN = 'https://app.test';
const here = (path = '/inbox', search = '?folder=work', hash = '#m7') => ({
  origin: ORIGIN,
  pathname: path,
  search,
  hash,
  href: ORIGIN + path + search + hash,
  assign: vi.fn<(url: string) => void>(),
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const expired = () => json(401, { error: 'session_expired', reason: 'idle' });

/** A fake API: `/api/*` wants `Bearer <valid>`; `/auth/refresh` mints the next token (or refuses). */
function fakeServer() {
  const server = {
    valid: 'at-1',
    minted: 1,
    refreshes: 0,
    refuseRefresh: false,
    stepUpsLeft: 0,
    /** Answer a stale token as the core's bearer guard does (`invalid_token`), not `session_expired`. */
    bearerGuard: false,
    calls: [] as { path: string; auth: string | null; accept: string | null }[],
    async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      const request = new Request(input, init);
      const path = new URL(request.url).pathname;
      server.calls.push({
        path,
        auth: request.headers.get('authorization'),
        accept: request.headers.get('accept'),
      });
      // Let parallel calls interleave, as a network would.
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (path === '/auth/refresh') {
        server.refreshes++;
        if (server.refuseRefresh) return json(401, { error: 'session_expired', reason: 'revoked' });
        server.valid = `at-${++server.minted}`;
        return json(200, { accessToken: server.valid, expiresIn: 300 });
      }
      if (path === '/auth/logout') return json(200, { ok: true });
      if (request.headers.get('authorization') !== `Bearer ${server.valid}`)
        return server.bearerGuard
          ? json(401, { error: 'invalid_token', reason: 'expired' })
          : expired();
      if (path === '/api/sensitive' && server.stepUpsLeft > 0) {
        server.stepUpsLeft--;
        return json(403, { error: 'step_up_required' });
      }
      if (request.body) await request.text();
      return json(200, { ok: true, path });
    },
    apiCalls: () => server.calls.filter((c) => c.path.startsWith('/api/')),
  };
  return server;
}

/** A BroadcastChannel whose messages arrive `delay` ms after they are posted (structured clone, not to the sender). */
function lateChannel(delay: number) {
  const open = new Map<string, Set<{ onmessage: ((e: MessageEvent) => void) | null }>>();
  return class {
    onmessage: ((e: MessageEvent) => void) | null = null;
    constructor(readonly name: string) {
      if (!open.has(name)) open.set(name, new Set());
      open.get(name)!.add(this);
    }
    postMessage(data: unknown) {
      const copy = structuredClone(data);
      for (const peer of open.get(this.name)!)
        if (peer !== this)
          setTimeout(() => peer.onmessage?.(new MessageEvent('message', { data: copy })), delay);
    }
    close() {
      open.get(this.name)!.delete(this);
    }
  };
}

/** Web Locks for tabs in one process: exclusive, FIFO, `ifAvailable` answered with `null` when held. */
function inProcessLocks() {
  const queues = new Map<string, (() => void)[]>();
  const locks = {
    held: () => [...queues.values()].some((q) => q.length > 0),
    async request<T>(
      name: string,
      ...args:
        [(lock: unknown) => Promise<T>] | [{ ifAvailable?: boolean }, (lock: unknown) => Promise<T>]
    ): Promise<T> {
      const [opts, callback] = args.length === 1 ? [{}, args[0]] : args;
      const queue = queues.get(name) ?? [];
      queues.set(name, queue);
      if (opts.ifAvailable && queue.length > 0) return callback(null);
      let release!: () => void;
      const turn = new Promise<void>((resolve) => queue.push((release = resolve)));
      if (queue.length === 1) release();
      await turn;
      try {
        return await callback({ name });
      } finally {
        queue.shift();
        queue[0]?.();
      }
    },
  };
  return locks;
}

let channels = 0;
function tokenClient(server: ReturnType<typeof fakeServer>, extra: Partial<ClientOptions> = {}) {
  const location = here();
  const client = createClient({
    refreshPath: '/auth/refresh',
    fetch: server.fetch,
    locks: null,
    location,
    crossTab: 'off',
    channel: `unit-${++channels}`,
    ...extra,
  });
  return { client, location };
}

/**
 * Tabs A and B of one origin on a channel delivering `delay` ms late and an in-process lock
 * manager; A signs in with `at-0` (expired on the server) and B has it from A. `refreshDelay`
 * holds each refresh that long before `fetch` answers it.
 */
async function twoTabs(
  server: ReturnType<typeof fakeServer>,
  {
    delay,
    refreshDelay = 20,
    fetch = server.fetch,
    ...extra
  }: { delay: number; refreshDelay?: number } & Partial<ClientOptions>,
) {
  vi.stubGlobal('BroadcastChannel', lateChannel(delay));
  const locks = inProcessLocks();
  const held = async (input: RequestInfo | URL, init?: RequestInit) => {
    if (new URL(new Request(input, init).url).pathname === '/auth/refresh')
      await new Promise((resolve) => setTimeout(resolve, refreshDelay));
    return fetch(input, init);
  };
  const options = {
    crossTab: 'auto',
    channel: `tabs-${++channels}`,
    locks,
    fetch: held,
    ...extra,
  } as const;
  const a = tokenClient(server, options).client;
  const b = tokenClient(server, options).client;
  a.signIn({ accessToken: 'at-0', expiresIn: 300 });
  await vi.waitFor(() => expect(b.state).toEqual({ status: 'signed-in', source: 'other-tab' }));
  return { a, b, locks };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('token mode', () => {
  it('three parallel calls after expiry cause exactly one refresh, and all succeed after one retry', async () => {
    const server = fakeServer();
    const { client } = tokenClient(server);
    client.signIn({ accessToken: 'at-0', expiresIn: 300 }); // already expired on the server
    const answers = await Promise.all(
      ['/api/a', '/api/b', '/api/c'].map((p) => client.fetch(p).then((r) => r.status)),
    );
    expect(answers).toEqual([200, 200, 200]);
    expect(server.refreshes).toBe(1);
    expect(server.apiCalls()).toHaveLength(6); // each call: once refused, once retried
    expect(server.apiCalls().every((c) => c.accept === 'application/json')).toBe(true);
    expect(client.state).toEqual({ status: 'signed-in', source: 'this-tab' });
  });

  it("the core bearer guard's invalid_token answer also triggers one refresh and a retry", async () => {
    const server = fakeServer();
    server.bearerGuard = true;
    const { client } = tokenClient(server);
    client.signIn({ accessToken: 'at-0', expiresIn: 300 });
    const answers = await Promise.all(
      ['/api/a', '/api/b'].map((p) => client.fetch(p).then((r) => r.status)),
    );
    expect(answers).toEqual([200, 200]);
    expect(server.refreshes).toBe(1);
  });

  it('a failed refresh calls onSignedOut once, with the path, query and hash as returnTo', async () => {
    const server = fakeServer();
    server.refuseRefresh = true;
    const onSignedOut = vi.fn();
    const { client } = tokenClient(server, { onSignedOut });
    client.signIn({ accessToken: 'at-0' });
    const answers = await Promise.all(
      ['/api/a', '/api/b', '/api/c'].map((p) => client.fetch(p).then((r) => r.status)),
    );
    expect(answers).toEqual([401, 401, 401]);
    expect(server.refreshes).toBe(1);
    expect(onSignedOut).toHaveBeenCalledTimes(1);
    expect(onSignedOut).toHaveBeenCalledWith({
      reason: 'revoked',
      returnTo: '/inbox?folder=work#m7',
      loginUrl: '/login?returnTo=%2Finbox%3Ffolder%3Dwork%23m7',
    });
    expect(client.state).toMatchObject({ status: 'signed-out', reason: 'revoked' });
  });

  it('by default goes to the login page with returnTo, once', async () => {
    const server = fakeServer();
    server.refuseRefresh = true;
    const { client, location } = tokenClient(server, { loginPath: '/signin' });
    await Promise.all([client.fetch('/api/a'), client.fetch('/api/b')]);
    expect(location.assign.mock.calls).toEqual([
      ['/signin?returnTo=%2Finbox%3Ffolder%3Dwork%23m7'],
    ]);
  });

  it('retries after step-up when onStepUp says so, and not otherwise', async () => {
    const server = fakeServer();
    const onStepUp = vi.fn(async (_event: StepUpEvent) => true);
    const { client } = tokenClient(server, { onStepUp });
    client.signIn({ accessToken: 'at-1' });
    server.stepUpsLeft = 1;
    expect((await client.fetch('/api/sensitive', { method: 'POST', body: 'x' })).status).toBe(200);
    expect(onStepUp).toHaveBeenCalledTimes(1);
    expect(onStepUp.mock.calls[0]![0].response.status).toBe(403);

    onStepUp.mockResolvedValueOnce(false);
    server.stepUpsLeft = 1;
    const refused = await client.fetch('/api/sensitive');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'step_up_required' });
  });

  it('does not retry a streamed body, but refreshes so the next call works', async () => {
    const server = fakeServer();
    const { client } = tokenClient(server);
    client.signIn({ accessToken: 'at-0' });
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('chunk'));
        controller.close();
      },
    });
    const init = { method: 'POST', body, duplex: 'half' } as RequestInit;
    expect((await client.fetch('/api/upload', init)).status).toBe(401);
    expect(server.apiCalls()).toHaveLength(1);
    expect(server.refreshes).toBe(1);
    expect((await client.fetch('/api/next')).status).toBe(200);
  });

  it('never sends the access token to another origin', async () => {
    const server = fakeServer();
    const { client } = tokenClient(server);
    client.signIn({ accessToken: 'at-1' });
    await client.fetch('https://cdn.example/api/x');
    await client.fetch('/api/y');
    expect(server.calls.map((c) => c.auth)).toEqual([null, 'Bearer at-1']);
  });

  it('refreshes proactively before the access token expires', async () => {
    const server = fakeServer();
    const pending: { fn: () => void; ms: number }[] = [];
    const timers = {
      setTimeout: (fn: () => void, ms: number) => pending.push({ fn, ms }),
      clearTimeout: () => {},
    };
    const { client } = tokenClient(server, { refreshAhead: 30, timers });
    client.signIn({ accessToken: 'at-1', expiresIn: 300 });
    expect(pending.map((t) => t.ms)).toEqual([270_000]);
    pending[0]!.fn();
    await vi.waitFor(() => expect(server.refreshes).toBe(1));
    expect((await client.fetch('/api/a')).status).toBe(200);
    expect(server.apiCalls()).toHaveLength(1);
  });
});

describe('cookie sessions', () => {
  it('a 401 goes to the login page with returnTo; no refresh is tried', async () => {
    const server = fakeServer();
    const location = here('/reports/7', '', '#chart');
    const client = createClient({ fetch: server.fetch, location, crossTab: 'off', locks: null });
    expect((await client.fetch('/api/report')).status).toBe(401);
    expect(server.refreshes).toBe(0);
    expect(location.assign.mock.calls).toEqual([['/login?returnTo=%2Freports%2F7%23chart']]);
  });
});

describe('returnTo', () => {
  it('a foreign returnTo is refused on the login page', () => {
    for (const value of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      '/.//evil.example',
      'javascript:alert(1)',
    ]) {
      const search = `?returnTo=${encodeURIComponent(value)}`;
      expect(readReturnTo({ ...here('/login', search, ''), search })).toBe('/');
    }
    const search = `?returnTo=${encodeURIComponent('/inbox?folder=work#m7')}`;
    expect(readReturnTo({ ...here('/login', search, '') })).toBe('/inbox?folder=work#m7');
  });

  it('a login page on another origin is refused when the client is created', () => {
    expect(() =>
      createClient({ loginPath: 'https://evil.example/login', location: here() }),
    ).toThrow(TypeError);
  });
});

describe('cross-tab state', () => {
  it('a sign-out in one tab reaches another over BroadcastChannel, without a request', async () => {
    const server = fakeServer();
    const channel = `tabs-${++channels}`;
    const a = tokenClient(server, { crossTab: 'auto', channel }).client;
    const b = tokenClient(server, { crossTab: 'auto', channel }).client;
    a.signIn({ accessToken: 'at-1' });
    await vi.waitFor(() => expect(b.state).toEqual({ status: 'signed-in', source: 'other-tab' }));
    await a.signOut();
    await vi.waitFor(() =>
      expect(b.state).toEqual({ status: 'signed-out', reason: 'logout', source: 'other-tab' }),
    );
    expect(server.calls.map((c) => c.path)).toEqual(['/auth/logout']);
    a.close();
    b.close();
  });

  it('a tab that gets the refresh lock just after another released it waits for the token still in flight, and does not refresh again', async () => {
    // WebKit hands the lock over before the other tab's BroadcastChannel message arrives:
    // a channel that delivers 5 ms late, and a lock manager that hands over at once, replay that.
    const server = fakeServer();
    const { a, b, locks } = await twoTabs(server, { delay: 5 });
    expect((await a.fetch('/api/a')).status).toBe(200); // refreshed to at-2; its token is still on the way to B
    expect(locks.held()).toBe(false);
    expect((await b.fetch('/api/b')).status).toBe(200);
    expect(server.refreshes).toBe(1);
    expect(server.apiCalls().map((c) => c.auth)).toEqual([
      'Bearer at-0',
      'Bearer at-2',
      'Bearer at-0',
      'Bearer at-2',
    ]);
    a.close();
    b.close();
  });

  it('a tab that gets the lock just after another tab found the session over does not ask again', async () => {
    // Delivered after B's own call is refused (1 ms), before A's refresh is answered (20 ms).
    const server = fakeServer();
    server.refuseRefresh = true;
    const { a, b } = await twoTabs(server, { delay: 10, onSignedOut: () => {} });
    expect((await a.fetch('/api/a')).status).toBe(401); // refused: revoked; A's news is on its way to B
    expect((await b.fetch('/api/b')).status).toBe(401);
    expect(server.refreshes).toBe(1);
    expect(b.state).toMatchObject({ status: 'signed-out', reason: 'revoked' });
    a.close();
    b.close();
  });

  it('a tab waiting on another tab whose refresh failed without an answer refreshes itself at once', async () => {
    const server = fakeServer();
    let down = true;
    const flaky = async (input: RequestInfo | URL, init?: RequestInit) => {
      const path = new URL(new Request(input, init).url).pathname;
      if (path === '/auth/refresh' && down) {
        down = false;
        throw new TypeError('network down');
      }
      return server.fetch(input, init);
    };
    // A handoff timeout far beyond the test's: only `refresh-ended` can end B's wait in time.
    const { a, b } = await twoTabs(server, { delay: 1, fetch: flaky, handoffTimeout: 60_000 });
    const [fromA, fromB] = await Promise.all([
      a.fetch('/api/a').then((r) => r.status),
      new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
        b.fetch('/api/b').then((r) => r.status),
      ),
    ]);
    expect(fromA).toBe(401); // A's refresh failed: its call is answered as it came
    expect(fromB).toBe(200); // B took the lock once A said its refresh ended, and refreshed
    expect(server.refreshes).toBe(1);
    a.close();
    b.close();
  });

  it('writes no token to any storage; the fallback only sets and removes its event key', async () => {
    const writes: [string, string][] = [];
    const storage = () => {
      const data = new Map<string, string>();
      return {
        data,
        setItem: (k: string, v: string) => (writes.push([k, v]), data.set(k, String(v))),
        getItem: (k: string) => data.get(k) ?? null,
        removeItem: (k: string) => data.delete(k),
      };
    };
    const local = storage();
    const session = storage();
    vi.stubGlobal('localStorage', local);
    vi.stubGlobal('sessionStorage', session);
    vi.stubGlobal('addEventListener', () => {});
    vi.stubGlobal('removeEventListener', () => {});
    const server = fakeServer();
    const { client } = tokenClient(server, { crossTab: 'storage' });
    client.signIn({ accessToken: 'at-0', expiresIn: 300 });
    expect((await client.fetch('/api/a')).status).toBe(200); // refreshed to at-2
    await client.signOut();
    expect(writes.map(([k, v]) => [k, JSON.parse(v).type])).toEqual([
      [`unit-${channels}:event`, 'signed-in'],
      [`unit-${channels}:event`, 'token'],
      [`unit-${channels}:event`, 'signed-out'],
    ]);
    expect(writes.some(([, v]) => /at-\d/.test(v))).toBe(false);
    expect(local.data.size + session.data.size).toBe(0);
  });
});
