/**
 * Latchkey for Deno users, through JSR: every package's jsr.json agrees with its package.json,
 * `deno publish --dry-run` passes JSR's slow-types rules for the whole workspace, and a Deno
 * program (consumer.ts) that imports every JSR entry by name type-checks and runs in real Deno.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, readReport, root, run } from '../runtimes/harness.js';
import type { CaseResult } from '../runtimes/report.js';
import { consumerImportMap, members, packages } from './jsr-config.js';

const deno = bin('deno');
const manifest = () => readFileSync(join(root, 'package.json'), 'utf8');
const manifestBefore = manifest();

/** `deno publish --dry-run` over the workspace: its exit code and everything it printed. */
function dryRun(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      deno,
      ['publish', '--dry-run', '--allow-dirty', '--config', 'jsr-workspace.json'],
      { cwd: root, timeout: 240_000, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error.code as number) ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

let publish: { code: number; output: string };
let consumer: { results: CaseResult[] };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latchkey-jsr-'));
  // The consumer's config: the JSR entries by name, npm packages from Deno's own cache (no
  // node_modules, no lockfile), so nothing is read from or written to the repository's install.
  const config = join(dir, 'deno.json');
  await writeFile(
    config,
    JSON.stringify({
      imports: {
        ...consumerImportMap(),
        hono: 'npm:hono@^4.13.19',
        unstorage: 'npm:unstorage@^1.17.6',
      },
      nodeModulesDir: 'none',
      unstable: ['sloppy-imports', 'kv'],
      compilerOptions: { lib: ['deno.ns', 'deno.unstable', 'dom', 'dom.iterable', 'esnext'] },
    }),
  );
  const program = join(root, 'test/jsr/consumer.ts');
  const consume = async () => {
    await run(deno, ['check', '--quiet', '--no-lock', '--config', config, program], 240_000);
    const permissions = [
      '--allow-net=127.0.0.1',
      // libSQL's native binding (the SQLite case): it reads the platform, loads a library, opens a file.
      '--allow-env',
      '--allow-sys',
      '--allow-ffi',
      `--allow-read`,
      `--allow-write=${tmpdir()}`,
    ];
    const stdout = await run(deno, [
      'run',
      '--quiet',
      '--no-lock',
      '--config',
      config,
      ...permissions,
      program,
    ]);
    return readReport<typeof consumer>(stdout);
  };
  [publish, consumer] = await Promise.all([dryRun(), consume()]);
}, 300_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('jsr.json', () => {
  it('lists every published package of the workspace, and nothing private', () => {
    const published = ['packages', 'adapters'].flatMap((group) =>
      readdirSync(join(root, group))
        .map((name) => `${group}/${name}`)
        .filter((d) => existsSync(join(root, d, 'package.json')))
        .filter((d) => !JSON.parse(readFileSync(join(root, d, 'package.json'), 'utf8')).private),
    );
    expect(members.map((m) => m.replace(/^\.\//, '')).sort()).toEqual(published.sort());
  });

  for (const { dir: pkg, jsr, npm } of packages) {
    it(`${pkg}: same name, version and license as package.json, and an entry for each of its subpaths`, () => {
      expect([jsr.name, jsr.version, jsr.license]).toEqual([npm.name, npm.version, npm.license]);
      const npmSubpaths = Object.keys(npm.exports).filter((s) => s !== './package.json');
      expect(Object.keys(jsr.exports).sort()).toEqual(npmSubpaths.sort());
      for (const file of Object.values(jsr.exports)) {
        expect(existsSync(join(root, pkg, file)), `${pkg}/${file}`).toBe(true);
        expect(file.startsWith('./src/') && file.endsWith('.ts'), file).toBe(true); // inside publish.include
      }
      expect(jsr.publish.include).toContain('src/**/*.ts');
    });
  }
});

describe('deno publish --dry-run', () => {
  it('passes the slow-types rules and type-checks every package', () => {
    expect(publish.output).not.toMatch(/error\[/);
    expect(publish.code, publish.output.slice(-4000)).toBe(0);
    expect(publish.output).toContain('Dry run complete');
  });

  it('would publish each package under its name and version', () => {
    for (const { jsr } of packages)
      expect(publish.output).toContain(`Simulating publish of ${jsr.name}@${jsr.version}`);
  });

  it("leaves the repository's package.json as it was (Deno migrates pnpm workspaces into it)", () => {
    expect(manifest()).toBe(manifestBefore);
  });
});

describe('a Deno program on the JSR entries', () => {
  it('type-checks under Deno and passes every case it runs (each package used for real)', () => {
    const failed = consumer.results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.error}`);
    expect(failed).toEqual([]);
    for (const { jsr } of packages)
      expect(
        consumer.results.some((r) => r.name.includes(jsr.name)) ||
          consumer.results.some((r) => r.name.includes(jsr.name.split('/')[1]!)),
        `a case names ${jsr.name}`,
      ).toBe(true);
  });
});
