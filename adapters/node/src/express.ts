/**
 * Express/Connect middleware: `req.session` is the request's lazy
 * `RequestSession`, and the session is committed before anything reaches the
 * client. `res.writeHead`, `res.write` and `res.end` are held until the
 * commit (store writes, then Set-Cookie) has finished, then replayed in
 * order, so the cookie is always in the headers and the store write has
 * landed before the client sees the response. (express-session patches
 * `res.end` to wait for its store save in the same way.)
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  isStoreError,
  storeUnavailableResponse,
  type Latchkey,
  type RequestSession,
} from '@latchkey/core';
import { deviceFacts, refuseUnsupportedMethod, toRequest, writeResponse } from './bridge.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's Latchkey session (set by `latchkeyMiddleware`). */
      session: RequestSession;
    }
  }
}

type Next = (error?: unknown) => void;
type Held = { method: 'writeHead' | 'write' | 'end'; args: unknown[] };

/** Copy what the core's commit decided (Set-Cookie, Cache-Control, Clear-Site-Data) onto `res`. */
async function commitHeaders(res: ServerResponse, session: RequestSession): Promise<void> {
  // flush, not commit: a streamed response may still change data before its last chunk.
  const { setCookie, headers } = await session.flush();
  for (const [name, value] of headers) res.setHeader(name, value);
  if (setCookie.length > 0) res.appendHeader('set-cookie', setCookie);
}

/** Hold the response until the session is committed; on a store failure answer 503 instead. */
function holdUntilCommitted(res: ServerResponse, session: RequestSession): void {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  const held: Held[] = [];
  let committing = false;
  const restore = (): void => {
    res.writeHead = original.writeHead;
    res.write = original.write;
    res.end = original.end;
  };
  // A store failure before the headers went out answers 503; after, the response can only be cut short.
  const fail = (error: unknown): void => {
    restore();
    held.length = 0;
    if (!isStoreError(error) || res.headersSent) return void res.destroy(error as Error);
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    void writeResponse(res, storeUnavailableResponse(session.request)).catch(() => res.destroy());
  };
  // The last chunk waits for one more flush: data changed after the first byte (a streamed response) is saved before it.
  const finish = (args: unknown[]): void => {
    session.flush().then(() => (original.end as (...a: unknown[]) => void).apply(res, args), fail);
  };
  const commit = (): void => {
    committing = true;
    commitHeaders(res, session).then(() => {
      restore();
      res.end = function (this: ServerResponse, ...args: unknown[]) {
        finish(args);
        return this;
      } as ServerResponse['end'];
      for (const { method, args } of held.splice(0)) {
        if (method === 'end') finish(args);
        else (original[method] as (...a: unknown[]) => unknown).apply(res, args);
      }
    }, fail);
  };
  const hold = (method: Held['method'], result: (self: ServerResponse) => unknown) =>
    function (this: ServerResponse, ...args: unknown[]) {
      held.push({ method, args });
      if (!committing) commit();
      return result(this);
    };
  res.writeHead = hold('writeHead', (self) => self) as ServerResponse['writeHead'];
  // Held bytes are few (a commit is one store round trip), so report no backpressure while holding.
  res.write = hold('write', () => true) as ServerResponse['write'];
  res.end = hold('end', (self) => self) as ServerResponse['end'];
}

/** Options for {@link latchkeyMiddleware}. */
export interface LatchkeyMiddlewareOptions {
  /** Trust forwarded headers for the URL and client IP (Express's `trust proxy`). Default `false`. */
  trustProxy?: boolean;
}

/**
 * @example
 * app.use(latchkeyMiddleware(latchkey));
 * app.get('/me', async (req, res) => {
 *   const outcome = await req.session.load();
 *   res.json(outcome.valid ? { user: outcome.session.userId } : null);
 * });
 * app.use(latchkeyErrorHandler()); // a store failure answers 503
 */
export function latchkeyMiddleware(
  latchkey: Latchkey<any>,
  options: LatchkeyMiddlewareOptions = {},
) {
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    if (refuseUnsupportedMethod(req, res)) return;
    // Headers only: the body stays with the framework's own parsers.
    const request = toRequest(req, { trustProxy: options.trustProxy, body: false });
    const session = latchkey.forRequest(request, deviceFacts(req, options)) as RequestSession;
    (req as IncomingMessage & { session: RequestSession }).session = session;
    holdUntilCommitted(res, session);
    next();
  };
}

/**
 * Error middleware that answers a store failure with 503 (fail closed:
 * neither a 500 nor a sign-in redirect). Register it after your routes.
 *
 * @example
 * app.use(latchkeyErrorHandler());
 */
export function latchkeyErrorHandler() {
  return (error: unknown, req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const session = (req as IncomingMessage & { session?: RequestSession }).session;
    if (!isStoreError(error) || res.headersSent || !session) return next(error);
    void writeResponse(res, storeUnavailableResponse(session.request)).catch(() => res.destroy());
  };
}
