/**
 * Runs inside workerd (bundled and started by workers-stores.test.ts through
 * miniflare, with a KV namespace `KV` and a Durable Object namespace `DO`
 * bound to `LatchkeySessionsDO`): the shared store conformance cases against
 * `workersKvStore` and `durableObjectStore`, plus what only these backends
 * can show. Each route answers a JSON report.
 */
import { runStoreCases } from '../../../packages/core/src/testing/store-cases.js';
import { assertEqual } from '../../../packages/core/src/testing/assert.js';
import { ManualClock } from '../../../packages/core/src/clock.js';
import {
  durableObjectStore,
  kvExpirationTtl,
  LatchkeySessionsDO,
  workersKvStore,
  type DurableObjectNamespaceLike,
  type KvNamespaceLike,
} from '../../../adapters/workers/src/index.js';
import { runChecks } from '../report.js';

export { LatchkeySessionsDO };

interface Env {
  KV: KvNamespaceLike & {
    put(k: string, v: string, o?: { expirationTtl?: number }): Promise<void>;
  };
  DO: DurableObjectNamespaceLike;
}

const doOp = async (env: Env, name: string, op: Record<string, unknown>) => {
  const response = await env.DO.get(env.DO.idFromName(name)).fetch('https://do/', {
    method: 'POST',
    body: JSON.stringify(op),
  });
  return {
    status: response.status,
    body: (await response.json()) as { result?: unknown; error?: string },
  };
};

const routes: Record<string, (env: Env) => Promise<unknown>> = {
  '/kv/conformance': (env) => runStoreCases(({ clock }) => workersKvStore(env.KV, { clock })),
  '/do/conformance': (env) =>
    runStoreCases(({ clock }) => durableObjectStore(env.DO, { clock, name: 'conformance' }), {
      capabilities: ['userIndex', 'consume', 'compareAndSet'],
    }),
  '/kv/extra': (env) =>
    runChecks({
      async 'KV itself refuses an expirationTtl under 60 s, so the store rounds it up'() {
        const refused = await env.KV.put('raw:short', 'v', { expirationTtl: 1 }).then(
          () => false,
          () => true,
        );
        assertEqual(refused, true, 'KV refused expirationTtl 1');
        assertEqual(
          [
            kvExpirationTtl(1),
            kvExpirationTtl(59_001),
            kvExpirationTtl(60_000),
            kvExpirationTtl(61_500),
          ],
          [60, 60, 60, 62],
        );
      },
      async 'a 1-second TTL is accepted and the value is gone after 1 s on the store clock, though KV still holds it'() {
        const clock = new ManualClock();
        const store = workersKvStore(env.KV, { clock, prefix: 'short:' });
        await store.set('k', 'v', 1_000);
        clock.advance(999);
        assertEqual(await store.get('k'), 'v', 'at 999 ms');
        clock.advance(1);
        assertEqual(await store.get('k'), null, 'at 1000 ms');
        assertEqual(
          (await env.KV.get('short:k')) !== null,
          true,
          'KV still holds the entry (its own 60 s TTL)',
        );
      },
      async 'a value the store did not write (plain text, foreign JSON) fails closed as a decode StoreError, never reads as absent'() {
        const store = workersKvStore(env.KV, { prefix: 'foreign:' });
        await env.KV.put('foreign:text', 'not json', { expirationTtl: 60 });
        await env.KV.put('foreign:json', '{"v":1}', { expirationTtl: 60 });
        const refusal = (key: string) =>
          store.get(key).then(
            (v) => `read as ${JSON.stringify(v)}`,
            (e: { code?: string; operation?: string }) => `${e.code} ${e.operation}`,
          );
        assertEqual(
          [await refusal('text'), await refusal('json')],
          ['ERR_STORE_UNAVAILABLE decode', 'ERR_STORE_UNAVAILABLE decode'],
        );
      },
    }),
  '/do/extra': (env) =>
    runChecks({
      async 'a revocation through one client is seen by the very next read through another (strong consistency)'() {
        const [a, b] = [
          durableObjectStore(env.DO, { name: 'pair' }),
          durableObjectStore(env.DO, { name: 'pair' }),
        ];
        await a.set('s', 'live', 60_000);
        assertEqual(await b.get('s'), 'live', 'read through b');
        await b.delete('s');
        assertEqual(await a.get('s'), null, 'read through a after b deleted');
      },
      async 'the sweep deletes entries past their deadline and keeps live ones'() {
        const clock = new ManualClock();
        const store = durableObjectStore(env.DO, { clock, name: 'sweep' });
        await store.set('short', 'v', 1_000);
        await store.set('long', 'v', 60_000);
        await store.userIndex.add('ada', 'short', 1_000);
        assertEqual(
          (await doOp(env, 'sweep', { op: 'size', now: clock.now() })).body.result,
          3,
          'entries before',
        );
        assertEqual(
          (await doOp(env, 'sweep', { op: 'sweep', now: clock.advance(1_000) })).body.result,
          1,
          'entries left after the sweep',
        );
        assertEqual(await store.get('long'), 'v', 'the live entry');
      },
      async 'a malformed, clockless or unknown operation is refused with 400 and changes nothing'() {
        const response = await env.DO.get(env.DO.idFromName('bad')).fetch('https://do/', {
          method: 'POST',
          body: '{not json',
        });
        assertEqual(response.status, 400, 'status');
        assertEqual((await doOp(env, 'bad', { op: 'get', key: 'k' })).status, 400, 'no now');
        assertEqual((await doOp(env, 'bad', { op: 'nonsense', now: 0 })).status, 400, 'unknown op');
        assertEqual(
          (await doOp(env, 'bad', { op: 'set', key: 'k', value: 'v', ttlMs: 1_000 })).status,
          400,
          'set without now',
        );
        assertEqual(
          (await doOp(env, 'bad', { op: 'size', now: 0 })).body.result,
          0,
          'entries afterwards',
        );
      },
    }),
  // Only in the instance started with LATCHKEY_SWEEP_INTERVAL_MS=100: the one real wait (400 ms) in this suite.
  '/do/alarm': (env) =>
    runChecks({
      async 'the sweep alarm fires on its own and deletes entries past their deadline by the wall clock'() {
        const store = durableObjectStore(env.DO, { name: 'alarm' });
        await store.set('short', 'v', 50);
        await store.set('long', 'v', 60_000);
        assertEqual(
          (await doOp(env, 'alarm', { op: 'size', now: 0 })).body.result,
          2,
          'entries before',
        );
        await new Promise((r) => setTimeout(r, 400));
        assertEqual(
          (await doOp(env, 'alarm', { op: 'size', now: 0 })).body.result,
          1,
          'entries after the alarm',
        );
        assertEqual(await store.get('long'), 'v', 'the live entry');
      },
    }),
};

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const route = routes[new URL(request.url).pathname];
    if (!route) return new Response('not found', { status: 404 });
    return Response.json(await route(env));
  },
};
