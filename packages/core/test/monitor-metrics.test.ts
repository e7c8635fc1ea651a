/**
 * The session monitor's views: counts over a sliding window on the manual
 * clock, active sessions per user, one JSON log line per event that never
 * holds a secret, OpenMetrics text parsed line by line, an OpenTelemetry-shaped
 * meter, and the options it refuses.
 */

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SessionStore } from '../src/store/types.js';
import { createMonitor } from '../src/monitor/monitor.js';
import type { Meter, MeterAttributes } from '../src/monitor/meter.js';
import { monitored, REMEMBER, renewing, SESSION } from './monitor-setup.js';

/** Parse OpenMetrics text by the spec's line grammar; throws on the first line that breaks it. */
function parseOpenMetrics(text: string): Map<string, number> {
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  expect(text.endsWith('# EOF\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines.at(-1)).toBe('# EOF');
  const samples = new Map<string, number>();
  const families = new Map<string, string>();
  let family: { name: string; type: string } | null = null;
  for (const line of lines.slice(0, -1)) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge)$`).exec(line))) {
      expect(families.has(m[1]!), `family ${m[1]} declared twice`).toBe(false);
      expect(m[1]!.endsWith('_total'), 'a counter family is named without _total').toBe(false);
      family = { name: m[1]!, type: m[2]! };
      families.set(family.name, family.type);
    } else if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      expect(m[1]).toBe(family?.name);
      expect(m[2]).not.toMatch(/(^|[^\\])\\[^\\n"]/);
    } else if ((m = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (-?[0-9]+(?:\\.[0-9]+)?)$`).exec(line))) {
      expect(family, `sample before any # TYPE: ${line}`).not.toBeNull();
      expect(m[1]).toBe(family!.type === 'counter' ? `${family!.name}_total` : family!.name);
      const labels = m[2] ?? '';
      const pairs = labels === '' ? [] : labels.split(/,(?=[a-zA-Z_])/);
      for (const pair of pairs)
        expect(pair).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\n"])*"$/);
      if (family!.type === 'counter') expect(Number(m[3])).toBeGreaterThanOrEqual(0);
      samples.set(labels === '' ? m[1]! : `${m[1]}{${labels}}`, Number(m[3]));
    } else {
      throw new Error(`not an OpenMetrics line: ${JSON.stringify(line)}`);
    }
  }
  return samples;
}

describe('createMonitor: counts over a sliding window', () => {
  it('counts per event kind drop out of the window as the clock advances; totals keep them', async () => {
    const t = monitored({ monitor: { window: '5m' } });
    for (let i = 0; i < 3; i++) await t.signedIn(`user${i}`);
    expect(t.monitor.counts()).toMatchObject({ created: 3 });
    t.clock.advance('3m');
    for (let i = 0; i < 2; i++) await t.signedIn(`late${i}`);
    expect(t.monitor.counts()).toMatchObject({ created: 5 });
    t.clock.advance('130s'); // the first three are 5 min 10 s old: past the window and its 5 s buckets
    expect(t.monitor.counts()).toMatchObject({ created: 2 });
    t.clock.advance('3m');
    expect(t.monitor.counts().created).toBeUndefined();
    expect(t.monitor.totals()).toMatchObject({ created: 5 });
    expect(t.monitor.view().window).toEqual({ ms: 300_000, counts: {} });
  });
});

describe('createMonitor: active sessions per user', () => {
  it('go up with logins and remember-me sign-ins, down with logout, revocation and log out everywhere; renewal is the same session', async () => {
    const t = monitored({ policy: renewing });
    const a1 = await t.signedIn('ada', true);
    const a2 = await t.signedIn('ada');
    const a3 = await t.signedIn('ada');
    const bob = await t.signedIn('bob');
    expect([t.monitor.activeSessions('ada'), t.monitor.activeSessions()]).toEqual([3, 4]);

    t.clock.advance('16m');
    await a2.go(); // renewed: a new handle, the same session
    expect(t.monitor.totals().renewed).toBe(1);
    expect(t.monitor.activeSessions('ada')).toBe(3);
    await a2.go((rs) => rs.logout());
    expect(t.monitor.activeSessions('ada')).toBe(2);
    await t.lk.revokeSession(bob.handle);
    expect(t.monitor.activeSessions('bob')).toBe(0);

    // a1's session times out; its remembered device signs it back in: a new session.
    t.clock.advance('31m');
    expect((await a1.go()).outcome).toMatchObject({ via: 'remember-me' });
    await a3.go(); // swept by the store after its deadline: its cookie is unknown, it leaves the count
    expect(t.monitor.activeSessions('ada')).toBe(1);
    const again = await t.signedIn('ada');
    expect(t.monitor.activeSessions('ada')).toBe(2);
    await again.go((rs) => rs.revokeOthers()); // log out everywhere else: this one stays
    expect(t.monitor.activeSessions('ada')).toBe(1);
    expect(t.monitor.view().users).toEqual([{ userId: 'ada', sessions: 1 }]);
  });

  it("given the engine's policy, a session that times out with no event stops counting", async () => {
    const t = monitored();
    const withPolicy = createMonitor({ clock: t.clock, policy: t.lk.policy });
    const b = t.browser();
    await b.go(async (rs) => {
      await rs.login('ada');
      withPolicy.observe({
        type: 'created',
        at: t.clock.now(),
        handle: rs.current!.handle,
        userId: 'ada',
      });
    });
    expect(withPolicy.activeSessions('ada')).toBe(1);
    t.clock.advance('29m');
    expect(withPolicy.activeSessions('ada')).toBe(1);
    t.clock.advance('1m');
    expect(withPolicy.activeSessions('ada')).toBe(0);
    expect(withPolicy.metrics()).toContain('\nlatchkey_active_sessions 0\n');
    // Without the policy only an event ends it.
    expect(t.monitor.activeSessions('ada')).toBe(1);
  });
});

describe('createMonitor: structured log lines', () => {
  it('one JSON line per event, anomalies included; no line holds a session ID, remember-me, refresh or access token, or the client address', async () => {
    let failing = false;
    const flaky = (clock: ManualClock) => {
      const memory = new MemoryStore({ clock });
      return new Proxy(memory, {
        get(target, prop) {
          if (prop === 'get' && failing) return () => Promise.reject(new Error('connection reset'));
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as SessionStore;
    };
    const t = monitored({
      policy: renewing,
      store: flaky,
      sessionLimit: { max: 3, onLimit: 'evict-oldest' },
      monitor: { burst: { threshold: 3, window: '1m' } },
    });
    const ip = '198.51.100.7';
    // Sessions: login with remember-me, use, renewal, regeneration, step-up, revocation, logout, replays.
    const a = await t.signedIn('ada', true);
    const b = await t.signedIn('ada');
    t.clock.advance('2m');
    await a.go();
    t.clock.advance('14m');
    await a.go();
    await a.go((rs) => rs.regenerate());
    await a.go((rs) => rs.reauthenticate());
    await t.lk.revokeSession(b.handle);
    await b.go();
    const c = await t.signedIn('ada');
    const replay = `${SESSION}=${c.jar.get(SESSION)}`;
    await c.go((rs) => rs.logout());
    t.clock.advance('10s');
    for (let i = 0; i < 3; i++) await t.send(replay);
    for (let i = 0; i < 4; i++) await t.signedIn('ada'); // evictions
    // Remember-me: a silent sign-in, then a replayed old token (theft).
    const copied = a.jar.get(REMEMBER)!;
    const idle = await t.signedIn('eve');
    t.clock.advance('31m');
    await idle.go(); // expired
    await a.go();
    t.clock.advance('31s');
    await t.send(`${REMEMBER}=${copied}`);
    // Tokens: issue, rotate, reuse, logout, revoke an access token.
    const first = await t.issue('bob');
    const next = await t.tokens.refresh(first.refreshToken);
    if (next.valid) t.keep(next.tokens);
    t.clock.advance('10s');
    await t.tokens.refresh(first.refreshToken);
    const other = await t.issue('bob');
    await t.tokens.verifyAccess(other.accessToken);
    await t.tokens.logout({ refreshToken: other.refreshToken, accessToken: other.accessToken });
    await t.tokens.refresh(other.refreshToken);
    await t.tokens.verifyAccess(other.accessToken);
    await t.tokens.setNotBefore('bob');
    // The store fails once.
    failing = true;
    await t.send(`${SESSION}=${'A'.repeat(43)}`).catch(() => {});
    failing = false;

    const parsed = t.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const kinds = new Set(parsed.map((l) => l.event));
    for (const kind of [
      'created',
      'regenerated',
      'renewed',
      'touched',
      'expired',
      'logout',
      'revoked',
      'revoke-all',
      'revoked-used',
      'validation-failed',
      'evicted',
      'store-error',
      'token-issued',
      'token-refreshed',
      'refresh-reuse',
      'family-revoked',
      'token-revoked',
      'user-tokens-revoked',
      'token-revoked-used',
      'remember-me-issued',
      'remember-me-used',
      'remember-me-theft',
      'remember-me-revoked',
    ])
      expect(kinds, kind).toContain(kind);
    for (const line of parsed) {
      expect(typeof line.time).toBe('string');
      expect(line.time).toBe(new Date(line.at as number).toISOString());
    }
    const flagged = parsed.flatMap((l) => (l.anomalies as Array<{ kind: string }>) ?? []);
    expect(new Set(flagged.map((a) => a.kind))).toEqual(
      new Set([
        'used-after-revocation',
        'used-after-logout',
        'validation-burst',
        'over-session-limit',
        'remember-me-theft',
        'refresh-reuse',
      ]),
    );

    // Every secret handed out, whole and in parts (a remember-me token is selector.validator, a JWT three parts).
    const secrets = [...t.secrets].flatMap((s) => [
      s,
      ...s.split('.').filter((p) => p.length >= 16),
    ]);
    expect(secrets.length).toBeGreaterThan(30);
    for (const line of t.lines) {
      for (const secret of secrets) expect(line, 'a log line holds a secret').not.toContain(secret);
      expect(line).not.toContain(ip);
    }
    const failures = parsed.filter((l) => l.event === 'validation-failed');
    expect(
      failures.every((l) => typeof l.client === 'string' && /^[A-Za-z0-9_-]{22}$/.test(l.client)),
    ).toBe(true);
  });

  it('a writable target gets each line with a newline; a throwing one breaks nothing', async () => {
    const chunks: string[] = [];
    const t = monitored({ monitor: { log: { write: (chunk: string) => chunks.push(chunk) } } });
    await t.signedIn('ada');
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(chunks[0]!)).toMatchObject({ event: 'created', userId: 'ada' });
    const broken = monitored({
      monitor: {
        log: () => {
          throw new Error('disk full');
        },
      },
    });
    const b = await broken.signedIn('ada');
    expect((await b.go()).outcome.valid).toBe(true);
    expect(broken.monitor.totals().created).toBe(1);
  });
});

describe('createMonitor: metrics', () => {
  it('OpenMetrics text parses line by line and its counters move with the engine', async () => {
    const t = monitored();
    const empty = parseOpenMetrics(t.monitor.metrics());
    expect(empty.get('latchkey_sessions_created_total')).toBe(0);
    expect(empty.get('latchkey_anomalies_total{kind="refresh-reuse"}')).toBe(0);

    const a = await t.signedIn('ada');
    await t.signedIn('bob');
    const idle = await t.signedIn('eve');
    await t.lk.revokeSession(a.handle);
    t.clock.advance('31m');
    await idle.go();
    const first = await t.issue('ada');
    await t.tokens.refresh(first.refreshToken);
    t.clock.advance('10s');
    await t.tokens.refresh(first.refreshToken);
    const down = (t.store as MemoryStore).get;
    (t.store as unknown as Record<string, unknown>).get = () => Promise.reject(new Error('down'));
    await t.send(`${SESSION}=${'A'.repeat(43)}`).catch(() => {});
    (t.store as unknown as Record<string, unknown>).get = down;

    const text = t.monitor.metrics();
    expect(text).toContain('# TYPE latchkey_sessions_created counter\n');
    const m = parseOpenMetrics(text);
    expect(m.get('latchkey_sessions_created_total')).toBe(3);
    expect(m.get('latchkey_sessions_expired_total{reason="idle"}')).toBe(1);
    expect(m.get('latchkey_sessions_expired_total{reason="absolute"}')).toBe(0);
    expect(m.get('latchkey_sessions_revoked_total')).toBe(1);
    expect(m.get('latchkey_anomalies_total{kind="refresh-reuse"}')).toBe(1);
    expect(m.get('latchkey_anomalies_total{kind="remember-me-theft"}')).toBe(0);
    expect(m.get('latchkey_store_errors_total{code="ERR_STORE_UNAVAILABLE"}')).toBe(1);
    expect(m.get('latchkey_tokens_issued_total')).toBe(1);
    expect(m.get('latchkey_events_total{type="created"}')).toBe(3);
    expect(m.get('latchkey_active_sessions')).toBe(1); // ada's was revoked, eve's expired; bob's timed out unseen (no policy given)
  });

  it('label values are escaped per OpenMetrics', () => {
    const monitor = createMonitor();
    monitor.observe({
      type: 'store-error',
      at: 1,
      operation: 'read',
      code: 'odd"code\\\n',
      message: 'x',
    });
    const m = parseOpenMetrics(monitor.metrics());
    expect(m.get('latchkey_store_errors_total{code="odd\\"code\\\\\\n"}')).toBe(1);
  });

  it('an OpenTelemetry-shaped meter gets every change as it happens', async () => {
    const calls: Array<{ name: string; value: number; attributes?: MeterAttributes }> = [];
    const created: Array<{ name: string; kind: string; description?: string }> = [];
    const instrument = (kind: string) => (name: string, options?: { description?: string }) => {
      created.push({
        name,
        kind,
        ...(options?.description ? { description: options.description } : {}),
      });
      return {
        add: (value: number, attributes?: MeterAttributes) =>
          void calls.push({ name, value, ...(attributes ? { attributes } : {}) }),
      };
    };
    const meter: Meter = {
      createCounter: instrument('counter'),
      createUpDownCounter: instrument('updown'),
    };
    const t = monitored({ monitor: { meter } });
    const sum = (name: string, attributes?: MeterAttributes) =>
      calls
        .filter(
          (c) =>
            c.name === name &&
            (!attributes || JSON.stringify(c.attributes) === JSON.stringify(attributes)),
        )
        .reduce((n, c) => n + c.value, 0);

    expect(created).toContainEqual(
      expect.objectContaining({ name: 'latchkey.sessions.created', kind: 'counter' }),
    );
    expect(created).toContainEqual(
      expect.objectContaining({ name: 'latchkey.sessions.active', kind: 'updown' }),
    );
    expect(created.every((c) => typeof c.description === 'string')).toBe(true);
    const a = await t.signedIn('ada');
    await t.signedIn('bob');
    expect(sum('latchkey.sessions.created')).toBe(2);
    expect(sum('latchkey.sessions.active')).toBe(2);
    await a.go((rs) => rs.logout());
    expect(sum('latchkey.sessions.active')).toBe(1);
    expect(sum('latchkey.sessions.logged_out')).toBe(1);
    const pair = await t.issue('ada');
    await t.tokens.refresh(pair.refreshToken);
    t.clock.advance('10s');
    await t.tokens.refresh(pair.refreshToken);
    expect(sum('latchkey.anomalies', { kind: 'refresh-reuse' })).toBe(1);
    expect(sum('latchkey.events', { type: 'refresh-reuse' })).toBe(1);
    expect(
      calls.filter((c) => c.name !== 'latchkey.sessions.active').every((c) => c.value > 0),
    ).toBe(true);
  });
});

describe('createMonitor: options', () => {
  it('refuses what it cannot use, naming the option', () => {
    expect(() => createMonitor({ window: '0s' })).toThrow(/window must be a positive duration/);
    expect(() => createMonitor({ window: 'soon' as never })).toThrow(RangeError);
    expect(() => createMonitor({ burst: { threshold: 0 } })).toThrow(/burst\.threshold/);
    expect(() => createMonitor({ burst: { window: -1 } })).toThrow(/burst\.window/);
    expect(() => createMonitor({ log: 'stdout' as never })).toThrow(/log must be/);
    expect(() => createMonitor({ onAnomaly: 1 as never })).toThrow(/onAnomaly/);
    expect(() => createMonitor({ meter: {} as never })).toThrow(/meter must have/);
    expect(() => createMonitor({ salt: 5 as never })).toThrow(/salt/);
    expect(() => createMonitor({ policy: { idleTimeout: 0, absoluteTimeout: '1h' } })).toThrow(
      /policy\.idleTimeout/,
    );
  });

  it('the client hash depends on the salt: two monitors with different salts cannot be joined on it', () => {
    const failure = {
      type: 'validation-failed',
      at: 1,
      reason: 'unknown',
      client: '203.0.113.1',
    } as const;
    const lines: string[] = [];
    for (const salt of ['one', 'two', 'one'])
      createMonitor({ salt, log: (l) => void lines.push(l) }).observe(failure);
    const clients = lines.map((l) => JSON.parse(l).client);
    expect(clients[0]).toBe(clients[2]);
    expect(clients[0]).not.toBe(clients[1]);
  });
});
