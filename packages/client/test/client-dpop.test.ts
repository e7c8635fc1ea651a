/**
 * The client's DPoP mode against the real core (token issuer, DPoP verifier with nonces, bearer
 * guard) behind a plain fetch function: proofs on every call, Authorization: DPoP, the nonce
 * retry (once), and ath. The key lives in an in-memory key store (IndexedDB: test/browser).
 */
import { describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createClient, type DpopKeyStore } from '@latchkey/client';
import { authenticateBearer, MemoryStore, presets } from '@latchkey/core';
import { accessTokenHash, createDpopVerifier, dpopErrorResponse } from '@latchkey/core/dpop';
import { createTokenIssuer } from '@latchkey/core/tokens';

const ORIGIN = 'https://app.test';

function memoryKeyStore(): DpopKeyStore & { saved: number } {
  let pair: CryptoKeyPair | null = null;
  return {
    saved: 0,
    load: async () => pair,
    async save(p) {
      this.saved++;
      pair ??= p;
      return pair;
    },
  };
}

function server(nonces = true) {
  const store = new MemoryStore();
  const dpop = createDpopVerifier({
    origin: ORIGIN,
    store,
    ...(nonces ? { nonce: { secret: 'client-test-nonce-secret-0123456789' } } : {}),
  });
  const tokens = createTokenIssuer({
    keys: [{ kid: 'k', alg: 'HS256', secret: 'client-test-token-secret-0123456789' }],
    store,
    policy: presets.api,
    dpop,
  });
  const seen: Request[] = [];
  let refreshToken = '';
  const json = (body: unknown) => Response.json(body);
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    seen.push(request.clone());
    const path = new URL(request.url).pathname;
    if (path === '/auth/login' || path === '/auth/refresh') {
      if (path === '/auth/login') {
        const verdict = await dpop.verify(request);
        if (!verdict.valid) return dpopErrorResponse(request, verdict, dpop);
        const pair = await tokens.issue('ada', {}, { dpop: verdict });
        refreshToken = pair.refreshToken;
        return json({ accessToken: pair.accessToken, expiresIn: pair.expiresIn });
      }
      const outcome = await tokens.refresh(refreshToken, { dpop: request });
      if (!outcome.valid)
        return outcome.dpop
          ? dpopErrorResponse(request, outcome.dpop, dpop)
          : Response.json({ error: 'session_expired', reason: 'revoked' }, { status: 401 });
      refreshToken = outcome.tokens.refreshToken;
      return json({ accessToken: outcome.tokens.accessToken, expiresIn: outcome.tokens.expiresIn });
    }
    const auth = await authenticateBearer(request, tokens);
    return auth.valid ? json({ user: auth.claims.sub }) : auth.response;
  };
  return { fetch, seen, dpop };
}

function dpopClient(s: ReturnType<typeof server>, keyStore = memoryKeyStore()) {
  const client = createClient({
    refreshPath: '/auth/refresh',
    fetch: s.fetch,
    locks: null,
    location: { origin: ORIGIN, pathname: '/', search: '', hash: '', href: `${ORIGIN}/` },
    crossTab: 'off',
    dpop: { keyStore },
  });
  return { client, keyStore };
}

async function signIn(client: ReturnType<typeof createClient>) {
  const response = await client.fetch('/auth/login?next=1', { method: 'POST' });
  expect(response.status).toBe(200);
  client.signIn((await response.json()) as { accessToken: string; expiresIn: number });
}

describe('createClient({ dpop })', () => {
  it('signs in with a proof (retrying once for the nonce), then calls the API with Authorization: DPoP and ath', async () => {
    const s = server();
    const { client, keyStore } = dpopClient(s);
    await signIn(client);
    const logins = s.seen.filter((r) => r.url.includes('/auth/login'));
    expect(logins).toHaveLength(2); // the first was answered use_dpop_nonce
    const proof = decodeJwt(logins[1]!.headers.get('dpop')!);
    expect(proof).toMatchObject({ htm: 'POST', htu: `${ORIGIN}/auth/login` }); // no query
    expect(typeof proof.nonce).toBe('string');
    expect(proof.ath).toBeUndefined();
    const header = decodeProtectedHeader(logins[1]!.headers.get('dpop')!);
    expect(header).toMatchObject({
      typ: 'dpop+jwt',
      alg: 'ES256',
      jwk: { kty: 'EC', crv: 'P-256' },
    });
    expect(Object.keys(header.jwk!).sort()).toEqual(['crv', 'kty', 'x', 'y']);

    const me = await client.fetch('/api/me?x=1#frag');
    expect(await me.json()).toEqual({ user: 'ada' });
    const call = s.seen.at(-1)!;
    const [scheme, token] = call.headers.get('authorization')!.split(' ');
    expect(scheme).toBe('DPoP');
    expect(decodeJwt(call.headers.get('dpop')!)).toMatchObject({
      htm: 'GET',
      htu: `${ORIGIN}/api/me`,
      ath: accessTokenHash(token!),
    });
    // One key for everything, made once, non-extractable.
    expect(keyStore.saved).toBe(1);
    const pair = await keyStore.load();
    expect(pair!.privateKey.extractable).toBe(false);
  });

  it('refresh carries a proof by the same key, so the bound family rotates', async () => {
    const s = server(false);
    const { client } = dpopClient(s);
    await signIn(client);
    expect(await client.refresh()).toBe('refreshed');
    expect((await client.fetch('/api/me')).status).toBe(200);
  });

  it('a client with a new key (the old one lost) cannot refresh the bound family: signed out', async () => {
    const s = server(false);
    const first = dpopClient(s);
    await signIn(first.client);
    const second = dpopClient(s); // same server state, another key store
    expect(await second.client.refresh()).toBe('signed-out');
    expect(await first.client.refresh()).toBe('refreshed');
  });

  it('retries for a nonce only once: a server that keeps asking gets one retry, not a loop', async () => {
    let calls = 0;
    const nagging = async () => {
      calls++;
      return new Response(JSON.stringify({ error: 'use_dpop_nonce', reason: 'nonce' }), {
        status: 400,
        headers: { 'content-type': 'application/json', 'dpop-nonce': `n${calls}` },
      });
    };
    const client = createClient({
      fetch: nagging,
      locks: null,
      location: { origin: ORIGIN, pathname: '/', search: '', hash: '', href: `${ORIGIN}/` },
      crossTab: 'off',
      dpop: { keyStore: memoryKeyStore() },
    });
    expect((await client.fetch('/auth/login', { method: 'POST' })).status).toBe(400);
    expect(calls).toBe(2);
  });
});
