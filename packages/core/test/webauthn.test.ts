/**
 * @latchkey/core/webauthn on the manual clock with a software authenticator
 * (real keys, real signatures, verified by @simplewebauthn/server): adding a
 * passkey, the step-up that regenerates the session ID, and every refusal:
 * replay, wrong purpose, another session, expiry, no session, another user's
 * credential, a bad signature. No refusal signs anyone in.
 */

import { describe, expect, it } from 'vitest';
import {
  createLatchkey,
  MemoryStore,
  StoreCapabilityError,
  SessionRequiredError,
  type PolicyOptions,
} from '../src/index.js';
import { ManualClock } from '../src/clock.js';
import { createSealedSessions } from '../src/sealed/sealed-sessions.js';
import type { RequestSession } from '../src/contract.js';
import { createPasskeys, type PasskeyCredential } from '../src/webauthn/index.js';
import { softAuthenticator } from './soft-authenticator.js';

const ORIGIN = 'https://bank.example';
const RP_ID = 'bank.example';
const policy: PolicyOptions = {
  idleTimeout: '30m',
  absoluteTimeout: '8h',
  touchInterval: '1m',
  renewInterval: false,
  freshAuthAge: '5m',
};
const PASSKEY = { methods: ['passkey'], maxAge: '5m' } as const;

/** The app's credential table: Latchkey only looks things up in it. */
function credentialTable() {
  const rows = new Map<string, PasskeyCredential>();
  return {
    rows,
    byId: (id: string) => rows.get(id) ?? null,
    byUser: (userId: string) => [...rows.values()].filter((c) => c.userId === userId),
    updateCounter: (id: string, counter: number) => {
      rows.set(id, { ...rows.get(id)!, counter });
    },
  };
}

function setup(p: PolicyOptions = policy) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const store = new MemoryStore({ clock });
  const lk = createLatchkey({ policy: p, store, clock });
  const credentials = credentialTable();
  const passkeys = createPasskeys({ store, rpID: RP_ID, origin: ORIGIN, credentials, clock });
  /** One browser: a cookie jar and requests through it. */
  function browser() {
    let cookie = '';
    return {
      get cookie() {
        return cookie;
      },
      async go<T>(handler: (rs: RequestSession) => Promise<T>) {
        const rs = lk.forRequest(new Request(ORIGIN, { headers: cookie ? { cookie } : {} }));
        const result = await handler(rs);
        const response = await rs.commit(new Response('ok'));
        const set = response.headers.getSetCookie();
        for (const line of set) cookie = /max-age=0/i.test(line) ? '' : line.split(';')[0]!;
        return { result, setCookie: set };
      },
    };
  }
  return { clock, store, lk, credentials, passkeys, browser };
}

/** Signed in with a password, with a registered passkey. */
async function enrolled(p: PolicyOptions = policy) {
  const t = setup(p);
  const ada = t.browser();
  await ada.go((rs) => rs.login('ada', { method: 'password' }));
  const authenticator = await softAuthenticator();
  const { result: options } = await ada.go((rs) =>
    t.passkeys.registrationOptions(rs, { name: 'ada@bank.example' }),
  );
  const attestation = await authenticator.create(options, ORIGIN);
  const { result: registered } = await ada.go((rs) =>
    t.passkeys.verifyRegistration(rs, attestation),
  );
  if (!registered.verified) throw new Error(`registration refused: ${registered.reason}`);
  t.credentials.rows.set(registered.credential.id, registered.credential);
  return { ...t, ada, authenticator };
}

describe('passkey registration', () => {
  it('verifies an attestation for the signed-in user and hands the app the credential to store', async () => {
    const t = await enrolled();
    const [row] = t.credentials.rows.values();
    expect(row?.id).toBe(t.authenticator.credentialId);
    expect(row?.userId).toBe('ada');
    expect(row?.publicKey).toBeInstanceOf(Uint8Array);
    // The next options name it, so the browser offers this passkey (and will not register it twice).
    const { result: again } = await t.ada.go((rs) =>
      t.passkeys.registrationOptions(rs, { name: 'ada@bank.example' }),
    );
    expect(again.excludeCredentials?.map((c) => c.id)).toEqual([t.authenticator.credentialId]);
  });

  it('needs a signed-in session for options, and refuses an attestation without one', async () => {
    const t = setup();
    const nobody = t.browser();
    await expect(
      nobody.go((rs) => t.passkeys.registrationOptions(rs, { name: 'x' })),
    ).rejects.toBeInstanceOf(SessionRequiredError);
    const { result, setCookie } = await nobody.go((rs) =>
      t.passkeys.verifyRegistration(rs, { response: {} }),
    );
    expect(result.verified === false && result.reason).toBe('session_required');
    expect(setCookie).toEqual([]);
  });
});

describe('passkey step-up', () => {
  it('a verified assertion refreshes the passkey factor under a new session ID, never a second session', async () => {
    const t = await enrolled();
    t.clock.advance('20m');
    const { result: stale } = await t.ada.go(async (rs) => (await rs.load(), rs.current!));
    expect(t.lk.requireFreshAuth(stale, PASSKEY).fresh).toBe(false);
    const before = t.ada.cookie;

    const { result: options } = await t.ada.go((rs) => t.passkeys.authenticationOptions(rs));
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([t.authenticator.credentialId]);
    expect(options.userVerification).toBe('required');
    const assertion = await t.authenticator.get(options, ORIGIN);
    const { result: verdict } = await t.ada.go((rs) =>
      t.passkeys.verifyAuthentication(rs, assertion),
    );
    if (!verdict.verified) throw new Error(`refused: ${verdict.reason}`);
    expect(verdict.userVerified).toBe(true);
    expect(t.ada.cookie).not.toBe(before);
    expect(verdict.session.factors[0]).toEqual({
      method: 'passkey',
      at: t.clock.now(),
      userVerified: true,
    });
    expect(
      t.lk.requireFreshAuth(verdict.session, { ...PASSKEY, userVerification: 'required' }).fresh,
    ).toBe(true);
    expect(t.credentials.rows.get(t.authenticator.credentialId)?.counter).toBe(1);
    expect(await t.lk.listSessions('ada')).toHaveLength(1);
    // The ID before the step-up is dead.
    const old = await t.lk.forRequest(new Request(ORIGIN, { headers: { cookie: before } })).load();
    expect(old.valid).toBe(false);
  });

  it('refuses a replayed assertion (challenge_replayed), and a challenge never issued (challenge_unknown)', async () => {
    const t = await enrolled();
    const { result: options } = await t.ada.go((rs) => t.passkeys.authenticationOptions(rs));
    const assertion = await t.authenticator.get(options, ORIGIN);
    const first = await t.ada.go((rs) => t.passkeys.verifyAuthentication(rs, assertion));
    expect(first.result.verified).toBe(true);
    const cookie = t.ada.cookie;
    const replay = await t.ada.go((rs) => t.passkeys.verifyAuthentication(rs, assertion));
    expect(replay.result.verified === false && replay.result.reason).toBe('challenge_replayed');
    expect(t.ada.cookie).toBe(cookie); // not reauthenticated again
    if (replay.result.verified) return;
    expect(replay.result.response.status).toBe(403);
    expect(await replay.result.response.json()).toEqual({
      error: 'passkey_refused',
      reason: 'challenge_replayed',
    });
    const invented = await t.authenticator.get(
      { challenge: 'A'.repeat(42) + 'A', rpId: RP_ID },
      ORIGIN,
    );
    const unknown = await t.ada.go((rs) => t.passkeys.verifyAuthentication(rs, invented));
    expect(unknown.result.verified === false && unknown.result.reason).toBe('challenge_unknown');
  });

  it('of two racing uses of one challenge, exactly one succeeds', async () => {
    const t = await enrolled();
    const { result: options } = await t.ada.go((rs) => t.passkeys.authenticationOptions(rs));
    const assertion = await t.authenticator.get(options, ORIGIN);
    const cookie = t.ada.cookie;
    const requests = [0, 1].map(() =>
      t.lk.forRequest(new Request(ORIGIN, { headers: { cookie } })),
    );
    const verdicts = await Promise.all(
      requests.map((rs) => t.passkeys.verifyAuthentication(rs, assertion)),
    );
    expect(verdicts.filter((v) => v.verified)).toHaveLength(1);
  });

  it('refuses a challenge issued for another purpose, including a registration challenge', async () => {
    const t = await enrolled();
    const { result: options } = await t.ada.go((rs) =>
      t.passkeys.authenticationOptions(rs, 'transfer'),
    );
    const assertion = await t.authenticator.get(options, ORIGIN);
    const wrong = await t.ada.go((rs) =>
      t.passkeys.verifyAuthentication(rs, assertion, 'close-account'),
    );
    expect(wrong.result.verified === false && wrong.result.reason).toBe(
      'challenge_purpose_mismatch',
    );

    const { result: reg } = await t.ada.go((rs) =>
      t.passkeys.registrationOptions(rs, { name: 'ada@bank.example' }),
    );
    const signed = await t.authenticator.get({ challenge: reg.challenge, rpId: RP_ID }, ORIGIN);
    const crossed = await t.ada.go((rs) => t.passkeys.verifyAuthentication(rs, signed));
    expect(crossed.result.verified === false && crossed.result.reason).toBe(
      'challenge_purpose_mismatch',
    );
  });

  it("refuses a challenge issued to another of the user's sessions", async () => {
    const t = await enrolled();
    const phone = t.browser();
    t.clock.advance('1s');
    await phone.go((rs) => rs.login('ada', { method: 'password' }));
    const { result: options } = await phone.go((rs) => t.passkeys.authenticationOptions(rs));
    const assertion = await t.authenticator.get(options, ORIGIN);
    const { result } = await t.ada.go((rs) => t.passkeys.verifyAuthentication(rs, assertion));
    expect(result.verified === false && result.reason).toBe('challenge_session_mismatch');
  });

  it('a challenge survives an ID renewal between the options and the assertion', async () => {
    const t = await enrolled({ ...policy, renewInterval: '10m', renewGrace: '5s' });
    t.clock.advance('9m');
    const { result: options } = await t.ada.go((rs) => t.passkeys.authenticationOptions(rs));
    t.clock.advance('2m');
    const renewing = t.ada.cookie;
    await t.ada.go(async (rs) => rs.load()); // renewed at commit: a new ID
    expect(t.ada.cookie).not.toBe(renewing);
    const assertion = await t.authenticator.get(options, ORIGIN);
    const { result } = await t.ada.go((rs) => t.passkeys.verifyAuthentication(rs, assertion));
    expect(result.verified).toBe(true);
  });

  it('refuses an expired challenge (challenge_expired), and one long gone (challenge_unknown)', async () => {
    const t = await enrolled();
    const { result: options } = await t.ada.go((rs) => t.passkeys.authenticationOptions(rs));
    expect(options.timeout).toBe(5 * 60_000);
    const assertion = await t.authenticator.get(options, ORIGIN);
    t.clock.advance(5 * 60_000);
    const late = await t.ada.go((rs) => t.passkeys.verifyAuthentication(rs, assertion));
    expect(late.result.verified === false && late.result.reason).toBe('challenge_expired');

    const { result: again } = await t.ada.go((rs) => t.passkeys.authenticationOptions(rs));
    const second = await t.authenticator.get(again, ORIGIN);
    t.clock.advance('10m');
    const { result: me } = await t.ada.go(async (rs) => rs.load());
    expect(me.valid).toBe(true); // still signed in, the challenge is simply gone
    const gone = await t.ada.go((rs) => t.passkeys.verifyAuthentication(rs, second));
    expect(gone.result.verified === false && gone.result.reason).toBe('challenge_unknown');
  });

  it('an assertion presented without a session is refused and mints no session', async () => {
    const t = await enrolled();
    const { result: options } = await t.ada.go((rs) => t.passkeys.authenticationOptions(rs));
    const assertion = await t.authenticator.get(options, ORIGIN);
    const stranger = t.browser();
    const { result, setCookie } = await stranger.go((rs) =>
      t.passkeys.verifyAuthentication(rs, assertion),
    );
    expect(result.verified === false && result.reason).toBe('session_required');
    if (result.verified) return;
    expect(result.response.status).toBe(401);
    expect(setCookie).toEqual([]);
    expect(await t.lk.listSessions('ada')).toHaveLength(1);
    // And the challenge is still good for its own session.
    const own = await t.ada.go((rs) => t.passkeys.verifyAuthentication(rs, assertion));
    expect(own.result.verified).toBe(true);
  });

  it("refuses another user's credential: the other user's session is not re-authenticated", async () => {
    const t = await enrolled();
    const bob = t.browser();
    await bob.go((rs) => rs.login('bob', { method: 'password' }));
    t.clock.advance('20m');
    const { result: options } = await bob.go((rs) => t.passkeys.authenticationOptions(rs));
    expect(options.allowCredentials).toEqual([]); // bob has none
    const adaSigns = await t.authenticator.get(options, ORIGIN);
    const cookie = bob.cookie;
    const { result } = await bob.go((rs) => t.passkeys.verifyAuthentication(rs, adaSigns));
    expect(result.verified === false && result.reason).toBe('credential_unknown');
    expect(bob.cookie).toBe(cookie);
    const { result: session } = await bob.go(async (rs) => (await rs.load(), rs.current!));
    expect(session.userId).toBe('bob');
    expect(session.factors.map((f) => f.method)).toEqual(['password']);
  });

  it('refuses a bad signature, a wrong origin and a missing user verification (assertion_invalid)', async () => {
    const t = await enrolled();
    const attempt = async (
      tamper: (a: Record<string, unknown> & { id: string }) => unknown,
      origin = ORIGIN,
      userVerified = true,
    ) => {
      const { result: options } = await t.ada.go((rs) => t.passkeys.authenticationOptions(rs));
      const assertion = await t.authenticator.get(options, origin, { userVerified });
      const { result } = await t.ada.go((rs) =>
        t.passkeys.verifyAuthentication(rs, tamper(assertion)),
      );
      return result.verified ? 'verified' : result.reason;
    };
    const resign = (a: Record<string, unknown> & { id: string }) => {
      const response = a.response as Record<string, string>;
      const sig = response.signature!;
      return {
        ...a,
        response: {
          ...response,
          signature: sig.slice(0, -4) + (sig.endsWith('AAAA') ? 'BBBB' : 'AAAA'),
        },
      };
    };
    expect(await attempt(resign)).toBe('assertion_invalid');
    expect(await attempt((a) => a, 'https://evil.example')).toBe('assertion_invalid');
    expect(await attempt((a) => a, ORIGIN, false)).toBe('assertion_invalid');
    expect(await attempt((a) => ({ ...a, response: { clientDataJSON: '!!' } }))).toBe(
      'response_malformed',
    );
    expect(await attempt((a) => a)).toBe('verified');
  });

  it('works the same on sealed sessions: the session is reissued with the passkey factor', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const store = new MemoryStore({ clock });
    const sessions = createSealedSessions({ policy, secrets: ['k'.repeat(32)], clock });
    const credentials = credentialTable();
    const passkeys = createPasskeys({ store, rpID: RP_ID, origin: ORIGIN, credentials, clock });
    const authenticator = await softAuthenticator();
    let cookie = '';
    const go = async <T>(handler: (rs: RequestSession) => Promise<T>) => {
      const rs = sessions.forRequest(new Request(ORIGIN, { headers: cookie ? { cookie } : {} }));
      const result = await handler(rs);
      const response = await rs.commit(new Response('ok'));
      for (const line of response.headers.getSetCookie()) cookie = line.split(';')[0]!;
      return result;
    };
    await go((rs) => rs.login('ada', { method: 'password' }));
    const reg = await go((rs) => passkeys.registrationOptions(rs, { name: 'ada' }));
    const registered = await go(async (rs) =>
      passkeys.verifyRegistration(rs, await authenticator.create(reg, ORIGIN)),
    );
    if (!registered.verified) throw new Error(registered.reason);
    credentials.rows.set(registered.credential.id, registered.credential);
    clock.advance('20m');
    const options = await go((rs) => passkeys.authenticationOptions(rs));
    const assertion = await authenticator.get(options, ORIGIN);
    const verdict = await go((rs) => passkeys.verifyAuthentication(rs, assertion));
    if (!verdict.verified) throw new Error(verdict.reason);
    expect(sessions.requireFreshAuth(verdict.session, PASSKEY).fresh).toBe(true);
  });
});

describe('createPasskeys', () => {
  it('refuses, at construction, a store without atomic consume', () => {
    const clock = new ManualClock();
    const inner = new MemoryStore({ clock });
    const plain = {
      name: 'plain-kv',
      get: (k: string) => inner.get(k),
      set: (k: string, v: string, ttl: number) => inner.set(k, v, ttl),
      delete: (k: string) => inner.delete(k),
    };
    const make = () =>
      createPasskeys({ store: plain, rpID: RP_ID, origin: ORIGIN, credentials: credentialTable() });
    expect(make).toThrow(StoreCapabilityError);
    expect(make).toThrow(/consume.*plain-kv/);
  });

  it('checks its options and the purpose at the edge', async () => {
    const t = await enrolled();
    const base = { store: t.store, rpID: RP_ID, origin: ORIGIN, credentials: t.credentials };
    expect(() => createPasskeys({ ...base, challengeTtl: '1h' })).toThrow(RangeError);
    expect(() => createPasskeys({ ...base, rpID: '' })).toThrow(TypeError);
    await expect(t.ada.go((rs) => t.passkeys.authenticationOptions(rs, 'Step Up'))).rejects.toThrow(
      RangeError,
    );
  });
});
