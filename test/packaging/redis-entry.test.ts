/**
 * `@latchkey/unstorage/redis` is the Redis store without unstorage: from each
 * of its built files (ESM, CommonJS and both type files), every file it loads
 * in the package, followed import by import, names no unstorage module and
 * carries none of the unstorage store's code.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './ensure-built.js';
import { entries } from './entries.js';

/** The files of the package a built file loads, itself included, and the bare specifiers they import. */
function graph(start: string): { files: string[]; bare: string[] } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const code = readFileSync(file, 'utf8');
    for (const { fileName } of ts.preProcessFile(code, true, true).importedFiles) {
      if (!fileName.startsWith('.')) bare.add(fileName);
      // Type files import each other by their JavaScript names (./chunk.js for ./chunk.d.ts).
      else visit(resolve(dirname(file), typeFile(file, fileName)));
    }
  };
  visit(start);
  return { files: [...files], bare: [...bare] };
}

function typeFile(from: string, specifier: string): string {
  if (from.endsWith('.d.ts')) return specifier.replace(/\.js$/, '.d.ts');
  if (from.endsWith('.d.cts')) return specifier.replace(/\.cjs$/, '.d.cts');
  return specifier;
}

beforeAll(ensureBuilt);

describe('@latchkey/unstorage/redis', () => {
  const entry = () => entries().find((e) => e.specifier === '@latchkey/unstorage/redis');

  it('is an entry point of @latchkey/unstorage, with ESM, CommonJS and type files', () => {
    expect(
      entry()
        ?.files.map((f) => f.split('/').pop())
        .sort(),
    ).toEqual(['redis.cjs', 'redis.d.cts', 'redis.d.ts', 'redis.js']);
  });

  it('loads no unstorage module and none of the unstorage store, from any of its files', () => {
    for (const file of entry()!.files) {
      const { files, bare } = graph(file);
      const name = file.split('/').pop();
      expect(
        bare.filter((s) => /^unstorage($|\/)/.test(s)),
        name,
      ).toEqual([]);
      expect(
        bare.every((s) => s.startsWith('@latchkey/core')),
        `${name}: ${bare}`,
      ).toBe(true);
      for (const f of files) {
        expect(readFileSync(f, 'utf8'), `${name} loads ${f}`).not.toMatch(
          /unstorageStore|UnstorageLike/,
        );
      }
    }
  });

  it('exports redisStore, the very one the root entry still exports (ESM shares one chunk)', async () => {
    const [root, redis] = await Promise.all([
      import(join(dirname(entry()!.files[0]!), 'index.js')),
      import(entry()!.files.find((f) => f.endsWith('redis.js'))!),
    ]);
    expect(typeof redis.redisStore).toBe('function');
    expect(root.redisStore).toBe(redis.redisStore);
  });
});
