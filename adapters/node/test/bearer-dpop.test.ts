// Express requireAccessToken() with a DPoP-capable issuer, over real HTTP: the guard passes the
// request through, so Authorization: DPoP works and a downgrade is refused (Hono: test/browser).
import express from 'express';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, presets } from '@latchkey/core';
import { createDpopVerifier } from '@latchkey/core/dpop';
import { ManualClock } from '@latchkey/core/testing';
import { createTokenIssuer } from '@latchkey/core/tokens';
import { dpopKey, type DpopKey } from '../../../packages/core/test/dpop-keys.js';
import { listenNode } from '../../../test/scenarios/serve.js';
import type { RunningApp } from '../../../test/scenarios/suite.js';
import { requireAccessToken as expressGuard } from '../src/index.js';

// The public origin the proofs name; the apps listen on loopback ports behind it.
const PUBLIC = 'https://api.example.com';
const clock = new ManualClock(Date.now());
const store = new MemoryStore({ clock });
const dpop = createDpopVerifier({
  origin: PUBLIC,
  store,
  clock,
  nonce: { secret: 'guards-test-nonce-secret-0123456789', step: '5m' },
});
const tokens = createTokenIssuer({
  keys: [{ kid: 'k1', alg: 'HS256', secret: 'guards-test-secret-0123456789abcdef' }],
  store,
  policy: presets.api,
  clock,
  dpop,
});

const apps: Record<string, RunningApp> = {};
let key: DpopKey;
let accessToken: string;

beforeAll(async () => {
  const ex = express();
  ex.get('/api/me', expressGuard(tokens), (req, res) => void res.json({ user: req.claims!.sub }));
  apps.express = await listenNode(createServer(ex));
  key = await dpopKey();
  const proof = await key.proof('POST', `${PUBLIC}/auth/token`, clock.now(), {
    nonce: dpop.nonce()!,
  });
  accessToken = (
    await tokens.issue('ada', {}, { dpop: { proof, method: 'POST', url: `${PUBLIC}/auth/token` } })
  ).accessToken;
});
afterAll(async () => {
  for (const app of Object.values(apps)) await app.stop();
});

describe.each(['express'])('%s requireAccessToken() with DPoP', (name) => {
  const me = (headers: Record<string, string>) =>
    fetch(`${apps[name]!.baseUrl}/api/me`, { headers: { accept: 'application/json', ...headers } });

  it('a proof by the bound key passes; the same token as Bearer, or with another key, is refused', async () => {
    const nonce = dpop.nonce()!;
    const proof = await key.proof('GET', `${PUBLIC}/api/me`, clock.now(), { accessToken, nonce });
    const ok = await me({ authorization: `DPoP ${accessToken}`, dpop: proof });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ user: 'ada' });
    expect(ok.headers.get('dpop-nonce')).toBe(nonce); // the current nonce, for the next proof
    const bearer = await me({ authorization: `Bearer ${accessToken}` });
    expect(bearer.status).toBe(401);
    expect(bearer.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_token"/);
    const thief = await dpopKey();
    const other = await me({
      authorization: `DPoP ${accessToken}`,
      dpop: await thief.proof('GET', `${PUBLIC}/api/me`, clock.now(), { accessToken, nonce }),
    });
    expect(other.status).toBe(401);
    expect(await other.json()).toEqual({ error: 'invalid_dpop_proof', reason: 'jkt' });
    const replay = await me({ authorization: `DPoP ${accessToken}`, dpop: proof });
    expect(await replay.json()).toEqual({ error: 'invalid_dpop_proof', reason: 'replay' });
  });
});
