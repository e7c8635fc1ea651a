/**
 * Runs inside Deno (bundled by deno-kv.test.ts): the shared store conformance
 * cases against `denoKvStore` on a real Deno KV, plus what only Deno KV can
 * show, then prints a JSON report.
 */
import { runStoreCases } from '../../../packages/core/src/testing/store-cases.js';
import { assertEqual } from '../../../packages/core/src/testing/assert.js';
import { denoKvStore, type DenoKvLike } from '../../../adapters/deno/src/index.js';
import { reportMarker, runChecks } from '../report.js';

type Kv = DenoKvLike & { close(): void };
declare const Deno: { openKv(path?: string): Promise<Kv> };

const kv = await Deno.openKv(':memory:');
const conformance = await runStoreCases(({ clock }) => denoKvStore(kv, { clock }), {
  capabilities: ['userIndex', 'consume', 'compareAndSet'],
});

const extra = await runChecks({
  // The one real wait in this suite (250 ms): with the system clock, a value is gone once its TTL has
  // passed, although Deno KV itself still returns entries well past `expireIn` (observed in Deno 2.9).
  async 'with the system clock, a value is gone once its TTL has really passed (expireIn is only a hint)'() {
    const store = denoKvStore(kv, { prefix: 'real-time' });
    await store.set('k', 'v', 150);
    assertEqual(await store.get('k'), 'v', 'before the TTL');
    await new Promise((r) => setTimeout(r, 250));
    assertEqual(await store.get('k'), null, 'after the TTL');
  },
  async 'prefixes keep two stores on one database apart'() {
    const [x, y] = [denoKvStore(kv, { prefix: 'x' }), denoKvStore(kv, { prefix: 'y' })];
    await x.set('k', 'from-x', 60_000);
    await x.userIndex.add('ada', 'k', 60_000);
    assertEqual([await x.get('k'), await y.get('k')], ['from-x', null]);
    assertEqual(await y.userIndex.list('ada'), [], "y's index");
  },
  async 'a value the store did not write fails closed as a decode StoreError, never reads as absent'() {
    const store = denoKvStore(kv, { prefix: 'foreign' });
    await kv.set(['foreign', 'k', 'text'], 'plain text');
    await kv.set(['foreign', 'k', 'object'], { v: 1 });
    const refusal = (key: string) =>
      store.get(key).then(
        (v) => `read as ${JSON.stringify(v)}`,
        (e: { code?: string; operation?: string }) => `${e.code} ${e.operation}`,
      );
    assertEqual(
      [await refusal('text'), await refusal('object')],
      ['ERR_STORE_UNAVAILABLE decode', 'ERR_STORE_UNAVAILABLE decode'],
    );
  },
});
kv.close();
console.log(reportMarker + JSON.stringify({ conformance, extra }));
