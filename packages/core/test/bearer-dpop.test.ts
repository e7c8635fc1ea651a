// The guard with DPoP (RFC 9449 §7): `Authorization: DPoP` plus a proof, the DPoP challenge and
// its errors, nonces, and a bound token refused when presented as a bearer token.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authenticateBearer } from '../src/bearer.js';
import { ManualClock } from '../src/clock.js';
import { createDpopVerifier, type DpopVerifierOptions } from '../src/dpop/verifier.js';
import { presets } from '../src/presets.js';
import { MemoryStore } from '../src/store/memory.js';
import { createTokenIssuer } from '../src/tokens/issuer.js';
import { dpopKey, type ProofFields } from './dpop-keys.js';

const API = 'https://api.example.com';
const ME = `${API}/api/me`;
const TOKEN_URL = `${API}/auth/token`;

async function setup(dpopOptions: Partial<DpopVerifierOptions> = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock });
  const dpop = createDpopVerifier({
    origin: API,
    store,
    clock,
    algorithms: ['ES256'],
    ...dpopOptions,
  });
  const issuer = createTokenIssuer({
    keys: [{ kid: 'k1', alg: 'HS256', secret: 's'.repeat(32) }],
    store,
    policy: presets.api,
    clock,
    dpop,
  });
  const key = await dpopKey();
  const nonce = dpop.nonce() ?? undefined;
  const signInProof = await key.proof('POST', TOKEN_URL, clock.now(), { nonce });
  const pair = await issuer.issue(
    'ada',
    {},
    {
      dpop: { proof: signInProof, method: 'POST', url: TOKEN_URL },
    },
  );
  /** A GET /api/me with `Authorization: <scheme> <token>` and, unless `proof` is null, a proof by `k`. */
  const call = async (
    scheme: string,
    options: {
      token?: string;
      k?: typeof key;
      fields?: ProofFields;
      proof?: null;
      url?: string;
    } = {},
  ) => {
    const token = options.token ?? pair.accessToken;
    const headers: Record<string, string> = {
      authorization: `${scheme} ${token}`,
      accept: 'application/json',
    };
    if (options.proof !== null)
      headers.dpop = await (options.k ?? key).proof('GET', ME, clock.now(), {
        accessToken: token,
        ...options.fields,
      });
    return authenticateBearer(new Request(options.url ?? ME, { headers }), issuer, {
      realm: 'api',
    });
  };
  return { clock, issuer, dpop, key, pair, call };
}

const challenge = (auth: { valid: boolean; response?: Response }) =>
  auth.valid ? null : auth.response!.headers.get('www-authenticate');

describe('authenticateBearer with DPoP', () => {
  it('accepts Authorization: DPoP with a proof by the bound key, whatever address the request came in on', async () => {
    const { call } = await setup();
    expect(await call('DPoP')).toMatchObject({ valid: true, claims: { sub: 'ada' } });
    expect(await call('DPoP', { url: 'http://127.0.0.1:8787/api/me' })).toMatchObject({
      valid: true,
    });
  });

  it('a bound token presented as Bearer is refused: no downgrade', async () => {
    const { call } = await setup();
    for (const proof of [null, undefined] as const) {
      const auth = await call('Bearer', { proof });
      expect(auth.valid).toBe(false);
      if (auth.valid) continue;
      expect(auth.response.status).toBe(401);
      expect(challenge(auth)).toMatch(/^DPoP realm="api", algs="ES256", error="invalid_token"/);
      expect(await auth.response.json()).toEqual({ error: 'invalid_token', reason: 'invalid' });
    }
  });

  it('a missing, replayed, wrong-method, wrong-URL or other-key proof is invalid_dpop_proof', async () => {
    const { call } = await setup();
    const cases = [
      await call('DPoP', { proof: null }),
      await call('DPoP', { fields: { htm: 'POST' } }),
      await call('DPoP', { fields: { htu: `${API}/api/other` } }),
      await call('DPoP', { k: await dpopKey() }),
      await call('DPoP', { fields: { accessToken: 'not this token' } }),
    ];
    for (const auth of cases) {
      expect(auth.valid).toBe(false);
      if (auth.valid) continue;
      expect(auth.response.status).toBe(401);
      expect(challenge(auth)).toMatch(
        /^DPoP realm="api", algs="ES256", error="invalid_dpop_proof"/,
      );
      expect((await auth.response.json()).error).toBe('invalid_dpop_proof');
    }
  });

  it('the same proof sent twice is refused the second time', async () => {
    const { issuer, clock, key, pair } = await setup();
    const proof = await key.proof('GET', ME, clock.now(), { accessToken: pair.accessToken });
    const request = () =>
      new Request(ME, { headers: { authorization: `DPoP ${pair.accessToken}`, dpop: proof } });
    expect((await authenticateBearer(request(), issuer)).valid).toBe(true);
    const again = await authenticateBearer(request(), issuer);
    expect(again.valid).toBe(false);
    if (!again.valid)
      expect(await again.response.json()).toEqual({
        error: 'invalid_dpop_proof',
        reason: 'replay',
      });
  });

  it('with nonces on: use_dpop_nonce and a DPoP-Nonce header, then the retry with it passes', async () => {
    const { call, dpop } = await setup({ nonce: { secret: 'n'.repeat(32), step: '5m' } });
    const first = await call('DPoP');
    expect(first.valid).toBe(false);
    if (first.valid) return;
    expect(challenge(first)).toMatch(/error="use_dpop_nonce"/);
    const nonce = first.response.headers.get('dpop-nonce');
    expect(nonce).toBe(dpop.nonce());
    const passed = await call('DPoP', { fields: { nonce: nonce! } });
    expect(passed).toMatchObject({ valid: true });
    // Each answer hands out the current nonce, so a client keeps up without a refusal per step.
    expect(passed.valid && passed.headers).toEqual({ 'dpop-nonce': dpop.nonce() });
  });

  it('no credentials: the challenge offers Bearer and DPoP with its algorithms; an unbound token cannot pose as DPoP', async () => {
    const { issuer, call } = await setup();
    const none = await authenticateBearer(new Request(ME), issuer);
    expect(challenge(none)).toBe('Bearer realm="api", DPoP realm="api", algs="ES256"');
    const plain = await issuer.issue('bob');
    expect((await call('Bearer', { token: plain.accessToken, proof: null })).valid).toBe(true);
    const posing = await call('DPoP', { token: plain.accessToken });
    expect(challenge(posing)).toMatch(/error="invalid_token"/);
  });

  it('an expired bound token is invalid_token with reason expired on the DPoP challenge', async () => {
    const { call, clock } = await setup();
    clock.advance('6m');
    const auth = await call('DPoP');
    expect(auth).toMatchObject({ valid: false, reason: 'expired' });
    if (!auth.valid) expect(challenge(auth)).toMatch(/^DPoP .*error="invalid_token"/);
  });

  it('hostile Authorization and DPoP headers never throw and never pass', async () => {
    const { issuer, pair } = await setup();
    const headerSafe = fc.string().map((v) => v.replace(/[^\x20-\x7e]/g, '').trim());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('DPoP', 'Bearer', 'dpop', 'DPoP  '),
        fc.oneof(headerSafe, fc.constant(pair.accessToken)),
        fc.oneof(headerSafe, fc.constant(pair.accessToken)),
        async (scheme, token, proof) => {
          const headers = new Headers({ authorization: `${scheme} ${token}` });
          if (proof) headers.set('dpop', proof);
          const auth = await authenticateBearer(new Request(ME, { headers }), issuer);
          expect(auth.valid).toBe(false);
          if (!auth.valid) expect(auth.response.status).toBe(401);
        },
      ),
      { numRuns: 150 },
    );
  });
});
