/**
 * A throwaway redis-server for tests: started on a free loopback port with
 * persistence off, stopped afterwards. Never a system Redis service.
 * `.ci/run` installs Debian's `redis-server` when it is missing.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kill the server (SIGKILL: as abrupt as a crash) and wait for it to exit. */
  stop(): Promise<void>;
}

/** A port the OS just handed out on 127.0.0.1 (free unless someone races us; start retries). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once something accepts TCP connections on `port`, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => (socket.destroy(), resolve(false)));
    });
    if (open) return;
    if (!alive()) throw new Error(`process for port ${port} exited before listening`);
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Wait for a child to exit, killing it first if it is still running. */
export function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * Start `redis-server` on a free loopback port with no persistence.
 *
 * @example
 * let redis: RedisServer;
 * beforeAll(async () => { redis = await startRedis(); });
 * afterAll(() => redis.stop());
 */
export async function startRedis(): Promise<RedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => { output += d; });
    child.stderr?.on('data', (d: Buffer) => { output += d; });
    let spawnError: Error | undefined;
    child.once('error', (e) => { spawnError = e; });
    try {
      await waitForPort(port, 10_000, () => child.exitCode === null && child.signalCode === null && !spawnError);
      return { port, url: `redis://127.0.0.1:${port}`, stop: () => killChild(child) };
    } catch (error) {
      await killChild(child);
      lastError = spawnError ?? new Error(`redis-server did not start on port ${port}: ${output.trim()}`, { cause: error });
      if (spawnError) break; // not installed: retrying will not help
    }
  }
  throw lastError;
}
