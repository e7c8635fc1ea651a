/**
 * The built type files check clean in the projects users have, libraries
 * checked too (`skipLibCheck: false`): CommonJS under `module: node16` (the
 * `.d.cts` files), ESM under `node16` and under `moduleResolution: bundler`
 * (the `.d.ts` files). Each fixture imports every entry point by name, resolved
 * through this folder's node_modules links like an installed package.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './ensure-built.js';
import { entries, here, packageDir, packageNames, root } from './entries.js';

const tsc = join(root, 'node_modules/typescript/bin/tsc');

const fixtures = [
  { dir: 'cjs-consumer', types: '.d.cts', module: 'node16', type: undefined },
  { dir: 'esm-consumer', types: '.d.ts', module: 'node16', type: 'module' },
  { dir: 'bundler-consumer', types: '.d.ts', module: 'esnext', type: 'module' },
] as const;

/** Runs tsc on a fixture; resolves to the files it checked, or rejects with its diagnostics. */
function check(dir: string): string[] {
  try {
    const out = execFileSync(process.execPath, [tsc, '-p', join(here, dir), '--listFiles'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    return out.split('\n').filter(Boolean);
  } catch (error) {
    const { stdout } = error as { stdout?: string };
    const diagnostics = (stdout ?? '').split('\n').filter((l) => l.includes('error TS'));
    throw new Error(`tsc -p ${dir} failed:\n${diagnostics.join('\n') || String(error)}`);
  }
}

beforeAll(ensureBuilt);

describe.each(fixtures)('$dir', ({ dir, types, module, type }) => {
  it('is the project it says: its module setting, its package type, skipLibCheck off', () => {
    const config = JSON.parse(
      execFileSync(process.execPath, [tsc, '-p', join(here, dir), '--showConfig'], {
        encoding: 'utf8',
      }),
    ) as { compilerOptions: Record<string, unknown> };
    expect(config.compilerOptions).toMatchObject({ module, skipLibCheck: false, strict: true });
    expect(JSON.parse(readFileSync(join(here, dir, 'package.json'), 'utf8')).type).toBe(type);
  });

  it('imports every entry point', () => {
    const source = readFileSync(join(here, dir, 'index.ts'), 'utf8');
    const imported = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imported.sort()).toEqual(
      entries()
        .map((e) => e.specifier)
        .sort(),
    );
  });

  it(`type-checks clean, through each package's ${types} files`, () => {
    const checked = check(dir);
    for (const name of packageNames) {
      const dist = join(realpathSync(packageDir(name)), 'dist');
      const ours = checked.filter((f) => f.startsWith(dist + '/'));
      expect(ours, name).toContain(join(dist, `index${types}`));
      const other = types === '.d.cts' ? /\.d\.ts$/ : /\.d\.cts$/;
      expect(
        ours.filter((f) => other.test(f)),
        name,
      ).toEqual([]);
    }
  });
});
