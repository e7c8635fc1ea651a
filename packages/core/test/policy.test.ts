import { describe, expect, it } from 'vitest';
import { createLatchkey } from '../src/engine.js';
import { duration } from '../src/duration.js';
import { PolicyError } from '../src/errors.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SessionStore } from '../src/store/types.js';
import { describePolicy } from '../src/policy-document.js';
import { definePolicy, type PolicyOptions } from '../src/policy.js';
import { presets } from '../src/presets.js';
import { harness, parseSetCookie } from './harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The PolicyError `fn` throws; fails the test if it throws nothing or something else. */
function policyError(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    expect((e as PolicyError).code).toBe('ERR_POLICY_INVALID');
    return e as PolicyError;
  }
  throw new Error('expected a PolicyError, nothing was thrown');
}

const base: PolicyOptions = { idleTimeout: '30m', absoluteTimeout: '8h' };

describe('definePolicy refuses invalid combinations, naming the field', () => {
  it.each<[string, PolicyOptions, string]>([
    ['idle longer than absolute', { idleTimeout: '2h', absoluteTimeout: '1h' }, 'idleTimeout'],
    ['zero idle', { idleTimeout: 0, absoluteTimeout: '1h' }, 'idleTimeout'],
    ['negative absolute', { idleTimeout: '1m', absoluteTimeout: -1 }, 'absoluteTimeout'],
    ['zero duration string', { idleTimeout: '0m', absoluteTimeout: '1h' }, 'idleTimeout'],
    ['NaN idle', { idleTimeout: Number.NaN, absoluteTimeout: '1h' }, 'idleTimeout'],
    [
      'infinite absolute',
      { idleTimeout: '1m', absoluteTimeout: Number.POSITIVE_INFINITY },
      'absoluteTimeout',
    ],
    [
      'unparseable string',
      { idleTimeout: '30 minutes' as never, absoluteTimeout: '1h' },
      'idleTimeout',
    ],
    ['missing absolute', { idleTimeout: '30m' } as unknown as PolicyOptions, 'absoluteTimeout'],
    ['touch interval equal to idle', { ...base, touchInterval: '30m' }, 'touchInterval'],
    ['touch interval longer than idle', { ...base, touchInterval: '1h' }, 'touchInterval'],
    ['non-positive touch interval', { ...base, touchInterval: 0 }, 'touchInterval'],
    ['renewal after the absolute deadline', { ...base, renewInterval: '9h' }, 'renewInterval'],
    [
      'renew grace as long as the renewal interval',
      { ...base, renewInterval: '1h', renewGrace: '1h' },
      'renewGrace',
    ],
    ['negative renew grace', { ...base, renewGrace: -5 }, 'renewGrace'],
    ['negative expiry notice', { ...base, expiryNotice: -1 }, 'expiryNotice'],
    ['NaN expiry notice', { ...base, expiryNotice: Number.NaN }, 'expiryNotice'],
    ['remember-me beyond the 400-day cookie cap', { ...base, rememberMe: '401d' }, 'rememberMe'],
    ['zero remember-me', { ...base, rememberMe: 0 }, 'rememberMe'],
    [
      'access token outliving the refresh token',
      { ...base, accessTokenTtl: '1d', refreshTokenTtl: '1h' },
      'accessTokenTtl',
    ],
  ])('%s → %s', (_, options, field) => {
    const error = policyError(() => definePolicy(options));
    expect(error.field).toBe(field);
    expect(error.message).toContain(`policy.${field}`);
  });

  it.each(['banking', 'kiosk', 'api'] as const)(
    'remember-me in the %s preset, which forbids it',
    (name) => {
      const error = policyError(() => definePolicy({ ...presets[name], rememberMe: '1d' }));
      expect(error.field).toBe('rememberMe');
      expect(error.message).toContain(name);
    },
  );

  it('a forbidding preset accepts rememberMe: false', () => {
    expect(definePolicy({ ...presets.banking, rememberMe: false }).rememberMe).toBe(false);
  });

  it('refuses a non-object with a TypeError', () => {
    expect(() => definePolicy(null as never)).toThrow(TypeError);
  });

  it('refuses an invalid policy when the engine is built, not at the first request', async () => {
    expect(() => harness({ policy: { idleTimeout: '2h', absoluteTimeout: '1h' } })).toThrow(
      PolicyError,
    );
  });
});

describe('definePolicy defaults', () => {
  it('resolves durations to milliseconds and fills in defaults', () => {
    const p = definePolicy(base);
    expect(p).toMatchObject({
      idleTimeout: 30 * MIN,
      absoluteTimeout: 8 * HOUR,
      renewInterval: HOUR,
      touchInterval: MIN,
      renewGrace: 10_000,
      expiryNotice: 15 * MIN,
      rememberMe: false,
    });
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('a short policy that sets no grace is valid (the default grace shrinks to fit)', () => {
    const p = definePolicy({ idleTimeout: '1s', absoluteTimeout: '8s' });
    expect(p.renewInterval).toBe(2000);
    expect(p.renewGrace).toBeLessThan(2000);
  });
});

describe('presets carry their documented numbers', () => {
  it('banking: idle 10 min, absolute 1 h, no remember-me, fresh auth 5 min', () => {
    expect(definePolicy(presets.banking)).toMatchObject({
      name: 'banking',
      idleTimeout: 10 * MIN,
      absoluteTimeout: HOUR,
      rememberMe: false,
      freshAuthAge: 5 * MIN,
    });
  });
  it('productivity: idle 30 min, absolute 24 h, remember-me 14 days, fresh auth 15 min', () => {
    expect(definePolicy(presets.productivity)).toMatchObject({
      idleTimeout: 30 * MIN,
      absoluteTimeout: DAY,
      rememberMe: 14 * DAY,
      freshAuthAge: 15 * MIN,
    });
  });
  it('kiosk: session-only cookie, idle 5 min, no remember-me', () => {
    expect(definePolicy(presets.kiosk)).toMatchObject({
      idleTimeout: 5 * MIN,
      sessionOnlyCookie: true,
      rememberMe: false,
    });
  });
  it('api: access token 5 min, refresh token 14 days', () => {
    expect(definePolicy(presets.api)).toMatchObject({
      accessTokenTtl: 5 * MIN,
      refreshTokenTtl: 14 * DAY,
      rememberMe: false,
    });
  });
  it('a preset can be spread and overridden', () => {
    expect(definePolicy({ ...presets.productivity, idleTimeout: '20m' }).idleTimeout).toBe(
      20 * MIN,
    );
  });

  it('kiosk and productivity sessions get a cookie without Max-Age or Expires; banking ones persist to the absolute deadline', async () => {
    for (const policy of [presets.kiosk, presets.productivity]) {
      const h = harness({ policy });
      const c = parseSetCookie((await h.visit(undefined, (rs) => rs.login('ada'))).setCookie[0]!);
      expect(c.maxAge, policy.name).toBeUndefined();
      expect(c.attributes.some((a) => /^expires=/i.test(a))).toBe(false);
    }
    const bank = harness({ policy: presets.banking });
    expect(
      parseSetCookie((await bank.visit(undefined, (rs) => rs.login('ada'))).setCookie[0]!).maxAge,
    ).toBe(HOUR / 1000);
  });

  it('productivity: without "Remember me" nothing outlives the browser; with it, only the remember-me cookie does', async () => {
    const h = harness({ policy: presets.productivity });
    const plain = (await h.visit(undefined, (rs) => rs.login('ada'))).setCookie.map(parseSetCookie);
    expect(plain.filter((c) => c.maxAge !== undefined)).toEqual([]);
    const remembered = (
      await h.visit(undefined, (rs) => rs.login('ada', { rememberMe: true }))
    ).setCookie.map(parseSetCookie);
    expect(remembered.filter((c) => c.maxAge !== undefined).map((c) => c.maxAge)).toEqual([
      (14 * DAY) / 1000,
    ]);
  });
});

describe('describePolicy', () => {
  it('states the timeouts, renewal, remember-me and the session limit', () => {
    const h = harness({
      policy: presets.banking,
      sessionLimit: { max: 3, onLimit: 'evict-oldest' },
    });
    const text = h.lk.describePolicy();
    expect(text).toContain('Session policy "banking"');
    expect(text).toMatch(/Idle timeout: 10 minutes/);
    expect(text).toMatch(/Absolute timeout: .*1 hour/);
    expect(text).toMatch(/new session ID is issued every 15 minutes/);
    expect(text).toMatch(/Remember me: not offered/);
    expect(text).toMatch(
      /at most 3 per user; signing in beyond that ends the least recently used session/,
    );
    expect(text).toMatch(/__Host-session/);
    expect(text).toContain(presets.banking.reasons!.idle!);
  });

  it('describes remember-me, refusal at the limit, no limit, and no renewal', () => {
    const office = describePolicy(definePolicy(presets.productivity), {
      sessionLimit: { max: 5, onLimit: 'refuse' },
    });
    expect(office).toMatch(/Remember me: .*14 days/);
    expect(office).toMatch(/at most 5 per user; signing in beyond that is refused/);
    const api = describePolicy(definePolicy(presets.api));
    expect(api).toMatch(/ID changes only at sign-in/);
    expect(api).toMatch(/no limit per user/);
    expect(api).toMatch(/Access tokens live 5 minutes/);
  });

  it('does not promise a session list on a store that cannot list sessions', () => {
    const memory = new MemoryStore();
    const plain: SessionStore = {
      name: 'plain',
      get: (k) => memory.get(k),
      set: (k, v, t) => memory.set(k, v, t),
      delete: (k) => memory.delete(k),
    };
    const listable = createLatchkey({ policy: presets.banking, store: memory }).describePolicy();
    const unlistable = createLatchkey({ policy: presets.banking, store: plain }).describePolicy();
    expect(listable).toMatch(/every session is listed and can be ended from any other/);
    expect(unlistable).not.toMatch(/every session is listed/);
    expect(unlistable).toMatch(/cannot be listed or ended from another device/);
  });
});

describe('a bare number under one minute is refused as seconds meant as milliseconds', () => {
  it.each<[keyof PolicyOptions, number]>([
    ['idleTimeout', 30],
    ['absoluteTimeout', 3600],
    ['renewInterval', 900],
    ['rememberMe', 59_999],
    ['freshAuthAge', 300],
    ['expiryNotice', 15],
    ['touchInterval', 60],
    ['renewGrace', 10],
  ])('%s: %d', (field, value) => {
    const error = policyError(() => definePolicy({ ...base, [field]: value }));
    expect(error.field).toBe(field);
    expect(error.message).toContain(`${value} is a bare number`);
    expect(error.message).toMatch(/seconds meant as milliseconds/);
  });

  it('names both fixes: the unit as a string, or the milliseconds', () => {
    const error = policyError(() => definePolicy({ idleTimeout: 30, absoluteTimeout: '1h' }));
    expect(error.message).toContain(`'30s' or 30_000`);
    expect(error.message).toContain(`'30ms'`);
  });

  it('a few thousand bare milliseconds (a short test policy) is told to say its unit', () => {
    const error = policyError(() => definePolicy({ idleTimeout: 5000, absoluteTimeout: '1h' }));
    expect(error.message).toContain(`a duration this short says its unit: '5s' (or '5000ms')`);
  });

  it('the token lifetimes too', () => {
    expect(policyError(() => definePolicy({ ...base, accessTokenTtl: 300 })).field).toBe(
      'accessTokenTtl',
    );
  });

  it('a string keeps short durations for tests and demos, and big bare numbers stay milliseconds', () => {
    const p = definePolicy({
      idleTimeout: '5s',
      absoluteTimeout: 60_000,
      touchInterval: '500ms',
      renewGrace: 1000,
      expiryNotice: 0,
    });
    expect(p).toMatchObject({
      idleTimeout: 5000,
      absoluteTimeout: 60_000,
      touchInterval: 500,
      renewGrace: 1000,
      expiryNotice: 0,
    });
  });
});

describe('definePolicy refuses unknown option names', () => {
  it.each<[string, string]>([
    ['idleTimout', 'idleTimeout'],
    ['absolutetimeout', 'absoluteTimeout'],
    ['idle', 'idleTimeout'],
    ['rememberme', 'rememberMe'],
  ])('%s: did you mean %s?', (key, meant) => {
    const error = policyError(() => definePolicy({ ...base, [key]: '5m' } as PolicyOptions));
    expect(error.field).toBe(key);
    expect(error.message).toContain(`unknown option "${key}"; did you mean "${meant}"?`);
  });

  it('a name close to none lists the options', () => {
    const error = policyError(() => definePolicy({ ...base, colour: 'red' } as PolicyOptions));
    expect(error.message).toContain('unknown option "colour"; the options are name, idleTimeout');
  });

  it('ttl and maxAge say which lifetime to set instead', () => {
    expect(
      policyError(() => definePolicy({ ...base, ttl: '1h' } as PolicyOptions)).message,
    ).toMatch(/idleTimeout .* or absoluteTimeout/);
    expect(
      policyError(() => definePolicy({ ...base, maxAge: '1h' } as PolicyOptions)).message,
    ).toMatch(/sessionOnlyCookie/);
  });

  it('an unknown reason key', () => {
    const error = policyError(() =>
      definePolicy({ ...base, reasons: { idel: 'why' } as PolicyOptions['reasons'] }),
    );
    expect(error.field).toBe('reasons.idel');
    expect(error.message).toContain('did you mean "idle"?');
  });

  it('a missing timeout says it is required and shows one', () => {
    const error = policyError(() =>
      definePolicy({ absoluteTimeout: '1h' } as unknown as PolicyOptions),
    );
    expect(error.field).toBe('idleTimeout');
    expect(error.message).toContain("is required, e.g. definePolicy({ idleTimeout: '30m'");
  });

  it('every preset passes the check, spread and overridden', () => {
    for (const preset of Object.values(presets))
      expect(() => definePolicy({ ...preset, name: 'mine' })).not.toThrow();
  });
});

describe('duration() reads durations from text such as the environment', () => {
  it('returns a Duration definePolicy accepts, or the fallback when the text is missing', () => {
    const env: Record<string, string | undefined> = { SESSION_IDLE: ' 20m ' };
    const policy = definePolicy({
      idleTimeout: duration(env.SESSION_IDLE, '30m'),
      absoluteTimeout: duration(env.SESSION_ABSOLUTE, '12h'),
    });
    expect(policy.idleTimeout).toBe(20 * MIN);
    expect(policy.absoluteTimeout).toBe(12 * HOUR);
    expect(duration('1800000')).toBe(1_800_000);
    expect(duration('1.5 h')).toBe('1.5h');
    expect(duration('', '5m')).toBe('5m');
  });

  it.each(['30 minutes', '30x', '-5m', 'soon'])(
    'refuses %j with a RangeError naming the accepted forms',
    (text) => {
      expect(() => duration(text)).toThrow(RangeError);
      expect(() => duration(text)).toThrow(/ms, s, m, h or d \('30m', '12h', '500ms'\)/);
    },
  );

  it('refuses missing text without a fallback', () => {
    expect(() => duration(undefined)).toThrow(RangeError);
  });

  it('digits alone are milliseconds, so "30" from the environment is refused by the policy', () => {
    const error = policyError(() =>
      definePolicy({ idleTimeout: duration('30'), absoluteTimeout: '1h' }),
    );
    expect(error.message).toContain(`'30s' or 30_000`);
  });
});
