/**
 * Beyond one machine, on PostgreSQL: two separate Node server processes on
 * different loopback ports share one real database, with no sticky routing.
 * A session made through one is honoured by the other, and a logout (or a
 * log out everywhere) through either is refused by the other on the very next
 * request. The structure is test/redis/two-servers.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { freePorts, killChild, waitForPort } from '../support/redis-server.js';
import { call, startAppServer, type AppServer } from '../support/app-server.js';

const start = (url: string, port: number) =>
  startAppServer('test/sql/server.ts', 'test/sql/tsconfig.json', port, { DATABASE_URL: url });

let database: PostgresServer;
let first: AppServer;
let second: AppServer;
beforeAll(async () => {
  database = await startPostgres();
  const [a, b] = await freePorts(2);
  [first, second] = await Promise.all([start(database.url, a!), start(database.url, b!)]);
});
afterAll(async () => {
  await Promise.all([first, second].filter(Boolean).map((s) => killChild(s.child)));
  await database?.stop();
});

const cookieOf = (setCookie: string[]) => setCookie[0]!.split(';')[0]!;

describe('two Node processes sharing one PostgreSQL', () => {
  it('are two processes', async () => {
    const [a, b] = await Promise.all([call(first, 'GET', '/me'), call(second, 'GET', '/me')]);
    expect(a.server).not.toBe(b.server);
    expect([a.status, b.status]).toEqual([401, 401]);
  });

  it('a session made through one server is accepted by the other, and a logout through either is refused by the other at once', async () => {
    const login = await call(first, 'POST', '/login?user=ada');
    expect(login.status).toBe(200);
    expect(login.setCookie).toHaveLength(1);
    const cookie = cookieOf(login.setCookie);

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
    const again = cookieOf((await call(second, 'POST', '/login?user=grace')).setCookie);
    expect((await call(first, 'GET', '/me', again)).body.user).toBe('grace');
    expect((await call(first, 'POST', '/logout', again)).status).toBe(200);
    expect((await call(second, 'GET', '/me', again)).status).toBe(401);
  });

  it('logging out everywhere through one server ends the sessions made through both', async () => {
    const onFirst = cookieOf((await call(first, 'POST', '/login?user=lin')).setCookie);
    const onSecond = cookieOf((await call(second, 'POST', '/login?user=lin')).setCookie);
    const ended = await call(first, 'POST', '/logout-everywhere', onSecond);
    expect([ended.status, ended.body.ended]).toEqual([200, 2]);
    expect((await call(second, 'GET', '/me', onFirst)).status).toBe(401);
    expect((await call(first, 'GET', '/me', onSecond)).status).toBe(401);
  });
});
