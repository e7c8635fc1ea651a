// examples/worker in workerd through miniflare, started as `pnpm example:worker` does: its
// wrangler.toml's bindings (KV USERS, Durable Object SESSIONS) and .dev.vars.
import { describe, expect, it } from 'vitest';
import { startWorker } from '../../examples/worker/dev.js';
import { DEMO_PASSWORD, smokeTest } from './smoke.js';

describe('examples/worker', () => {
  let worker: Awaited<ReturnType<typeof startWorker>>;
  smokeTest(
    async () => {
      worker = await startWorker(0);
      return { baseUrl: worker.url, stop: worker.dispose };
    },
    { injectedClock: false },
  );

  it('keeps the user directory in KV and the sessions in the Durable Object', async () => {
    const res = await fetch(`${worker.url}/login`, {
      method: 'POST',
      headers: { origin: worker.url, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'lin', password: DEMO_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const users = await worker.mf.getKVNamespace('USERS');
    expect(JSON.parse((await users.get('user:lin')) ?? 'null')).toMatchObject({ name: 'lin' });
    // Nothing of the session in KV: the cookie's ID is looked up in the Durable Object only.
    const keys = (await users.list()).keys.map((k) => k.name);
    expect(keys).toContain('user:lin');
    expect(keys.filter((key) => !key.startsWith('user:'))).toEqual([]);
  });
});
