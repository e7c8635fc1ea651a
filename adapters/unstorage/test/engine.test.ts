/**
 * The engine on these stores: it fails closed when Redis dies under it, and
 * refuses features whose capability the generic unstorage store lacks.
 */
import {
  createLatchkey,
  StoreCapabilityError,
  StoreError,
  type Latchkey,
  type PolicyOptions,
} from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import Redis from 'ioredis';
import { createStorage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../../test/support/redis-server.js';
import { redisStore, unstorageStore } from '../src/index.js';

const ORIGIN = 'https://app.example';
/** Sessions only: no remember-me, which would itself require capabilities. */
const policy: PolicyOptions = { idleTimeout: '30m', absoluteTimeout: '8h' };

/** Log `userId` in and return the Cookie header a browser would send back. */
async function login(latchkey: Latchkey, userId: string): Promise<string> {
  const rs = latchkey.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
  await rs.login(userId);
  const { setCookie } = await rs.flush();
  expect(setCookie).toHaveLength(1);
  return setCookie[0]!.split(';')[0]!;
}

const load = (latchkey: Latchkey, cookie: string) =>
  latchkey.forRequest(new Request(`${ORIGIN}/`, { headers: { cookie } })).load();

describe('createLatchkey on redisStore', () => {
  let redis: RedisServer | undefined;
  let client: Redis | undefined;
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('fails closed with ERR_STORE_UNAVAILABLE once Redis is killed, instead of treating anyone as logged in or out', async () => {
    redis = await startRedis();
    // Fail fast rather than queue commands until Redis returns.
    client = new Redis(redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    client.on('error', () => {}); // connection errors surface through the rejected commands
    await new Promise<void>((resolve) => client!.once('ready', resolve));
    const latchkey = createLatchkey({ policy, store: redisStore(client) });
    const cookie = await login(latchkey, 'ada');
    const before = await load(latchkey, cookie);
    expect(before.valid && before.session.userId).toBe('ada');
    expect((await latchkey.listSessions('ada')).map((s) => s.current)).toEqual([false]);

    await redis.stop();
    const failure = await load(latchkey, cookie).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).code).toBe('ERR_STORE_UNAVAILABLE');
    await expect(
      latchkey.forRequest(new Request(`${ORIGIN}/`)).login('bob'),
    ).rejects.toBeInstanceOf(StoreError);
  });
});

describe('createLatchkey on unstorageStore', () => {
  const store = () =>
    unstorageStore(createStorage({ driver: memoryDriver() }), { clock: new ManualClock() });

  it('runs sessions: log in, come back with the cookie, log out, and the old cookie is refused', async () => {
    const clock = new ManualClock();
    const latchkey = createLatchkey({
      policy,
      store: unstorageStore(createStorage({ driver: memoryDriver() }), { clock }),
      clock,
    });
    const cookie = await login(latchkey, 'ada');
    const back = await load(latchkey, cookie);
    expect(back.valid && back.session.userId).toBe('ada');
    const rs = latchkey.forRequest(
      new Request(`${ORIGIN}/logout`, { method: 'POST', headers: { cookie } }),
    );
    await rs.logout();
    await rs.flush();
    expect(await load(latchkey, cookie)).toMatchObject({ valid: false });
  });

  it('refuses a session limit at configuration time, naming the missing userIndex capability', () => {
    const attempt = () =>
      createLatchkey({ policy, store: store(), sessionLimit: { max: 3, onLimit: 'refuse' } });
    expect(attempt).toThrow(StoreCapabilityError);
    expect(attempt).toThrow(/'userIndex' capability; unstorage\(memory\) does not provide it/);
  });

  it("refuses listing and revoking a user's sessions with StoreCapabilityError (userIndex)", async () => {
    const latchkey = createLatchkey({ policy, store: store() });
    await login(latchkey, 'ada');
    const listing = await latchkey.listSessions('ada').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(listing).toBeInstanceOf(StoreCapabilityError);
    expect(listing).toMatchObject({ code: 'ERR_STORE_CAPABILITY', capability: 'userIndex' });
    await expect(latchkey.revokeUser('ada')).rejects.toMatchObject({ capability: 'userIndex' });
  });
});
