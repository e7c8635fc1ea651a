/**
 * Beyond one machine: two separate Node server processes on different
 * loopback ports share one real redis-server, with no sticky routing. A
 * session made through one is honoured by the other, and a logout through
 * either is refused by the other on the very next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, killChild, startRedis, type RedisServer } from '../support/redis-server.js';
import { call, startAppServer, type AppServer } from '../support/app-server.js';

const start = (url: string, port: number) =>
  startAppServer('test/redis/server.ts', 'test/redis/tsconfig.json', port, { REDIS_URL: url });

let redis: RedisServer;
let first: AppServer;
let second: AppServer;
beforeAll(async () => {
  redis = await startRedis();
  const [a, b] = await freePorts(2);
  [first, second] = await Promise.all([start(redis.url, a!), start(redis.url, b!)]);
});
afterAll(async () => {
  await Promise.all([first, second].filter(Boolean).map((s) => killChild(s.child)));
  await redis?.stop();
});

describe('two Node processes sharing one Redis', () => {
  it('are two processes', async () => {
    const [a, b] = await Promise.all([call(first, 'GET', '/me'), call(second, 'GET', '/me')]);
    expect(a.server).not.toBe(b.server);
    expect([a.status, b.status]).toEqual([401, 401]);
  });

  it('a session made through one server is accepted by the other, and a logout through either is refused by the other at once', async () => {
    const login = await call(first, 'POST', '/login?user=ada');
    expect(login.status).toBe(200);
    expect(login.setCookie).toHaveLength(1);
    const cookie = login.setCookie[0]!.split(';')[0]!;

    // no sticky sessions: alternate servers
    for (const server of [second, first, second]) {
      const me = await call(server, 'GET', '/me', cookie);
      expect([me.status, me.body.user, me.server]).toEqual([200, 'ada', String(server.child.pid)]);
    }

    const logout = await call(second, 'POST', '/logout', cookie);
    expect(logout.status).toBe(200);
    const replay = await call(first, 'GET', '/me', cookie);
    expect(replay.status).toBe(401);
    expect(replay.body.reason).toMatch(/^(revoked|unknown)$/);

    // and the other way round
    const again = (await call(second, 'POST', '/login?user=grace')).setCookie[0]!.split(';')[0]!;
    expect((await call(first, 'GET', '/me', again)).body.user).toBe('grace');
    expect((await call(first, 'POST', '/logout', again)).status).toBe(200);
    expect((await call(second, 'GET', '/me', again)).status).toBe(401);
  });

  it('50 concurrent writers to one session, across both servers, all keep their key (never a 500)', async () => {
    const login = await call(first, 'POST', '/login?user=ada');
    const cookie = login.setCookie[0]!.split(';')[0]!;
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const answers = await Promise.all(
      keys.map((key, i) => call(i % 2 ? first : second, 'POST', `/note?key=${key}`, cookie)),
    );
    expect(answers.map((a) => a.status)).toEqual(keys.map(() => 200));
    const me = await call(second, 'GET', '/me', cookie);
    expect(Object.keys(me.body.data as unknown as Record<string, unknown>).sort()).toEqual(
      [...keys].sort(),
    );
  });
});
