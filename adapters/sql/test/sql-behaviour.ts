/**
 * What every driver of the SQL store must also do beyond the core's
 * conformance suite: exact bytes at 1 MB, bounded sweeps, table prefixes,
 * the engine's per-user features, and a useful message when the tables are
 * missing. Each driver's test file registers it once, with its own factory.
 */
import { createLatchkey, SessionLimitError, type Latchkey } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { describe, expect, it } from 'vitest';
import type { SqlSessionStore, SqlStoreOptions } from '../src/index.js';

/** Makes a store on the driver under test; tables under a fresh prefix are the test's own. */
export type MakeStore = (options: SqlStoreOptions) => SqlSessionStore;

let counter = 0;
/** A table prefix no other test uses. */
export const freshPrefix = () => `t${process.pid}_${++counter}_`;

export function testSqlStore(name: string, make: MakeStore): void {
  const migrated = async (options: SqlStoreOptions = {}) => {
    const store = make({ tablePrefix: freshPrefix(), ...options });
    await store.migrate();
    return store;
  };

  describe(`${name}: beyond the conformance suite`, () => {
    it('round-trips 1 MB, non-ASCII and NUL-bearing values byte for byte, and keys of any text', async () => {
      const store = await migrated();
      const big = Array.from({ length: 1 << 20 }, (_, i) =>
        String.fromCharCode(32 + (i % 95)),
      ).join('');
      const values = [big, '日本語 \u0000 🔐 e\u0301', '\u0000', 'x'.repeat(70_000) + 'é'];
      for (const [i, v] of values.entries()) await store.set(`k${i} ünï \u0000`, v, 60_000);
      for (const [i, v] of values.entries()) expect(await store.get(`k${i} ünï \u0000`)).toBe(v);
      expect(await store.compareAndSet('k0 ünï \u0000', big, 'replaced', 60_000)).toBe(true);
      await store.userIndex.add('user \u0000 ü', 'member 🔐', 60_000);
      expect(await store.userIndex.list('user \u0000 ü')).toEqual(['member 🔐']);
    });

    it('refuses a lone surrogate, which UTF-8 cannot hold, instead of storing something else', async () => {
      const store = await migrated();
      await expect(store.set('k', 'broken \uD800 value', 60_000)).rejects.toThrow(
        /value must be well-formed Unicode/,
      );
      await expect(store.get('\uDC00')).rejects.toThrow(/key must be well-formed Unicode/);
      await store.set('k', 'fine', 60_000);
      expect(await store.get('k')).toBe('fine');
    });

    it('sweeps expired rows in bounded batches and leaves live ones', async () => {
      const clock = new ManualClock();
      const store = await migrated({ clock, sweepInterval: 0, sweepBatch: 3 });
      for (let i = 0; i < 5; i++) {
        await store.set(`dead${i}`, 'x', 1_000);
        await store.userIndex.add('ada', `dead${i}`, 1_000);
      }
      await store.set('live', 'y', 60_000);
      await store.userIndex.add('ada', 'live', 60_000);
      expect(await store.sweep()).toBe(0); // nothing has expired yet
      clock.advance(1_000);
      expect(await store.sweep()).toBe(6); // 3 records and 3 members: one batch each
      expect(await store.sweep()).toBe(4);
      expect(await store.sweep()).toBe(0);
      expect([await store.get('live'), await store.userIndex.list('ada')]).toEqual(['y', ['live']]);
    });

    it('sweeps lazily, at most once per sweepInterval, on a write', async () => {
      const clock = new ManualClock();
      const store = await migrated({ clock, sweepInterval: 10_000 });
      await store.set('old', 'x', 1_000);
      clock.advance(5_000);
      await store.set('trigger', 'x', 60_000); // expired row present, but no sweep due yet
      clock.advance(5_000);
      await store.set('trigger', 'x', 60_000); // due: sweeps 'old' first
      expect(await store.sweep()).toBe(0);
    });

    it('keeps two table prefixes apart', async () => {
      const [a, b] = [await migrated(), await migrated()];
      await a.set('k', 'in a', 60_000);
      await a.userIndex.add('ada', 'm', 60_000);
      expect([await b.get('k'), await b.userIndex.list('ada')]).toEqual([null, []]);
      expect(await a.get('k')).toBe('in a');
    });

    it('migrates idempotently, even from several callers at once', async () => {
      const store = make({ tablePrefix: freshPrefix() });
      await Promise.all([store.migrate(), store.migrate(), store.migrate()]);
      await store.migrate();
      await store.set('k', 'v', 60_000);
      expect(await store.get('k')).toBe('v');
    });

    it('names the fix when the tables do not exist', async () => {
      const store = make({ tablePrefix: freshPrefix() });
      await expect(store.get('k')).rejects.toThrow(
        /does not exist: run `await store\.migrate\(\)`/,
      );
    });

    it("carries the engine's per-user features: session limit, listing, log out everywhere", async () => {
      const latchkey = createLatchkey({
        policy: { idleTimeout: '30m', absoluteTimeout: '8h' },
        store: await migrated(),
        sessionLimit: { max: 2, onLimit: 'refuse' },
      });
      const login = async (lk: Latchkey, userId: string) => {
        const rs = lk.forRequest(new Request('https://app.example/login', { method: 'POST' }));
        const session = await rs.login(userId);
        await rs.flush();
        return session.handle;
      };
      const handles = [await login(latchkey, 'ada'), await login(latchkey, 'ada')];
      await expect(login(latchkey, 'ada')).rejects.toBeInstanceOf(SessionLimitError);
      expect((await latchkey.listSessions('ada')).map((s) => s.handle).sort()).toEqual(
        [...handles].sort(),
      );
      expect(await latchkey.revokeUser('ada')).toBe(2);
      expect(await latchkey.listSessions('ada')).toEqual([]);
      await login(latchkey, 'ada'); // room again
    });

    it('checks arguments and options at the edge, naming the field', async () => {
      const store = await migrated();
      await expect(store.set('k', 'v', 0)).rejects.toThrow(RangeError);
      await expect(store.userIndex.add('', 'm', 1)).rejects.toThrow(
        /userId must be a non-empty string/,
      );
      await expect(store.compareAndSet('k', 1 as unknown as string, 'v', 1)).rejects.toThrow(
        /expected must be a string or null/,
      );
      expect(() => make({ tablePrefix: 'Sessions; DROP TABLE x' })).toThrow(
        /tablePrefix must match/,
      );
      expect(() => make({ tablePrefix: 'a'.repeat(60) })).toThrow(/at most 42 characters/);
      expect(() => make({ sweepBatch: -1 })).toThrow(/sweepBatch must be a whole number/);
    });
  });
}
