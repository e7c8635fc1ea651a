/**
 * The smoke test every example passes, whatever it runs on: refused without a session, a login
 * that sets a cookie, the protected route with it, logout, and the old cookie replayed. Each
 * example's test file starts the app its own way and hands over its URL.
 */

import { afterAll, beforeAll, expect, it } from 'vitest';

/** A started example: its URL, and the clock when the test injected one. */
export interface RunningExample {
  baseUrl: string;
  /** Moves the app's clock; absent where the runtime keeps its own time (Bun, Deno, workerd). */
  advance?: (ms: number) => void;
  stop(): Promise<void>;
}

/** The demo password every example accepts for any user name. */
export const DEMO_PASSWORD = 'correct horse battery staple';

/**
 * Registers the smoke cases for one example; `start` runs before them, `stop` after.
 * `injectedClock: false` for a runtime that keeps its own time: the idle case needs the clock.
 *
 * @example
 * describe('examples/express', () => {
 *   smokeTest(async () => {
 *     const running = await startServer(createApp({ store, clock }), 0);
 *     return { baseUrl: running.url, advance: (ms) => void clock.advance(ms), stop: running.close };
 *   });
 * });
 */
export function smokeTest(
  start: () => Promise<RunningExample>,
  { injectedClock = true }: { injectedClock?: boolean } = {},
): void {
  let app: RunningExample;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app?.stop());

  const origin = () => new URL(app.baseUrl).origin;
  const me = (cookie?: string, accept = 'application/json') =>
    fetch(`${app.baseUrl}/me`, {
      headers: { accept, ...(cookie ? { cookie } : {}) },
      redirect: 'manual',
    });
  const post = (path: string, body: Record<string, string>, cookie?: string, from = origin()) =>
    fetch(app.baseUrl + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        origin: from,
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams(body).toString(),
      redirect: 'manual',
    });
  /** The `name=value` of the one cookie a response sets. */
  const cookieOf = (res: Response) => {
    const lines = res.headers.getSetCookie();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/HttpOnly/i);
    return lines[0]!.split(';')[0]!;
  };
  const login = async (username: string) => {
    const res = await post('/login', { username, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user: username });
    return cookieOf(res);
  };

  it('refuses the protected route without a session, to a script and to a page alike', async () => {
    for (const accept of ['application/json', 'text/html']) {
      const res = await me(undefined, accept);
      expect(res.status).toBe(401); // an API route: no redirect to a login page the app lacks
      await res.body?.cancel();
    }
  });

  it('refuses a wrong password, and sets no cookie', async () => {
    const res = await post('/login', { username: 'ada', password: 'guess' });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie()).toEqual([]);
    await res.body?.cancel();
  });

  it('refuses a login posted from another origin (CSRF guard)', async () => {
    const res = await post(
      '/login',
      { username: 'ada', password: DEMO_PASSWORD },
      undefined,
      'https://evil.example',
    );
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    await res.body?.cancel();
  });

  it('logs in, serves the user, logs out, and refuses the old cookie replayed', async () => {
    const cookie = await login('ada');

    const signedIn = await me(cookie);
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toEqual({ user: 'ada' });

    const out = await post('/logout', {}, cookie);
    expect(out.status).toBe(200);
    await out.body?.cancel();
    // The browser's copy is cleared...
    expect(out.headers.getSetCookie().join('\n')).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    // ...and a copy kept by anyone else signs no one in: the session ended on the server.
    const replayed = await me(cookie);
    expect(replayed.status).toBe(401);
    await replayed.body?.cancel();
  });

  if (!injectedClock) return;
  it('ends a session left idle past the policy', async () => {
    const cookie = await login('grace');
    app.advance!(29 * 60_000); // presets.productivity: idle 30 min
    expect((await me(cookie)).status).toBe(200);
    app.advance!(31 * 60_000);
    const idle = await me(cookie);
    expect(idle.status).toBe(401);
    await idle.body?.cancel();
  });
}
