/**
 * The store timeout: a store that stops answering (a paused Redis, a network
 * black hole) fails closed within the timeout with its own error, and the
 * request answers 503, instead of hanging for as long as the store does.
 * These tests wait real milliseconds on purpose: the deadline is real time,
 * never the engine's (manual) clock.
 */

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { createLatchkey } from '../src/engine.js';
import { ConfigError, StoreError, StoreTimeoutError } from '../src/errors.js';
import type { SessionEvent } from '../src/events.js';
import { isStoreError } from '../src/expiry-response.js';
import { withSessions } from '../src/fetch-handler.js';
import { presets } from '../src/presets.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SessionStore } from '../src/store/types.js';
import { createTokenIssuer } from '../src/tokens/issuer.js';

const ORIGIN = 'https://app.example';

/** A MemoryStore whose calls can be made to hang (never settle) or to answer after `delayMs`. */
function flakyStore(clock: ManualClock) {
  const inner = new MemoryStore({ clock });
  const state = { hang: false, delayMs: 0 };
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (state.hang) return new Promise<R>(() => {});
      if (state.delayMs > 0)
        return new Promise<R>((resolve, reject) =>
          setTimeout(() => fn(...args).then(resolve, reject), state.delayMs),
        );
      return fn(...args);
    };
  const store: SessionStore = {
    name: 'flaky memory',
    get: wrap(inner.get.bind(inner)),
    set: wrap(inner.set.bind(inner)),
    delete: wrap(inner.delete.bind(inner)),
    consume: wrap(inner.consume!.bind(inner)),
    compareAndSet: wrap(inner.compareAndSet!.bind(inner)),
    userIndex: {
      add: wrap(inner.userIndex!.add.bind(inner.userIndex)),
      remove: wrap(inner.userIndex!.remove.bind(inner.userIndex)),
      list: wrap(inner.userIndex!.list.bind(inner.userIndex)),
      removeAll: wrap(inner.userIndex!.removeAll.bind(inner.userIndex)),
    },
  };
  return { store, state };
}

async function signedIn(storeTimeout?: number | false) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const { store, state } = flakyStore(clock);
  const events: SessionEvent[] = [];
  const engine = createLatchkey({
    policy: presets.productivity,
    store,
    clock,
    onEvent: (e) => void events.push(e),
    ...(storeTimeout === undefined ? {} : { storeTimeout }),
  });
  const app = withSessions(engine, async ({ request, session }) => {
    if (new URL(request.url).pathname === '/login') {
      await session.login('ada');
      return new Response('in');
    }
    const outcome = await session.load();
    return new Response(outcome.valid ? 'hello' : 'out', { status: outcome.valid ? 200 : 401 });
  });
  const login = await app(new Request(`${ORIGIN}/login`, { method: 'POST' }));
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const read = () =>
    app(new Request(`${ORIGIN}/inbox`, { headers: { cookie, accept: 'application/json' } }));
  return { engine, state, events, read, cookie };
}

describe('storeTimeout', () => {
  it('a hung store answers 503 with Retry-After within the timeout, not after the hang', async () => {
    const { state, read, events } = await signedIn(50);
    state.hang = true;
    // The store never answers: only the timeout can end this request (else the test times out).
    const response = await read();
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({ error: 'session_store_unavailable' });
    const failure = events.find((e) => e.type === 'store-error');
    expect(failure).toMatchObject({ type: 'store-error', code: 'ERR_STORE_TIMEOUT' });
  });

  it('the error is a StoreError with its own code, and the session is intact once the store answers again', async () => {
    const { engine, state, read, cookie } = await signedIn(50);
    state.hang = true;
    const error = await engine
      .forRequest(new Request(`${ORIGIN}/`, { headers: { cookie } }))
      .load()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreTimeoutError);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'ERR_STORE_TIMEOUT', operation: 'read', timeoutMs: 50 });
    expect(isStoreError(error)).toBe(true);
    state.hang = false;
    expect((await read()).status).toBe(200);
  });

  it('a slow store inside the timeout is waited for', async () => {
    const { state, read } = await signedIn(1_000);
    state.delayMs = 30;
    expect((await read()).status).toBe(200);
  });

  it('false turns it off: a store slower than any timeout is waited for', async () => {
    const { state, read } = await signedIn(false);
    state.delayMs = 700; // past the 500 ms default
    expect((await read()).status).toBe(200);
  });

  it.each([0, -1, 'soon', '2 weeks', Number.NaN])(
    'refuses storeTimeout: %s, naming the option',
    (value) => {
      expect(() =>
        createLatchkey({
          policy: presets.productivity,
          store: new MemoryStore(),
          storeTimeout: value as never,
        }),
      ).toThrow(ConfigError);
      expect(() =>
        createLatchkey({
          policy: presets.productivity,
          store: new MemoryStore(),
          storeTimeout: value as never,
        }),
      ).toThrow(/storeTimeout must be a positive duration/);
    },
  );

  it('the token issuer fails closed the same way on a hung store', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const { store, state } = flakyStore(clock);
    const tokens = createTokenIssuer({
      keys: [{ kid: 'k', alg: 'HS256', secret: 'a-test-secret-of-at-least-32-bytes!!' }],
      store,
      clock,
      policy: presets.api,
      storeTimeout: '50ms',
      cache: false,
    });
    const pair = await tokens.issue('ada');
    state.hang = true;
    await expect(tokens.refresh(pair.refreshToken)).rejects.toBeInstanceOf(StoreTimeoutError);
    await expect(tokens.verifyAccess(pair.accessToken)).rejects.toBeInstanceOf(StoreTimeoutError);
  });
});
