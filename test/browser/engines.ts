/**
 * One small interface over three drivers, so one suite runs in every engine:
 * Chromium through playwright-core, Firefox ESR through puppeteer-core over
 * WebDriver BiDi, and WebKitGTK through WebKitWebDriver (W3C WebDriver over
 * HTTP, a few fetch calls) on an Xvfb display. All use Debian's browsers.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One tab. `evaluate` takes an expression (a promise is awaited); its value must be JSON. */
export interface Tab {
  evaluate<T = unknown>(expression: string): Promise<T>;
  goto(url: string): Promise<void>;
  url(): Promise<string>;
  /** A PNG of the tab's viewport, written to `path`. */
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

/** A cookie as the browser keeps it. `expires` (seconds since the epoch) is absent for a session-only cookie. */
export interface BrowserCookie {
  name: string;
  value: string;
  path: string;
  httpOnly: boolean;
  expires?: number;
}

/** One browser process; its tabs share cookies, storage, channels and locks. */
export interface Engine {
  readonly name: string;
  /** A new tab; `window` opens a window instead (WebKit's MiniBrowser screenshots only a visible page). */
  newTab(kind?: 'tab' | 'window'): Promise<Tab>;
  /** Every cookie the browser holds for `origin`, HttpOnly ones included. */
  cookies(origin: string): Promise<BrowserCookie[]>;
  /** Put cookies into the browser for `origin` (a profile restored from disk, a copied cookie). */
  addCookies(origin: string, cookies: readonly BrowserCookie[]): Promise<void>;
  /** Forget every cookie of `origin`. */
  clearCookies(origin: string): Promise<void>;
  close(): Promise<void>;
}

/** A cookie as Playwright and Puppeteer take it: on `origin`'s host, session-only unless it has an expiry. */
function forDomain(origin: string, c: BrowserCookie) {
  return {
    name: c.name,
    value: c.value,
    domain: new URL(origin).hostname,
    path: c.path,
    httpOnly: c.httpOnly,
    ...(c.expires ? { expires: c.expires } : {}),
  };
}

/** Session-only cookies come back as -1 or 0 from the drivers; absent here. */
function cookieOf(c: {
  name: string;
  value: string;
  path: string;
  httpOnly?: boolean;
  expires?: number;
  expiry?: number;
}): BrowserCookie {
  const expires = c.expires ?? c.expiry;
  return {
    name: c.name,
    value: c.value,
    path: c.path,
    httpOnly: c.httpOnly === true,
    ...(expires !== undefined && expires > 0 ? { expires } : {}),
  };
}

export async function launchChromium(): Promise<Engine> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'latchkey-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    name: 'chromium',
    async newTab() {
      const page = await context.newPage();
      return {
        evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
        goto: async (url) => void (await page.goto(url)),
        url: async () => page.url(),
        screenshot: async (path) => void (await page.screenshot({ path })),
        close: () => page.close(),
      };
    },
    cookies: async (origin) => (await context.cookies(origin)).map(cookieOf),
    addCookies: (origin, cookies) => context.addCookies(cookies.map((c) => forDomain(origin, c))),
    clearCookies: () => context.clearCookies(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function launchFirefox(): Promise<Engine> {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
  });
  return {
    name: 'firefox',
    async newTab() {
      const page = await browser.newPage();
      return {
        evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
        goto: async (url) => void (await page.goto(url)),
        url: async () => page.url(),
        screenshot: async (path) => void (await page.screenshot({ path: path as `${string}.png` })),
        close: () => page.close(),
      };
    },
    cookies: async (origin) => {
      const host = new URL(origin).hostname;
      return (await browser.cookies())
        .filter((c) => c.domain.replace(/^\./, '') === host)
        .map(cookieOf);
    },
    addCookies: (origin, cookies) => browser.setCookie(...cookies.map((c) => forDomain(origin, c))),
    clearCookies: async (origin) => {
      const host = new URL(origin).hostname;
      const mine = (await browser.cookies()).filter((c) => c.domain.replace(/^\./, '') === host);
      if (mine.length) await browser.deleteCookie(...mine);
    },
    close: () => browser.close(),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Start Xvfb on a free display (it reports the number on fd 3). */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn(
    'Xvfb',
    ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x800x24'],
    {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    },
  );
  const display = await new Promise<string>((resolve, reject) => {
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
    xvfb.stdio[3]!.once('data', (data) => resolve(`:${String(data).trim()}`));
  });
  return { display, process: xvfb };
}

/** Debian's MiniBrowser (from libwebkit2gtk), under the machine's multiarch directory. */
function miniBrowser(): string {
  for (const dir of readdirSync('/usr/lib')) {
    const path = join('/usr/lib', dir, 'webkit2gtk-4.1', 'MiniBrowser');
    if (existsSync(path)) return path;
  }
  throw new Error(
    'MiniBrowser not found under /usr/lib/*/webkit2gtk-4.1 (apt-get install webkit2gtk-driver)',
  );
}

export async function launchWebKit(): Promise<Engine> {
  const xvfb = await startXvfb();
  const port = await freePort();
  const driver = spawn('WebKitWebDriver', [`--port=${port}`], {
    stdio: 'ignore',
    env: { ...process.env, DISPLAY: xvfb.display },
  });
  const base = `http://127.0.0.1:${port}`;
  let session = '';
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const reply = (await response.json()) as { value: T & { error?: string; message?: string } };
    if (!response.ok)
      throw new Error(`WebDriver ${method} ${path}: ${reply.value.error} ${reply.value.message}`);
    return reply.value;
  }
  // The driver needs a moment to listen: a bounded poll on its status.
  for (let attempt = 0; ; attempt++) {
    try {
      await call('GET', '/status');
      break;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const created = await call<{ sessionId: string }>('POST', '/session', {
    capabilities: {
      alwaysMatch: {
        'webkitgtk:browserOptions': { binary: miniBrowser(), args: ['--automation'] },
      },
    },
  });
  session = `/session/${created.sessionId}`;
  // WebDriver drives one window at a time: commands are queued, and each switches to its tab first.
  let queue: Promise<unknown> = Promise.resolve();
  const home = await call<string>('GET', `${session}/window`);
  let current = home;
  function inTab<T>(handle: string, work: () => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      if (current !== handle) {
        await call('POST', `${session}/window`, { handle });
        current = handle;
      }
      return work();
    });
    queue = run.catch(() => {});
    return run;
  }
  // The expression goes into the script's own text: WebDriver compiles that outside the page's
  // Content-Security-Policy, where an eval() of a string would be refused (script-src 'self').
  const script = (expression: string) => `const done = arguments[arguments.length - 1];
    Promise.resolve().then(() => (${expression})).then(
      (value) => done({ value: value === undefined ? null : value }),
      (error) => done({ error: String(error) + ' at ' + String(error && error.stack) }));`;
  return {
    name: 'webkit',
    async newTab(kind = 'tab') {
      // The first window stays open (closing the last one would end the session); tests get new ones.
      const { handle } = await inTab(home, () =>
        call<{ handle: string }>('POST', `${session}/window/new`, { type: kind }),
      );
      return {
        evaluate: <T>(expression: string) =>
          inTab(handle, async () => {
            const result = await call<{ value?: T; error?: string }>(
              'POST',
              `${session}/execute/async`,
              {
                script: script(expression),
                args: [],
              },
            );
            if (result.error !== undefined) throw new Error(`${result.error} (in: ${expression})`);
            return result.value as T;
          }),
        goto: (url) =>
          inTab(handle, async () => void (await call('POST', `${session}/url`, { url }))),
        url: () => inTab(handle, () => call<string>('GET', `${session}/url`)),
        screenshot: (path) =>
          inTab(handle, async () => {
            const png = await call<string>('GET', `${session}/screenshot`);
            writeFileSync(path, Buffer.from(png, 'base64'));
          }),
        close: () =>
          inTab(handle, async () => {
            await call('DELETE', `${session}/window`);
            current = '';
          }),
      };
    },
    // WebDriver's cookie commands act on the current document's site: the home tab visits the origin first.
    cookies: (origin) =>
      inTab(home, async () => {
        await call('POST', `${session}/url`, { url: `${origin}/favicon.ico` });
        const all = await call<Array<Parameters<typeof cookieOf>[0]>>('GET', `${session}/cookie`);
        return all.map(cookieOf);
      }),
    addCookies: (origin, cookies) =>
      inTab(home, async () => {
        await call('POST', `${session}/url`, { url: `${origin}/favicon.ico` });
        for (const c of cookies)
          await call('POST', `${session}/cookie`, {
            cookie: {
              name: c.name,
              value: c.value,
              path: c.path,
              httpOnly: c.httpOnly,
              ...(c.expires ? { expiry: Math.floor(c.expires) } : {}),
            },
          });
      }),
    clearCookies: (origin) =>
      inTab(home, async () => {
        await call('POST', `${session}/url`, { url: `${origin}/favicon.ico` });
        await call('DELETE', `${session}/cookie`);
      }),
    async close() {
      await call('DELETE', session).catch(() => {});
      driver.kill();
      xvfb.process.kill();
    },
  };
}
