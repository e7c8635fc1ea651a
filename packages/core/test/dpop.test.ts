// DPoP proofs (RFC 9449 §4.3): RFC examples, real ES256 keys, a MemoryStore replay cache, ManualClock.
import fc from 'fast-check';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { StoreCapabilityError } from '../src/errors.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SessionStore } from '../src/store/types.js';
import {
  accessTokenHash,
  createDpopNonces,
  createDpopVerifier,
  dpopChallenge,
  dpopErrorResponse,
  jwkThumbprint,
  verifyDpopProof,
  type DpopVerifierOptions,
} from '../src/dpop/index.js';
import { dpopKey } from './dpop-keys.js';

// RFC 9449 §4.1 Figure 2 (token request) and §7.1 Figure 13 (resource request), line folding undone.
const RFC_TOKEN_PROOF =
  'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg';
const RFC_RESOURCE_PROOF =
  'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA';
// §4.1 Figure 4's public key; §6.1's cnf.jkt; §7.1's access token and its ath.
const RFC_JWK = {
  kty: 'EC',
  x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs',
  y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA',
  crv: 'P-256',
};
const RFC_JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
const RFC_ACCESS_TOKEN = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';
const RFC_ATH = 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo';

const API = 'https://api.example.com';
const SECRET = 'a nonce secret of thirty-two bytes or more!';

function setup(extra: Partial<DpopVerifierOptions> = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock });
  const verifier = createDpopVerifier({ origin: API, store, clock, ...extra });
  return { clock, store, verifier };
}

describe('RFC 9449 examples', () => {
  it('§6.1: the thumbprint of the §4.1 key is the example cnf.jkt; §7.1: the example ath', async () => {
    expect(await jwkThumbprint(RFC_JWK)).toBe(RFC_JKT);
    expect(accessTokenHash(RFC_ACCESS_TOKEN)).toBe(RFC_ATH);
  });

  it('§4.1: the token request proof verifies at its iat, for POST https://server.example.com/token', async () => {
    const clock = new ManualClock(1562262616_000);
    const options = {
      origin: 'https://server.example.com',
      store: new MemoryStore({ clock }),
      clock,
    };
    const verdict = await verifyDpopProof(
      { proof: RFC_TOKEN_PROOF, method: 'POST', url: 'https://server.example.com/token' },
      options,
    );
    expect(verdict).toMatchObject({ valid: true, jkt: RFC_JKT, alg: 'ES256', jwk: RFC_JWK });
    expect(verdict.valid && verdict.claims.jti).toBe('-BwC3ESc6acc2lTc');
    // The same proof for another method, URL, or an hour later is refused.
    const other = (proof: string, method: string, url: string) =>
      verifyDpopProof({ proof, method, url }, options);
    expect(await other(RFC_TOKEN_PROOF, 'GET', 'https://server.example.com/token')).toMatchObject({
      reason: 'htm',
    });
    expect(await other(RFC_TOKEN_PROOF, 'POST', 'https://server.example.com/other')).toMatchObject({
      reason: 'htu',
    });
    clock.advance('1h');
    expect(await other(RFC_TOKEN_PROOF, 'POST', 'https://server.example.com/token')).toMatchObject({
      reason: 'iat',
    });
  });

  it('§7.1: the resource request proof verifies with its access token (ath) and bound key (jkt)', async () => {
    const clock = new ManualClock(1562262618_000);
    const verifier = createDpopVerifier({
      origin: 'https://resource.example.org',
      store: new MemoryStore({ clock }),
      clock,
    });
    const request = {
      proof: RFC_RESOURCE_PROOF,
      method: 'GET',
      url: 'https://resource.example.org/protectedresource',
    };
    expect(
      await verifier.verify(request, { accessToken: 'another token', jkt: RFC_JKT }),
    ).toMatchObject({ valid: false, error: 'invalid_dpop_proof', reason: 'ath' });
    expect(
      await verifier.verify(request, { accessToken: RFC_ACCESS_TOKEN, jkt: 'x'.repeat(43) }),
    ).toMatchObject({ valid: false, reason: 'jkt' });
    expect(
      await verifier.verify(request, { accessToken: RFC_ACCESS_TOKEN, jkt: RFC_JKT }),
    ).toMatchObject({ valid: true, jkt: RFC_JKT });
    // Once accepted, the same proof is a replay.
    expect(
      await verifier.verify(request, { accessToken: RFC_ACCESS_TOKEN, jkt: RFC_JKT }),
    ).toMatchObject({ valid: false, reason: 'replay' });
  });
});

describe('createDpopVerifier', () => {
  it('accepts a fresh proof once: a replay of the same proof is refused', async () => {
    const { clock, verifier } = setup();
    const key = await dpopKey();
    const proof = await key.proof('POST', `${API}/auth/token`, clock.now());
    const request = new Request(`${API}/auth/token`, { method: 'POST', headers: { dpop: proof } });
    expect(await verifier.verify(request)).toMatchObject({ valid: true, jkt: key.jkt });
    expect(await verifier.verify(request.clone())).toMatchObject({
      valid: false,
      error: 'invalid_dpop_proof',
      reason: 'replay',
    });
  });

  it('a refused proof does not spend its jti', async () => {
    const { clock, verifier } = setup();
    const key = await dpopKey();
    const proof = await key.proof('POST', `${API}/x`, clock.now());
    expect(await verifier.verify({ proof, method: 'PUT', url: `${API}/x` })).toMatchObject({
      reason: 'htm',
    });
    expect(await verifier.verify({ proof, method: 'POST', url: `${API}/x` })).toMatchObject({
      valid: true,
    });
  });

  it('the same jti from two keys is two proofs', async () => {
    const { clock, verifier } = setup();
    for (const key of [await dpopKey(), await dpopKey()]) {
      const proof = await key.proof('GET', `${API}/x`, clock.now(), { jti: 'same' });
      expect((await verifier.verify({ proof, method: 'GET', url: `${API}/x` })).valid).toBe(true);
    }
  });

  it('htu: checked on the trusted origin and the path, query and fragment stripped; never the Host the request came in on', async () => {
    const { clock, verifier } = setup();
    const key = await dpopKey();
    const at = clock.now();
    // The proof names the public URL (with a query and fragment); the request reached the app on an internal address.
    const withQuery = await key.proof('GET', `${API}/items`, at, {
      htu: `${API}/items?page=2#top`,
    });
    expect(
      await verifier.verify({
        proof: withQuery,
        method: 'GET',
        url: 'http://10.0.0.5:8080/items?page=2',
      }),
    ).toMatchObject({ valid: true });
    // A proof made for the internal origin (what a Host header would say) is not for this API.
    const internal = await key.proof('GET', 'http://10.0.0.5:8080/items', at);
    expect(
      await verifier.verify({ proof: internal, method: 'GET', url: 'http://10.0.0.5:8080/items' }),
    ).toMatchObject({ reason: 'htu' });
    const otherPath = await key.proof('GET', `${API}/other`, at);
    expect(
      await verifier.verify({ proof: otherPath, method: 'GET', url: `${API}/items` }),
    ).toMatchObject({
      reason: 'htu',
    });
    const http = await key.proof('GET', 'http://api.example.com/items', at);
    expect(
      await verifier.verify({ proof: http, method: 'GET', url: `${API}/items` }),
    ).toMatchObject({
      reason: 'htu',
    });
    // A path that looks like another host (`//other.example/...`) is still a path on the API.
    const elsewhere = await key.proof('GET', 'https://other.example/items', at);
    expect(
      await verifier.verify({
        proof: elsewhere,
        method: 'GET',
        url: `${API}//other.example/items`,
      }),
    ).toMatchObject({ reason: 'htu' });
    const doubled = await key.proof('GET', `${API}//other.example/items`, at);
    expect(
      await verifier.verify({ proof: doubled, method: 'GET', url: `${API}//other.example/items` }),
    ).toMatchObject({ valid: true });
    // RFC 3986 normalization: scheme and host case, default port.
    const spelled = await key.proof('GET', `${API}/items`, at, {
      htu: 'HTTPS://API.Example.com:443/items',
    });
    expect(
      await verifier.verify({ proof: spelled, method: 'GET', url: `${API}/items` }),
    ).toMatchObject({
      valid: true,
    });
  });

  it('an API under several origins accepts a proof for any of them, and still none for an origin it was not given', async () => {
    const EU = 'https://api.example.eu';
    const { clock, verifier } = setup({ origin: [API, EU] });
    expect([verifier.origin, verifier.origins]).toEqual([API, [API, EU]]);
    const key = await dpopKey();
    const at = clock.now();
    for (const origin of [API, EU])
      expect(
        await verifier.verify({
          proof: await key.proof('GET', `${origin}/items`, at),
          method: 'GET',
          url: 'http://10.0.0.5:8080/items',
        }),
      ).toMatchObject({ valid: true });
    const other = await verifier.verify({
      proof: await key.proof('GET', 'https://evil.example/items', at),
      method: 'GET',
      url: `${EU}/items`,
    });
    expect(other).toMatchObject({ reason: 'htu' });
    expect((other as { detail: string }).detail).toContain(`${API}/items or ${EU}/items`);
    expect(() => setup({ origin: [] })).toThrow(/at least one origin/);
    expect(() => setup({ origin: [API, 'https://api.example.eu/v1'] })).toThrow(
      /bare http\(s\) origin/,
    );
  });

  it('iat: refused once older than the window or further ahead than the skew allowance', async () => {
    const { clock, verifier } = setup({ iatWindow: '60s', clockSkew: '5s' });
    const key = await dpopKey();
    const made = clock.now();
    const old = await key.proof('GET', `${API}/x`, made);
    const ahead = await key.proof('GET', `${API}/x`, made + 4_000);
    const farAhead = await key.proof('GET', `${API}/x`, made + 10_000);
    const req = (proof: string) => ({ proof, method: 'GET', url: `${API}/x` });
    expect(await verifier.verify(req(ahead))).toMatchObject({ valid: true });
    expect(await verifier.verify(req(farAhead))).toMatchObject({ reason: 'iat' });
    clock.advance('61s');
    expect(await verifier.verify(req(old))).toMatchObject({ reason: 'iat' });
  });

  it('a proof for another key than the bound one, or without ath for the token, is refused', async () => {
    const { clock, verifier } = setup();
    const mine = await dpopKey();
    const thief = await dpopKey();
    const url = `${API}/api/me`;
    const proof = await thief.proof('GET', url, clock.now(), { accessToken: 'tok' });
    expect(
      await verifier.verify({ proof, method: 'GET', url }, { accessToken: 'tok', jkt: mine.jkt }),
    ).toMatchObject({ reason: 'jkt' });
    const noAth = await mine.proof('GET', url, clock.now());
    expect(
      await verifier.verify(
        { proof: noAth, method: 'GET', url },
        { accessToken: 'tok', jkt: mine.jkt },
      ),
    ).toMatchObject({ reason: 'ath' });
  });

  it('missing and duplicated DPoP headers are refused', async () => {
    const { clock, verifier } = setup();
    const key = await dpopKey();
    expect(await verifier.verify(new Request(`${API}/x`))).toMatchObject({ reason: 'missing' });
    const headers = new Headers();
    headers.append('dpop', await key.proof('GET', `${API}/x`, clock.now()));
    headers.append('dpop', await key.proof('GET', `${API}/x`, clock.now()));
    expect(await verifier.verify(new Request(`${API}/x`, { headers }))).toMatchObject({
      reason: 'multiple',
    });
  });

  it('a store without compareAndSet is refused at construction', () => {
    const clock = new ManualClock();
    const memory = new MemoryStore({ clock });
    const plain: SessionStore = {
      name: 'plain',
      get: (k) => memory.get(k),
      set: (k, v, t) => memory.set(k, v, t),
      delete: (k) => memory.delete(k),
    };
    expect(() => createDpopVerifier({ origin: API, store: plain, clock })).toThrow(
      StoreCapabilityError,
    );
    expect(() => createDpopVerifier({ origin: `${API}/path`, store: memory, clock })).toThrow(
      /bare http\(s\) origin/,
    );
  });

  it('hostile DPoP headers never throw and are always refused', async () => {
    const { verifier } = setup();
    const b64 = (v: unknown) => base64url.encode(JSON.stringify(v) ?? 'null');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc
            .tuple(fc.jsonValue(), fc.jsonValue(), fc.string())
            .map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`),
          fc
            .record({
              typ: fc.constant('dpop+jwt'),
              alg: fc.constantFrom('ES256', 'none', 'HS256'),
              jwk: fc.jsonValue(),
            })
            .map((h) => `${b64(h)}.${b64({ htm: 'GET', htu: `${API}/x`, iat: 1, jti: 'j' })}.AAAA`),
        ),
        fc.string(),
        async (proof, method) => {
          const verdict = await verifier.verify({ proof, method, url: `${API}/x` });
          expect(verdict.valid).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('server nonces', () => {
  it('a proof without the nonce gets use_dpop_nonce and the DPoP-Nonce to retry with', async () => {
    const { clock, verifier } = setup({ nonce: { secret: SECRET, step: '5m' } });
    const key = await dpopKey();
    const url = `${API}/auth/token`;
    const request = new Request(url, {
      method: 'POST',
      headers: { dpop: await key.proof('POST', url, clock.now()), accept: 'application/json' },
    });
    const verdict = await verifier.verify(request);
    expect(verdict).toMatchObject({ valid: false, error: 'use_dpop_nonce', reason: 'nonce' });
    if (verdict.valid) return;
    const response = dpopErrorResponse(request, verdict, verifier);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'use_dpop_nonce', reason: 'nonce' });
    const nonce = response.headers.get('dpop-nonce')!;
    expect(nonce).toBe(verifier.nonce());
    const retry = await key.proof('POST', url, clock.now(), { nonce });
    expect(await verifier.verify({ proof: retry, method: 'POST', url })).toMatchObject({
      valid: true,
    });
  });

  it('accepts the current and the previous step, not older, and not another secret', async () => {
    const clock = new ManualClock();
    const nonces = createDpopNonces({ secret: SECRET, step: '5m' }, clock);
    const stranger = createDpopNonces({ secret: `${SECRET}, but another`, step: '5m' }, clock);
    const first = nonces.current();
    expect(nonces.check(first)).toBe(true);
    expect(stranger.check(first)).toBe(false);
    clock.advance('5m');
    expect(nonces.current()).not.toBe(first);
    expect(nonces.check(first)).toBe(true);
    clock.advance('5m');
    expect(nonces.check(first)).toBe(false);
    expect(nonces.check('garbage')).toBe(false);
    expect(() => createDpopNonces({ secret: 'short' }, clock)).toThrow(RangeError);
  });

  it('a stale nonce is answered use_dpop_nonce too', async () => {
    const { clock, verifier } = setup({ nonce: { secret: SECRET, step: '1m' } });
    const key = await dpopKey();
    const stale = verifier.nonce()!;
    clock.advance('2m');
    const proof = await key.proof('GET', `${API}/x`, clock.now(), { nonce: stale });
    expect(await verifier.verify({ proof, method: 'GET', url: `${API}/x` })).toMatchObject({
      error: 'use_dpop_nonce',
      detail: 'the nonce is stale',
    });
  });

  it('the challenge names the algorithms, and the error when there is one', () => {
    const { verifier } = setup({ algorithms: ['ES256', 'PS256'] });
    expect(dpopChallenge(verifier)).toBe('DPoP realm="api", algs="ES256 PS256"');
    expect(dpopChallenge(verifier, { error: 'invalid_dpop_proof', description: 'bad "x"' })).toBe(
      'DPoP realm="api", algs="ES256 PS256", error="invalid_dpop_proof", error_description="bad x"',
    );
  });
});
