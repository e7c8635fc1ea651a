/**
 * What the JSR checks read from the repository: the workspace config that lists every package,
 * each package's jsr.json, and the import map a Deno consumer resolves them with (each JSR
 * export by its name; each npm dependency at the range its package.json declares).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../runtimes/harness.js';

/** A package's jsr.json: what JSR publishes. */
export interface JsrConfig {
  name: string;
  version: string;
  license: string;
  exports: Record<string, string>;
  publish: { include: string[] };
}

const readJson = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));

/** The folders of the packages published to JSR, from jsr-workspace.json. */
export const members: string[] = readJson('jsr-workspace.json').workspace;

/** Each member's folder with its jsr.json and package.json. */
export const packages = members.map((dir) => ({
  dir: dir.replace(/^\.\//, ''),
  jsr: readJson(join(dir, 'jsr.json')) as JsrConfig,
  npm: readJson(join(dir, 'package.json')) as {
    name: string;
    version: string;
    license: string;
    exports: Record<string, unknown>;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  },
}));

/** The import map of a Deno program using the packages as JSR serves them. */
export function consumerImportMap(): Record<string, string> {
  const imports: Record<string, string> = {};
  for (const { dir, jsr, npm } of packages) {
    for (const [subpath, file] of Object.entries(jsr.exports))
      imports[jsr.name + subpath.slice(1)] = join(root, dir, file);
    for (const [dep, range] of Object.entries({ ...npm.peerDependencies, ...npm.dependencies })) {
      if (range.startsWith('workspace:')) continue;
      // The highest major a range allows: a specifier cannot carry `||`.
      const wanted = range
        .split('||')
        .map((r) => r.trim())
        .at(-1)!;
      imports[dep] = `npm:${dep}@${wanted}`;
      imports[`${dep}/`] = `npm:/${dep}@${wanted}/`;
    }
  }
  return imports;
}
