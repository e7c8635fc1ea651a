/**
 * What to believe about a `node:http` client: its URL and its address.
 * Forwarded headers (`X-Forwarded-Proto`, `-Host`, `-For`) are trusted only
 * with `trustProxy: true`, for apps behind a TLS-terminating proxy that
 * overwrites them. Without it a client could claim any scheme, host or IP.
 */

import type { IncomingMessage } from 'node:http';
import type { DeviceFacts } from '@latchkey/core';

/** The first value of a possibly repeated, comma-separated header. */
function first(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const head = raw?.split(',')[0]?.trim();
  return head === '' ? undefined : head;
}

function isEncrypted(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}

/**
 * The request's absolute URL. A hostile Host header or target never throws: it falls back to `localhost`.
 *
 * @example
 * requestUrl(req, false) // 'http://app.example/inbox?tab=2'
 */
export function requestUrl(req: IncomingMessage, trustProxy: boolean): string {
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

/**
 * Device facts for Latchkey: the client IP as {@link clientIp} sees it.
 *
 * @example
 * engine.forRequest(toRequest(req), deviceFacts(req)) // { ip: '127.0.0.1' }
 */
export function deviceFacts(
  req: IncomingMessage,
  options: { trustProxy?: boolean } = {},
): DeviceFacts {
  const ip = clientIp(req, options);
  return ip ? { ip } : {};
}

/**
 * {@link deviceFacts}, read only when the engine records them (at sign-in):
 * a session that is only read never looks at the socket.
 *
 * @example
 * engine.forRequest(request, lazyDeviceFacts(req, { trustProxy: false }))
 */
export function lazyDeviceFacts(
  req: IncomingMessage,
  options: { trustProxy?: boolean } = {},
): DeviceFacts {
  let facts: DeviceFacts | undefined;
  return {
    get ip() {
      return (facts ??= deviceFacts(req, options)).ip;
    },
  };
}
