/**
 * `denoKvStore` inside the real Deno binary (npm `deno`, with --unstable-kv):
 * the shared conformance cases run in Deno against Deno KV and report JSON;
 * each case is one vitest test here, so a failure names the case. Then
 * `serveWithSessions` on a real `Deno.serve` listener over that store.
 *
 * Time: the conformance cases use the injected ManualClock, which the store's
 * own per-value deadline is judged on; Deno KV's `expireIn` is set on every
 * write but is only a hint (Deno may return expired entries for a while), so
 * it is not what makes values expire and is not what these cases observe. One
 * extra case waits 250 ms of real time with the system clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeCases, storeCaseName } from '../../packages/core/src/testing/store-cases.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, bundleAll, readReport, root, run } from './harness.js';
import type { CaseResult } from './report.js';

let report: { conformance: CaseResult[]; extra: CaseResult[] };
let serveReport: { extra: CaseResult[] };
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const [store, serve] = await bundleAll([
    `${root}test/runtimes/deno/store-entry.ts`,
    `${root}test/runtimes/deno/serve-entry.ts`,
  ]);
  cleanups.push(store.cleanup, serve.cleanup);
  [report, serveReport] = await Promise.all([
    run(bin('deno'), ['run', '--quiet', '--unstable-kv', store.outfile]).then(
      readReport<typeof report>,
    ),
    run(bin('deno'), [
      'run',
      '--quiet',
      '--unstable-kv',
      '--allow-net=127.0.0.1',
      serve.outfile,
    ]).then(readReport<typeof serveReport>),
  ]);
});
afterAll(() => Promise.all(cleanups.map((c) => c())));

const outcome = (results: CaseResult[], name: string) => {
  const r = results.find((x) => x.name === name);
  return r ? (r.passed ? 'passed' : r.error) : 'not run';
};

describe('Deno KV store in Deno: conformance', () => {
  it('ran every conformance case and nothing else', () => {
    expect(report.conformance.map((r) => r.name).sort()).toEqual(
      storeCases.map(storeCaseName).sort(),
    );
  });
  for (const c of storeCases) {
    it(storeCaseName(c), () =>
      expect(outcome(report.conformance, storeCaseName(c))).toBe('passed'),
    );
  }
});

describe('Deno KV store in Deno: beyond conformance', () => {
  for (const name of [
    'with the system clock, a value is gone once its TTL has really passed (expireIn is only a hint)',
    'prefixes keep two stores on one database apart',
    'a value the store did not write fails closed as a decode StoreError, never reads as absent',
  ]) {
    it(name, () => expect(outcome(report.extra, name)).toBe('passed'));
  }
});

describe('serveWithSessions on Deno.serve with the Deno KV store', () => {
  for (const name of [
    'login sets a session cookie that the next request is recognised by, with the peer address as device IP',
    'after logout the old cookie is refused',
    'no cookie and a bogus cookie are told 401, never 500',
    'a failing Deno KV fails closed with 503, not 500 and not a sign-in',
  ]) {
    it(name, () => expect(outcome(serveReport.extra, name)).toBe('passed'));
  }
});

describe('Deno KV store types', () => {
  it("a real Deno.Kv satisfies the store's own minimal DenoKvLike (deno check against Deno's types)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-deno-check-'));
    try {
      const file = join(dir, 'check.ts');
      await writeFile(
        file,
        [
          `import type { DenoKvLike } from ${JSON.stringify(join(root, 'adapters/deno/src/kv-types.ts'))};`,
          'const kv: Deno.Kv = await Deno.openKv();',
          'export const like: DenoKvLike = kv;',
        ].join('\n'),
      );
      await expect(
        run(bin('deno'), ['check', '--quiet', '--unstable-kv', file]),
      ).resolves.toBeDefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
