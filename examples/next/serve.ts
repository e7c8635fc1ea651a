/**
 * Builds and starts the Next.js example: `pnpm example:next` from the repository root, the same
 * as `next build && next start` in this folder. PORT (default 3000) comes from the environment;
 * it listens on 127.0.0.1 only, and sessions live in .data/sessions.db (SESSIONS_DB moves it).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('./', import.meta.url));
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
// No usage reports sent anywhere, from the build or the server.
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

/** Run the Next CLI in this folder; `onLine` sees its output line by line. */
function next(args: string[], onLine: (line: string) => void = (line) => console.log(line)) {
  const child = spawn(process.execPath, [nextBin, ...args], { cwd: here, env, stdio: 'pipe' });
  let rest = '';
  const lines = (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    parts.forEach(onLine);
  };
  child.stdout.on('data', lines);
  child.stderr.on('data', lines);
  return child;
}

// Ctrl-C or a stop during the build stops the build too, not only this script.
let current: ChildProcess | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => (current ? current.kill(signal) : process.exit(1)));

current = next(['build']);
const built = await new Promise<number | null>((resolve) => current!.once('exit', resolve));
if (built !== 0) process.exit(built ?? 1);

// Loopback only: the development cookie (lib/cookie-options.ts) must never face a network.
let url = '';
const port = process.env.PORT ?? '3000';
current = next(['start', '--hostname', '127.0.0.1', '--port', port], (line) => {
  console.log(line);
  url ||= /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1] ?? '';
  if (!url || !/Ready in/.test(line)) return;
  console.log(`Next.js example on ${url}/  (GET / · GET|POST /login · GET /me · POST /logout)`);
  // Next writes a loopback host in middleware redirects as localhost: stay on that name.
  console.log(`In a browser, open ${url.replace('127.0.0.1', 'localhost')}/`);
});
current.once('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
