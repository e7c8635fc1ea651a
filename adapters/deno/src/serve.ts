/**
 * `serveWithSessions`: `Deno.serve` with the core's fetch wrapper around the
 * handler. Deno's peer address (not a header a client could forge) is passed
 * as the request's device facts; behind a proxy, `device` reads your proxy's
 * header instead.
 */

import {
  assertSessionEngine,
  withSessions,
  type CsrfOptions,
  type DeviceFacts,
  type SessionData,
  type SessionEngine,
  type SessionHandler,
} from '@latchkey/core';

/** What `Deno.serve` passes its handler besides the request, as far as Latchkey reads it. */
export interface DenoServeHandlerInfo {
  remoteAddr: { transport: string; hostname?: string; port?: number };
}

/** `Deno.ServeOptions` as far as Latchkey passes them on (everything else is passed through untouched). */
export interface DenoServeOptions {
  port?: number;
  hostname?: string;
  signal?: AbortSignal;
  onListen?: (localAddr: { hostname: string; port: number; transport?: string }) => void;
  onError?: (error: unknown) => Response | Promise<Response>;
  [option: string]: unknown;
}

/** Options for {@link serveWithSessions}: `Deno.serve`'s, plus where device facts come from. */
export interface ServeWithSessionsOptions extends DenoServeOptions {
  /** Device facts for a request (default: the peer's IP address as Deno saw it, no header trusted). */
  device?: (request: Request, info: DenoServeHandlerInfo) => DeviceFacts;
  /** Refuse cross-site state-changing requests with 403 before `handler` runs (`withSessions`' `csrf`). */
  csrf?: CsrfOptions | true;
}

/** `Deno.HttpServer`, as far as callers commonly use it. */
export interface DenoHttpServer {
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}

declare const Deno: {
  serve(
    options: DenoServeOptions,
    handler: (request: Request, info: DenoServeHandlerInfo) => Response | Promise<Response>,
  ): DenoHttpServer;
};

const peerAddress = (_: Request, info: DenoServeHandlerInfo): DeviceFacts =>
  info.remoteAddr.transport === 'tcp' && info.remoteAddr.hostname
    ? { ip: info.remoteAddr.hostname }
    : {};

/**
 * Serve `handler` with sessions on `Deno.serve` (the engine server-side or sealed); returns Deno's server.
 *
 * @example
 * const kv = await Deno.openKv();
 * const latchkey = createLatchkey({ policy: presets.productivity, store: denoKvStore(kv) });
 * serveWithSessions(latchkey, async ({ session }) => {
 *   const outcome = await session.load();
 *   return outcome.valid ? Response.json({ user: outcome.session.userId }) : new Response('sign in', { status: 401 });
 * }, { port: 8000 });
 */
export function serveWithSessions<Data extends SessionData = SessionData>(
  engine: SessionEngine<Data>,
  handler: SessionHandler<Data>,
  options: ServeWithSessionsOptions = {},
): DenoHttpServer {
  const { device = peerAddress, csrf, ...serveOptions } = options;
  assertSessionEngine(engine, 'serveWithSessions()');
  const wrapped = withSessions(engine, handler, { csrf });
  return Deno.serve(serveOptions, (request, info) => wrapped(request, device(request, info)));
}
