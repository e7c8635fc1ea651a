/**
 * Every entry point the published packages export, read from their package.json
 * `exports`, as a user names it (`@latchkey/core/tokens`), with the export that
 * shows the entry loaded. The packages are linked by name in ./node_modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '../..');

/** The function each entry point exists for; an entry missing here fails the checks, so a new one gets a row. */
export const mainExport: Record<string, string> = {
  '@latchkey/core': 'createLatchkey',
  '@latchkey/core/tokens': 'createTokenIssuer',
  '@latchkey/core/monitor': 'createMonitor',
  '@latchkey/core/sealed': 'createSealedSessions',
  '@latchkey/core/cookie': 'serializeCookie',
  '@latchkey/core/store': 'checkValue',
  '@latchkey/core/testing': 'testStore',
  '@latchkey/core/testing/portable': 'runStoreCases',
  '@latchkey/core/webauthn': 'createPasskeys',
  '@latchkey/core/dbsc': 'deviceBoundSessions',
  '@latchkey/core/dpop': 'createDpopVerifier',
  '@latchkey/client': 'createClient',
  '@latchkey/deno': 'serveWithSessions',
  '@latchkey/hono': 'latchkey',
  '@latchkey/node': 'latchkeyMiddleware',
  '@latchkey/sql': 'sqlStore',
  '@latchkey/sql/pg': 'postgresStore',
  '@latchkey/sql/postgres': 'postgresJsStore',
  '@latchkey/sql/libsql': 'sqliteStore',
  '@latchkey/unstorage': 'unstorageStore',
  '@latchkey/unstorage/redis': 'redisStore',
  '@latchkey/workers': 'withWorkerSessions',
};

/**
 * Entries that only load inside a test runner: `@latchkey/core/testing` imports
 * vitest, which refuses to load outside `vitest run` (its own tests load it).
 */
export const runnerOnly = new Set(['@latchkey/core/testing']);

interface Conditions {
  types: string;
  default: string;
}
interface PackageJson {
  name: string;
  exports: Record<string, string | { import: Conditions; require: Conditions }>;
}

export interface Entry {
  /** The specifier a user writes. */
  specifier: string;
  /** The built files behind it, absolute. */
  files: string[];
}

const linked = createRequire(join(here, 'package.json'));
const self = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

/** The published package names (this folder links every one of them). */
export const packageNames = Object.keys(self.devDependencies).filter((n) =>
  n.startsWith('@latchkey/'),
);

/** The folder of a linked package. */
export function packageDir(name: string): string {
  return dirname(linked.resolve(`${name}/package.json`));
}

/** Every entry point of every package, `./package.json` aside. */
export function entries(): Entry[] {
  return packageNames.flatMap((name) => {
    const dir = packageDir(name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
    return Object.entries(pkg.exports).flatMap(([subpath, target]) => {
      if (typeof target === 'string') return [];
      const files = [target.import, target.require].flatMap((c) => [c.types, c.default]);
      return [{ specifier: name + subpath.slice(1), files: files.map((f) => join(dir, f)) }];
    });
  });
}

/** Whether every entry's built files exist. */
export function built(): boolean {
  return entries().every((e) => e.files.every((f) => existsSync(f)));
}
