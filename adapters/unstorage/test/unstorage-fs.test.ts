/** unstorageStore over unstorage's filesystem driver in a temporary directory, on the injected clock. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@latchkey/core/testing';
import { testStore } from '@latchkey/core/testing';
import { createStorage } from 'unstorage';
import fsDriver from 'unstorage/drivers/fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstorageStore } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latchkey-fs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

testStore('unstorage, fs driver', ({ clock }) =>
  unstorageStore(createStorage({ driver: fsDriver({ base: dir }) }), { clock }),
);

describe('unstorageStore on the fs driver', () => {
  it('keeps keys that unstorage would normalize together apart, and never writes outside its directory', async () => {
    const base = join(dir, 'keys');
    const store = unstorageStore(createStorage({ driver: fsDriver({ base }) }), {
      clock: new ManualClock(),
    });
    const keys = [
      'a?x',
      'a?y',
      'a/b',
      'a:b',
      'a::b',
      'a\\b',
      ':a',
      'a:',
      '..',
      '.',
      '../../escape',
      'a b',
      'ключ',
    ];
    for (const [i, key] of keys.entries()) await store.set(key, `v${i}`, 60_000);
    for (const [i, key] of keys.entries()) expect(await store.get(key)).toBe(`v${i}`);
    expect(await readdir(dir)).not.toContain('escape');
    expect(await readdir(base)).toEqual(['latchkey']);
  });
});
