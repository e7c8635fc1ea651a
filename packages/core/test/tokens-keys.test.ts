/**
 * The signing key set: construction checks, JWKS export, rotation, and the
 * attacks RFC 8725 lists (alg none, algorithm confusion, keys chosen by the
 * token), all against the injected clock.
 */
import { base64url, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { createKeySet, type KeySet } from '../src/tokens/keys.js';

const NOW = Date.UTC(2026, 0, 1);
const SECRET = 'k'.repeat(32);
const expect_ = (over: Partial<Parameters<KeySet['verify']>[1]> = {}) => ({
  typ: 'at+jwt',
  now: NOW,
  maxAgeSeconds: 300,
  ...over,
});
const claims = (over: Record<string, unknown> = {}) => ({
  sub: 'ada',
  jti: 'j1',
  iat: NOW / 1000,
  exp: NOW / 1000 + 300,
  ...over,
});

describe('createKeySet: construction', () => {
  it('refuses an empty key list', () => {
    expect(() => createKeySet([])).toThrow(ConfigError);
    expect(() => createKeySet([])).toThrow(/key list is empty/);
  });

  it('refuses an HMAC secret under 32 bytes, naming the field and the limit', () => {
    expect(() =>
      createKeySet([
        { kid: 'a', alg: 'HS256', secret: SECRET },
        { kid: 'b', alg: 'HS256', secret: 'x'.repeat(31) },
      ]),
    ).toThrow(/keys\[1\]\.secret is 31 bytes; HS256 needs at least 32 bytes/);
    expect(() => createKeySet([{ kid: 'a', alg: 'HS256', secret: new Uint8Array(16) }])).toThrow(
      RangeError,
    );
  });

  it('refuses duplicate kids, unknown algorithms and a first key that cannot sign', async () => {
    expect(() =>
      createKeySet([
        { kid: 'a', alg: 'HS256', secret: SECRET },
        { kid: 'a', alg: 'HS256', secret: SECRET },
      ]),
    ).toThrow(/used twice/);
    expect(() => createKeySet([{ kid: 'a', alg: 'none' as 'HS256', secret: SECRET }])).toThrow(
      /keys\[0\]\.alg/,
    );
    const { publicKey } = await generateKeyPair('EdDSA');
    expect(() => createKeySet([{ kid: 'ed', alg: 'EdDSA', publicKey }])).toThrow(/first key signs/);
  });
});

describe('createKeySet: signing, rotation and JWKS', () => {
  it('the first key signs; after rotation tokens of the old key still verify, tokens of a dropped key do not', async () => {
    const old = createKeySet([{ kid: 'old', alg: 'HS256', secret: SECRET }]);
    const token = await old.sign(claims(), 'at+jwt');
    const rotated = createKeySet([
      { kid: 'new', alg: 'HS256', secret: 'n'.repeat(32) },
      { kid: 'old', alg: 'HS256', secret: SECRET },
    ]);
    expect(await rotated.verify(token, expect_())).toMatchObject({
      ok: true,
      payload: { sub: 'ada' },
    });
    const fresh = await rotated.sign(claims(), 'at+jwt');
    expect(
      JSON.parse(new TextDecoder().decode(base64url.decode(fresh.split('.')[0]!))),
    ).toMatchObject({ kid: 'new', alg: 'HS256', typ: 'at+jwt' });
    const dropped = createKeySet([{ kid: 'new', alg: 'HS256', secret: 'n'.repeat(32) }]);
    expect(await dropped.verify(token, expect_())).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('JWKS lists the public keys only: no HMAC secret, no private members', async () => {
    const ed = await generateKeyPair('EdDSA', { extractable: true });
    const es = await generateKeyPair('ES256', { extractable: true });
    const esPrivateJwk = await exportJWK(es.privateKey);
    const keys = createKeySet([
      { kid: 'ed', alg: 'EdDSA', privateKey: ed.privateKey, publicKey: ed.publicKey },
      { kid: 'es', alg: 'ES256', privateKey: esPrivateJwk },
      { kid: 'hs', alg: 'HS256', secret: SECRET },
    ]);
    const { keys: jwks } = await keys.jwks();
    expect(jwks.map((k) => k.kid)).toEqual(['ed', 'es']);
    for (const jwk of jwks) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        expect(jwk).not.toHaveProperty(member);
      expect(jwk.use).toBe('sig');
    }
    expect(JSON.stringify(jwks)).not.toContain(base64url.encode(SECRET));
    // The JWKS is enough for another service to verify.
    const token = await keys.sign(claims(), 'at+jwt');
    const verifier = createKeySet([
      { kid: 'x', alg: 'HS256', secret: SECRET },
      { kid: 'ed', alg: 'EdDSA', publicKey: jwks[0]! },
    ]);
    expect((await verifier.verify(token, expect_())).ok).toBe(true);
  });

  it('an ES256 key signs and verifies; a private JWK yields its own public key', async () => {
    const es = await generateKeyPair('ES256', { extractable: true });
    const keys = createKeySet([
      { kid: 'es', alg: 'ES256', privateKey: await exportJWK(es.privateKey) },
    ]);
    expect(await keys.verify(await keys.sign(claims(), 'at+jwt'), expect_())).toMatchObject({
      ok: true,
    });
  });
});

describe('createKeySet: verification refuses', () => {
  const keys = createKeySet([{ kid: 'k1', alg: 'HS256', secret: SECRET }]);

  it('alg none, whatever the kid', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', kid: 'k1', typ: 'at+jwt' }));
    const body = base64url.encode(JSON.stringify(claims()));
    expect(await keys.verify(`${header}.${body}.`, expect_())).toMatchObject({ ok: false });
    expect(await keys.verify(`${header}.${body}`, expect_())).toMatchObject({ ok: false });
  });

  it('HS/RS confusion: an HMAC token made with the public key of an asymmetric kid, and RS256 under a configured kid', async () => {
    const ed = await generateKeyPair('EdDSA', { extractable: true });
    const edJwk = await exportJWK(ed.publicKey);
    const mixed = createKeySet([
      { kid: 'ed', alg: 'EdDSA', privateKey: ed.privateKey, publicKey: ed.publicKey },
      { kid: 'k1', alg: 'HS256', secret: SECRET },
    ]);
    // The classic attack: sign HS256 with the public key bytes as the HMAC secret.
    const publicBytes = base64url.decode(edJwk.x!);
    const forged = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: 'ed', typ: 'at+jwt' })
      .sign(publicBytes);
    expect(await mixed.verify(forged, expect_())).toEqual({ ok: false, reason: 'bad-signature' });
    // An HS256 token under the HMAC kid but with alg EdDSA claimed.
    const rsa = await generateKeyPair('RS256');
    const rs = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })
      .sign(rsa.privateKey);
    expect(await mixed.verify(rs, expect_())).toMatchObject({ ok: false });
  });

  it('a token that names its own key (jwk, jku, x5u, x5c header parameters)', async () => {
    for (const extra of [
      { jku: 'https://evil.example/jwks' },
      { x5u: 'https://evil.example/cert' },
      { jwk: { kty: 'oct', k: 'AAAA' } },
      { x5c: ['AAAA'] },
    ]) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'at+jwt', ...extra } as never)
        .sign(new TextEncoder().encode(SECRET));
      expect(await keys.verify(token, expect_())).toMatchObject({ ok: false });
    }
  });

  it('a wrong typ, a missing kid, a wrong issuer or audience', async () => {
    const hmac = new TextEncoder().encode(SECRET);
    const plainJwt = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'JWT' })
      .sign(hmac);
    expect(await keys.verify(plainJwt, expect_())).toEqual({ ok: false, reason: 'wrong-claims' });
    const noKid = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(hmac);
    expect(await keys.verify(noKid, expect_())).toMatchObject({ ok: false });
    const token = await keys.sign(claims({ iss: 'https://a.example', aud: 'api' }), 'at+jwt');
    expect(
      (await keys.verify(token, expect_({ issuer: 'https://a.example', audience: 'api' }))).ok,
    ).toBe(true);
    expect(await keys.verify(token, expect_({ issuer: 'https://b.example' }))).toEqual({
      ok: false,
      reason: 'wrong-claims',
    });
    expect(await keys.verify(token, expect_({ audience: 'other' }))).toEqual({
      ok: false,
      reason: 'wrong-claims',
    });
  });

  it('exp, nbf and iat against the injected clock', async () => {
    const token = await keys.sign(claims(), 'at+jwt');
    expect((await keys.verify(token, expect_({ now: NOW + 299_000 }))).ok).toBe(true);
    expect(await keys.verify(token, expect_({ now: NOW + 300_000 }))).toEqual({
      ok: false,
      reason: 'expired',
    });
    const later = await keys.sign(claims({ nbf: NOW / 1000 + 60 }), 'at+jwt');
    expect(await keys.verify(later, expect_())).toEqual({ ok: false, reason: 'not-yet-valid' });
    const future = await keys.sign(
      claims({ iat: NOW / 1000 + 3600, exp: NOW / 1000 + 3900 }),
      'at+jwt',
    );
    expect(await keys.verify(future, expect_())).toMatchObject({ ok: false });
    const noExp = await keys.sign({ sub: 'ada', iat: NOW / 1000 }, 'at+jwt');
    expect(await keys.verify(noExp, expect_())).toEqual({ ok: false, reason: 'wrong-claims' });
  });

  it('hostile strings resolve to a reason, never throw', async () => {
    for (const junk of [
      '',
      '.',
      '..',
      'a.b.c',
      'x'.repeat(10_000),
      '\u0000.\uD800.\uFFFF',
      '{"alg":"HS256"}',
    ]) {
      await expect(keys.verify(junk, expect_())).resolves.toMatchObject({ ok: false });
    }
  });
});

describe('public entry point', () => {
  it('the /tokens and /sealed entry points export the token, revocation and sealed-session factories', async () => {
    const tokens = await import('../src/tokens/index.js');
    const sealed = await import('../src/sealed/index.js');
    for (const name of [
      'createKeySet',
      'createTokenIssuer',
      'createRevocation',
      'createRefreshCookie',
    ] as const) {
      expect(typeof tokens[name], name).toBe('function');
    }
    expect(typeof sealed.createSealedSessions).toBe('function');
    expect(tokens.ACCESS_TOKEN_TYPE).toBe('at+jwt');
  });
});
