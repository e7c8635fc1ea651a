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
  /** Freeze the process (SIGSTOP): it keeps its connections but answers nothing, like a fork stall or a black hole. */
  pause(): void;
  /** Let a paused process run again (SIGCONT). */
  resume(): void;
  /** Start a stopped (killed) server again on the same port, with the same data directory. */
  restart(): Promise<void>;
}

export interface RedisOptions {
  /** Keep an append-only file (`appendfsync always`) in this directory, so a killed server restarts with its data. */
  appendOnlyDir?: string;
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
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const persistence = options.appendOnlyDir
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.appendOnlyDir]
    : ['--appendonly', 'no'];
  const args = (port: number) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    ...persistence,
  ];
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const started = await spawnRedis(args(port));
    if ('child' in started) {
      let child = started.child;
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        stop: () => killChild(child),
        pause: () => void child.kill('SIGSTOP'),
        resume: () => void child.kill('SIGCONT'),
        async restart() {
          const again = await spawnRedis(args(port));
          if (!('child' in again)) throw again.error;
          child = again.child;
        },
      };
    }
    lastError = started.error;
    if ((lastError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new Error(
        'redis-server is not installed: apt-get install -y redis-server (.ci/run does this)',
        { cause: lastError },
      );
    }
  }
  throw lastError;
}

/** Spawn one redis-server and wait until it says it is ready (or fails). */
async function spawnRedis(args: string[]): Promise<{ child: ChildProcess } | { error: unknown }> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let failure: unknown;
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
      failure = e;
      resolve(false);
    });
  });
  const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, 10_000, false).unref());
  if (await Promise.race([ready, timeout])) {
    child.stdout?.removeAllListeners('data').resume();
    child.stderr?.removeAllListeners('data').resume();
    return { child };
  }
  await killChild(child);
  return {
    error: failure ?? new Error(`redis-server did not start (${args.join(' ')}): ${output.trim()}`),
  };
}
