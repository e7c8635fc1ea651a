/**
 * One small interface over three drivers, so one suite runs in every engine:
 * Chromium through playwright-core, Firefox ESR through puppeteer-core over
 * WebDriver BiDi, and WebKitGTK through WebKitWebDriver (W3C WebDriver over
 * HTTP, a few fetch calls) on an Xvfb display. All use Debian's browsers.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One tab. `evaluate` takes an expression (a promise is awaited); its value must be JSON. */
export interface Tab {
  evaluate<T = unknown>(expression: string): Promise<T>;
  goto(url: string): Promise<void>;
  url(): Promise<string>;
  close(): Promise<void>;
}

/** One browser process; its tabs share cookies, storage, channels and locks. */
export interface Engine {
  readonly name: string;
  newTab(): Promise<Tab>;
  close(): Promise<void>;
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
        close: () => page.close(),
      };
    },
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
        close: () => page.close(),
      };
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
  const script = `const done = arguments[arguments.length - 1];
    Promise.resolve().then(() => (0, eval)(arguments[0])).then(
      (value) => done({ value: value === undefined ? null : value }),
      (error) => done({ error: String(error) + ' at ' + String(error && error.stack) }));`;
  return {
    name: 'webkit',
    async newTab() {
      // The first window stays open (closing the last one would end the session); tests get new ones.
      const { handle } = await inTab(home, () =>
        call<{ handle: string }>('POST', `${session}/window/new`, { type: 'tab' }),
      );
      return {
        evaluate: <T>(expression: string) =>
          inTab(handle, async () => {
            const result = await call<{ value?: T; error?: string }>(
              'POST',
              `${session}/execute/async`,
              {
                script,
                args: [expression],
              },
            );
            if (result.error !== undefined) throw new Error(`${result.error} (in: ${expression})`);
            return result.value as T;
          }),
        goto: (url) =>
          inTab(handle, async () => void (await call('POST', `${session}/url`, { url }))),
        url: () => inTab(handle, () => call<string>('GET', `${session}/url`)),
        close: () =>
          inTab(handle, async () => {
            await call('DELETE', `${session}/window`);
            current = '';
          }),
      };
    },
    async close() {
      await call('DELETE', session).catch(() => {});
      driver.kill();
      xvfb.process.kill();
    },
  };
}
