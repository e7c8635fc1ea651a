/**
 * The bridge between `node:http` and Web `Request`/`Response`. Bodies stream
 * both ways; every Set-Cookie stays its own header line (RFC 6265bis §3:
 * Set-Cookie must not be folded into one line). What to believe about the
 * client (forwarded headers, its address) is in `client.ts`.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { requestUrl } from './client.js';

/** Options for {@link toRequest}. */
export interface ToRequestOptions {
  /** Trust `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-For`. Default `false`. */
  trustProxy?: boolean;
  /** Attach the request body as a stream (default `true`). Middleware that leaves the body to the framework passes `false`. */
  body?: boolean;
  /** Becomes `request.signal`, e.g. aborted when the client goes away. */
  signal?: AbortSignal;
}

/** Methods Node's parser accepts but the Fetch standard forbids, so `new Request` throws on them (TRACE reaches a request listener). */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * Answer a request whose method a Web `Request` cannot carry (TRACE, say)
 * with 405, instead of letting {@link toRequest} throw: thrown from a plain
 * `node:http` listener, that exception would take the whole server down.
 * Returns `true` when it answered.
 *
 * @example
 * if (refuseUnsupportedMethod(req, res)) return;
 * const request = toRequest(req);
 */
export function refuseUnsupportedMethod(req: IncomingMessage, res: ServerResponse): boolean {
  if (!FORBIDDEN_METHODS.has((req.method ?? 'GET').toUpperCase())) return false;
  // RFC 9110 §15.5.6: a 405 lists the methods that are supported.
  res
    .writeHead(405, {
      allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      'content-type': 'text/plain; charset=utf-8',
    })
    .end('Method Not Allowed');
  return true;
}

/**
 * A Web `Request` for a `node:http` request. The body, if any, is streamed, not buffered.
 *
 * @example
 * const request = toRequest(req, { trustProxy: true });
 */
export function toRequest(req: IncomingMessage, options: ToRequestOptions = {}): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A header value Node accepted but the Fetch standard does not: drop it rather than fail the request.
    }
  }
  const method = req.method ?? 'GET';
  const withBody = options.body !== false && method !== 'GET' && method !== 'HEAD';
  const init: RequestInit & { duplex?: 'half' } = {
    method,
    headers,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  if (withBody) {
    init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(requestUrl(req, options.trustProxy === true), init);
}

/**
 * Write a Web `Response` to a `node:http` response: status, headers (each
 * Set-Cookie on its own line) and the body, streamed with backpressure.
 * Resolves when the response has been handed to the socket.
 *
 * @example
 * await writeResponse(res, new Response('ok'));
 */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers)
    if (name !== 'set-cookie') res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (response.body === null) {
    res.end();
    return;
  }
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
    res,
  );
}

/**
 * A middleware's view of `req`: its headers as a `Request` (the body stays
 * with the framework's own parsers), or `null` once `res` has been answered:
 * a method no fetch Request can carry, or a cross-site request `csrf` refused.
 */
export function admitHeaders(
  req: IncomingMessage,
  res: ServerResponse,
  trustProxy: boolean | undefined,
  csrf: ((request: Request) => Response | null) | null,
): Request | null {
  if (refuseUnsupportedMethod(req, res)) return null;
  const request = toRequest(req, { trustProxy, body: false });
  const refused = csrf?.(request);
  if (!refused) return request;
  void writeResponse(res, refused).catch(() => res.destroy());
  return null;
}
