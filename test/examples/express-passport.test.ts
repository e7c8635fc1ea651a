// examples/express-passport (passport-local on the expressSession drop-in) through its own builder and server, in process, with an injected clock.
import { MemoryStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { describe } from 'vitest';
import { createApp, startServer } from '../../examples/express-passport/app.js';
import { smokeTest } from './smoke.js';

describe('examples/express-passport', () => {
  smokeTest(async () => {
    const clock = new ManualClock();
    const app = createApp({ store: new MemoryStore({ clock }), clock, warn: () => {} });
    const running = await startServer(app, 0);
    return { baseUrl: running.url, advance: (ms) => void clock.advance(ms), stop: running.close };
  });
});
