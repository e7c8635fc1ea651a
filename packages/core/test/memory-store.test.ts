/**
 * MemoryStore: the shared conformance suite, then what only an in-process
 * store has to get right: its size bound, lazy sweeping and input checks.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, testStore } from '@latchkey/core/testing';
import { MemoryStore } from '../src/store/memory.js';

testStore('memory', ({ clock }) => new MemoryStore({ clock }), {
  capabilities: ['userIndex', 'consume', 'compareAndSet'],
});

describe('MemoryStore', () => {
  it('never holds more than maxEntries records under 10x as many inserts (evict-soonest)', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, maxEntries: 100, whenFull: 'evict-soonest' });
    for (let i = 0; i < 1000; i++) {
      await store.set(`k${i}`, 'v', 60_000 + i);
      expect(store.size).toBeLessThanOrEqual(100);
    }
    expect(store.size).toBe(100);
    expect(await store.get('k999')).toBe('v');
  });

  it('by default refuses a new key when full of live entries, failing closed, and keeps what it holds', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, maxEntries: 100 });
    for (let i = 0; i < 100; i++) await store.set(`k${i}`, 'v', 60_000);
    await expect(store.set('one-too-many', 'v', 60_000)).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
    await expect(store.userIndex.add('u', 'm', 60_000)).resolves.toBeUndefined();
    expect(store.size).toBe(100);
    expect(await store.get('k0')).toBe('v');
    await store.set('k0', 'overwritten', 60_000); // overwrites still work
    expect(await store.get('k0')).toBe('overwritten');
    await store.delete('k1');
    await store.set('one-too-many', 'v', 60_000); // and a freed place is usable
    clock.advance(60_000);
    await store.set('after-expiry', 'v', 60_000); // expired entries are swept to make room
    expect(await store.get('after-expiry')).toBe('v');
  });

  it('evicts the entry closest to expiry when full of live entries', async () => {
    const store = new MemoryStore({
      clock: new ManualClock(),
      maxEntries: 3,
      whenFull: 'evict-soonest',
    });
    await store.set('long', 'v', 90_000);
    await store.set('soon', 'v', 10_000);
    await store.set('mid', 'v', 50_000);
    await store.set('new', 'v', 20_000);
    expect(await store.get('soon')).toBeNull();
    expect([await store.get('long'), await store.get('mid'), await store.get('new')]).toEqual([
      'v',
      'v',
      'v',
    ]);
  });

  it('when full, drops expired entries before evicting any live one', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, maxEntries: 2, sweepInterval: '1h' });
    await store.set('short', 'v', 1_000);
    await store.set('live', 'v', 90_000);
    clock.advance(1_000);
    await store.set('new', 'v', 60_000);
    expect([await store.get('live'), await store.get('new')]).toEqual(['v', 'v']);
  });

  it('bounds user-index members by maxIndexMembers when given one', async () => {
    const refusing = new MemoryStore({ clock: new ManualClock(), maxIndexMembers: 10 });
    for (let i = 0; i < 10; i++) await refusing.userIndex.add('ada', `s${i}`, 60_000);
    await expect(refusing.userIndex.add('bob', 's', 60_000)).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
    expect(refusing.indexSize).toBe(10);
    const store = new MemoryStore({
      clock: new ManualClock(),
      maxIndexMembers: 10,
      whenFull: 'evict-soonest',
    });
    for (let i = 0; i < 100; i++) await store.userIndex.add(`user${i % 7}`, `s${i}`, 60_000 + i);
    expect(store.indexSize).toBe(10);
    const held = await store.userIndex.removeAll('user1');
    expect(held).toContain('s99');
    expect(store.indexSize).toBe(10 - held.length);
  });

  it('hides an expired value before any sweep, and sweeps lazily once the interval has passed', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, sweepInterval: '1m' });
    for (let i = 0; i < 5; i++) await store.set(`k${i}`, 'v', 10_000);
    await store.set('keep', 'v', 600_000);
    await store.userIndex.add('ada', 'k0', 10_000);
    clock.advance('30s');
    expect(await store.get('k1')).toBeNull(); // expired, and dropped on sight
    expect(store.size).toBe(5); // the others wait for a sweep
    expect(store.indexSize).toBe(1);
    clock.advance('30s');
    expect(await store.get('keep')).toBe('v'); // the interval has passed: this operation sweeps
    expect(store.size).toBe(1);
    expect(store.indexSize).toBe(0);
  });

  it('sweep() removes expired records and members and reports how many', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, sweepInterval: '1h' });
    await store.set('a', 'v', 1_000);
    await store.set('b', 'v', 5_000);
    await store.userIndex.add('ada', 'a', 1_000);
    clock.advance(1_000);
    expect(store.sweep()).toBe(2);
    expect([store.size, store.indexSize]).toEqual([1, 0]);
  });

  it('rejects a non-positive, non-finite or non-number ttlMs, naming it and the value', async () => {
    const store = new MemoryStore({ clock: new ManualClock() });
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.set('k', 'v', bad)).rejects.toThrow(RangeError);
      await expect(store.set('k', 'v', bad)).rejects.toThrow(
        `ttlMs must be a positive finite number of milliseconds, got ${bad}`,
      );
      await expect(store.compareAndSet('k', null, 'v', bad)).rejects.toThrow(RangeError);
      await expect(store.userIndex.add('u', 'k', bad)).rejects.toThrow(RangeError);
    }
    await expect(store.set('k', 'v', '60000' as unknown as number)).rejects.toThrow(TypeError);
    expect(store.size).toBe(0);
  });

  it('rejects empty or non-string keys, user ids, members and values with a TypeError', async () => {
    const store = new MemoryStore({ clock: new ManualClock() });
    await expect(store.get('')).rejects.toThrow(/key must be a non-empty string/);
    await expect(store.set(1 as unknown as string, 'v', 1_000)).rejects.toThrow(TypeError);
    await expect(store.set('k', { v: 1 } as unknown as string, 1_000)).rejects.toThrow(
      /value must be a string/,
    );
    await expect(store.consume('')).rejects.toThrow(TypeError);
    await expect(store.compareAndSet('k', 1 as unknown as string, 'v', 1_000)).rejects.toThrow(
      /expected/,
    );
    await expect(store.userIndex.add('', 's', 1_000)).rejects.toThrow(/userId/);
    await expect(store.userIndex.remove('u', '')).rejects.toThrow(/member/);
  });

  it('rejects invalid options at construction', () => {
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow(
      /maxEntries must be an integer of at least 1, got 0/,
    );
    expect(() => new MemoryStore({ maxEntries: 1.5 })).toThrow(RangeError);
    expect(() => new MemoryStore({ maxIndexMembers: -1 })).toThrow(
      /maxIndexMembers must be an integer of at least 1, got -1/,
    );
    expect(() => new MemoryStore({ sweepInterval: 'soon' as '1m' })).toThrow(/sweepInterval/);
  });
});
