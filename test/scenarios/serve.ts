/**
 * Ways to start the fixture app for the scenario suite: in this Node process
 * on a loopback port, or as a child process of another runtime that prints
 * `listening <port>` on stdout once it accepts connections.
 */

import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningApp } from './suite.js';

/** Listen on a free loopback port and describe the running app. */
export async function listenNode(server: Server): Promise<RunningApp> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Start `command args...` and wait for it to print `listening <port>`.
 * Stderr is kept for the error message should it fail to start.
 *
 * @example
 * spawnApp(deno, ['run', '--allow-net', bundledFile, 'hono'])
 */
export function spawnApp(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunningApp> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // A runtime that ignores SIGTERM must not hang the suite.
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    }
  };
  return new Promise<RunningApp>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop();
      reject(
        new Error(`${command} ${args.join(' ')}: ${why}\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    };
    const timer = setTimeout(
      () => fail('did not print "listening <port>" in time'),
      options.timeoutMs ?? 60_000,
    );
    child.once('error', (error) => fail(String(error)));
    const early = (code: number | null, signal: string | null) =>
      fail(`exited early (code ${code}, signal ${signal})`);
    child.once('exit', early);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening (\d+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', early);
      resolve({ baseUrl: `http://127.0.0.1:${match[1]}`, stop });
    });
  });
}
