/**
 * The core's own unit suite on Deno, Bun and workerd (issue 4: proof the core
 * uses nothing Node-specific). Every packages/core/test/*.test.ts that exists
 * when this runs is bundled with `vitest` aliased to ./vitest-shim.ts (vitest's
 * own runner and expect, which need no Node) and run in each runtime; here on
 * Node each runtime's report must show every test passed, and exactly the
 * tests `vitest list` finds on Node for the same files, so nothing is dropped.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, bundleAll, readReport, root, run } from './harness.js';
import type { CoreTestResult } from './core/run-core-tests.js';

/** Test files that are inherently Node-side, and why; every other core test file runs everywhere. */
const nodeOnly: Record<string, string> = {
  'purity.test.ts':
    'reads packages/core/src from disk (node:fs) and parses it with the TypeScript compiler: a check of the source text, with no runtime behaviour to exercise elsewhere',
  'tokens-redis.test.ts':
    'drives token rotation against a real redis-server, which test/support spawns with node:child_process and ioredis reaches over TCP; the token logic itself runs everywhere through tokens.test.ts',
};
/**
 * A file added later and not listed above is also left out when it imports one of these (a `node:` module,
 * the Node-only Redis client, or test/support, which spawns services); each exclusion is its own test below,
 * with its reason, so nothing is dropped silently.
 */
const nodeSideImport = /from '(node:[^']+|ioredis|[^']*test\/support\/[^']+)'/;

const testDir = join(root, 'packages/core/test');
const allFiles = readdirSync(testDir)
  .filter((f) => f.endsWith('.test.ts'))
  .sort();
const source = (f: string) => readFileSync(join(testDir, f), 'utf8');
const excluded = Object.fromEntries(
  allFiles.flatMap((f) => {
    const why =
      nodeOnly[f] ??
      (nodeSideImport.exec(source(f))
        ? `imports ${nodeSideImport.exec(source(f))![1]}`
        : undefined);
    return why ? [[f, why]] : [];
  }),
);
const portable = allFiles.filter((f) => !(f in excluded));
const rel = (f: string) => `packages/core/test/${f}`;

// @vitest/runner, @vitest/expect, @vitest/spy: resolved from vitest's own dependencies (pnpm does not hoist them);
// chai from @vitest/expect's.
const vitestPkg = createRequire(import.meta.url).resolve('vitest/package.json');
const vitestModules = dirname(dirname(realpathSync(vitestPkg)));
const expectModules = dirname(
  dirname(dirname(realpathSync(createRequire(vitestPkg).resolve('@vitest/expect/package.json')))),
);

const coreTests: Plugin = {
  name: 'latchkey-core-tests',
  setup(b) {
    b.onResolve({ filter: /^latchkey:core-tests$/ }, () => ({
      path: 'core-tests',
      namespace: 'latchkey',
    }));
    b.onLoad({ filter: /.*/, namespace: 'latchkey' }, () => ({
      contents: `export const testFiles = {\n${portable.map((f) => `  ${JSON.stringify(rel(f))}: () => import(${JSON.stringify(join(testDir, f))}),`).join('\n')}\n};\n`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};

/** `vitest-internal:<name>` → vitest's own `@vitest/<name>` (and chai as @vitest/expect has it). */
const vitestInternals: Plugin = {
  name: 'vitest-internals',
  setup(b) {
    b.onResolve({ filter: /^vitest-internal:/ }, async (args) => {
      const name = args.path.slice('vitest-internal:'.length);
      const r = await b.resolve(name === 'chai' ? 'chai' : `@vitest/${name}`, {
        kind: 'import-statement',
        resolveDir: name === 'chai' ? expectModules : vitestModules,
      });
      return r.errors.length > 0 ? { errors: r.errors } : { path: r.path };
    });
  },
};

const buildAll = <const T extends readonly string[]>(entries: T) =>
  bundleAll(
    entries.map((entry) => join(root, 'test/runtimes/core', entry)) as { [K in keyof T]: string },
    {
      platform: 'browser',
      aliases: { vitest: join(root, 'test/runtimes/vitest-shim.ts') },
      plugins: [coreTests, vitestInternals],
      nodePaths: [vitestModules, expectModules],
    },
  );

/** `vitest list` on Node for the same files: the names every runtime must report. */
async function listedOnNode(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-vitest-list-'));
  try {
    const json = join(dir, 'list.json'); // `--json=<file>`: a bare `--json` would take the next argument as its output path
    await run(join(root, 'node_modules/.bin/vitest'), [
      'list',
      `--json=${json}`,
      ...portable.map(rel),
    ]);
    const listed = JSON.parse(await readFile(json, 'utf8')) as { name: string; file: string }[];
    return listed.map((t) => `${t.file.slice(root.length)} :: ${t.name}`).sort();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const reports: Record<string, CoreTestResult[]> = {};
let expected: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function onWorkerd(file: string): Promise<CoreTestResult[]> {
  const mf = new Miniflare({
    modules: true,
    script: await readFile(file, 'utf8'),
    compatibilityDate: '2025-01-01',
  });
  try {
    const response = await mf.dispatchFetch('http://localhost/');
    if (!response.ok) throw new Error(`workerd: ${response.status} ${await response.text()}`);
    return (await response.json()) as CoreTestResult[];
  } finally {
    await mf.dispose();
  }
}

beforeAll(async () => {
  const [deno, bun, workerd] = await buildAll(['deno.ts', 'bun.ts', 'workerd.ts']);
  cleanups.push(deno.cleanup, bun.cleanup, workerd.cleanup);
  [expected, reports.deno, reports.bun, reports.workerd] = await Promise.all([
    listedOnNode(),
    // --allow-env: vitest's colour helper (tinyrainbow) reads NO_COLOR and friends; the core reads no environment.
    run(bin('deno'), ['run', '--quiet', '--allow-env', deno.outfile]).then(
      readReport<CoreTestResult[]>,
    ),
    run(bin('bun'), ['run', bun.outfile]).then(readReport<CoreTestResult[]>),
    onWorkerd(workerd.outfile),
  ]);
});
afterAll(() => Promise.all(cleanups.map((c) => c())));

describe('the core unit suite outside Node', () => {
  for (const [f, why] of Object.entries(excluded)) {
    it(`leaves out ${f}, which is Node-side: ${why}`, () =>
      expect(source(f)).toMatch(nodeSideImport));
  }
  it('runs every other core test file, none of which imports anything Node-side', () => {
    expect(portable.length).toBeGreaterThan(0);
    for (const f of portable) expect(source(f), f).not.toMatch(nodeSideImport);
  });

  for (const runtime of ['deno', 'bun', 'workerd']) {
    describe(runtime, () => {
      it('ran exactly the tests vitest finds on Node for the same files', () => {
        expect(expected.length).toBeGreaterThan(0);
        // `vitest list` leaves out tests a skipIf skips; a skipIf that skips only outside Node shows up as missing.
        const ran = reports[runtime]!.filter((r) => r.declared !== 'skip');
        expect(ran.map((r) => `${r.file} :: ${r.name}`).sort()).toEqual(expected);
      });
      it('passed every one of them (a test is skipped only where its skipIf says so, as on Node)', () => {
        expect(
          reports[runtime]!.filter(
            (r) => r.state !== 'pass' && !(r.state === 'skip' && r.declared === 'skip'),
          ),
        ).toEqual([]);
      });
    });
  }
});
