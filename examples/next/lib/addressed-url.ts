/**
 * The URL a request was sent to, host as its Host header says. Next hands route handlers a
 * `request.url` on `localhost:<port>` whatever the client addressed (127.0.0.1, a LAN name), and
 * Latchkey's CSRF guard compares `Origin` with the request's origin. Edge-safe: no Node APIs.
 */

/**
 * `request.url` with the host the client used (the protocol stays Next's).
 *
 * @example
 * addressedUrl(request).origin; // 'http://127.0.0.1:3000', where request.url says localhost
 */
export function addressedUrl(request: Request): URL {
  const url = new URL(request.url);
  const host = request.headers.get('host');
  if (!host) return url;
  try {
    url.host = new URL(`${url.protocol}//${host}`).host;
  } catch {
    // a malformed Host header: keep Next's URL
  }
  return url;
}

/**
 * The same request at its {@link addressedUrl}; the body is passed on, not read.
 *
 * @example
 * withSessions(engine, handler, { csrf: true })(asAddressed(request));
 */
export function asAddressed(request: Request): Request {
  const url = addressedUrl(request);
  if (url.href === request.url) return request;
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    duplex: 'half', // a streamed body (undici requires saying so)
  } as RequestInit & { duplex: 'half' });
}
