/**
 * What npm shows and what an install resolves: each published package.json
 * says where its source, home page and issues are, and declares every package
 * its built code imports (as a dependency or a peer).
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './ensure-built.js';
import { packageDir, packageNames, root } from './entries.js';

const repo = 'https://github.com/latchkey-dev/latchkey';

interface PackageJson {
  name: string;
  license?: string;
  author?: string;
  keywords?: string[];
  homepage?: string;
  bugs?: { url?: string };
  repository?: { type?: string; url?: string; directory?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The package names a built file imports or requires (`jose`, `@noble/hashes`), Node's built-ins aside; examples in comments are no imports. */
function importedPackages(code: string): string[] {
  const specifiers = ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) =>
      s
        .split('/')
        .slice(0, s.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

beforeAll(ensureBuilt);

describe.each(packageNames)('%s', (name) => {
  const dir = realpathSync(packageDir(name));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  const folder = relative(root, dir);

  it('names its repository folder, home page, issues, keywords, license and author', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${repo}.git`, directory: folder });
    expect(pkg.homepage).toBe(`${repo}/tree/main/${folder}#readme`);
    expect(pkg.bugs).toEqual({ url: `${repo}/issues` });
    expect(pkg.keywords).toContain('latchkey');
    expect(pkg.license).toBe('MIT');
    expect(existsSync(join(dir, 'LICENSE'))).toBe(true);
    expect(pkg.author).toBe('Latchkey contributors');
  });

  it('declares every package its built code imports', () => {
    const declared = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    const dist = join(dir, 'dist');
    const files = readdirSync(dist).filter((f) => /\.(c?js|d\.c?ts)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const imported of importedPackages(readFileSync(join(dist, file), 'utf8'))) {
        expect(declared, `${name}: dist/${file} imports ${imported}`).toContain(imported);
      }
    }
  });

  it('marks each peer it can run without as optional, and states a range for each', () => {
    for (const [peer, range] of Object.entries(pkg.peerDependencies ?? {})) {
      expect(range, `${name}: peer ${peer}`).toMatch(/^workspace:|\d/);
    }
    for (const peer of Object.keys(pkg.peerDependenciesMeta ?? {})) {
      expect(pkg.peerDependencies, `${name}: ${peer} in peerDependenciesMeta`).toHaveProperty([
        peer,
      ]);
    }
  });
});

/** The peers each adapter needs, and which of them an app may go without. */
const peers: Record<string, Record<string, { optional: boolean }>> = {
  '@latchkey/hono': { hono: { optional: false } },
  '@latchkey/node': { express: { optional: true } },
  '@latchkey/unstorage': { unstorage: { optional: true }, ioredis: { optional: true } },
};

describe.each(Object.entries(peers))('%s peers', (name, expected) => {
  it('declares them with the optional ones marked', () => {
    const pkg = JSON.parse(
      readFileSync(join(packageDir(name), 'package.json'), 'utf8'),
    ) as PackageJson;
    for (const [peer, { optional }] of Object.entries(expected)) {
      expect(pkg.peerDependencies, name).toHaveProperty([peer]);
      expect(pkg.peerDependenciesMeta?.[peer]?.optional ?? false, `${name}: ${peer}`).toBe(
        optional,
      );
    }
  });
});
