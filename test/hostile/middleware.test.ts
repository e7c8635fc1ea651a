/**
 * Hostile input through the whole middleware of each adapter: arbitrary
 * methods, paths, cookie jars, headers and bodies never make the library
 * throw or answer 500, and nothing tampered signs anyone in. In process for
 * the fetch adapters (`withSessions`, Workers' `withWorkerSessions`, Hono;
 * Deno's `serveWithSessions` is `withSessions` on `Deno.serve`); over HTTP
 * for node:http and Express, with the same arbitrary requests and with raw
 * bytes no `fetch` would send (invalid UTF-8, a 300 KB cookie header).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { withSessions } from '@latchkey/core';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { createHandler } from '../../adapters/node/src/index.js';
import { withWorkerSessions } from '../../adapters/workers/src/index.js';
import { createExpressApp } from '../../adapters/node/test/express-app.js';
import { createFixture, type Fixture } from '../scenarios/app.js';
import { createHonoApp } from '../scenarios/hono-app.js';
import { listenNode } from '../scenarios/serve.js';
import type { RunningApp } from '../scenarios/suite.js';

const ORIGIN = 'http://127.0.0.1';
const PATHS = [
  '/',
  '/me',
  '/login',
  '/logout',
  '/data',
  '/privilege',
  '/sensitive',
  '/public',
  '/nowhere',
];
const NAMES = [
  'session',
  'remember',
  '__Host-session',
  '__proto__',
  'constructor',
  'toString',
  'a',
  '',
];

/** Header text a Request accepts: any ByteString without CR, LF or NUL (latin1 covers invalid UTF-8). */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
  maxLength: 200,
});
const cookieJar = fc
  .array(fc.tuple(fc.constantFrom(...NAMES), headerText), { maxLength: 12 })
  .map((pairs) => pairs.map(([n, v]) => `${n}=${v.replace(/;/g, '')}`).join('; '));
const hostileRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  path: fc.constantFrom(...PATHS),
  cookie: fc.oneof(cookieJar, headerText),
  authorization: fc.option(
    fc.oneof(
      headerText,
      headerText.map((t) => `Bearer ${t}`),
    ),
    { nil: undefined },
  ),
  origin: fc.option(fc.oneof(headerText, fc.constant('null'), fc.constant(ORIGIN)), {
    nil: undefined,
  }),
  fetchSite: fc.option(fc.constantFrom('same-origin', 'cross-site', 'none', 'same-site', 'x'), {
    nil: undefined,
  }),
  accept: fc.option(fc.oneof(headerText, fc.constantFrom('application/json', 'text/html')), {
    nil: undefined,
  }),
  contentType: fc.option(
    fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
    { nil: undefined },
  ),
  body: fc.option(fc.oneof(fc.string({ maxLength: 300 }), fc.json()), { nil: undefined }),
});
type Hostile = typeof hostileRequest extends fc.Arbitrary<infer T> ? T : never;

function toRequest(h: Hostile): Request {
  const headers = new Headers();
  headers.set('cookie', h.cookie);
  if (h.authorization !== undefined) headers.set('authorization', h.authorization);
  if (h.origin !== undefined) headers.set('origin', h.origin);
  if (h.fetchSite !== undefined) headers.set('sec-fetch-site', h.fetchSite);
  if (h.accept !== undefined) headers.set('accept', h.accept);
  if (h.contentType !== undefined) headers.set('content-type', h.contentType);
  const body = h.method === 'GET' || h.body === undefined ? null : h.body;
  return new Request(`${ORIGIN}${h.path}`, { method: h.method, headers, body });
}

/**
 * The fixture's routes read bodies without care (an app bug is the app's 500 to answer); here
 * the app answers a body it cannot read with 400, so a 500 can only come from the library.
 */
const appBug = (error: unknown) => error instanceof SyntaxError || error instanceof TypeError;
const badRequest = () => Response.json({ error: 'bad_request' }, { status: 400 });
/** The fixture's routes, with a body they cannot read answered 400 (the app's part, not the library's). */
const routes =
  (f: Fixture) =>
  ({ request, session }: { request: Request; session: Parameters<Fixture['routes']>[1] }) =>
    f.routes(request, session).catch((error: unknown) => {
      if (appBug(error)) return badRequest();
      throw error;
    });

describe.each([
  ['withSessions (fetch)', (f: Fixture) => withSessions(f.latchkey, routes(f))],
  [
    'Workers (withWorkerSessions)',
    (f: Fixture) => {
      const worker = withWorkerSessions(() => f.latchkey, routes(f));
      const env = {};
      const ctx = { waitUntil: () => {}, passThroughOnException: () => {} };
      return (r: Request) => worker(r, env, ctx);
    },
  ],
  [
    'Hono',
    (f: Fixture) => {
      const app = createHonoApp(f);
      app.onError((error) => (appBug(error) ? badRequest() : new Response('bug', { status: 500 })));
      return (r: Request) => app.fetch(r);
    },
  ],
])('%s under arbitrary requests', (_, make) => {
  it('never throws, never answers 500, and signs no one in', async () => {
    const fixture = createFixture();
    const fetch = make(fixture);
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (h) => {
        const response = await fetch(toRequest(h));
        expect(response.status).not.toBe(500);
        expect(response.status).toBeLessThan(500);
        // Only a login can set a session; a random cookie never reads as signed in.
        if (h.path === '/me') expect(response.status).not.toBe(200);
      }),
      { numRuns: 300 },
    );
  });

  it('a 300 KB cookie header, 5000 cookies and duplicate session cookies are refused cleanly', async () => {
    const fixture = createFixture();
    const fetch = make(fixture);
    const big = `session=${'A'.repeat(300_000)}`;
    const many = Array.from({ length: 5000 }, (_, i) => `c${i}=${i}`).join('; ');
    const dupes = Array.from({ length: 50 }, () => `session=${'B'.repeat(43)}`).join('; ');
    for (const cookie of [
      big,
      many,
      dupes,
      '__proto__=1; constructor=2',
      'session=%FF%FE; session=\u00ff\u00fe',
    ]) {
      const r = await fetch(
        new Request(`${ORIGIN}/me`, { headers: { cookie, accept: 'application/json' } }),
      );
      expect(r.status).toBe(401);
    }
  });
});

/** Send raw bytes and read the status line (the server must answer, and not with 500). */
function raw(app: RunningApp, bytes: Buffer): Promise<number> {
  const { port } = new URL(app.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(bytes));
    let head = '';
    socket.on('data', (d) => {
      head += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => reject(new Error('no answer within 10 s')));
  });
}
const requestBytes = (path: string, cookie: Buffer) =>
  Buffer.concat([
    Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nCookie: `),
    cookie,
    Buffer.from('\r\nConnection: close\r\n\r\n'),
  ]);

describe.each([
  [
    'node:http createHandler',
    (f: Fixture) => listenNode(createServer(createHandler(f.latchkey, routes(f)))),
  ],
  [
    'Express',
    (f: Fixture) => {
      const app = createExpressApp(f);
      // After the library's own error handler: what it passes on is the app's, answered 400 when it is a bad body.
      app.use(
        (
          error: unknown,
          _req: unknown,
          res: { status(n: number): { json(b: unknown): void } },
          next: (e: unknown) => void,
        ) => (appBug(error) ? res.status(400).json({ error: 'bad_request' }) : next(error)),
      );
      return listenNode(createServer(app));
    },
  ],
])('%s over raw sockets', (_, listen) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await listen(createFixture());
  });
  afterAll(() => app?.stop());

  it('arbitrary requests over HTTP never answer 500 and sign no one in', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (h) => {
        const r = toRequest(h);
        let response: Response;
        try {
          response = await fetch(`${app.baseUrl}${h.path}`, {
            method: r.method,
            headers: r.headers,
            body: r.body ? await r.text() : null,
            redirect: 'manual',
          });
        } catch (error) {
          // undici refuses to send some cookie headers at all; the raw-socket case below sends such bytes.
          const code = (error as { cause?: { code?: string } }).cause?.code;
          fc.pre(code !== 'UND_ERR_INVALID_ARG');
          throw error;
        }
        await response.arrayBuffer();
        expect(response.status).toBeLessThan(500);
        if (h.path === '/me') expect(response.status).not.toBe(200);
      }),
      { numRuns: 100 },
    );
  });

  it('invalid UTF-8, control bytes and oversized cookie headers get 4xx, never 500, and the server keeps serving', async () => {
    const cases = [
      Buffer.from([0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x3d, 0xff, 0xfe, 0xc3, 0x28]), // session=<invalid UTF-8>
      Buffer.from('session=' + 'A'.repeat(43) + '\u0001', 'latin1'),
      Buffer.from('__proto__=x; constructor=y; session=' + 'B'.repeat(43)),
      Buffer.from('session=' + 'A'.repeat(300_000)), // past Node's header limit: 431 from Node itself
    ];
    for (const cookie of cases) {
      const status = await raw(app, requestBytes('/me', cookie));
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
    expect(await raw(app, requestBytes('/public', Buffer.from('a=b')))).toBe(200);
  });
});
