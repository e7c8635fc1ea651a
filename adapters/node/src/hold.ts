/**
 * Holding a `node:http` response until its session is committed:
 * `writeHead`, `write` and `end` wait for the commit (store writes, then
 * Set-Cookie) and are replayed in order, so the cookie is always in the
 * headers and the write has landed before the client sees anything
 * (express-session patches `res.end` the same way).
 */

import type { ServerResponse } from 'node:http';
import { sessionFailureResponse, type RequestSession } from '@latchkey/core';
import { writeResponse } from './bridge.js';

type Held = { method: 'writeHead' | 'write' | 'end'; args: unknown[] };

/**
 * Flush the session and copy what it decided (Set-Cookie, Cache-Control, Clear-Site-Data) onto `res`.
 *
 * @example
 * await commitHeaders(res, req.session); // before res.writeHead
 */
export async function commitHeaders(res: ServerResponse, session: RequestSession): Promise<void> {
  // flush, not commit: a streamed response may still change data before its last chunk.
  const { setCookie, headers } = await session.flush();
  for (const [name, value] of headers) res.setHeader(name, value);
  if (setCookie.length > 0) res.appendHeader('set-cookie', setCookie);
}

/**
 * Answer a session failure (503 store down, 409 conflict) in place of the
 * response; `false` when it cannot (another error, or the headers are out).
 *
 * @example
 * if (!answerFailure(res, session.request, error)) next(error);
 */
export function answerFailure(res: ServerResponse, request: Request, error: unknown): boolean {
  const failure = res.headersSent ? null : sessionFailureResponse(request, error);
  if (!failure) return false;
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  void writeResponse(res, failure).catch(() => res.destroy());
  return true;
}

/**
 * Hold the response until the session is committed; on a session failure answer 503/409 instead.
 *
 * @example
 * holdUntilCommitted(res, session); // then hand the request to the app
 */
export function holdUntilCommitted(res: ServerResponse, session: RequestSession): void {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  const held: Held[] = [];
  let committing = false;
  // `end()` first (res.send, res.json): its flush already saw every change, so it needs no second one.
  let endedFirst = false;
  const restore = (): void => {
    res.writeHead = original.writeHead;
    res.write = original.write;
    res.end = original.end;
  };
  // A failure before the headers went out gets its answer; after, the response can only be cut short.
  const fail = (error: unknown): void => {
    restore();
    held.length = 0;
    if (!answerFailure(res, session.request, error)) res.destroy(error as Error);
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
        if (method === 'end' && endedFirst) (original.end as (...a: unknown[]) => void).apply(res, args);
        else if (method === 'end') finish(args);
        else (original[method] as (...a: unknown[]) => unknown).apply(res, args);
      }
    }, fail);
  };
  const hold = (method: Held['method'], result: (self: ServerResponse) => unknown) =>
    function (this: ServerResponse, ...args: unknown[]) {
      held.push({ method, args });
      if (!committing) {
        endedFirst = method === 'end';
        commit();
      }
      return result(this);
    };
  res.writeHead = hold('writeHead', (self) => self) as ServerResponse['writeHead'];
  // Held bytes are few (a commit is one store round trip), so report no backpressure while holding.
  res.write = hold('write', () => true) as ServerResponse['write'];
  res.end = hold('end', (self) => self) as ServerResponse['end'];
}
