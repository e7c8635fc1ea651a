// examples/next built and started as `pnpm example:next` does (next build, then next start), in
// a build folder and on a session database of its own; the whole process group stops afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../runtimes/harness.js';
import { DEMO_PASSWORD, smokeTest } from './smoke.js';

const distDir = '.next-test'; // examples/next/.next-test, git-ignored, rebuilt every run
const BUILD_AND_START_MS = 240_000; // next build takes about a minute on two busy cores

/** Kill the example's whole process group (the script, next build, next start) and wait. */
function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGKILL');
  });
}

/** Start `pnpm example:next`'s command; resolves with the URL it prints once Next is ready. */
async function startNext() {
  const data = mkdtempSync(join(tmpdir(), 'latchkey-next-'));
  // The root script, as start-commands.test.ts runs the others (`node …` with this Node).
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
  const [command, ...args] = (scripts['example:next'] as string).split(' ');
  expect(command).toBe('node');
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      NEXT_DIST_DIR: distDir,
      SESSIONS_DB: join(data, 'sessions.db'),
      NEXT_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stopping it stops next build and next start too
  });
  const stop = async () => {
    await stopGroup(child);
    rmSync(data, { recursive: true, force: true });
  };
  let output = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`example:next exited (${code}):\n${output}`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { baseUrl, stop };
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
