/**
 * The client's passkey ceremony against a real server (createLatchkey,
 * @latchkey/core/webauthn, @simplewebauthn/server) and a software
 * authenticator behind a `navigator.credentials`-shaped container, so the
 * by-hand base64url ↔ ArrayBuffer conversions are what runs (Node has no
 * `PublicKeyCredential`). Chromium's virtual authenticator is test/e2e's.
 */

import { describe, expect, it } from 'vitest';
import { createClient, passkeyStepUp, registerPasskey } from '@latchkey/client';
import { createLatchkey, MemoryStore, withSessions } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { createPasskeys, type PasskeyCredential } from '@latchkey/core/webauthn';
import { softAuthenticator } from '../../core/test/soft-authenticator.js';

const ORIGIN = 'https://app.test';

const b64 = (buffer: ArrayBuffer) => Buffer.from(buffer).toString('base64url');
const buf = (text: string) => new Uint8Array(Buffer.from(text, 'base64url')).buffer;

async function world() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const store = new MemoryStore({ clock });
  const lk = createLatchkey({
    policy: { idleTimeout: '30m', absoluteTimeout: '8h', freshAuthAge: '5m' },
    store,
    clock,
  });
  const rows = new Map<string, PasskeyCredential>();
  const passkeys = createPasskeys({
    store,
    rpID: 'app.test',
    origin: ORIGIN,
    clock,
    credentials: {
      byId: (id) => rows.get(id) ?? null,
      byUser: (u) => [...rows.values()].filter((c) => c.userId === u),
      updateCounter: (id, counter) => void rows.set(id, { ...rows.get(id)!, counter }),
    },
  });
  const handler = withSessions(lk, async ({ request, session }) => {
    const path = new URL(request.url).pathname;
    const body = request.method === 'POST' ? await request.json().catch(() => ({})) : {};
    const outcome = await session.load();
    if (path === '/login')
      return (await session.login('ada', { method: 'password' }), new Response('ok'));
    if (!outcome.valid) return new Response('no session', { status: 401 });
    if (path === '/passkeys/options')
      return Response.json(await passkeys.registrationOptions(session, { name: 'ada' }));
    if (path === '/passkeys') {
      const verdict = await passkeys.verifyRegistration(session, body);
      if (!verdict.verified) return verdict.response;
      rows.set(verdict.credential.id, verdict.credential);
      return Response.json({ ok: true });
    }
    if (path === '/step-up/options') {
      if ((await passkeys.authenticationOptions(session)).allowCredentials?.length === 0)
        return Response.json({ error: 'no_passkey' }, { status: 404 });
      return Response.json(await passkeys.authenticationOptions(session));
    }
    if (path === '/step-up/passkey') {
      const verdict = await passkeys.verifyAuthentication(session, body);
      return verdict.verified ? Response.json({ ok: true }) : verdict.response;
    }
    if (path === '/step-up/password') {
      await session.reauthenticate({ method: 'password' });
      return Response.json({ ok: true });
    }
    if (path === '/transfer') {
      const check = lk.requireFreshAuth(outcome.session, { methods: ['passkey', 'password'] });
      return check.fresh ? Response.json({ ok: true }) : check.response;
    }
    return new Response('not found', { status: 404 });
  });
  // One browser: a cookie jar in front of the handler.
  let cookie = '';
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(
      input instanceof Request ? input : new URL(String(input), ORIGIN),
      init,
    );
    if (cookie) request.headers.set('cookie', cookie);
    request.headers.set('origin', ORIGIN);
    const response = await handler(request);
    for (const line of response.headers.getSetCookie()) cookie = line.split(';')[0]!;
    return response;
  };
  const authenticator = await softAuthenticator();
  let ceremonies = 0;
  /** `navigator.credentials` over the software authenticator: ArrayBuffers in, ArrayBuffers out. */
  const credentials = {
    async create({ publicKey }: { publicKey: PublicKeyCredentialCreationOptions }) {
      const json = (await authenticator.create(
        { challenge: b64(publicKey.challenge as ArrayBuffer), rp: { id: publicKey.rp.id! } },
        ORIGIN,
      )) as { id: string; response: Record<string, string> };
      return {
        id: json.id,
        rawId: buf(json.id),
        type: 'public-key',
        getClientExtensionResults: () => ({}),
        response: {
          clientDataJSON: buf(json.response.clientDataJSON!),
          attestationObject: buf(json.response.attestationObject!),
          getTransports: () => ['internal'],
        },
      };
    },
    async get({ publicKey }: { publicKey: PublicKeyCredentialRequestOptions }) {
      ceremonies++;
      expect(publicKey.allowCredentials?.[0]?.id).toBeInstanceOf(ArrayBuffer);
      const json = (await authenticator.get(
        { challenge: b64(publicKey.challenge as ArrayBuffer), rpId: publicKey.rpId! },
        ORIGIN,
      )) as { id: string; response: Record<string, string> };
      return {
        id: json.id,
        rawId: buf(json.id),
        type: 'public-key',
        getClientExtensionResults: () => ({}),
        response: {
          clientDataJSON: buf(json.response.clientDataJSON!),
          authenticatorData: buf(json.response.authenticatorData!),
          signature: buf(json.response.signature!),
          userHandle: null,
        },
      };
    },
  } as unknown as CredentialsContainer;
  return { clock, fetch, credentials, cookie: () => cookie, ceremonies: () => ceremonies, rows };
}

describe('passkeyStepUp', () => {
  it('registers a passkey, then a stale transfer runs the ceremony, gets a new session ID and goes through', async () => {
    const w = await world();
    await w.fetch('/login', { method: 'POST' });
    const routes = { fetch: w.fetch, credentials: w.credentials };
    expect(
      await registerPasskey({
        ...routes,
        optionsPath: '/passkeys/options',
        verifyPath: '/passkeys',
      }),
    ).toBe(true);
    expect(w.rows.size).toBe(1);
    w.clock.advance('6m');
    let fallbacks = 0;
    const client = createClient({
      fetch: w.fetch,
      location: { origin: ORIGIN, pathname: '/', search: '', hash: '', href: ORIGIN + '/' },
      onStepUp: passkeyStepUp({
        ...routes,
        optionsPath: '/step-up/options',
        verifyPath: '/step-up/passkey',
        fallback: () => (fallbacks++, false),
      }),
    });
    const before = w.cookie();
    const response = await client.fetch('/transfer', { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(w.ceremonies()).toBe(1);
    expect(fallbacks).toBe(0);
    expect(w.cookie()).not.toBe(before);
  });

  it('without a passkey it falls back to the password prompt the app supplies', async () => {
    const w = await world();
    await w.fetch('/login', { method: 'POST' });
    w.clock.advance('6m');
    const client = createClient({
      fetch: w.fetch,
      location: { origin: ORIGIN, pathname: '/', search: '', hash: '', href: ORIGIN + '/' },
      onStepUp: passkeyStepUp({
        fetch: w.fetch,
        credentials: w.credentials,
        optionsPath: '/step-up/options',
        verifyPath: '/step-up/passkey',
        fallback: async (event) => {
          expect(event.body).toEqual({
            error: 'step_up_required',
            max_age: 300,
            methods: ['passkey', 'password'],
          });
          return (await w.fetch('/step-up/password', { method: 'POST', body: '{}' })).ok;
        },
      }),
    });
    expect((await client.fetch('/transfer', { method: 'POST', body: '{}' })).status).toBe(200);
    expect(w.ceremonies()).toBe(0);
  });
});
