/**
 * Stateless credentials on the request path: validating a sealed cookie
 * session and verifying an access token, each with the verified-token cache
 * on (the default) and off, beside the floor of one raw jose operation with
 * a key imported once (a JWE decrypt, a JWT verify). The cached rows show what
 * the cache saves; expiry and revocation are still checked on every request.
 */

import { compactDecrypt, CompactEncrypt, jwtVerify, SignJWT } from 'jose';
import { MemoryStore, presets } from '../packages/core/src/index.js';
import { createSealedSessions } from '../packages/core/src/sealed/index.js';
import { ManualClock } from '../packages/core/src/testing/index.js';
import { createTokenIssuer } from '../packages/core/src/tokens/index.js';
import { sink, type Case } from './case.js';

export const JWE_FLOOR = 'jose JWE decrypt (dir, A256GCM)';
export const AES_FLOOR = 'WebCrypto AES-GCM decrypt of 64 bytes';
export const DIGEST_FLOOR = 'WebCrypto SHA-256 digest of 32 bytes';
export const JWT_FLOOR = 'jose JWT verify (HS256)';

const secret = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const URL_ = 'https://app.example/inbox';

async function sealedCookie(cache: boolean) {
  const clock = new ManualClock();
  const sessions = createSealedSessions({
    policy: presets.productivity,
    secrets: [secret],
    clock,
    ...(cache ? {} : { cache: false }),
  });
  const rs = sessions.forRequest(new Request(URL_));
  await rs.login('alice', { data: { theme: 'dark' } });
  const { setCookie } = await rs.flush();
  return {
    sessions,
    request: new Request(URL_, { headers: { cookie: setCookie[0]!.split(';')[0]! } }),
  };
}

async function accessToken(cache: boolean) {
  const clock = new ManualClock();
  const issuer = createTokenIssuer({
    keys: [{ kid: 'k1', alg: 'HS256', secret }],
    store: new MemoryStore({ clock }),
    policy: presets.api,
    clock,
    ...(cache ? {} : { cache: false }),
  });
  const { accessToken } = await issuer.issue('alice');
  return { issuer, accessToken };
}

export async function tokenCases(): Promise<Case[]> {
  // Floors use keys imported once, as Latchkey does: handed raw bytes, jose would import them on every call.
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const aes = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  const hmac = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
  const jwe = await new CompactEncrypt(
    new TextEncoder().encode('{"uid":"alice","data":{"theme":"dark"}}'),
  )
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .encrypt(aes);
  const jwt = await new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(hmac);

  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, new Uint8Array(64));
  const cases: Case[] = [
    {
      name: AES_FLOOR,
      fn: async () => {
        sink.value = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, aes, sealed);
      },
    },
    {
      name: DIGEST_FLOOR,
      fn: async () => {
        sink.value = await crypto.subtle.digest('SHA-256', raw);
      },
    },
    {
      name: JWE_FLOOR,
      fn: async () => {
        sink.value = await compactDecrypt(jwe, aes);
      },
    },
    {
      name: JWT_FLOOR,
      fn: async () => {
        sink.value = await jwtVerify(jwt, hmac);
      },
    },
  ];
  for (const cache of [true, false]) {
    const { sessions, request } = await sealedCookie(cache);
    if (!(await sessions.forRequest(request).load()).valid)
      throw new Error('bench setup: sealed cookie rejected');
    cases.push({
      name: `validate a sealed cookie session (unseal ${cache ? 'cached' : 'cold'})`,
      floor: JWE_FLOOR,
      fn: async () => {
        const rs = sessions.forRequest(request);
        if (!(await rs.load()).valid) throw new Error('sealed cookie rejected');
        sink.value = await rs.flush();
      },
    });
    const { issuer, accessToken: token } = await accessToken(cache);
    if (!(await issuer.verifyAccess(token)).valid)
      throw new Error('bench setup: access token rejected');
    cases.push({
      name: `verify an access token (cache ${cache ? 'on' : 'off'})`,
      floor: JWT_FLOOR,
      fn: async () => {
        sink.value = await issuer.verifyAccess(token);
      },
    });
  }
  // Rotation chains: each call spends the refresh token the previous call was given.
  const { issuer } = await accessToken(true);
  let refreshToken = (await issuer.issue('carol')).refreshToken;
  cases.push({
    name: 'rotate a refresh token',
    floor: AES_FLOOR,
    fn: async () => {
      const outcome = await issuer.refresh(refreshToken);
      if (!outcome.valid) throw new Error(`refresh refused: ${outcome.reason}`);
      refreshToken = outcome.tokens.refreshToken;
    },
  });
  return cases;
}
