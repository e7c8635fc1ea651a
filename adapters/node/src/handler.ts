/**
 * A `node:http` request listener around a Latchkey fetch handler: the same
 * `withSessions` the Web runtimes use, behind the Node bridge.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  assertSessionEngine,
  withSessions,
  type CsrfOptions,
  type SessionData,
  type SessionEngine,
  type SessionHandler,
} from '@latchkey/core';
import { refuseUnsupportedMethod, toRequest, writeResponse } from './bridge.js';
import { deviceFacts } from './client.js';

/** Options for {@link createHandler}. */
export interface CreateHandlerOptions {
  /** Trust forwarded headers for the URL and client IP. Default `false`. */
  trustProxy?: boolean;
  /** Called with an error the handler threw (the client gets a 500). Default `console.error`. */
  onError?: (error: unknown) => void;
  /** Refuse cross-site state-changing requests with 403 before `handler` runs (`withSessions`' `csrf`). */
  csrf?: CsrfOptions | true;
}

/**
 * A `node:http` listener: the engine (server-side or sealed) wraps `handler`
 * with `withSessions`, and the socket's peer address (or, with `trustProxy`,
 * `X-Forwarded-For`) is passed as the request's device facts.
 *
 * @example
 * http.createServer(createHandler(latchkey, async ({ request, session }) => {
 *   const outcome = await session.load();
 *   return outcome.valid ? Response.json({ user: outcome.session.userId }) : expiryResponse(request, outcome);
 * })).listen(3000);
 */
export function createHandler<Data extends SessionData = SessionData>(
  engine: SessionEngine<Data>,
  handler: SessionHandler<Data>,
  options: CreateHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  assertSessionEngine(engine, 'createHandler()');
  const fetchHandler = withSessions(engine, handler, { csrf: options.csrf });
  const onError =
    options.onError ?? ((error: unknown) => console.error('[latchkey] handler failed:', error));
  return (req, res) => {
    if (refuseUnsupportedMethod(req, res)) return;
    // request.signal aborts when the client goes away before the response is finished.
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const request = toRequest(req, { trustProxy: options.trustProxy, signal: controller.signal });
    fetchHandler(request, deviceFacts(req, options)).then(
      // A client that goes away mid-body is not an application error.
      (response) => writeResponse(res, response).catch(() => res.destroy()),
      (error: unknown) => {
        onError(error);
        if (res.headersSent) res.destroy();
        else
          res
            .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
            .end('Internal Server Error');
      },
    );
  };
}
