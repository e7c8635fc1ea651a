/**
 * Per-factor authentication times: properties of the pure step-up check over
 * random factor sets, then the engine (server-side and sealed) on the manual
 * clock: login and reauthenticate record factors, the 403 names the methods,
 * records of the previous version (no factors) still load.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createLatchkey,
  MemoryStore,
  type AuthFactor,
  type LoadOutcome,
  type PolicyOptions,
} from '../src/index.js';
import { Session } from '../src/session.js';
import { MAX_FACTORS, recordFactor, type StoredFactors } from '../src/auth-factors.js';
import { ManualClock } from '../src/clock.js';
import { definePolicy } from '../src/policy.js';
import { hashSecret, newSecret, cryptoRandom } from '../src/random.js';
import type { SessionRecord } from '../src/record.js';
import { SealedEngine } from '../src/sealed/engine.js';
import { sealingKeys } from '../src/sealed/keys.js';
import { createSealedSessions } from '../src/sealed/sealed-sessions.js';
import { requireFreshAuth } from '../src/step-up.js';

const ORIGIN = 'https://app.example';
const SESSION = '__Host-session';
const policyOptions: PolicyOptions = {
  idleTimeout: '30m',
  absoluteTimeout: '8h',
  touchInterval: '1m',
  renewInterval: false,
  freshAuthAge: '15m',
  rememberMe: '14d',
};
const policy = definePolicy(policyOptions);
const METHODS = ['password', 'passkey', 'otp', 'unspecified'] as const;

/** A signed-in session holding `af`, authenticated last at its latest factor. */
function sessionWith(af: StoredFactors, now: number): Session {
  const times = Object.values(af).map(([at]) => at);
  return new Session('h', {
    t: 'session',
    v: 1,
    uid: 'ada',
    data: {},
    createdAt: now - 1000,
    lastSeenAt: now,
    idleDeadline: now + 60_000,
    absoluteDeadline: now + 60_000,
    authTime: times.length ? Math.max(...times) : null,
    issuedAt: now,
    device: {},
    af,
  });
}

describe('the pure check over random factors', () => {
  const factorArb = fc.record({
    method: fc.constantFrom(...METHODS),
    age: fc.integer({ min: 0, max: 2 * 3_600_000 }),
    uv: fc.boolean(),
  });
  const checkArb = fc.record({
    maxAge: fc.integer({ min: 0, max: 3_600_000 }),
    methods: fc.option(fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 1 }), {
      nil: undefined,
    }),
    uv: fc.boolean(),
  });

  it('is fresh exactly when some listed, young enough (user-verified if required) factor exists', () => {
    const now = Date.UTC(2026, 0, 1);
    fc.assert(
      fc.property(fc.array(factorArb, { maxLength: 6 }), checkArb, (factors, check) => {
        let af: StoredFactors = {};
        for (const f of [...factors].sort((a, b) => b.age - a.age))
          af = recordFactor(af, f.method, now - f.age, f.uv);
        const session = sessionWith(af, now);
        const verdict = requireFreshAuth(session, {
          policy,
          now,
          maxAge: check.maxAge,
          ...(check.methods && { methods: check.methods }),
          ...(check.uv && { userVerification: 'required' as const }),
        });
        const named = check.methods !== undefined || check.uv;
        const model = named
          ? session.factors.some(
              (f: AuthFactor) =>
                (!check.methods || check.methods.includes(f.method as never)) &&
                (!check.uv || f.userVerified) &&
                now - f.at <= check.maxAge,
            )
          : session.authTime !== null && now - session.authTime <= check.maxAge;
        expect(verdict.fresh).toBe(model);
        if (!verdict.fresh) {
          expect(verdict.requirement.maxAge).toBe(check.maxAge);
          expect(verdict.requirement.methods).toEqual(check.methods);
        }
      }),
    );
  });

  it('keeps one entry per method, at most MAX_FACTORS, the newest ones, and the method just recorded', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            method: fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/),
            at: fc.integer({ min: 0, max: 1e12 }),
            uv: fc.boolean(),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (steps) => {
          let af: StoredFactors | undefined;
          for (const s of steps) af = recordFactor(af, s.method, s.at, s.uv);
          const last = steps.at(-1)!;
          expect(af![last.method]).toEqual([last.at, last.uv ? 1 : 0]);
          expect(Object.keys(af!).length).toBeLessThanOrEqual(MAX_FACTORS);
          expect(Object.keys(af!).length).toBe(
            Math.min(MAX_FACTORS, new Set(steps.map((s) => s.method)).size),
          );
        },
      ),
    );
  });
});

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const store = new MemoryStore({ clock });
  const lk = createLatchkey({ policy: policyOptions, store, clock });
  const cookies = new Map<string, string>();
  async function go<T>(handler?: (rs: ReturnType<typeof lk.forRequest>) => Promise<T>) {
    const header = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const rs = lk.forRequest(new Request(ORIGIN, { headers: header ? { cookie: header } : {} }));
    const outcome = await rs.load();
    const result = handler ? await handler(rs) : undefined;
    const response = await rs.commit(new Response('ok'));
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      if (/max-age=0/i.test(line)) cookies.delete(name);
      else cookies.set(name, pair.slice(pair.indexOf('=') + 1));
    }
    return { outcome, result: result as T, current: rs.current };
  }
  return { clock, store, lk, cookies, go };
}

describe('factors on server-side sessions', () => {
  it('login records its method; a passkey step-up adds a user-verified factor under a new ID and keeps the password', async () => {
    const t = setup();
    const { result: login } = await t.go((rs) => rs.login('ada', { method: 'password' }));
    const loginAt = t.clock.now();
    expect(login.factors).toEqual([{ method: 'password', at: loginAt, userVerified: false }]);
    expect(login.authTime).toBe(loginAt);

    const check = t.lk.requireFreshAuth(login, { methods: ['passkey'], maxAge: '5m' });
    expect(check.fresh).toBe(false);
    if (check.fresh) return;
    expect(check.response.status).toBe(403);
    expect(await check.response.json()).toEqual({
      error: 'step_up_required',
      max_age: 300,
      methods: ['passkey'],
    });
    expect(t.lk.requireFreshAuth(login, { methods: ['password', 'passkey'] }).fresh).toBe(true);

    t.clock.advance('2m');
    const oldId = t.cookies.get(SESSION);
    const { result: stepped } = await t.go((rs) =>
      rs.reauthenticate({ method: 'passkey', userVerified: true }),
    );
    expect(t.cookies.get(SESSION)).not.toBe(oldId);
    expect(stepped.authTime).toBe(t.clock.now());
    expect(stepped.factors).toEqual([
      { method: 'passkey', at: t.clock.now(), userVerified: true },
      { method: 'password', at: loginAt, userVerified: false },
    ]);
    // Read back from the store by the new cookie, not just the object in hand.
    const { outcome } = await t.go();
    if (!outcome.valid) throw new Error('expected the session');
    expect(outcome.session.factors).toEqual(stepped.factors);
    const passkey = { methods: ['passkey'], maxAge: '5m', userVerification: 'required' } as const;
    expect(t.lk.requireFreshAuth(outcome.session, passkey).fresh).toBe(true);
    t.clock.advance(5 * 60_000 + 1);
    const { outcome: later } = await t.go();
    expect(later.valid && t.lk.requireFreshAuth(later.session, passkey).fresh).toBe(false);
  });

  it('user verification required refuses a passkey without UV, and the 403 says so', async () => {
    const t = setup();
    await t.go((rs) => rs.login('ada', { method: 'password' }));
    const { result } = await t.go((rs) => rs.reauthenticate({ method: 'passkey' }));
    expect(t.lk.requireFreshAuth(result, { methods: ['passkey'] }).fresh).toBe(true);
    const check = t.lk.requireFreshAuth(result, {
      methods: ['passkey'],
      userVerification: 'required',
    });
    expect(check.fresh).toBe(false);
    if (check.fresh) return;
    expect(await check.response.json()).toEqual({
      error: 'step_up_required',
      max_age: 900,
      methods: ['passkey'],
      user_verification: 'required',
    });
  });

  it("a login without a method records 'unspecified': it satisfies checks naming no method, not methods: ['password']", async () => {
    const t = setup();
    const { result } = await t.go((rs) => rs.login('ada'));
    expect(result.factors.map((f) => f.method)).toEqual(['unspecified']);
    expect(t.lk.requireFreshAuth(result).fresh).toBe(true);
    expect(t.lk.requireFreshAuth(result, { maxAge: '1m' }).fresh).toBe(true);
    expect(t.lk.requireFreshAuth(result, { methods: ['password'] }).fresh).toBe(false);
    // A second login starts over: the factors are this login's only.
    const { result: again } = await t.go((rs) => rs.login('ada', { method: 'otp' }));
    expect(again.factors.map((f) => f.method)).toEqual(['otp']);
  });

  it('a silent remember-me sign-in records no factor: a method check asks again', async () => {
    const t = setup();
    await t.go((rs) => rs.login('ada', { method: 'password', rememberMe: true }));
    t.clock.advance('31m');
    const { outcome } = await t.go();
    expect(outcome.valid && outcome.via).toBe('remember-me');
    if (!outcome.valid) return;
    expect(outcome.session.factors).toEqual([]);
    expect(
      t.lk.requireFreshAuth(outcome.session, { methods: ['password'], maxAge: '1d' }).fresh,
    ).toBe(false);
  });

  it('regeneration keeps the factors', async () => {
    const t = setup();
    await t.go((rs) => rs.login('ada', { method: 'passkey', userVerified: true }));
    const { result } = await t.go((rs) => rs.regenerate());
    expect(result.factors).toEqual([{ method: 'passkey', at: t.clock.now(), userVerified: true }]);
  });

  it('loads a record written by the previous version (no factors field): authTime still decides, a method check asks again', async () => {
    const t = setup();
    const now = t.clock.now();
    const id = newSecret(cryptoRandom);
    const old = {
      t: 'session',
      v: 3,
      uid: 'ada',
      data: { cart: 2 },
      createdAt: now - 60_000,
      lastSeenAt: now - 60_000,
      idleDeadline: now + 29 * 60_000,
      absoluteDeadline: now + 7 * 3_600_000,
      authTime: now - 60_000,
      issuedAt: now - 60_000,
      device: { userAgent: 'old' },
    };
    await t.store.set(`lk:s:${hashSecret(id)}`, JSON.stringify(old), 3_600_000);
    t.cookies.set(SESSION, id);
    const { outcome } = await t.go();
    expect(outcome.valid).toBe(true);
    if (!outcome.valid) return;
    expect(outcome.session.data).toEqual({ cart: 2 });
    expect(outcome.session.factors).toEqual([]);
    expect(t.lk.requireFreshAuth(outcome.session).fresh).toBe(true);
    expect(t.lk.requireFreshAuth(outcome.session, { methods: ['password'] }).fresh).toBe(false);
    // Step-up upgrades it in place.
    const { result } = await t.go((rs) => rs.reauthenticate({ method: 'password' }));
    expect(result.factors.map((f) => f.method)).toEqual(['password']);
    expect(result.data).toEqual({ cart: 2 });
  });

  it('refuses a record whose factors are malformed, as not one of ours', async () => {
    const t = setup();
    const now = t.clock.now();
    for (const af of [
      '{"password":5}',
      '{"__proto__":[1,0]}',
      `{"Password":[${now},0]}`,
      '[1]',
      '{"passkey":[1,2]}',
    ]) {
      const id = newSecret(cryptoRandom);
      const record = {
        t: 'session',
        v: 1,
        uid: 'ada',
        data: {},
        createdAt: now,
        lastSeenAt: now,
        idleDeadline: now + 60_000,
        absoluteDeadline: now + 60_000,
        authTime: now,
        issuedAt: now,
        device: {},
      };
      const raw = JSON.stringify(record).slice(0, -1) + `,"af":${af}}`;
      await t.store.set(`lk:s:${hashSecret(id)}`, raw, 60_000);
      const rs = t.lk.forRequest(new Request(ORIGIN, { headers: { cookie: `${SESSION}=${id}` } }));
      await expect(rs.load()).rejects.toThrow(/decode/);
    }
  });

  it('checks method names and options at the edge', async () => {
    const t = setup();
    await expect(t.go((rs) => rs.login('ada', { method: 'Pass Key' }))).rejects.toThrow(RangeError);
    await expect(t.go((rs) => rs.login('ada', { userVerified: 'yes' as never }))).rejects.toThrow(
      TypeError,
    );
    const { result } = await t.go((rs) => rs.login('ada'));
    expect(() => t.lk.requireFreshAuth(result, { methods: [] })).toThrow(RangeError);
    expect(() => t.lk.requireFreshAuth(result, { userVerification: 'always' as never })).toThrow(
      TypeError,
    );
  });
});

describe('factors on sealed sessions', () => {
  const CURRENT = 's'.repeat(32);
  function sealed() {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const sessions = createSealedSessions({ policy: policyOptions, secrets: [CURRENT], clock });
    let cookie = '';
    async function go<T>(handler?: (rs: ReturnType<typeof sessions.forRequest>) => Promise<T>) {
      const rs = sessions.forRequest(
        new Request(ORIGIN, { headers: cookie ? { cookie: `${SESSION}=${cookie}` } : {} }),
      );
      const outcome: LoadOutcome = await rs.load();
      const result = handler ? await handler(rs) : undefined;
      const response = await rs.commit(new Response('ok'));
      for (const line of response.headers.getSetCookie())
        cookie = line.split(';')[0]!.slice(SESSION.length + 1);
      return { outcome, result: result as T, cookie };
    }
    return { clock, sessions, go, set: (v: string) => (cookie = v) };
  }

  it('carries the factors in the cookie, and a passkey step-up reissues the session; two factors cost under 100 bytes of cookie', async () => {
    const t = sealed();
    await t.go((rs) => rs.login('ada', { method: 'password' }));
    t.clock.advance('20m');
    const { outcome, cookie: before } = await t.go();
    if (!outcome.valid) throw new Error('expected the session');
    const passkey = { methods: ['passkey'], maxAge: '5m' } as const;
    expect(t.sessions.requireFreshAuth(outcome.session, passkey).fresh).toBe(false);
    const { result, cookie: two } = await t.go((rs) =>
      rs.reauthenticate({ method: 'passkey', userVerified: true }),
    );
    expect(result.handle).not.toBe(outcome.session.handle);
    const { outcome: back } = await t.go();
    if (!back.valid) throw new Error('expected the session');
    expect(back.session.factors.map((f) => [f.method, f.userVerified])).toEqual([
      ['passkey', true],
      ['password', false],
    ]);
    expect(t.sessions.requireFreshAuth(back.session, passkey).fresh).toBe(true);
    // The same record sealed without its factors: what they add to the cookie on the wire.
    const engine = new SealedEngine(
      definePolicy(policyOptions),
      sealingKeys([CURRENT]),
      t.clock,
      cryptoRandom,
      undefined,
      { policy: policyOptions, secrets: [CURRENT] },
    );
    const { af: _af, ...without } = back.session.record;
    const bare = await engine.seal({ sid: back.session.handle, r: without });
    expect(two.length - bare.length).toBeGreaterThan(0);
    expect(two.length - bare.length).toBeLessThan(100);
    expect(before.length).toBeLessThan(two.length);
  });

  it('opens a sealed cookie of the previous version (no factors field)', async () => {
    const t = sealed();
    const now = t.clock.now();
    const engine = new SealedEngine(
      definePolicy(policyOptions),
      sealingKeys([CURRENT]),
      t.clock,
      cryptoRandom,
      undefined,
      {
        policy: policyOptions,
        secrets: [CURRENT],
      },
    );
    const record: SessionRecord = {
      t: 'session',
      v: 1,
      uid: 'ada',
      data: {},
      createdAt: now,
      lastSeenAt: now,
      idleDeadline: now + 60_000,
      absoluteDeadline: now + 3_600_000,
      authTime: now,
      issuedAt: now,
      device: {},
    };
    t.set(await engine.seal({ sid: 'old-session', r: record }));
    const { outcome } = await t.go();
    expect(outcome.valid && outcome.session.userId).toBe('ada');
    if (!outcome.valid) return;
    expect(outcome.session.factors).toEqual([]);
    expect(t.sessions.requireFreshAuth(outcome.session).fresh).toBe(true);
    expect(t.sessions.requireFreshAuth(outcome.session, { methods: ['passkey'] }).fresh).toBe(
      false,
    );
  });
});
