// Every adapter refuses what is not an engine (a preset, a policy, nothing) when the app is built, with a
// TypeError naming the fix, instead of failing per request. One check in core serves them all.
import { describe, expect, it } from 'vitest';
import { definePolicy, presets, withSessions } from '@latchkey/core';
import { serveWithSessions } from '../../adapters/deno/src/index.js';
import { latchkey } from '../../adapters/hono/src/index.js';
import { createHandler, latchkeyMiddleware } from '../../adapters/node/src/index.js';
import { withWorkerSessions } from '../../adapters/workers/src/index.js';

const handler = () => new Response('never');
const adapters: Record<string, (engine: never) => unknown> = {
  'withSessions()': (engine) => withSessions(engine, handler),
  'latchkey()': (engine) => latchkey(engine),
  'latchkeyMiddleware()': (engine) => latchkeyMiddleware(engine),
  'createHandler()': (engine) => createHandler(engine, handler),
  // Refused before Deno.serve is reached, so this runs on Node.
  'serveWithSessions()': (engine) => serveWithSessions(engine, handler),
  // The engine comes from env on the first request: refused there, before the handler runs.
  'withWorkerSessions(): build(env)': (engine) =>
    withWorkerSessions(() => engine, handler)(
      new Request('http://app.test/'),
      {},
      {
        waitUntil: () => {},
      },
    ),
};
const wrong: Record<string, unknown> = {
  'a preset': presets.productivity,
  'a policy': definePolicy({ idleTimeout: '10m', absoluteTimeout: '1h' }),
  undefined: undefined,
  'an empty object': {},
};

describe('a wrong value where the engine belongs', () => {
  for (const [name, adapt] of Object.entries(adapters))
    it(`${name} refuses it at once with a TypeError naming createLatchkey`, () => {
      for (const [what, value] of Object.entries(wrong)) {
        let thrown: unknown;
        try {
          adapt(value as never);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, what).toBeInstanceOf(TypeError);
        expect((thrown as Error).message, what).toMatch(
          new RegExp(
            `^${name.replace(/[()]/g, '\\$&')}: expected a session engine, got .*; build one with createLatchkey\\(\\{ policy: presets\\.productivity, store \\}\\)`,
          ),
        );
      }
    });
});
