// The proof-of-possession check DPoP and DBSC share: real WebCrypto keys, real signatures. Web
// APIs only: the core suite also runs in Deno, Bun and workerd.
import fc from 'fast-check';
import { base64url, CompactSign, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwkThumbprint, verifyProof, type ProofExpectations } from '../src/proof/verify-proof.js';

const text = new TextEncoder();
const dpop: ProofExpectations = { typ: 'dpop+jwt', algorithms: ['ES256', 'RS256'] };

async function keyPair(alg: 'ES256' | 'RS256' | 'ES384' = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

async function sign(
  privateKey: CryptoKey,
  header: Record<string, unknown>,
  payload: unknown = { jti: 'j1', htm: 'POST' },
) {
  return new CompactSign(text.encode(JSON.stringify(payload)))
    .setProtectedHeader(header as { alg: string })
    .sign(privateKey);
}

const unsigned = (header: object, payload: object) =>
  [header, payload].map((p) => base64url.encode(JSON.stringify(p))).join('.') + '.';

describe('verifyProof', () => {
  it('accepts an ES256 proof signed by the key it embeds, and gives that key and its RFC 7638 thumbprint', async () => {
    const { privateKey, jwk } = await keyPair();
    const verdict = await verifyProof(
      await sign(privateKey, { typ: 'dpop+jwt', alg: 'ES256', jwk }),
      dpop,
    );
    expect(verdict).toMatchObject({
      valid: true,
      alg: 'ES256',
      claims: { jti: 'j1', htm: 'POST' },
    });
    if (!verdict.valid) return;
    expect(verdict.jwk).toEqual({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
    expect(verdict.thumbprint).toBe(await jwkThumbprint(jwk));
  });

  it('accepts RS256 with a 2048-bit key, and refuses a 1024-bit one', async () => {
    const strong = await keyPair('RS256');
    expect(
      (
        await verifyProof(
          await sign(strong.privateKey, { typ: 'dpop+jwt', alg: 'RS256', jwk: strong.jwk }),
          dpop,
        )
      ).valid,
    ).toBe(true);
    // jose will not make a key under 2048 bits; WebCrypto itself will.
    const weakPair = (await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const weakJwk = await exportJWK(weakPair.publicKey);
    // …nor sign with one: sign by hand.
    const input = [{ typ: 'dpop+jwt', alg: 'RS256', jwk: weakJwk }, { jti: 'j' }]
      .map((part) => base64url.encode(JSON.stringify(part)))
      .join('.');
    const signature = await crypto.subtle.sign(
      'RSASSA-PKCS1-v1_5',
      weakPair.privateKey,
      text.encode(input),
    );
    expect(
      await verifyProof(`${input}.${base64url.encode(new Uint8Array(signature))}`, dpop),
    ).toMatchObject({ valid: false, reason: 'key' });
  });

  it('computes the thumbprint of RFC 7638 §3.1', async () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(await jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' })).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });

  it('refuses another typ, and a JWT that is not a proof at all', async () => {
    const { privateKey, jwk } = await keyPair();
    for (const typ of ['JWT', 'dbsc+jwt', undefined])
      expect(
        await verifyProof(await sign(privateKey, { typ, alg: 'ES256', jwk }), dpop),
      ).toMatchObject({
        valid: false,
        reason: 'typ',
      });
  });

  it('refuses alg none unless asked for, an HMAC, and an algorithm not on the list', async () => {
    const none = unsigned({ typ: 'dbsc+jwt', alg: 'none' }, { jti: 'c' });
    const dbsc: ProofExpectations = { typ: 'dbsc+jwt', algorithms: ['ES256'] };
    expect(await verifyProof(none, dbsc)).toMatchObject({ valid: false, reason: 'alg' });
    expect(await verifyProof(none, { ...dbsc, allowNone: true })).toMatchObject({
      valid: true,
      alg: 'none',
      jwk: null,
      claims: { jti: 'c' },
    });
    const hmac = unsigned(
      { typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: 'c2VjcmV0' } },
      {},
    );
    expect(await verifyProof(hmac + 'c2ln', dpop)).toMatchObject({ valid: false, reason: 'alg' });
    const p384 = await keyPair('ES384');
    expect(
      await verifyProof(
        await sign(p384.privateKey, { typ: 'dpop+jwt', alg: 'ES384', jwk: p384.jwk }),
        dpop,
      ),
    ).toMatchObject({ valid: false, reason: 'alg' });
  });

  it('refuses a jwk with private members, a key of the wrong type, and a missing jwk', async () => {
    const { privateKey, jwk, privateJwk } = await keyPair();
    const expectKey = async (header: Record<string, unknown>) =>
      expect(await verifyProof(await sign(privateKey, header), dpop)).toMatchObject({
        valid: false,
        reason: 'key',
      });
    await expectKey({ typ: 'dpop+jwt', alg: 'ES256', jwk: privateJwk });
    await expectKey({ typ: 'dpop+jwt', alg: 'ES256', jwk: { ...jwk, crv: 'P-384' } });
    await expectKey({ typ: 'dpop+jwt', alg: 'ES256' });
    await expectKey({ typ: 'dpop+jwt', alg: 'ES256', jwk: 'not an object' });
  });

  it('refuses a proof signed by one key that embeds another', async () => {
    const signer = await keyPair();
    const named = await keyPair();
    expect(
      await verifyProof(
        await sign(signer.privateKey, { typ: 'dpop+jwt', alg: 'ES256', jwk: named.jwk }),
        dpop,
      ),
    ).toMatchObject({ valid: false, reason: 'signature' });
  });

  it('with a registered key: verifies a proof without jwk against it, and refuses another signer or another named key', async () => {
    const registered = await keyPair();
    const other = await keyPair();
    const dbsc: ProofExpectations = { typ: 'dbsc+jwt', algorithms: ['ES256'], key: registered.jwk };
    const header = { typ: 'dbsc+jwt', alg: 'ES256' };
    expect((await verifyProof(await sign(registered.privateKey, header), dbsc)).valid).toBe(true);
    expect(await verifyProof(await sign(other.privateKey, header), dbsc)).toMatchObject({
      valid: false,
      reason: 'signature',
    });
    expect(
      await verifyProof(await sign(other.privateKey, { ...header, jwk: other.jwk }), dbsc),
    ).toMatchObject({ valid: false, reason: 'key' });
  });

  it('refuses a payload that is not a JSON object', async () => {
    const { privateKey, jwk } = await keyPair();
    for (const payload of [[1, 2], 'text', null])
      expect(
        await verifyProof(
          await sign(privateKey, { typ: 'dpop+jwt', alg: 'ES256', jwk }, payload),
          dpop,
        ),
      ).toMatchObject({ valid: false, reason: 'malformed' });
  });

  it('never throws on hostile input: every string gets a verdict', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: fc.constantFrom(...'ab.-_=+/'.split('')) }),
          fc
            .tuple(fc.json(), fc.json())
            .map(([h, p]) => unsigned(JSON.parse(h) ?? {}, JSON.parse(p) ?? {})),
          fc.constant('a'.repeat(9000)),
        ),
        async (input) => {
          const verdict = await verifyProof(input, { ...dpop, allowNone: true });
          expect(typeof verdict.valid).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });
});
