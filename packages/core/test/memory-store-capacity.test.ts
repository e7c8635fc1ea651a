/**
 * MemoryStore when full (issue 7, defect 6): through the real engine, ended
 * sessions and records kept only for `expiryNotice` never refuse or push out
 * a live login, and a store full of live entries still fails closed.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createLatchkey,
  MemoryStore,
  type MemoryStoreOptions,
  type PolicyOptions,
} from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { ExpiryQueue } from '../src/store/expiry-queue.js';
import { COOKIE, ORIGIN, parseSetCookie } from './harness.js';

/** An app on a MemoryStore with 5-second sessions; each login is a user who never comes back, unless kept. */
function app(options: MemoryStoreOptions, policy: Partial<PolicyOptions> = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock, ...options });
  const lk = createLatchkey({
    policy: { idleTimeout: '5s', absoluteTimeout: '8h', renewInterval: false, ...policy },
    store,
    clock,
  });
  let refused = 0;
  /** Log `userId` in; the session ID, or null when the store refused the login. */
  async function login(userId: string): Promise<string | null> {
    const rs = lk.forRequest(new Request(`${ORIGIN}/login`, { method: 'POST' }));
    try {
      await rs.login(userId);
    } catch (error) {
      expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
      refused++;
      return null;
    }
    const response = await rs.commit(new Response('ok'));
    const cookie = response.headers.getSetCookie().map(parseSetCookie);
    return cookie.find((c) => c.name === COOKIE)!.value;
  }
  async function valid(id: string): Promise<boolean> {
    const headers = { cookie: `${COOKIE}=${id}` };
    return (await lk.forRequest(new Request(`${ORIGIN}/`, { headers })).load()).valid;
  }
  return { clock, store, login, valid, refused: () => refused };
}

describe('MemoryStore full of the dead, through the engine', () => {
  it('abandoned 5-second logins leave no index members or records that refuse later live logins', async () => {
    // Before the fix, every index member lived 8 h (the absolute timeout) and counted against
    // maxEntries: from the 1000th abandoned login on, every login was refused.
    const a = app({ maxEntries: 1_000 }, { expiryNotice: '1m' });
    for (let i = 0; i < 3_000; i++) {
      expect(await a.login(`user${i % 50}`)).not.toBeNull();
      a.clock.advance('1s');
    }
    expect(a.refused()).toBe(0);
    // Load that fits the live capacity: 900 sessions at once, all signed in and all still valid.
    const live: string[] = [];
    for (let i = 0; i < 900; i++) live.push((await a.login(`live${i}`))!);
    expect(a.refused()).toBe(0);
    for (const id of live) expect(await a.valid(id)).toBe(true);
  });

  it('records kept only for the expiry notice never refuse a live login (refuse mode): the engine marks them evictable', async () => {
    // 1 000 abandoned 5-second logins, 1 s apart, with the default 15-minute notice: about 900 are
    // still held for the notice when the live logins come, in a store of 100 places.
    const a = app({ maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) {
      expect(await a.login(`user${i % 50}`)).not.toBeNull();
      a.clock.advance('1s');
    }
    const live: string[] = [];
    for (let i = 0; i < 90; i++) live.push((await a.login(`live${i}`))!);
    expect(a.refused()).toBe(0);
    for (const id of live) expect(await a.valid(id)).toBe(true);
  });

  it('a store full of live sessions still refuses the next login (fail closed), and keeps every session it has', async () => {
    const a = app({ maxEntries: 100 });
    const live: string[] = [];
    for (let i = 0; i < 100; i++) live.push((await a.login(`user${i}`))!);
    expect(await a.login('one-too-many')).toBeNull();
    expect(a.refused()).toBe(1);
    for (const id of live) expect(await a.valid(id)).toBe(true);
    a.clock.advance('5s');
    // Once they are past their deadline and notice, the places are free again.
    a.clock.advance('15m');
    expect(await a.login('after')).not.toBeNull();
  });

  it('records kept only for the expiry notice never push out a live session (evict-soonest)', async () => {
    const a = app({ maxEntries: 100, whenFull: 'evict-soonest' });
    // 1000 abandoned logins, one a second: 900 of their records are kept only for the 15-minute notice.
    for (let i = 0; i < 1_000; i++) {
      await a.login(`gone${i}`);
      a.clock.advance('1s');
    }
    const live: string[] = [];
    for (let i = 0; i < 90; i++) live.push((await a.login(`live${i}`))!);
    for (let i = 0; i < 10; i++) await a.login(`late${i}`);
    expect(a.refused()).toBe(0);
    for (const id of live) expect(await a.valid(id)).toBe(true);
  });
});

describe('MemoryStore when full: what it reclaims first', () => {
  it('reclaims an expired record before refusing, one per new key, without waiting for the sweep interval', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, maxEntries: 3, sweepInterval: '1d' });
    await store.set('a', 'v', 1_000);
    await store.set('b', 'v', 2_000);
    await store.set('revoked-jti', 'v', 60_000);
    clock.advance(2_000);
    await store.set('c', 'v', 60_000);
    await store.set('d', 'v', 60_000);
    await expect(store.set('e', 'v', 60_000)).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
    expect([await store.get('revoked-jti'), await store.get('c'), await store.get('d')]).toEqual([
      'v',
      'v',
      'v',
    ]);
  });

  it('drops a record whose write hinted it is only a notice by now, and never one without a hint', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, maxEntries: 3 });
    await store.set('revoked-jti', 'v', 60_000);
    // A 5-second session kept 15 minutes longer for its expiry notice.
    await store.set('session', 'v', 905_000, { evictableAfterMs: 5_000 });
    await store.compareAndSet('other', null, 'v', 905_000, { evictableAfterMs: 5_000 });
    await expect(store.set('new', 'v', 905_000)).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
    clock.advance(5_000);
    await store.set('new', 'v', 905_000);
    await store.set('newer', 'v', 905_000);
    await expect(store.set('newest', 'v', 905_000)).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
    expect(await store.get('revoked-jti')).toBe('v');
    expect([await store.get('session'), await store.get('other')]).toEqual([null, null]);
    // An overwrite without the hint makes a record live again.
    await store.set('new', 'v2', 905_000, { evictableAfterMs: 0 });
    await store.set('new', 'v3', 905_000);
    await expect(store.set('newest', 'v', 905_000)).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
    expect(await store.get('new')).toBe('v3');
  });

  it('does not bound index members by default, so members of ended sessions never refuse a login', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, maxEntries: 10 });
    for (let i = 0; i < 1_000; i++) await store.userIndex.add(`u${i % 3}`, `s${i}`, 8 * 3_600_000);
    expect(store.indexSize).toBe(1_000);
    await store.set('k', 'v', 1_000);
    clock.advance('8h');
    expect(await store.userIndex.list('u1')).toEqual([]);
    store.sweep();
    expect(store.indexSize).toBe(0);
  });

  it('spreads a lazy sweep of a long backlog over several operations', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, maxEntries: 5_000, sweepInterval: '1m' });
    for (let i = 0; i < 2_500; i++) await store.set(`k${i}`, 'v', 1_000);
    clock.advance('1m');
    await store.get('x');
    expect(store.size).toBe(1_500);
    await store.get('x');
    await store.get('x');
    expect(store.size).toBe(0);
  });

  it('rejects a hint that is not a non-negative finite number of milliseconds', async () => {
    const store = new MemoryStore({ clock: new ManualClock() });
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number])
      await expect(store.set('k', 'v', 1_000, { evictableAfterMs: bad })).rejects.toThrow(
        /hint.evictableAfterMs must be a non-negative finite number/,
      );
    expect(store.size).toBe(0);
  });
});

describe('ExpiryQueue', () => {
  it('always offers the key due first, whatever the order of sets, moves and deletes', () => {
    const op = fc.oneof(
      fc.record({ set: fc.integer({ min: 0, max: 20 }), at: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ del: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const queue = new ExpiryQueue<number>();
        const model = new Map<number, number>();
        for (const o of ops) {
          if ('set' in o) {
            queue.set(o.set, o.at);
            model.set(o.set, o.at);
          } else {
            queue.delete(o.del);
            model.delete(o.del);
          }
          expect(queue.size).toBe(model.size);
          const first = Math.min(...model.values());
          const top = queue.peek();
          if (model.size === 0) expect(top).toBeUndefined();
          else expect([model.get(top![0]), top![1]]).toEqual([first, first]);
        }
      }),
    );
  });
});
