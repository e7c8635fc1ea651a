/**
 * The bridge between `node:http` and Web `Request`/`Response`. Bodies stream
 * both ways; every Set-Cookie stays its own header line (RFC 6265bis §3:
 * Set-Cookie must not be folded into one line).
 *
 * Forwarded headers (`X-Forwarded-Proto`, `-Host`, `-For`) are trusted only
 * with `trustProxy: true`, for apps behind a TLS-terminating proxy that
 * overwrites them. Without it a client could claim any scheme, host or IP.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DeviceFacts } from '@latchkey/core';

/** Options for {@link toRequest}. */
export interface ToRequestOptions {
  /** Trust `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-For`. Default `false`. */
  trustProxy?: boolean;
  /** Attach the request body as a stream (default `true`). Middleware that leaves the body to the framework passes `false`. */
  body?: boolean;
  /** Becomes `request.signal`, e.g. aborted when the client goes away. */
  signal?: AbortSignal;
}

/** The first value of a possibly repeated, comma-separated header. */
function first(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const head = raw?.split(',')[0]?.trim();
  return head === '' ? undefined : head;
}

function isEncrypted(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}

/** The request's absolute URL. A hostile Host header or target never throws: it falls back to `localhost`. */
function requestUrl(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? first(req.headers['x-forwarded-proto'])?.toLowerCase() : undefined;
  const scheme =
    forwarded === 'https' || forwarded === 'http' ? forwarded : isEncrypted(req) ? 'https' : 'http';
  const host =
    (trustProxy ? first(req.headers['x-forwarded-host']) : undefined) ??
    req.headers.host ??
    'localhost';
  // Only origin-form targets ("/path?q"); an absolute-form target must not choose the host.
  const target = req.url?.startsWith('/') ? req.url : '/';
  for (const origin of [`${scheme}://${host}`, `${scheme}://localhost`]) {
    try {
      const url = new URL(origin);
      if (url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '')
        return new URL(origin + target).href;
    } catch {
      // try the next origin
    }
  }
  return `${scheme}://localhost/`;
}

/**
 * The client's IP: the socket's peer, or with `trustProxy` the left-most
 * `X-Forwarded-For` entry (the client as the proxy saw it).
 *
 * @example
 * clientIp(req, { trustProxy: true }) // '203.0.113.9'
 */
export function clientIp(
  req: IncomingMessage,
  options: { trustProxy?: boolean } = {},
): string | undefined {
  const forwarded = options.trustProxy ? first(req.headers['x-forwarded-for']) : undefined;
  return forwarded ?? req.socket.remoteAddress ?? undefined;
}

/** Device facts for Latchkey: the client IP as {@link clientIp} sees it. */
export function deviceFacts(
  req: IncomingMessage,
  options: { trustProxy?: boolean } = {},
): DeviceFacts {
  const ip = clientIp(req, options);
  return ip ? { ip } : {};
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
