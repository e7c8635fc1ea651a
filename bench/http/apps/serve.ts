/**
 * What every benchmarked app hands back once it listens: its port and the
 * request autocannon sends (a serialisable spec, built in the parent). Helpers
 * to listen on a free loopback port and to sign in through the app's own
 * login route, so every contender's cookie is one its library issued itself.
 */

import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

/** The request the load generator repeats against one app. */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** One Cookie header per connection (connection i uses cookies[i % length]). */
  cookies?: string[];
  /** Refresh-token rotation: each connection issues a pair, then sends back the refresh token each response returns. */
  chain?: 'refresh';
  /** Send back the cookies responses set, as a browser does (a sealed cookie is resealed once per touch interval). */
  adopt?: boolean;
}

export interface Started {
  port: number;
  request: RequestSpec;
}

/** Counters an app keeps of its store traffic (SQL queries), read by the parent around a measured run. */
export const counters = new Map<string, number>();
export function count(name: string, n = 1): void {
  counters.set(name, (counters.get(name) ?? 0) + n);
}

function portOf(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (server.listening) resolve((server.address() as AddressInfo).port);
    else server.once('listening', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Serve a fetch handler with @hono/node-server on a free loopback port. */
export function serveFetch(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<number> {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  return portOf(server);
}

/** Serve a node:http listener (Express, h3's toNodeHandler) on a free loopback port. */
export function serveNode(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<number> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  return portOf(server);
}

/** POST to the app's login route and return the Cookie header its Set-Cookie lines make. */
export async function signIn(
  port: number,
  path = '/login',
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers });
  await response.arrayBuffer();
  if (response.status >= 400)
    throw new Error(`bench setup: POST ${path} answered ${response.status}`);
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]!);
  if (cookies.length === 0) throw new Error(`bench setup: POST ${path} set no cookie`);
  return cookies.join('; ');
}

/** A GET with a cookie, as every authenticated read sends it. */
export const read = (cookie: string, path = '/'): RequestSpec => ({
  method: 'GET',
  path,
  headers: cookie ? { cookie } : {},
});

/** `bytes` of session data (a 3 KB session: sealed mode must split it into chunks). */
export function payload(bytes: number): Record<string, string> {
  const data: Record<string, string> = {};
  for (let i = 0; data && JSON.stringify(data).length < bytes; i++) data[`k${i}`] = 'x'.repeat(60);
  return data;
}
