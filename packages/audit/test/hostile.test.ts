import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
} from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, runCli } from '@latchkey/audit';

const listen = async <S extends Server | NetServer>(server: S): Promise<S> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};
const originOf = (server: Server | NetServer) =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const close = (server: Server | NetServer) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as Server).closeAllConnections?.();
  });

/** A raw TCP server answering every request with `response` (bytes a node:http server would refuse to send). */
function rawServer(response: (path: string) => string): NetServer {
  return createNetServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const path = buffered.split(' ')[1] ?? '/';
      const length = Number(/content-length:\s*(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      buffered = '';
      socket.end(response(path), 'latin1');
    });
    socket.on('error', () => {});
  });
}

const FORM =
  '<form method="post"><input name="username"><input type="password" name="password"></form>';
const ok = (body: string, extra = '') =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n${extra}Connection: close\r\n\r\n${body}`;
const status401 = 'HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

describe('the audit against hostile or misdirecting targets', () => {
  let elsewhere: Server;
  let hits = 0;
  beforeAll(async () => {
    elsewhere = await listen(createHttpServer((_req, res) => (hits++, res.end('elsewhere'))));
  });
  afterAll(() => close(elsewhere));

  it('refuses recipe URLs on another origin, before sending anything anywhere', async () => {
    const before = hits;
    for (const field of ['login', 'protected', 'logout', 'clockHook'] as const)
      await expect(
        audit({
          target: 'http://127.0.0.1:9',
          protected: '/me',
          [field]: `${originOf(elsewhere)}/x`,
        }),
      ).rejects.toMatchObject({
        code: 'ERR_AUDIT_USAGE',
        message: expect.stringMatching(/is not the target's origin/),
      });
    expect(hits).toBe(before);
  });

  it('never follows a redirect to another origin (the login page and the login itself redirect there)', async () => {
    const sessions = new Set<string>();
    const away = originOf(elsewhere);
    const target = await listen(
      createHttpServer((req, res) => {
        const sid = /sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
        req.resume();
        req.on('end', () => {
          if (req.url === '/login' && req.method === 'GET')
            res.writeHead(302, { location: `${away}/sso` }).end();
          else if (req.url === '/login' && req.method === 'POST') {
            const id = randomBytes(32).toString('base64url');
            sessions.add(id);
            res
              .writeHead(303, {
                location: `${away}/welcome`,
                'set-cookie': `sid=${id}; Path=/; HttpOnly; SameSite=Lax`,
              })
              .end();
          } else if (req.url === '/me') res.writeHead(sid && sessions.has(sid) ? 200 : 401).end();
          else res.writeHead(404).end();
        });
      }),
    );
    try {
      const before = hits;
      const report = await audit({ target: originOf(target), protected: '/me', samples: 4 });
      expect(report.sessionCookies).toEqual(['sid']);
      expect(hits).toBe(before);
    } finally {
      await close(target);
    }
  });

  it('stops with a clear error line and exit 3 on response headers of 100 KB', async () => {
    const server = await listen(rawServer(() => ok('', `X-Padding: ${'a'.repeat(100_000)}\r\n`)));
    try {
      let err = '';
      const code = await runCli([originOf(server), '--protected', '/me'], {
        env: {},
        stdout: () => {},
        stderr: (t) => (err += t),
        readFile: () => '',
        audit,
      });
      expect(code).toBe(3);
      expect(err).toMatch(
        /^latchkey-audit: error: GET http:\/\/127\.0\.0\.1:\d+\/me: the response headers exceed 32768 bytes\n$/,
      );
    } finally {
      await close(server);
    }
  });

  it('stops with a clear error on a body of 2 MB', async () => {
    const server = await listen(rawServer(() => ok('x'.repeat(2 * 1024 * 1024))));
    try {
      await expect(audit({ target: originOf(server), protected: '/me' })).rejects.toMatchObject({
        code: 'ERR_AUDIT_HOSTILE_RESPONSE',
        message: expect.stringMatching(/the response body exceeds 1048576 bytes/),
      });
    } finally {
      await close(server);
    }
  });

  it('ignores garbage Set-Cookie lines as a browser would, and says no cookie was set', async () => {
    const garbage = [';;;', '=', '=;=;=', '; Path=/', `${'n'.repeat(5000)}`]
      .map((l) => `Set-Cookie: ${l}\r\n`)
      .join('');
    const server = await listen(
      rawServer((path) => (path === '/me' ? status401 : ok(FORM, garbage))),
    );
    try {
      await expect(audit({ target: originOf(server), protected: '/me' })).rejects.toMatchObject({
        code: 'ERR_AUDIT_RECIPE',
      });
    } finally {
      await close(server);
    }
  });

  it('stops with a clear error on a Set-Cookie with control characters', async () => {
    const server = await listen(
      rawServer((path) =>
        path === '/me' ? status401 : ok(FORM, 'Set-Cookie: sid=\u0001\u0002\u007f; Path=/\r\n'),
      ),
    );
    try {
      await expect(audit({ target: originOf(server), protected: '/me' })).rejects.toMatchObject({
        code: 'ERR_AUDIT_HOSTILE_RESPONSE',
      });
    } finally {
      await close(server);
    }
  });
});
