/**
 * Start an example the way its README says, `pnpm example:<name>`: the root script's `node …`
 * command line run with this Node, in a process group of its own, resolved with the URL the
 * server prints once it listens. Stopping kills the group (the script and what it started).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { root } from '../runtimes/harness.js';

const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<
  string,
  string
>;

/** A started root script: the URL it serves, and a stop that waits for the whole group to exit. */
export interface StartedScript {
  url: string;
  stop(): Promise<void>;
}

/**
 * Run `pnpm <script>`'s command line with `env` added (PORT is 0: a free port).
 *
 * @example
 * const app = await startRootScript('example:express', {});
 * await fetch(`${app.url}/me`);
 * await app.stop();
 */
export function startRootScript(
  script: string,
  env: Record<string, string>,
): Promise<StartedScript> {
  const [command, ...args] = scripts[script]!.split(' ');
  expect(command).toBe('node');
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stopping it also stops what it started
  });
  const stop = () => stopGroup(child);
  let output = '';
  return new Promise<StartedScript>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match) resolve({ url: match[1]!, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}):\n${output}`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGKILL');
  });
}
