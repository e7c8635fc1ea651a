/**
 * The bearer-guard scenarios over HTTP, one suite for every adapter: valid,
 * expired (the ManualClock moved past the access-token lifetime), revoked,
 * malformed and missing tokens, and a store that is down. The adapter's app
 * answers `GET /api/me` with `{ user, role }` read from the verified claims.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, presets, type SessionStore } from '@latchkey/core';
import { createTokenIssuer, type TokenIssuer } from '@latchkey/core/tokens';
import { ManualClock } from '@latchkey/core/testing';
import type { RunningApp } from '../scenarios/suite.js';

export interface BearerFixture {
  tokens: TokenIssuer;
  clock: ManualClock;
  /** Make every store call fail, as a Redis outage would. */
  storeDown(down: boolean): void;
}

function createBearerFixture(): BearerFixture {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock });
  let down = false;
  const guard = <T>(op: () => Promise<T>) =>
    down ? Promise.reject(new Error('connection refused')) : op();
  const store: SessionStore = {
    name: 'switchable memory',
    get: (k) => guard(() => memory.get(k)),
    set: (k, v, t) => guard(() => memory.set(k, v, t)),
    delete: (k) => guard(() => memory.delete(k)),
    compareAndSet: (k, e, v, t) => guard(() => memory.compareAndSet(k, e, v, t)),
  };
  const tokens = createTokenIssuer({
    keys: [{ kid: 'k1', alg: 'HS256', secret: 'a-test-secret-of-thirty-two-bytes!' }],
    store,
    policy: presets.api,
    clock,
  });
  return { tokens, clock, storeDown: (value) => void (down = value) };
}

/**
 * Register the bearer scenarios; `start` serves `GET /api/me` behind the adapter's guard.
 *
 * @example
 * runBearerScenarios('hono', (f) => listenNode(createAdaptorServer({ fetch: honoApp(f.tokens).fetch })));
 */
export function runBearerScenarios(
  name: string,
  start: (fixture: BearerFixture) => Promise<RunningApp>,
): void {
  describe(`bearer: ${name}`, () => {
    const fixture = createBearerFixture();
    let app: RunningApp | undefined;
    const me = (authorization?: string) =>
      fetch(`${app!.baseUrl}/api/me`, {
        headers: authorization === undefined ? {} : { authorization },
      });
    const signIn = async () => (await fixture.tokens.issue('ada', { role: 'editor' })).accessToken;
    /** The 401 a client can act on: typed body, and the challenge RFC 6750 §3 asks for. */
    const expectRefused = async (response: Response, reason: string) => {
      expect(response.status).toBe(401);
      const challenge = response.headers.get('www-authenticate')!;
      if (reason === 'missing') expect(challenge).toBe('Bearer realm="api"');
      else expect(challenge).toMatch(/^Bearer realm="api", error="invalid_token"/);
      expect(await response.json()).toEqual({ error: 'invalid_token', reason });
    };

    beforeAll(async () => {
      app = await start(fixture);
    });
    afterAll(async () => {
      await app?.stop();
    });

    it('a valid token reaches the handler with its typed claims', async () => {
      const response = await me(`Bearer ${await signIn()}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ user: 'ada', role: 'editor' });
    });

    it('the scheme is case-insensitive (RFC 6750 §2.1 via RFC 9110 §11.1)', async () => {
      expect((await me(`bearer ${await signIn()}`)).status).toBe(200);
    });

    it('an expired token is refused as expired, so the client knows to refresh', async () => {
      const token = await signIn();
      fixture.clock.advance('6m'); // presets.api: access tokens live 5 minutes
      await expectRefused(await me(`Bearer ${token}`), 'expired');
    });

    it('a revoked token is refused, though its signature and times are fine', async () => {
      const token = await signIn();
      expect((await me(`Bearer ${token}`)).status).toBe(200);
      await fixture.tokens.revokeAccessToken(token);
      await expectRefused(await me(`Bearer ${token}`), 'revoked');
    });

    it('a malformed or tampered token is invalid', async () => {
      await expectRefused(await me('Bearer not-a-jwt'), 'invalid');
      await expectRefused(await me('Bearer two tokens'), 'invalid');
      const token = await signIn();
      await expectRefused(await me(`Bearer ${token.slice(0, -2)}xx`), 'invalid');
    });

    it('no token at all: a challenge without an error code (RFC 6750 §3.1)', async () => {
      await expectRefused(await me(), 'missing');
      await expectRefused(await me('Basic YWRhOnB3'), 'missing');
    });

    it('a store that is down answers 503, not 401: the user is not signed out', async () => {
      const token = await signIn();
      fixture.storeDown(true);
      try {
        const response = await me(`Bearer ${token}`);
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(await response.json()).toEqual({ error: 'session_store_unavailable' });
      } finally {
        fixture.storeDown(false);
      }
      expect((await me(`Bearer ${token}`)).status).toBe(200);
    });
  });
}
