/**
 * The reference and the `@example` check cover exactly what is published:
 * typedoc.json's entry points are test/docs/public-surface.ts's, and those are
 * every `exports` entry of every published package, built from that file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicEntries } from './public-surface.js';

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const packageDirs = ['packages', 'adapters'].flatMap((group) =>
  readdirSync(group)
    .map((name) => join(group, name))
    .filter((dir) => existsSync(join(dir, 'package.json'))),
);

describe('the public surface the API reference documents', () => {
  it('is the entry point list of typedoc.json', () => {
    expect([...json('typedoc.json').entryPoints].sort()).toEqual(Object.keys(publicEntries).sort());
  });

  it("names every `exports` entry of every published package, and nothing they don't export", () => {
    const exported = packageDirs.flatMap((dir) => {
      const pkg = json(join(dir, 'package.json'));
      if (pkg.private) return [];
      return Object.keys(pkg.exports)
        .filter((key) => key !== './package.json')
        .map((key) => pkg.name + key.slice(1));
    });
    expect(exported.length).toBeGreaterThan(0);
    expect(Object.values(publicEntries).sort()).toEqual(exported.sort());
  });

  it('maps each entry to the source file its package builds it from', () => {
    for (const [file, specifier] of Object.entries(publicEntries)) {
      const dir = packageDirs.find((d) => file.startsWith(`${d}/`))!;
      expect(json(join(dir, 'package.json')).name, file).toBe(
        specifier.split('/').slice(0, 2).join('/'),
      );
      const pkg = json(join(dir, 'package.json'));
      const subpath = `.${specifier.slice(pkg.name.length)}`;
      // The dist file the subpath's `exports` names (`./dist/testing-portable.js`), as tsup's entry key.
      const distName = /^\.\/dist\/(.+)\.js$/.exec(
        pkg.exports[subpath]?.import?.default ?? '',
      )?.[1];
      const source = file.slice(dir.length + 1);
      const tsup = join(dir, 'tsup.config.ts');
      // tsup.config.ts names each dist file's source (`pg: 'src/pg.ts'`); single-entry packages build src/index.ts.
      if (existsSync(tsup))
        expect(readFileSync(tsup, 'utf8'), file).toMatch(
          new RegExp(`(\\b${distName}|'${distName}'): '${source}'`),
        );
      else
        expect([distName, pkg.scripts.build], file).toEqual([
          'index',
          expect.stringContaining(` ${source} `),
        ]);
    }
  });
});
