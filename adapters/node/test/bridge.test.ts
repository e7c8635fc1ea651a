// The node:http <-> Web bridge against a real node:http server: URLs and forwarded headers, streaming, Set-Cookie lines.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceFacts, toRequest, writeResponse } from '../src/index.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** Serve `handler` on a loopback port; resolve to the port. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<number> {
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return (server.address() as AddressInfo).port;
}

/** A raw HTTP request (node:http client, so any Host header can be sent); resolves to status, raw header lines and body. */
function send(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
) {
  return new Promise<{ status: number; rawHeaders: string[]; body: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, rawHeaders: res.rawHeaders, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const forwarded = {
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'app.example',
  'x-forwarded-for': '203.0.113.9, 10.0.0.1',
};

describe('toRequest', () => {
  it('ignores forwarded headers by default: the URL comes from the socket and Host, the IP from the peer', async () => {
    const port = await serve((req, res) => {
      const request = toRequest(req);
      res.end(JSON.stringify({ url: request.url, device: deviceFacts(req) }));
    });
    const { body } = await send(port, {
      path: '/a?b=1',
      headers: { host: 'site.test:8080', ...forwarded },
    });
    expect(JSON.parse(body)).toEqual({
      url: 'http://site.test:8080/a?b=1',
      device: { ip: '127.0.0.1' },
    });
  });

  it('with trustProxy, takes scheme, host and client IP from the forwarded headers', async () => {
    const port = await serve((req, res) => {
      const request = toRequest(req, { trustProxy: true });
      res.end(JSON.stringify({ url: request.url, device: deviceFacts(req, { trustProxy: true }) }));
    });
    const { body } = await send(port, {
      path: '/a',
      headers: { host: 'internal:3000', ...forwarded },
    });
    expect(JSON.parse(body)).toEqual({
      url: 'https://app.example/a',
      device: { ip: '203.0.113.9' },
    });
  });

  it('survives a hostile Host header and an absolute-form target without choosing another origin', async () => {
    const port = await serve((req, res) => void res.end(toRequest(req).url));
    expect((await send(port, { path: '/x', headers: { host: 'evil.example/@x' } })).body).toBe(
      'http://localhost/x',
    );
    expect(
      (await send(port, { path: 'http://evil.example/y', headers: { host: 'site.test' } })).body,
    ).toBe('http://site.test/');
  });

  it('streams the request body', async () => {
    const port = await serve(async (req, res) => {
      const text = await toRequest(req).text();
      res.end(`${text.length}:${text.slice(0, 3)}`);
    });
    const big = 'abc'.repeat(100_000);
    expect((await send(port, { method: 'POST', body: big })).body).toBe(`${big.length}:abc`);
  });
});

describe('writeResponse', () => {
  it('writes status, headers, one line per Set-Cookie, and a streamed body', async () => {
    const port = await serve((_req, res) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of ['one,', 'two,', 'three'])
            controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      });
      const headers = new Headers({ 'content-type': 'text/plain', 'x-app': 'yes' });
      headers.append('set-cookie', 'a=1; Path=/');
      headers.append('set-cookie', 'b=2; Path=/; Expires=Thu, 01 Jan 2026 00:00:00 GMT');
      void writeResponse(res, new Response(body, { status: 201, headers }));
    });
    const { status, rawHeaders, body } = await send(port, {});
    expect(status).toBe(201);
    expect(body).toBe('one,two,three');
    const lines = rawHeaders.flatMap((v, i) =>
      i % 2 === 0 && v.toLowerCase() === 'set-cookie' ? [rawHeaders[i + 1]] : [],
    );
    expect(lines).toEqual(['a=1; Path=/', 'b=2; Path=/; Expires=Thu, 01 Jan 2026 00:00:00 GMT']);
    expect(rawHeaders).toContain('x-app');
  });
});
