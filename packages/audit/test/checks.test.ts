import { describe, expect, it } from 'vitest';
import {
  CHECK_IDS,
  estimateEntropy,
  evaluate,
  parseSetCookie,
  type CheckResult,
  type Observations,
} from '@latchkey/audit';

const random = (bytes: number) =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
const samples = (n: number, make: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => make(i));

/** What a well-configured HTTPS app shows; each test spoils one thing. */
function good(over: Partial<Observations> = {}): Observations {
  return {
    target: 'https://app.example',
    plainHttp: false,
    sessionCookies: [parseSetCookie('__Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax')!],
    loginAt: Date.UTC(2026, 0, 1),
    idSamples: { '__Host-sid': samples(16, () => random(32)) },
    fixation: [
      { vector: 'chosen-by-attacker', kept: false },
      { vector: 're-authentication', kept: false },
    ],
    logout: { status: 303, cacheControl: 'no-store', replayStatus: 401 },
    csrf: { via: 'logout', status: 403, tookEffect: false },
    idleTimeout: {
      claimedMs: 1_800_000,
      toleranceMs: 180_000,
      method: 'clock-hook',
      aliveBefore: true,
      aliveAfter: false,
    },
    absoluteTimeout: {
      claimedMs: 86_400_000,
      toleranceMs: 8_640_000,
      method: 'clock-hook',
      aliveBefore: true,
      aliveAfter: false,
    },
    skipped: {},
    ...over,
  };
}
const cookie = (line: string) => ({ sessionCookies: [parseSetCookie(line)!] });
const failed = (o: Observations) =>
  evaluate(o)
    .filter((c) => c.status === 'fail')
    .map((c) => c.id);
const check = (o: Observations, id: string) => evaluate(o).find((c) => c.id === id) as CheckResult;

describe('the checks', () => {
  it('pass for a well-configured HTTPS app, in the stable order, each with its ASVS number and a fix', () => {
    const results = evaluate(good());
    expect(results.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect(results.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(results.find((c) => c.id === 'id-entropy')).toMatchObject({
      asvs: 'V7.2.3',
      severity: 'critical',
    });
    expect(results.find((c) => c.id === 'fixation')!.asvs).toBe('V7.2.4');
    expect(results.find((c) => c.id === 'logout-server-side')!.asvs).toBe('V7.4.1');
    for (const c of results) expect(c.fix.length).toBeGreaterThan(10);
  });

  it('fail one at a time, each for its own attribute', () => {
    expect(failed(good(cookie('__Host-sid=a; Path=/; Secure; SameSite=Lax')))).toEqual([
      'cookie-httponly',
    ]);
    expect(failed(good(cookie('__Host-sid=a; Path=/; Secure; HttpOnly')))).toEqual([
      'cookie-samesite',
    ]);
    expect(failed(good(cookie('__Host-sid=a; Path=/; Secure; HttpOnly; SameSite=None')))).toEqual([
      'cookie-samesite',
    ]);
    expect(failed(good(cookie('sid=a; Path=/; Secure; HttpOnly; SameSite=Strict')))).toEqual([
      'cookie-prefix',
    ]);
    expect(
      failed(
        good(cookie('__Secure-sid=a; Path=/; Domain=.app.example; Secure; HttpOnly; SameSite=Lax')),
      ),
    ).toEqual(['cookie-scope']);
    // A __Host- cookie with a Domain is dropped by browsers: a prefix failure, and a scope one.
    expect(
      failed(
        good(cookie('__Host-sid=a; Path=/; Domain=app.example; Secure; HttpOnly; SameSite=Lax')),
      ),
    ).toEqual(['cookie-prefix', 'cookie-scope']);
    expect(failed(good(cookie('__Secure-sid=a; Path=/; HttpOnly; SameSite=Lax')))).toEqual([
      'cookie-secure',
      'cookie-prefix',
    ]);
  });

  it('on a plain-HTTP target, cookie-secure and cookie-prefix fail with a note even when the cookie is right', () => {
    const o = good({ plainHttp: true });
    expect(failed(o)).toEqual(['cookie-secure', 'cookie-prefix']);
    expect(check(o, 'cookie-secure').note).toMatch(/plain HTTP/);
    expect(check(o, 'cookie-prefix').note).toMatch(/plain HTTP/);
  });

  it('cookie-lifetime: session-only and persistent under 400 days pass, past 400 days fails', () => {
    const at = good().loginAt;
    const expires = (days: number) => new Date(at + days * 86_400_000).toUTCString();
    expect(check(good(), 'cookie-lifetime').message).toMatch(/session-only/);
    const month = good(
      cookie(`__Host-sid=a; Path=/; Secure; HttpOnly; SameSite=Lax; Expires=${expires(30)}`),
    );
    expect(check(month, 'cookie-lifetime')).toMatchObject({
      status: 'pass',
      message: '__Host-sid: persistent, 30 d',
    });
    expect(
      failed(
        good(cookie('__Host-sid=a; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=34646400')),
      ),
    ).toEqual(['cookie-lifetime']);
    expect(
      failed(
        good(
          cookie(`__Host-sid=a; Path=/; Secure; HttpOnly; SameSite=Lax; Expires=${expires(500)}`),
        ),
      ),
    ).toEqual(['cookie-lifetime']);
  });

  it('cookie-size: name and value over 4096 bytes fail', () => {
    expect(
      failed(
        good(cookie(`__Host-sid=${'a'.repeat(4086)}; Path=/; Secure; HttpOnly; SameSite=Lax`)),
      ),
    ).toEqual([]);
    expect(
      failed(
        good(cookie(`__Host-sid=${'a'.repeat(4087)}; Path=/; Secure; HttpOnly; SameSite=Lax`)),
      ),
    ).toEqual(['cookie-size']);
  });

  it('id-entropy fails a counter, whatever its padding; id-repeat fails a repeated ID; each only its own', () => {
    const counter = samples(16, (i) => (0x5e550000 + i).toString(16).padStart(32, '0'));
    expect(failed(good({ idSamples: { '__Host-sid': counter } }))).toEqual(['id-entropy']);
    const ids = samples(16, () => random(32));
    ids[9] = ids[3]!;
    expect(failed(good({ idSamples: { '__Host-sid': ids } }))).toEqual(['id-repeat']);
  });

  it('fixation fails whichever way the ID survived login; the logout, CSRF and timeout checks fail on what they saw', () => {
    expect(failed(good({ fixation: [{ vector: 'issued-before-login', kept: true }] }))).toEqual([
      'fixation',
    ]);
    expect(
      failed(good({ logout: { status: 200, cacheControl: 'no-store', replayStatus: 200 } })),
    ).toEqual(['logout-server-side']);
    expect(
      failed(
        good({ logout: { status: 200, cacheControl: 'private, no-cache', replayStatus: 401 } }),
      ),
    ).toEqual(['logout-no-store']);
    expect(failed(good({ csrf: { via: 'logout', status: 302, tookEffect: true } }))).toEqual([
      'csrf-origin',
    ]);
    const idle = good().idleTimeout!;
    expect(failed(good({ idleTimeout: { ...idle, aliveAfter: true } }))).toEqual(['idle-timeout']);
    expect(
      failed(good({ idleTimeout: { ...idle, aliveBefore: false, endedAfterMs: 60_000 } })),
    ).toEqual(['idle-timeout']);
  });

  it('is n/a, with the reason, where nothing was probed', () => {
    const o = good({
      logout: undefined,
      idleTimeout: undefined,
      absoluteTimeout: undefined,
      skipped: { 'logout-server-side': 'no --logout URL given' },
    });
    const na = evaluate(o).filter((c) => c.status === 'n/a');
    expect(na.map((c) => c.id)).toEqual([
      'logout-server-side',
      'logout-no-store',
      'idle-timeout',
      'absolute-timeout',
    ]);
    expect(na[0]!.message).toBe('no --logout URL given');
  });
});

describe('estimateEntropy', () => {
  it('gives 32 random bytes in base64url over 256 bits, and 128-bit hex at 128', () => {
    expect(estimateEntropy(samples(16, () => random(32))).bits).toBeGreaterThanOrEqual(256);
    const hex = samples(16, () =>
      Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex'),
    );
    expect(estimateEntropy(hex)).toMatchObject({
      bits: 128,
      alphabet: { size: 16 },
      sequential: false,
    });
  });

  it('with only two samples counts every position (a shared digit may be chance), yet still spots a counter', () => {
    const hex = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex');
    expect(estimateEntropy([hex(), hex()])).toMatchObject({
      bits: 128,
      fewSamples: true,
      sequential: false,
    });
    expect(
      estimateEntropy(['00000000000000000000000000005e51', '00000000000000000000000000005e52']),
    ).toMatchObject({ sequential: true });
  });

  it('finds a UUIDv4 short of 128 bits (its version digit and dashes never change)', () => {
    const e = estimateEntropy(samples(32, () => crypto.randomUUID()));
    expect(e.bits).toBeLessThan(128);
    expect(e.bits).toBeGreaterThanOrEqual(120);
  });

  it('counts nothing for a long prefix every sample shares', () => {
    const e = estimateEntropy(samples(16, () => 'tenant-0042-session-' + random(6)));
    expect(e.sharedPrefix).toBeGreaterThanOrEqual(20);
    expect(e.bits).toBeLessThanOrEqual(8 * 6);
  });

  it('calls counters and millisecond timestamps sequential, random numbers not', () => {
    expect(estimateEntropy(samples(8, (i) => String(1000 + i))).sequential).toBe(true);
    expect(
      estimateEntropy(samples(8, (i) => `sess-${(1764640000000 + i * 57).toString(16)}-x`))
        .sequential,
    ).toBe(true);
    const big = samples(8, () =>
      BigInt(
        '0x' + Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex'),
      ).toString(),
    );
    expect(estimateEntropy(big).sequential).toBe(false);
  });
});

describe('parseSetCookie', () => {
  it('reads the attributes a browser reads, case-insensitively', () => {
    expect(
      parseSetCookie(
        'a=b; path=/x; DOMAIN=.Example.com; secure; HTTPONLY; samesite=lax; max-age=60',
      ),
    ).toMatchObject({
      name: 'a',
      value: 'b',
      path: '/x',
      domain: 'example.com',
      secure: true,
      httpOnly: true,
      sameSite: 'lax',
      maxAge: 60,
    });
  });

  it('returns null for lines a browser ignores, and never throws on garbage', () => {
    expect(parseSetCookie('a=b\u0001; Path=/')).toBeNull();
    expect(parseSetCookie('')).toBeNull();
    expect(parseSetCookie('=')).toBeNull();
    for (const garbage of [
      ';;;',
      '=;=;=',
      'x'.repeat(100_000),
      '\uffff=\ud800',
      'a=b; Expires=never; Max-Age=soon',
    ])
      expect(() => parseSetCookie(garbage)).not.toThrow();
    expect(parseSetCookie('a=b; Expires=never; Max-Age=soon')).toMatchObject({
      name: 'a',
      value: 'b',
    });
    expect(parseSetCookie('a=b; Expires=never; Max-Age=soon')!.maxAge).toBeUndefined();
  });
});
