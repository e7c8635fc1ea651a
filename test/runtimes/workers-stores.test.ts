/**
 * `workersKvStore` and `durableObjectStore` inside workerd, through miniflare
 * (real KV namespace and Durable Object storage, not mocks): the shared
 * conformance cases run in the Worker and report JSON; each case is one
 * vitest test here, so a failure names the case.
 *
 * Time, and what is not exercised: the cases use the injected ManualClock,
 * which both stores judge each value's own deadline on. Workers KV's own
 * `expirationTtl` (60 s minimum) is set on every write (miniflare refuses
 * shorter ones, which proves the rounding) but its real expiry is not waited
 * for. The Durable Object's sweep is run directly with the injected clock, and
 * once for real: an instance sweeping every 100 ms waits 400 ms of wall time.
 * Miniflare runs KV in one place, so KV's cross-location eventual
 * consistency cannot be shown here: it is documented, not tested.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeCases, storeCaseName } from '../../packages/core/src/testing/store-cases.js';
import { bundle, root, run } from './harness.js';
import type { CaseResult } from './report.js';

let mf: Miniflare;
let cleanup: () => Promise<void> = async () => {};
const reports: Record<string, CaseResult[]> = {};

beforeAll(async () => {
  const bundled = await bundle(`${root}test/runtimes/workers/store-worker.ts`, {
    platform: 'browser',
  });
  cleanup = bundled.cleanup;
  mf = new Miniflare({
    modules: true,
    script: await readFile(bundled.outfile, 'utf8'),
    compatibilityDate: '2025-01-01',
    kvNamespaces: ['KV'],
    durableObjects: { DO: 'LatchkeySessionsDO' },
  });
  for (const route of ['/kv/conformance', '/do/conformance', '/kv/extra', '/do/extra']) {
    const response = await mf.dispatchFetch(`http://localhost${route}`);
    if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
    reports[route] = (await response.json()) as CaseResult[];
  }
  // A second instance whose Durable Object sweeps every 100 ms, to see the alarm fire for real.
  const sweeping = new Miniflare({
    modules: true,
    script: await readFile(bundled.outfile, 'utf8'),
    compatibilityDate: '2025-01-01',
    durableObjects: { DO: 'LatchkeySessionsDO' },
    bindings: { LATCHKEY_SWEEP_INTERVAL_MS: '100' },
  });
  try {
    reports['/do/alarm'] = (await (
      await sweeping.dispatchFetch('http://localhost/do/alarm')
    ).json()) as CaseResult[];
  } finally {
    await sweeping.dispose();
  }
});
afterAll(async () => {
  await mf?.dispose();
  await cleanup();
});

const outcome = (results: CaseResult[] | undefined, name: string) => {
  const r = results?.find((x) => x.name === name);
  return r ? (r.passed ? 'passed' : r.error) : 'not run';
};

const stores = [
  { route: '/kv', title: 'Workers KV store in workerd', capabilities: [] as string[] },
  {
    route: '/do',
    title: 'Durable Object store in workerd',
    capabilities: ['userIndex', 'consume', 'compareAndSet'],
  },
];

for (const { route, title, capabilities } of stores) {
  const cases = storeCases.filter((c) => !c.capability || capabilities.includes(c.capability));
  describe(`${title}: conformance`, () => {
    it(`ran every case for its capabilities [${capabilities.join(', ')}] and nothing else`, () => {
      expect(reports[`${route}/conformance`]!.map((r) => r.name).sort()).toEqual(
        cases.map(storeCaseName).sort(),
      );
    });
    for (const c of cases) {
      it(storeCaseName(c), () =>
        expect(outcome(reports[`${route}/conformance`], storeCaseName(c))).toBe('passed'),
      );
    }
  });
}

describe('Workers KV store in workerd: its limits', () => {
  for (const name of [
    'KV itself refuses an expirationTtl under 60 s, so the store rounds it up',
    'a 1-second TTL is accepted and the value is gone after 1 s on the store clock, though KV still holds it',
    'a value the store did not write (plain text, foreign JSON) fails closed as a decode StoreError, never reads as absent',
  ]) {
    it(name, () => expect(outcome(reports['/kv/extra'], name)).toBe('passed'));
  }
});

describe('Durable Object store in workerd: beyond conformance', () => {
  for (const name of [
    'a revocation through one client is seen by the very next read through another (strong consistency)',
    'the sweep deletes entries past their deadline and keeps live ones',
    'a malformed, clockless or unknown operation is refused with 400 and changes nothing',
  ]) {
    it(name, () => expect(outcome(reports['/do/extra'], name)).toBe('passed'));
  }
  const alarm =
    'the sweep alarm fires on its own and deletes entries past their deadline by the wall clock';
  it(alarm, () => expect(outcome(reports['/do/alarm'], alarm)).toBe('passed'));
});

describe('Workers binding types', () => {
  it("the real bindings (@cloudflare/workers-types) satisfy the package's own minimal binding interfaces", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-workers-types-'));
    try {
      await writeFile(
        join(dir, 'check.ts'),
        [
          `import type { KVNamespace, DurableObjectNamespace, DurableObjectState, ExecutionContext } from ${JSON.stringify(join(root, 'node_modules/@cloudflare/workers-types/index.ts'))};`,
          `import type { KvNamespaceLike, DurableObjectNamespaceLike, DurableObjectStateLike, ExecutionContextLike } from ${JSON.stringify(join(root, 'adapters/workers/src/bindings.ts'))};`,
          'declare const kv: KVNamespace, ns: DurableObjectNamespace, state: DurableObjectState, ctx: ExecutionContext;',
          'export const bindings: [KvNamespaceLike, DurableObjectNamespaceLike, DurableObjectStateLike, ExecutionContextLike] = [kv, ns, state, ctx];',
        ].join('\n'),
      );
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'ESNext',
            moduleResolution: 'Bundler',
            strict: true,
            noEmit: true,
            allowImportingTsExtensions: true,
            lib: ['ES2022', 'DOM'],
            types: [],
            skipLibCheck: true,
          },
          files: ['check.ts'],
        }),
      );
      await expect(
        run(join(root, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')]),
      ).resolves.toBeDefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
