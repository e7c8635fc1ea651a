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

/** What holding needs of a session: its request (for a failure's answer) and `flush()`. */
export type Committable = Pick<RequestSession, 'request' | 'flush'>;

type Held = { method: 'writeHead' | 'write' | 'end'; args: unknown[] };

/**
 * Flush the session and copy what it decided (Set-Cookie, Cache-Control, Clear-Site-Data) onto `res`.
 *
 * @example
 * await commitHeaders(res, req.session); // before res.writeHead
 */
export async function commitHeaders(res: ServerResponse, session: Committable): Promise<void> {
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

type Method = (...args: unknown[]) => unknown;
type Originals = { writeHead: Method; write: Method; end: Method };

/** Where a held response is: before its first write, committing, passing writes through, or failed. */
interface Hold {
  session: Committable;
  original: Originals;
  held: Held[];
  phase: 'holding' | 'committing' | 'open' | 'failed';
  /** `end()` came first (res.send, res.json): the commit's flush already saw every change. */
  endedFirst: boolean;
}

const HOLD = Symbol('latchkey.hold');
type HeldResponse = ServerResponse & { [HOLD]: Hold };

// A failure before the headers went out gets its answer; after, the response can only be cut short.
function fail(res: HeldResponse, hold: Hold, error: unknown): void {
  hold.phase = 'failed';
  hold.held.length = 0;
  if (!answerFailure(res, hold.session.request, error)) res.destroy(error as Error);
}

// The last chunk waits for one more flush: data changed after the first byte (a streamed response) is saved before it.
function finish(res: HeldResponse, hold: Hold, args: unknown[]): void {
  hold.session.flush().then(
    () => hold.original.end.apply(res, args),
    (error: unknown) => fail(res, hold, error),
  );
}

function commit(res: HeldResponse, hold: Hold, first: Held['method']): void {
  hold.phase = 'committing';
  hold.endedFirst = first === 'end';
  commitHeaders(res, hold.session).then(
    () => {
      hold.phase = 'open';
      for (const { method, args } of hold.held.splice(0)) {
        if (method !== 'end') hold.original[method].apply(res, args);
        else if (hold.endedFirst) hold.original.end.apply(res, args);
        else finish(res, hold, args);
      }
    },
    (error: unknown) => fail(res, hold, error),
  );
}

function held(res: HeldResponse, method: Held['method'], args: unknown[]): boolean {
  const hold = res[HOLD];
  if (hold.phase === 'failed' || (hold.phase === 'open' && method !== 'end')) return false;
  if (hold.phase === 'open') finish(res, hold, args);
  else {
    hold.held.push({ method, args });
    if (hold.phase === 'holding') commit(res, hold, method);
  }
  return true;
}

// One set of replacements for every response (per-request closures were most of what holding cost).
function writeHead(this: HeldResponse, ...args: unknown[]) {
  return held(this, 'writeHead', args) ? this : this[HOLD].original.writeHead.apply(this, args);
}
// Held bytes are few (a commit is one store round trip), so report no backpressure while holding.
function write(this: HeldResponse, ...args: unknown[]) {
  return held(this, 'write', args) ? true : this[HOLD].original.write.apply(this, args);
}
function end(this: HeldResponse, ...args: unknown[]) {
  return held(this, 'end', args) ? this : this[HOLD].original.end.apply(this, args);
}

/**
 * Hold the response until the session is committed; on a session failure answer 503/409 instead.
 *
 * @example
 * holdUntilCommitted(res, session); // then hand the request to the app
 */
export function holdUntilCommitted(res: ServerResponse, session: Committable): void {
  const r = res as HeldResponse;
  r[HOLD] = {
    session,
    original: { writeHead: res.writeHead, write: res.write, end: res.end } as unknown as Originals,
    held: [],
    phase: 'holding',
    endedFirst: false,
  };
  res.writeHead = writeHead as ServerResponse['writeHead'];
  res.write = write as ServerResponse['write'];
  res.end = end as ServerResponse['end'];
}
