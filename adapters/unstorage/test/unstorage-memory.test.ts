/** unstorageStore over unstorage's memory driver, on the injected clock. */
import { ManualClock } from '@latchkey/core/testing';
import { testStore } from '@latchkey/core/testing';
import { createStorage } from 'unstorage';
import memoryDriver from 'unstorage/drivers/memory';
import { describe, expect, it } from 'vitest';
import { unstorageStore } from '../src/index.js';

testStore('unstorage, memory driver', ({ clock }) =>
  unstorageStore(createStorage({ driver: memoryDriver() }), { clock }),
);

describe('unstorageStore on a driver without native TTL', () => {
  it('never hands out an expired value, deletes it when read, and sweep() reclaims expired keys nobody reads', async () => {
    const clock = new ManualClock();
    const storage = createStorage({ driver: memoryDriver() });
    const store = unstorageStore(storage, { clock });
    await store.set('read-later', 'a', 1000);
    for (let i = 0; i < 5; i++) await store.set(`unread${i}`, 'b', 1000);
    await store.set('long', 'c', 60_000);
    clock.advance(1000);
    expect(await store.get('read-later')).toBeNull();
    expect((await storage.getKeys()).sort()).toEqual([
      'latchkey:long',
      'latchkey:unread0',
      'latchkey:unread1',
      'latchkey:unread2',
      'latchkey:unread3',
      'latchkey:unread4',
    ]);
    // bounded: two keys per call, and successive calls move on through the keys
    let removed = 0;
    for (let i = 0; i < 4; i++) removed += await store.sweep({ limit: 2 });
    expect(removed).toBe(5);
    expect(await storage.getKeys()).toEqual(['latchkey:long']);
    expect(await store.get('long')).toBe('c');
  });

  it('leaves values it did not write alone when sweeping, and fails loudly when asked to read one', async () => {
    const clock = new ManualClock();
    const storage = createStorage({ driver: memoryDriver() });
    await storage.setItem('latchkey:foreign', 'plain text');
    const store = unstorageStore(storage, { clock });
    clock.advance('1d');
    expect(await store.sweep()).toBe(0);
    await expect(store.get('foreign')).rejects.toThrow(/not written by unstorageStore/);
    expect(await storage.getItem('latchkey:foreign')).toBe('plain text');
  });

  it('returns values unstorage itself would decode (base64: prefix, JSON numbers) exactly as written', async () => {
    const store = unstorageStore(createStorage({ driver: memoryDriver() }));
    const values = ['base64:aGVsbG8=', '1e3', '-0', 'true', ' {"a":1} '];
    for (const [i, v] of values.entries()) await store.set(`k${i}`, v, 60_000);
    for (const [i, v] of values.entries()) expect(await store.get(`k${i}`)).toBe(v);
  });

  it('checks arguments at the edge, naming the field', async () => {
    const store = unstorageStore(createStorage({ driver: memoryDriver() }));
    await expect(store.set('', 'v', 1)).rejects.toThrow(TypeError);
    await expect(store.set('k', 'v', 0)).rejects.toThrow(/ttlMs must be a positive/);
    await expect(store.set('k', 1 as unknown as string, 1)).rejects.toThrow(
      /value must be a string/,
    );
    expect(() => unstorageStore(createStorage(), { base: 'a:b' })).toThrow(/base must be/);
  });
});
