/**
 * App servers as separate Node processes, for the tests that run two of them
 * against one shared store (Redis, PostgreSQL) with no sticky routing: start
 * one from a script on a port, and call it the way a browser would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killChild, waitForPort } from './redis-server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface AppServer {
  child: ChildProcess;
  base: string;
  output: () => string;
}

/** Run `script` (relative to the repository) with tsx on `port`, its workspace resolved by `tsconfig`. */
export async function startAppServer(
  script: string,
  tsconfig: string,
  port: number,
  env: Record<string, string>,
): Promise<AppServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), TSX_TSCONFIG_PATH: tsconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d;
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d;
  });
  const server = { child, base: `http://127.0.0.1:${port}`, output: () => output };
  try {
    const alive = () => child.exitCode === null && child.signalCode === null;
    await waitForPort(port, 30_000, alive);
    if (!alive()) throw new Error(`exited after something else answered on port ${port}`);
  } catch (error) {
    await killChild(child);
    throw new Error(`app server did not start: ${output}`, { cause: error });
  }
  return server;
}

/** A request as a browser would send it after a load balancer picked `server`. */
export async function call(server: AppServer, method: string, path: string, cookie?: string) {
  const response = await fetch(`${server.base}${path}`, {
    method,
    headers: cookie ? { cookie } : {},
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, string | number>,
    setCookie: response.headers.getSetCookie(),
    server: response.headers.get('x-server'),
  };
}
