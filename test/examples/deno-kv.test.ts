// examples/deno-kv in the real Deno binary, with the flags of `pnpm example:deno-kv`, on an in-memory Deno KV.
import { join } from 'node:path';
import { describe } from 'vitest';
import { root } from '../runtimes/harness.js';
import { spawnApp } from '../scenarios/serve.js';
import { bin } from '../runtimes/harness.js';
import { smokeTest } from './smoke.js';

describe('examples/deno-kv', () => {
  smokeTest(
    () =>
      spawnApp(
        bin('deno'),
        [
          'run',
          '--config',
          join(root, 'examples/deno-kv/deno.json'),
          '--allow-net=127.0.0.1',
          '--allow-env=PORT,KV_PATH',
          '--no-prompt',
          join(root, 'examples/deno-kv/server.ts'),
        ],
        {
          cwd: root,
          env: { PORT: '0', KV_PATH: ':memory:', DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
        },
      ),
    { injectedClock: false },
  );
});
