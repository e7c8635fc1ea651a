// examples/bun in the real Bun binary, started with the example's own command (bun run server.ts).
import { join } from 'node:path';
import { describe } from 'vitest';
import { root } from '../runtimes/harness.js';
import { spawnApp } from '../scenarios/serve.js';
import { bin } from '../runtimes/harness.js';
import { smokeTest } from './smoke.js';

describe('examples/bun', () => {
  smokeTest(
    () =>
      spawnApp(bin('bun'), ['run', join(root, 'examples/bun/server.ts')], {
        cwd: root,
        env: { PORT: '0' },
      }),
    { injectedClock: false },
  );
});
