// DPoP-bound tokens (RFC 9449 §5, §6.1): a family and its access tokens bound to the key that
// signed in; a stolen refresh token without the key is refused and revokes nothing.
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { createDpopVerifier, type DpopVerifierOptions } from '../src/dpop/verifier.js';
import { createMonitor } from '../src/monitor/monitor.js';
import { DpopProofError } from '../src/errors.js';
import type { SessionEvent } from '../src/events.js';
import { presets } from '../src/presets.js';
import { MemoryStore } from '../src/store/memory.js';
import { createTokenIssuer } from '../src/tokens/issuer.js';
import { dpopKey } from './dpop-keys.js';

const API = 'https://api.example.com';
const TOKEN_URL = `${API}/auth/token`;
const ME = `${API}/api/me`;

async function setup(verifier: Pick<DpopVerifierOptions, 'nonce'> = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock });
  const events: SessionEvent[] = [];
  const dpop = createDpopVerifier({ origin: API, store, clock, ...verifier });
  const issuer = createTokenIssuer({
    keys: [{ kid: 'k1', alg: 'HS256', secret: 's'.repeat(32) }],
    store,
    policy: presets.api,
    clock,
    dpop,
    onEvent: (e) => void events.push(e),
  });
  const key = await dpopKey();
  /** A token-endpoint request signed by `k` (default: the user's key). */
  const tokenRequest = async (k = key) =>
    new Request(TOKEN_URL, {
      method: 'POST',
      headers: { dpop: await k.proof('POST', TOKEN_URL, clock.now()) },
    });
  const apiRequest = async (token: string, k = key) =>
    new Request(ME, {
      headers: { dpop: await k.proof('GET', ME, clock.now(), { accessToken: token }) },
    });
  const signIn = async () => issuer.issue('ada', { role: 'admin' }, { dpop: await tokenRequest() });
  return { clock, issuer, dpop, key, events, tokenRequest, apiRequest, signIn };
}

describe('DPoP-bound tokens', () => {
  it('issue binds the access token (cnf.jkt) to the proof key; a verdict the app already has works too', async () => {
    const { issuer, dpop, key, tokenRequest } = await setup();
    const pair = await issuer.issue('ada', {}, { dpop: await tokenRequest() });
    expect(decodeJwt(pair.accessToken).cnf).toEqual({ jkt: key.jkt });
    const verdict = await dpop.verify(await tokenRequest());
    const again = await issuer.issue('ada', {}, { dpop: verdict });
    expect(decodeJwt(again.accessToken).cnf).toEqual({ jkt: key.jkt });
    // A proof that fails is an error at sign-in, with the reason to answer with.
    const replayed = await tokenRequest();
    await issuer.issue('ada', {}, { dpop: replayed.clone() });
    await expect(issuer.issue('ada', {}, { dpop: replayed })).rejects.toMatchObject({
      constructor: DpopProofError,
      code: 'ERR_DPOP_PROOF',
      refusal: { error: 'invalid_dpop_proof', reason: 'replay' },
    });
    await expect(issuer.issue('ada', { cnf: { jkt: 'mine' } })).rejects.toThrow(/registered claim/);
  });

  it('a bound access token needs a proof by its key with ath; presented without one it is refused', async () => {
    const { issuer, apiRequest, signIn } = await setup();
    const { accessToken } = await signIn();
    const ok = await issuer.verifyAccess(accessToken, { dpop: await apiRequest(accessToken) });
    expect(ok).toMatchObject({ valid: true, claims: { sub: 'ada', role: 'admin' } });
    // As a plain bearer token (copied out of the page): refused.
    expect(await issuer.verifyAccess(accessToken)).toMatchObject({
      valid: false,
      reason: 'dpop-proof',
      dpop: { reason: 'missing' },
    });
    // With a proof made by another key (the thief's own), or for another token: refused.
    const thief = await dpopKey();
    expect(
      await issuer.verifyAccess(accessToken, { dpop: await apiRequest(accessToken, thief) }),
    ).toMatchObject({ valid: false, dpop: { reason: 'jkt' } });
    expect(
      await issuer.verifyAccess(accessToken, { dpop: await apiRequest('another token') }),
    ).toMatchObject({ valid: false, dpop: { reason: 'ath' } });
  });

  it('unbound tokens stay plain bearer tokens', async () => {
    const { issuer } = await setup();
    const pair = await issuer.issue('ada');
    expect(decodeJwt(pair.accessToken).cnf).toBeUndefined();
    expect(await issuer.verifyAccess(pair.accessToken)).toMatchObject({ valid: true });
    const next = await issuer.refresh(pair.refreshToken);
    expect(next.valid).toBe(true);
  });

  it('a stolen current refresh token without the key is refused, and the holder still refreshes afterwards', async () => {
    const { issuer, tokenRequest, signIn, events } = await setup();
    const pair = await signIn();
    expect(await issuer.refresh(pair.refreshToken)).toMatchObject({
      valid: false,
      reason: 'dpop-proof',
      dpop: { error: 'invalid_dpop_proof', reason: 'missing' },
    });
    const thief = await dpopKey();
    expect(
      await issuer.refresh(pair.refreshToken, { dpop: await tokenRequest(thief) }),
    ).toMatchObject({
      valid: false,
      reason: 'dpop-proof',
      dpop: { reason: 'jkt' },
    });
    const mine = await issuer.refresh(pair.refreshToken, { dpop: await tokenRequest() });
    expect(mine.valid).toBe(true);
    if (!mine.valid) return;
    expect(decodeJwt(mine.tokens.accessToken).cnf).toEqual(decodeJwt(pair.accessToken).cnf);
    expect(events.map((e) => e.type)).not.toContain('family-revoked');
  });

  it('a bound refresh token without its key is an event and a token-binding-theft anomaly; the nonce handshake is neither', async () => {
    const { clock, issuer, tokenRequest, signIn, events } = await setup();
    const pair = await signIn();
    const thief = await dpopKey();
    await issuer.refresh(pair.refreshToken);
    await issuer.refresh(pair.refreshToken, { dpop: await tokenRequest(thief) });
    const refused = events.filter((e) => e.type === 'token-proof-refused');
    expect(refused).toEqual([
      expect.objectContaining({ userId: 'ada', reason: 'missing', family: expect.any(String) }),
      expect.objectContaining({ userId: 'ada', reason: 'jkt' }),
    ]);
    // Nothing in an event says which refresh token it was, or anything else secret.
    expect(JSON.stringify(refused)).not.toContain(pair.refreshToken);
    const monitor = createMonitor({ clock });
    for (const e of events) monitor.observe(e);
    // One family, one episode.
    expect(monitor.anomalies()).toEqual([
      expect.objectContaining({
        kind: 'token-binding-theft',
        userId: 'ada',
        subject: refused[0]!.family,
      }),
    ]);

    // An issuer whose verifier wants nonces: a proof without one is the handshake, not theft.
    const strict = await setup({ nonce: { secret: 'n'.repeat(32) } });
    const nonce = strict.dpop.nonce()!;
    const sign = async () =>
      new Request(TOKEN_URL, {
        method: 'POST',
        headers: { dpop: await strict.key.proof('POST', TOKEN_URL, strict.clock.now(), { nonce }) },
      });
    const bound = await strict.issuer.issue('ada', {}, { dpop: await sign() });
    expect(
      await strict.issuer.refresh(bound.refreshToken, { dpop: await strict.tokenRequest() }),
    ).toMatchObject({ valid: false, dpop: { error: 'use_dpop_nonce' } });
    expect(strict.events.map((e) => e.type)).not.toContain('token-proof-refused');
    expect((await strict.issuer.refresh(bound.refreshToken, { dpop: await sign() })).valid).toBe(
      true,
    );
  });

  it('a rotated-out refresh token without the key is refused and does NOT revoke the family', async () => {
    const { clock, issuer, tokenRequest, signIn, events } = await setup();
    const first = await signIn();
    const second = await issuer.refresh(first.refreshToken, { dpop: await tokenRequest() });
    expect(second.valid).toBe(true);
    if (!second.valid) return;
    clock.advance('1m'); // past the reuse grace window
    const thief = await dpopKey();
    for (const dpop of [undefined, await tokenRequest(thief)])
      expect(await issuer.refresh(first.refreshToken, { dpop })).toMatchObject({
        valid: false,
        reason: 'dpop-proof',
      });
    expect(events.map((e) => e.type)).not.toContain('refresh-reuse');
    const third = await issuer.refresh(second.tokens.refreshToken, { dpop: await tokenRequest() });
    expect(third.valid).toBe(true);
  });

  it('the real holder replaying a rotated-out token (with the key) is reuse detection, as without DPoP', async () => {
    const { clock, issuer, tokenRequest, signIn, events } = await setup();
    const first = await signIn();
    const second = await issuer.refresh(first.refreshToken, { dpop: await tokenRequest() });
    if (!second.valid) throw new Error('refresh failed');
    clock.advance('1m');
    expect(await issuer.refresh(first.refreshToken, { dpop: await tokenRequest() })).toMatchObject({
      valid: false,
      reason: 'reuse-detected',
    });
    expect(events.map((e) => e.type)).toContain('family-revoked');
    expect(
      await issuer.refresh(second.tokens.refreshToken, { dpop: await tokenRequest() }),
    ).toMatchObject({ valid: false, reason: 'revoked' });
  });

  it('a replayed refresh request (same proof twice) is refused the second time', async () => {
    const { issuer, tokenRequest, signIn } = await setup();
    const pair = await signIn();
    const request = await tokenRequest();
    const next = await issuer.refresh(pair.refreshToken, { dpop: request.clone() });
    if (!next.valid) throw new Error('refresh failed');
    expect(await issuer.refresh(next.tokens.refreshToken, { dpop: request })).toMatchObject({
      valid: false,
      dpop: { reason: 'replay' },
    });
  });

  it('an issuer without a verifier refuses bound tokens rather than accepting them as bearer', async () => {
    const { issuer, signIn, clock } = await setup();
    const { accessToken } = await signIn();
    const plain = createTokenIssuer({
      keys: issuer.keys,
      store: new MemoryStore({ clock }),
      policy: presets.api,
      clock,
    });
    const key = await dpopKey();
    const dpop = { proof: await key.proof('GET', ME, clock.now()), method: 'GET', url: ME };
    expect(await plain.verifyAccess(accessToken, { dpop })).toMatchObject({
      valid: false,
      reason: 'dpop-proof',
    });
  });

  it('logout of a bound family needs its key too: a thief with the refresh token cannot log the user out', async () => {
    const { issuer, tokenRequest, signIn } = await setup();
    const pair = await signIn();
    const thief = await dpopKey();
    expect(await issuer.revokeRefreshToken(pair.refreshToken)).toBe(false);
    await issuer.logout({ refreshToken: pair.refreshToken, dpop: await tokenRequest(thief) });
    const still = await issuer.refresh(pair.refreshToken, { dpop: await tokenRequest() });
    expect(still.valid).toBe(true);
    if (!still.valid) return;
    await issuer.logout({ refreshToken: still.tokens.refreshToken, dpop: await tokenRequest() });
    expect(
      await issuer.refresh(still.tokens.refreshToken, { dpop: await tokenRequest() }),
    ).toMatchObject({ valid: false, reason: 'revoked' });
  });
});
