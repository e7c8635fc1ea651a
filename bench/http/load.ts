/**
 * One measured run: autocannon (50 connections, programmatic API) against one
 * app for a bounded time, and the server process's CPU time over that run
 * from /proc/<pid>/stat, so the table can say whether the server was CPU-bound.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import autocannon from 'autocannon';
import type { RequestSpec } from './apps/serve.js';

export const CONNECTIONS = 50;
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of `pid`, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

export interface Run {
  requests: number;
  seconds: number;
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Server CPU seconds per wall second over the run. */
  serverCpu: number;
  /** Server CPU µs per request over the run. */
  cpuUs: number;
}

type Requests = NonNullable<autocannon.Options['requests']>;

/** A Cookie header after a response's Set-Cookie lines (a cleared cookie is dropped). */
export function adoptCookies(cookie: string, setCookie: readonly string[]): string {
  const jar = new Map(
    cookie
      .split('; ')
      .filter(Boolean)
      .map(
        (pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const,
      ),
  );
  for (const line of setCookie) {
    const pair = line.split(';')[0]!;
    const name = pair.slice(0, pair.indexOf('='));
    const value = pair.slice(pair.indexOf('=') + 1);
    if (value === '' || /;\s*max-age=0\b/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

function requestsOf(spec: RequestSpec): Requests | undefined {
  if (spec.chain === 'refresh') {
    // Each connection issues a pair, then rotates the refresh token its last response returned;
    // autocannon clears a connection's context when it loops over the list, so the list is long.
    const keep = (status: number, body: string, context: object) => {
      if (status !== 200) return;
      (context as { token?: string }).token = (
        JSON.parse(body) as { refreshToken: string }
      ).refreshToken;
    };
    const rotate = {
      method: 'POST' as const,
      path: '/refresh',
      setupRequest: (req: autocannon.Request, context: object) => ({
        ...req,
        headers: { ...req.headers, 'x-refresh-token': (context as { token?: string }).token ?? '' },
      }),
      onResponse: keep,
    };
    return [
      { method: 'POST', path: '/issue', onResponse: keep },
      ...Array.from({ length: 999 }, () => rotate),
    ];
  }
  if (spec.adopt && !spec.cookies) {
    let cookie = spec.headers.cookie ?? '';
    return [
      {
        method: spec.method,
        path: spec.path,
        setupRequest: (req: autocannon.Request) => ({
          ...req,
          headers: { ...req.headers, cookie },
        }),
        onResponse: (
          _status: number,
          _body: string,
          _context: object,
          headers?: Record<string, unknown>,
        ) => {
          const set = headers?.['set-cookie'];
          if (set !== undefined)
            cookie = adoptCookies(cookie, ([] as string[]).concat(set as string | string[]));
        },
      },
    ];
  }
  if (spec.cookies) {
    const cookies = spec.cookies;
    let next = 0;
    return [
      {
        method: spec.method,
        path: spec.path,
        setupRequest: (req: autocannon.Request) => ({
          ...req,
          headers: { ...req.headers, cookie: cookies[next++ % cookies.length]! },
        }),
      },
    ];
  }
  return undefined;
}

/** Run autocannon for `seconds` (whole seconds: autocannon checks its clock once a second) and measure the server's CPU over it. */
export async function measure(
  port: number,
  spec: RequestSpec,
  seconds: number,
  serverPid: number,
): Promise<Run> {
  const requests = requestsOf(spec);
  const run = async (duration: number) => {
    const cpu0 = cpuSeconds(serverPid);
    const t0 = performance.now();
    const result = await autocannon({
      url: `http://127.0.0.1:${port}${spec.path}`,
      method: spec.method,
      headers: spec.headers,
      ...(spec.body ? { body: spec.body } : {}),
      ...(requests ? { requests } : {}),
      connections: CONNECTIONS,
      duration,
    });
    return { result, wall: (performance.now() - t0) / 1000, cpu: cpuSeconds(serverPid) - cpu0 };
  };
  // A one-second round on a loaded machine can end before the first response comes back; such
  // a round measured nothing, so it is run again, twice as long, up to three times.
  let duration = Math.max(1, Math.round(seconds));
  let { result, wall, cpu } = await run(duration);
  for (let retry = 0; retry < 3 && result.requests.total === 0; retry++)
    ({ result, wall, cpu } = await run((duration *= 2)));
  const total = result.requests.total;
  return {
    requests: total,
    seconds: result.duration,
    rps: total / result.duration,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    serverCpu: cpu / wall,
    cpuUs: (cpu * 1e6) / total,
  };
}

/**
 * Warm the app up (JIT, caches, pools) with `CONNECTIONS` keep-alive
 * connections for `seconds`. Not autocannon: it only stops on a whole second.
 */
export async function warmUp(port: number, spec: RequestSpec, seconds: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  const send = (method: string, path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(spec.body);
    });
  const worker = async () => {
    let token = '';
    while (performance.now() < deadline) {
      if (spec.chain === 'refresh') {
        const { status, body } = token
          ? await send('POST', '/refresh', { 'x-refresh-token': token })
          : await send('POST', '/issue', {});
        token = status === 200 ? (JSON.parse(body) as { refreshToken: string }).refreshToken : '';
      } else {
        const headers = { ...spec.headers };
        if (spec.cookies) headers.cookie = spec.cookies[next++ % spec.cookies.length]!;
        await send(spec.method, spec.path, headers);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  } finally {
    agent.destroy();
  }
}

/** One request as the load generator sends it: does the answer set a cookie? */
export async function setsCookie(port: number, spec: RequestSpec): Promise<boolean | null> {
  if (spec.chain) return null;
  const headers = { ...spec.headers, ...(spec.cookies ? { cookie: spec.cookies[0]! } : {}) };
  const response = await fetch(`http://127.0.0.1:${port}${spec.path}`, {
    method: spec.method,
    headers,
  });
  await response.arrayBuffer();
  return response.headers.getSetCookie().length > 0;
}
