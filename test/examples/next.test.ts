// examples/next built and started as `pnpm example:next` does (next build, then next start), in
// a build folder and on a session database of its own; the whole process group stops afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRootScript } from './root-script.js';
import { DEMO_PASSWORD, smokeTest } from './smoke.js';

const distDir = '.next-test'; // examples/next/.next-test, git-ignored, rebuilt every run
const BUILD_AND_START_MS = 240_000; // next build takes about a minute on two busy cores

/** Start `pnpm example:next` (next build, then next start) on a session database of its own. */
async function startNext() {
  const data = mkdtempSync(join(tmpdir(), 'latchkey-next-'));
  const app = await startRootScript('example:next', {
    NEXT_DIST_DIR: distDir,
    SESSIONS_DB: join(data, 'sessions.db'),
    NEXT_TELEMETRY_DISABLED: '1',
  }).catch((error: unknown) => {
    rmSync(data, { recursive: true, force: true });
    throw error;
  });
  const stop = async () => {
    await app.stop();
    rmSync(data, { recursive: true, force: true });
  };
  return { baseUrl: app.url, stop };
}

describe('examples/next', () => {
  let next: Awaited<ReturnType<typeof startNext>>;
  beforeAll(async () => {
    const started = Date.now();
    next = await startNext();
    console.log(
      `examples/next: built and started in ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }, BUILD_AND_START_MS);
  afterAll(() => next?.stop());

  // The smoke suite against the same server (its start and stop leave the server to the hooks above).
  smokeTest(async () => ({ baseUrl: next.baseUrl, stop: async () => {} }), {
    injectedClock: false,
  });

  const login = async (username: string) => {
    const res = await fetch(`${next.baseUrl}/login`, {
      method: 'POST',
      headers: { origin: next.baseUrl, 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    expect(res.status).toBe(200);
    return res.headers.getSetCookie()[0]!.split(';')[0]!;
  };
  const page = (path: string, cookie?: string) =>
    fetch(next.baseUrl + path, {
      headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) },
      redirect: 'manual',
    });

  it('sends an anonymous page visitor to /login from the edge middleware, to a sign-in form', async () => {
    const res = await page('/');
    expect(res.status).toBe(303);
    // Absolute, on this port; Next writes the loopback host as `localhost` (see the README).
    const location = new URL(res.headers.get('location')!);
    expect(location.port).toBe(new URL(next.baseUrl).port);
    expect(location.pathname + location.search).toBe('/login?returnTo=%2F');
    await res.body?.cancel();

    const form = await page(location.pathname + location.search);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('<form method="post" action="/login">');
    expect(html).toContain('name="returnTo" value="/"');
  });

  it("renders the signed-in user's name in the server component", async () => {
    const cookie = await login('grace');
    const res = await page('/', cookie);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Signed in as grace');
  });

  it('signs a browser in with the form and sends it back where it was going', async () => {
    const res = await fetch(`${next.baseUrl}/login`, {
      method: 'POST',
      headers: {
        origin: next.baseUrl,
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-mode': 'navigate',
        accept: 'text/html',
      },
      body: new URLSearchParams({ username: 'lin', password: DEMO_PASSWORD, returnTo: '/' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(await (await page('/', cookie)).text()).toContain('Signed in as lin');
  });

  it('refuses a logged-out cookie at the server component, though the middleware lets it by', async () => {
    const cookie = await login('ada');
    const out = await fetch(`${next.baseUrl}/logout`, {
      method: 'POST',
      headers: { origin: next.baseUrl, accept: 'application/json', cookie },
    });
    expect(out.status).toBe(200);
    await out.body?.cancel();
    // Well-formed, so the edge check passes; the store no longer knows it, so the page redirects.
    const res = await page('/', cookie);
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('/login?returnTo=%2F');
    await res.body?.cancel();
  });
});
