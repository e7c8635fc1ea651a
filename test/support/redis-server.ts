/**
 * A throwaway redis-server for tests: started on a free loopback port with
 * persistence off, stopped afterwards. Never a system Redis service.
 * `.ci/run` installs Debian's `redis-server` when it is missing.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Kill the server (SIGKILL: as abrupt as a crash) and wait for it to exit. */
  stop(): Promise<void>;
}

/**
 * `count` distinct ports the OS just handed out on 127.0.0.1, all held open
 * until every one is chosen so two never coincide. Free unless another
 * process races us for them; starters retry or check their own child.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** One free loopback port; see {@link freePorts}. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** Resolves once something accepts TCP connections on `port`, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitForPort(
  port: number,
  timeoutMs = 10_000,
  alive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => (socket.destroy(), resolve(false)));
    });
    if (open) return;
    if (!alive()) throw new Error(`process for port ${port} exited before listening`);
    if (Date.now() > deadline)
      throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
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
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    // Ready means *our* server says so: a port that merely answers could be someone else's.
    const ready = new Promise<boolean>((resolve) => {
      const onData = (d: Buffer) => {
        output += d;
        if (output.includes('Ready to accept connections')) resolve(true);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', () => resolve(false));
      child.once('error', (e) => {
        lastError = e;
        resolve(false);
      });
    });
    const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, 10_000, false).unref());
    if (await Promise.race([ready, timeout])) {
      child.stdout?.removeAllListeners('data').resume();
      child.stderr?.removeAllListeners('data').resume();
      return { port, url: `redis://127.0.0.1:${port}`, stop: () => killChild(child) };
    }
    await killChild(child);
    if ((lastError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new Error(
        'redis-server is not installed: apt-get install -y redis-server (.ci/run does this)',
        { cause: lastError },
      );
    }
    lastError = new Error(`redis-server did not start on port ${port}: ${output.trim()}`);
  }
  throw lastError;
}
