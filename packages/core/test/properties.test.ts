/**
 * Properties over random timelines: several browsers and an attacker who
 * replays every ID ever issued send requests, sign in, sign out, regenerate,
 * get revoked, while the clock jumps by random amounts (often exactly onto a
 * deadline). A small model predicts every outcome; on top of the exact
 * prediction, the invariants issue 2 names are asserted on their own:
 * nothing is accepted after its absolute deadline or after an idle gap longer
 * than the idle timeout (measured from the last accepted request); a
 * logged-out or revoked session is never accepted again; login always issues
 * a new ID; and the MemoryStore holds no record past its deadline (idle
 * deadline capped at absolute, plus expiryNotice) plus the sweep interval.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { decide, freshRecord, storeTtl, touched } from '../src/decide.js';
import { createLatchkey } from '../src/engine.js';
import { SessionConflictError, SessionRequiredError } from '../src/errors.js';
import type { LoadOutcome } from '../src/outcome.js';
import { definePolicy, type SessionPolicy } from '../src/policy.js';
import { hashSecret } from '../src/random.js';
import type { ServerRequestSession as RequestSession } from '../src/request-session.js';
import { MemoryStore } from '../src/store/memory.js';
import type { SessionStore } from '../src/store/types.js';
import { COOKIE, NEVER_ISSUED, ORIGIN, parseSetCookie } from './harness.js';

type Op = 'read' | 'write' | 'login' | 'start' | 'logout' | 'regenerate';
type Command =
  | { kind: 'visit'; client: number; op: Op; user: string; clean: boolean }
  | { kind: 'replay'; pick: number; write: boolean }
  /** A request still in flight, or another tab, with the client's previous cookie. */
  | { kind: 'stale'; client: number; write: boolean }
  | { kind: 'revokeUser'; user: string }
  | { kind: 'revokeSession'; client: number; pick: number | undefined }
  | { kind: 'advance'; scale: 'touch' | 'idle' | 'renew' | 'grace' | 'absolute'; share: number }
  | {
      kind: 'toDeadline';
      client: number;
      which: 'idle' | 'absolute' | 'grace' | 'store' | 'renew';
      delta: -1 | 0 | 1;
    };

interface Config {
  policy: SessionPolicy;
  sweepInterval: number;
}

const config: fc.Arbitrary<Config> = fc
  .record({
    idle: fc.integer({ min: 2_000, max: 60_000 }),
    absFactor: fc.integer({ min: 1, max: 6 }),
    absExtra: fc.integer({ min: 0, max: 10_000 }),
    touchShare: fc.integer({ min: 0, max: 500 }).map((permille) => permille / 1000),
    renewShare: fc.option(
      fc.integer({ min: 50, max: 1500 }).map((permille) => permille / 1000),
      { nil: undefined, freq: 4 },
    ),
    graceShare: fc.integer({ min: 0, max: 900 }).map((permille) => permille / 1000),
    notice: fc.integer({ min: 0, max: 20_000 }),
    sweepInterval: fc.integer({ min: 0, max: 20_000 }),
  })
  .map(
    ({ idle, absFactor, absExtra, touchShare, renewShare, graceShare, notice, sweepInterval }) => {
      const absolute = idle * absFactor + absExtra;
      const renewInterval =
        renewShare === undefined
          ? false
          : Math.min(absolute, Math.max(1_000, Math.floor(idle * renewShare)));
      const policy = definePolicy({
        idleTimeout: `${idle}ms`,
        absoluteTimeout: `${absolute}ms`,
        touchInterval: `${Math.max(1, Math.floor(idle * touchShare))}ms`,
        renewInterval: renewInterval === false ? false : `${renewInterval}ms`,
        renewGrace:
          renewInterval === false
            ? 0
            : `${Math.min(5_000, Math.floor((renewInterval - 1) * graceShare))}ms`,
        expiryNotice: `${notice}ms`,
      });
      return { policy, sweepInterval };
    },
  );

const CLIENTS = 2;
const USERS = ['ada', 'bob'];
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('visit' as const),
      client: fc.nat(CLIENTS - 1),
      op: fc.constantFrom<Op>(
        'read',
        'read',
        'read',
        'read',
        'write',
        'write',
        'write',
        'login',
        'start',
        'logout',
        'regenerate',
      ),
      user: fc.constantFrom(...USERS),
      clean: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('replay' as const),
      pick: fc.nat(),
      write: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('stale' as const),
      client: fc.nat(CLIENTS - 1),
      write: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('revokeUser' as const),
      user: fc.constantFrom(...USERS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('revokeSession' as const),
      client: fc.nat(CLIENTS - 1),
      pick: fc.option(fc.nat(), { nil: undefined }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      scale: fc.constantFrom(
        'touch' as const,
        'touch' as const,
        'idle' as const,
        'renew' as const,
        'grace' as const,
        'absolute' as const,
      ),
      share: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.integer({ min: 0, max: 500 }).map((permille) => permille / 1000),
        },
        {
          weight: 1,
          arbitrary: fc.integer({ min: 0, max: 1300 }).map((permille) => permille / 1000),
        },
        { weight: 1, arbitrary: fc.constantFrom(0, 1) },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('toDeadline' as const),
      client: fc.nat(CLIENTS - 1),
      which: fc.constantFrom(
        'idle' as const,
        'absolute' as const,
        'grace' as const,
        'store' as const,
        'renew' as const,
        'renew' as const,
      ),
      delta: fc.constantFrom(-1 as const, 0 as const, 1 as const),
    }),
  },
);

/** One logical session as the model sees it; renewal and regeneration move it to new IDs. */
interface MSession {
  user: string | null;
  abs: number;
  lastSeen: number;
  lastAccepted: number;
  issuedAt: number;
  current: string;
  /** Retired IDs → when, and which ID they point to: a renewal's alias, or a regeneration's forward (never loads). */
  retired: Map<string, { at: number; successor: string; forward?: true }>;
  state: 'live' | 'gone' | 'revoked';
  /** Until when a revocation tombstone answers `revoked`. */
  tombstoneUntil: number;
  endedBy?: 'logout' | 'revoked' | 'replaced';
  n: number | undefined;
}

type Expected = { verdict: string; session?: MSession; via?: 'main' | 'alias' };

async function run(cfg: Config, commands: Command[]): Promise<void> {
  const { policy } = cfg;
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock, sweepInterval: cfg.sweepInterval });

  // A pass-through store that remembers when each key and index member must be gone, and checks each TTL the engine asks for.
  const expiries = new Map<string, number>();
  const sessionDeadline = new Map<string, number>();
  const members = new Map<string, number>();
  const checkWrite = (key: string, value: string, ttl: number) => {
    const now = clock.now();
    const r = JSON.parse(value) as {
      t: string;
      idleDeadline: number;
      absoluteDeadline: number;
      until: number;
    };
    if (r.t === 'session') {
      const deadline = Math.min(r.idleDeadline, r.absoluteDeadline) + policy.expiryNotice;
      expect(now + ttl).toBe(Math.max(now + 1, deadline));
      sessionDeadline.set(key, deadline);
    } else if (r.t === 'revoked') {
      expect(now + ttl).toBeLessThanOrEqual(Math.max(now + 1, sessionDeadline.get(key)!));
    } else {
      expect(r.t).toBe('alias'); // a renewal's grace, or a regeneration's forward (already expired for loading)
      expect(ttl).toBeLessThanOrEqual(Math.max(policy.renewGrace, 1_000));
      expect(r.until).toBeLessThanOrEqual(now + policy.renewGrace);
    }
    expiries.set(key, now + ttl);
  };
  const index = memory.userIndex;
  const store: SessionStore = {
    name: 'tracked-memory',
    get: (k) => memory.get(k),
    async set(k, v, ttl) {
      checkWrite(k, v, ttl);
      await memory.set(k, v, ttl);
    },
    async delete(k) {
      expiries.delete(k);
      await memory.delete(k);
    },
    async compareAndSet(k, e, v, ttl) {
      const ok = await memory.compareAndSet(k, e, v, ttl);
      if (ok) checkWrite(k, v, ttl);
      return ok;
    },
    userIndex: {
      async add(u, m, ttl) {
        members.set(`${u}\n${m}`, clock.now() + ttl);
        await index.add(u, m, ttl);
      },
      list: (u) => index.list(u),
      async remove(u, m) {
        members.delete(`${u}\n${m}`);
        await index.remove(u, m);
      },
      async removeAll(u) {
        for (const k of [...members.keys()]) if (k.startsWith(`${u}\n`)) members.delete(k);
        return index.removeAll(u);
      },
    },
  };
  const lk = createLatchkey<{ n?: number }>({ policy, store, clock });

  const sessionOf = new Map<string, MSession>(); // every ID ever issued → its logical session
  const issued: string[] = [];
  const jar: Array<string | undefined> = Array.from({ length: CLIENTS }, () => undefined);
  const previous: Array<string | undefined> = Array.from({ length: CLIENTS }, () => undefined);
  const sessions: MSession[] = [];
  let step = 0;

  const storeUntil = (s: MSession) =>
    Math.min(s.lastSeen + policy.idleTimeout, s.abs) + policy.expiryNotice;
  const validNow = (s: MSession, t: number) =>
    s.state === 'live' && t < s.abs && t < s.lastSeen + policy.idleTimeout;

  /** What the engine must answer for `id` at time `t`. */
  function predict(id: string | undefined, t: number): Expected {
    if (id === undefined) return { verdict: 'missing' };
    const s = sessionOf.get(id);
    if (!s) return { verdict: 'unknown' };
    if (s.current === id) {
      if (s.state === 'gone') return { verdict: 'unknown', session: s };
      if (s.state === 'revoked')
        return { verdict: t < s.tombstoneUntil ? 'revoked' : 'unknown', session: s };
      if (t >= storeUntil(s)) return { verdict: 'unknown', session: s };
      if (t >= s.abs) return { verdict: 'expired-absolute', session: s };
      if (t >= s.lastSeen + policy.idleTimeout) return { verdict: 'expired-idle', session: s };
      return { verdict: 'valid', session: s, via: 'main' };
    }
    const r = s.retired.get(id);
    if (!r || r.forward || t >= r.at + policy.renewGrace || s.current !== r.successor)
      return { verdict: 'unknown', session: s };
    if (s.state === 'revoked' && t < s.tombstoneUntil) return { verdict: 'revoked', session: s };
    if (s.state !== 'live' || t >= storeUntil(s)) return { verdict: 'unknown', session: s };
    if (t >= s.abs) return { verdict: 'expired-absolute', session: s };
    if (t >= s.lastSeen + policy.idleTimeout) return { verdict: 'expired-idle', session: s };
    return { verdict: 'valid', session: s, via: 'alias' };
  }

  function newSession(id: string, user: string | null, t: number, n: number | undefined): MSession {
    expect(sessionOf.has(id), 'a new ID is never one issued before').toBe(false);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const s: MSession = {
      user,
      abs: t + policy.absoluteTimeout,
      lastSeen: t,
      lastAccepted: t,
      issuedAt: t,
      current: id,
      retired: new Map(),
      state: 'live',
      tombstoneUntil: 0,
      n,
    };
    sessionOf.set(id, s);
    issued.push(id);
    sessions.push(s);
    return s;
  }

  /** The invariants of issue 2, checked on every accepted request independently of the exact prediction. */
  function checkAccepted(id: string, outcome: LoadOutcome<{ n?: number }>, t: number) {
    if (!outcome.valid) return;
    const s = sessionOf.get(id)!;
    expect(s, 'only issued IDs are accepted').toBeDefined();
    expect(t, 'accepted after the absolute deadline').toBeLessThan(s.abs);
    expect(
      t - s.lastAccepted,
      'accepted after an idle gap longer than the idle timeout',
    ).toBeLessThan(policy.idleTimeout);
    expect(s.endedBy, 'a logged-out, revoked or replaced session was accepted').toBeUndefined();
    expect(outcome.session.userId).toBe(s.user);
    expect(outcome.session.absoluteExpiresAt).toBe(s.abs);
    expect(outcome.session.idleExpiresAt, 'the idle deadline is capped at the absolute one').toBe(
      Math.min(s.lastSeen + policy.idleTimeout, s.abs),
    );
    expect(outcome.session.get('n')).toBe(s.n);
    s.lastAccepted = t;
  }

  async function request(
    id: string | undefined,
    op: Op,
    user: string,
    clean: boolean,
  ): Promise<string | null | undefined> {
    const t = clock.now();
    const expected = predict(id, t);
    const rs: RequestSession<{ n?: number }> = lk.forRequest(
      new Request(`${ORIGIN}/`, { headers: id === undefined ? {} : { cookie: `${COOKIE}=${id}` } }),
    );
    const outcome = await rs.load();
    expect(outcome.valid ? 'valid' : outcome.reason, `verdict for ${op} at step ${step}`).toBe(
      expected.verdict,
    );
    if (id !== undefined) checkAccepted(id, outcome, t);
    const s = expected.session;
    const valid = outcome.valid && s !== undefined;

    let regenerateRefused = false;
    if (op === 'write' && outcome.valid) outcome.session.set('n', step);
    else if (op === 'login') await rs.login(user, clean ? { clean } : {});
    else if (op === 'start') await rs.start({});
    else if (op === 'logout') await rs.logout();
    else if (op === 'regenerate') {
      regenerateRefused = await rs.regenerate().then(
        () => false,
        (e: unknown) => {
          expect(e).toBeInstanceOf(SessionRequiredError);
          return true;
        },
      );
      expect(regenerateRefused).toBe(!valid);
    }
    const response = await rs.commit(new Response('ok'));
    const cookies = response.headers
      .getSetCookie()
      .map(parseSetCookie)
      .filter((c) => c.name === COOKIE);
    expect(cookies.length).toBeLessThanOrEqual(1);
    const setTo =
      cookies[0] === undefined ? undefined : cookies[0].maxAge === 0 ? null : cookies[0].value;

    // Advance the model.
    if (op === 'login' || (op === 'start' && !valid)) {
      expect(typeof setTo, `${op} sets a session cookie`).toBe('string');
      expect(setTo, 'login issues a new ID').not.toBe(id);
      const carry =
        op === 'start' ? false : valid && !clean && (s!.user === null || s!.user === user);
      if (valid) {
        s!.state = 'gone';
        s!.endedBy = 'replaced';
      }
      newSession(setTo!, op === 'login' ? user : null, t, carry ? s!.n : undefined);
      return setTo;
    }
    if (op === 'logout') {
      expect(setTo).toBeNull();
      if (valid) {
        s!.state = 'gone';
        s!.endedBy = 'logout';
      }
      return setTo;
    }
    if (!valid) {
      expect(setTo).toBeUndefined();
      return setTo;
    }
    if (op === 'regenerate') {
      expect(typeof setTo).toBe('string');
      expect(setTo).not.toBe(id);
      expect(sessionOf.has(setTo!)).toBe(false);
      sessionOf.set(setTo!, s!);
      issued.push(setTo!);
      s!.retired.clear();
      s!.retired.set(s!.current, { at: t, successor: setTo!, forward: true });
      s!.current = setTo!;
      s!.lastSeen = t;
      s!.issuedAt = t;
      return setTo;
    }
    // read, write, or start on a valid session: maybe a renewal, maybe a touch.
    if (op === 'write') s!.n = step;
    const renewDue =
      expected.via === 'main' &&
      policy.renewInterval !== false &&
      t - s!.issuedAt >= policy.renewInterval;
    if (renewDue) {
      expect(typeof setTo, 'renewal sets a new cookie').toBe('string');
      expect(sessionOf.has(setTo!)).toBe(false);
      sessionOf.set(setTo!, s!);
      issued.push(setTo!);
      s!.retired.set(s!.current, { at: t, successor: setTo! });
      s!.current = setTo!;
      s!.issuedAt = t;
      s!.lastSeen = t;
    } else {
      expect(setTo, 'no Set-Cookie without a renewal').toBeUndefined();
      if (op === 'write' || (expected.via === 'main' && t - s!.lastSeen >= policy.touchInterval))
        s!.lastSeen = t;
    }
    return setTo;
  }

  const prelude: Command[] = Array.from({ length: CLIENTS }, (_, client) => ({
    kind: 'visit',
    client,
    op: 'login',
    user: USERS[client % USERS.length]!,
    clean: false,
  }));
  for (const c of [...prelude, ...commands]) {
    step++;
    const t = clock.now();
    switch (c.kind) {
      case 'visit': {
        const setTo = await request(jar[c.client], c.op, c.user, c.clean);
        if (setTo !== undefined) {
          previous[c.client] = jar[c.client];
          jar[c.client] = setTo ?? undefined;
        }
        break;
      }
      case 'stale': {
        if (previous[c.client] !== undefined)
          await request(previous[c.client], c.write ? 'write' : 'read', 'ada', false);
        break;
      }
      case 'replay': {
        const id = issued.length === 0 ? NEVER_ISSUED : issued[c.pick % issued.length]!;
        await request(id, c.write ? 'write' : 'read', 'ada', false);
        break;
      }
      case 'revokeUser': {
        const targets = sessions.filter((s) => s.user === c.user && validNow(s, t));
        expect(await lk.revokeUser(c.user)).toBe(targets.length);
        for (const s of targets) {
          s.tombstoneUntil = storeUntil(s);
          s.state = 'revoked';
          s.endedBy = 'revoked';
        }
        break;
      }
      case 'revokeSession': {
        // The handle of a client's cookie, or of any ID ever issued (an admin acting on an old list).
        const id =
          c.pick === undefined || issued.length === 0
            ? jar[c.client]
            : issued[c.pick % issued.length];
        if (id === undefined) break;
        const s = sessionOf.get(id)!;
        // A handle whose session moved on (renewal, regeneration) still revokes it while its alias lasts.
        const r = s.retired.get(id);
        const follows =
          r !== undefined &&
          t < r.at + Math.max(policy.renewGrace, 1_000) &&
          r.successor === s.current;
        // An expired session is not revoked: revokeSession answers false and the session keeps its reason.
        const expected = (s.current === id || follows) && validNow(s, t);
        expect(await lk.revokeSession(hashSecret(id))).toBe(expected);
        if (expected) {
          s.tombstoneUntil = storeUntil(s);
          s.state = 'revoked';
          s.endedBy = 'revoked';
        }
        break;
      }
      case 'advance': {
        const scale = {
          touch: policy.touchInterval,
          idle: policy.idleTimeout,
          renew: policy.renewInterval || policy.idleTimeout,
          grace: policy.renewGrace,
          absolute: policy.absoluteTimeout,
        }[c.scale];
        clock.advance(Math.floor(scale * c.share));
        break;
      }
      case 'toDeadline': {
        const id = jar[c.client];
        const s = id === undefined ? undefined : sessionOf.get(id);
        if (!s) break;
        const at =
          c.which === 'idle'
            ? s.lastSeen + policy.idleTimeout
            : c.which === 'absolute'
              ? s.abs
              : c.which === 'store'
                ? storeUntil(s)
                : c.which === 'renew'
                  ? s.issuedAt + (policy.renewInterval || policy.idleTimeout)
                  : (s.retired.get(id!)?.at ?? s.issuedAt) + policy.renewGrace;
        if (at + c.delta > t) clock.set(at + c.delta);
        break;
      }
    }

    // The store: the live record of every live session expires exactly at its store deadline...
    for (const s of sessions) {
      if (s.state === 'live' && clock.now() < storeUntil(s))
        expect(expiries.get(`lk:s:${hashSecret(s.current)}`)).toBe(storeUntil(s));
    }
    // ...and nothing outlives its deadline by more than the sweep interval.
    await memory.get('probe'); // any operation sweeps once the interval has passed
    const now = clock.now();
    const mayRemain = [...expiries.values()].filter((at) => at > now - cfg.sweepInterval).length;
    expect(
      memory.size,
      'records held past their deadline plus the sweep interval',
    ).toBeLessThanOrEqual(mayRemain);
    const membersMayRemain = [...members.values()].filter(
      (at) => at > now - cfg.sweepInterval,
    ).length;
    expect(
      memory.indexSize,
      'index members held past their deadline plus the sweep interval',
    ).toBeLessThanOrEqual(membersMayRemain);
  }
}

describe('decide, the pure heart', () => {
  it('over any timeline of touches: valid exactly while inside both deadlines, expired-absolute when both passed, store TTL never past the deadline', () => {
    fc.assert(
      fc.property(
        config,
        fc.array(fc.record({ gap: fc.nat(200_000), touch: fc.boolean() }), { maxLength: 30 }),
        ({ policy }, steps) => {
          const start = 1_767_225_600_000;
          let record = freshRecord(
            policy,
            { uid: 'ada', data: {}, authTime: start, device: {} },
            start,
          );
          let now = start;
          let lastTouch = start;
          for (const { gap, touch } of steps) {
            now += gap;
            const d = decide(policy, record, now);
            const idleAt = Math.min(lastTouch + policy.idleTimeout, record.absoluteDeadline);
            if (now >= record.absoluteDeadline)
              expect(d).toEqual({
                kind: 'expired',
                expiry: { kind: 'absolute', at: record.absoluteDeadline },
              });
            else if (now >= idleAt)
              expect(d).toEqual({ kind: 'expired', expiry: { kind: 'idle', at: idleAt } });
            else {
              expect(d).toMatchObject({
                kind: 'valid',
                touch: now - lastTouch >= policy.touchInterval,
              });
              if (touch) {
                record = touched(policy, record, now);
                lastTouch = now;
                expect(record.idleDeadline).toBeLessThanOrEqual(record.absoluteDeadline);
              }
            }
            if (d.kind === 'valid')
              expect(now + storeTtl(policy, record, now)).toBe(
                Math.min(record.idleDeadline, record.absoluteDeadline) + policy.expiryNotice,
              );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('random timelines against the model', () => {
  it('every outcome is predicted, and the invariants hold', async () => {
    await fc.assert(
      fc.asyncProperty(config, fc.array(command, { minLength: 10, maxLength: 40 }), run),
      { numRuns: 200 },
    );
  });

  it('long quiet stretches: everything is swept, nothing is accepted', async () => {
    await fc.assert(
      fc.asyncProperty(config, fc.array(command, { maxLength: 25 }), async (cfg, commands) => {
        const quiet = cfg.policy.absoluteTimeout + cfg.policy.expiryNotice + cfg.sweepInterval + 1;
        await run(cfg, [
          ...commands,
          { kind: 'advance', scale: 'absolute', share: quiet / cfg.policy.absoluteTimeout + 1e-9 },
          { kind: 'replay', pick: 0, write: false },
        ]);
      }),
      { numRuns: 50 },
    );
  });
});

/**
 * Tabs racing on one session, with every interleaving of their store calls
 * that fast-check's scheduler picks: the same cookie, loaded at once, each
 * tab reading, writing its own key or logging out, all committing at once.
 */
describe('racing tabs', () => {
  type TabOp = 'read' | 'write' | 'logout' | 'regenerate';
  const race = fc.record({
    ops: fc.array(fc.constantFrom<TabOp>('read', 'write', 'write', 'logout', 'regenerate'), {
      minLength: 2,
      maxLength: 4,
    }),
    // 0: nothing due; 1: a touch is due; 2: a renewal is due.
    due: fc.constantFrom(0, 1, 2),
  });
  const policy = definePolicy({
    idleTimeout: '30m',
    absoluteTimeout: '8h',
    touchInterval: '1m',
    renewInterval: '1h',
    renewGrace: '10s',
  });

  it('no write is lost, the session never forks, and a logout is never undone', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), race, async (s, { ops, due }) => {
        const clock = new ManualClock();
        const memory = new MemoryStore({ clock });
        let scheduled = false;
        const later = <T>(label: string, f: () => Promise<T>): Promise<T> =>
          scheduled ? s.schedule(Promise.resolve(label), label).then(f) : f();
        const index = memory.userIndex;
        const store: SessionStore = {
          name: 'scheduled-memory',
          get: (k) => later('get', () => memory.get(k)),
          set: (k, v, t) => later('set', () => memory.set(k, v, t)),
          delete: (k) => later('delete', () => memory.delete(k)),
          compareAndSet: (k, e, v, t) => later('cas', () => memory.compareAndSet(k, e, v, t)),
          userIndex: {
            add: (u, m, t) => later('index.add', () => index.add(u, m, t)),
            list: (u) => later('index.list', () => index.list(u)),
            remove: (u, m) => later('index.remove', () => index.remove(u, m)),
            removeAll: (u) => later('index.removeAll', () => index.removeAll(u)),
          },
        };
        const lk = createLatchkey<Record<string, number>>({ policy, store, clock });
        const req = (id: string) =>
          new Request(`${ORIGIN}/`, { headers: { cookie: `${COOKIE}=${id}` } });
        const login = lk.forRequest(new Request(`${ORIGIN}/`));
        await login.login('ada');
        const original = parseSetCookie(
          (await login.commit(new Response())).headers.getSetCookie()[0]!,
        ).value;
        if (due === 1) clock.advance('5m');
        if (due === 2) {
          for (let i = 0; i < 12; i++) {
            clock.advance('5m');
            await (async () => {
              const rs = lk.forRequest(req(original));
              await rs.load();
              await rs.commit(new Response());
            })();
          }
        }
        // The original cookie is still the current one only if no renewal happened above.
        const before = await lk.forRequest(req(original)).load();
        expect(before.valid).toBe(true);

        scheduled = true;
        const tabs = ops.map(async (op, i) => {
          const rs = lk.forRequest(req(original));
          const outcome = await rs.load();
          if (op === 'write' && outcome.valid) outcome.session.set(`tab${i}`, i);
          if (op === 'logout') await rs.logout();
          // A regeneration that loses to a parallel logout, renewal or regeneration is undone and says so.
          const refused =
            op === 'regenerate' &&
            outcome.valid &&
            (await rs.regenerate().then(
              () => false,
              (e: unknown) => {
                expect(e).toBeInstanceOf(SessionConflictError);
                return true;
              },
            ));
          const res = await rs.commit(new Response());
          return {
            op,
            i,
            valid: outcome.valid && !refused,
            cookies: res.headers.getSetCookie().map(parseSetCookie),
          };
        });
        const results = await s.waitFor(Promise.all(tabs));
        scheduled = false;

        const newIds = results.flatMap((r) =>
          r.cookies.filter((c) => c.maxAge !== 0).map((c) => c.value),
        );
        expect(newIds.length, 'at most one renewal or regeneration wins').toBeLessThanOrEqual(1);
        const candidates = [...newIds, original];
        const loggedOut = results.some((r) => r.op === 'logout' && r.valid);
        const live = [];
        for (const id of candidates) {
          const o = await lk.forRequest(req(id)).load();
          if (o.valid) live.push(o.session);
        }
        const sessions = await lk.listSessions('ada');
        if (loggedOut) {
          expect(live, 'a logout was undone').toEqual([]);
          expect(sessions).toEqual([]);
          return;
        }
        expect(sessions.length, 'the session forked').toBe(1);
        expect(live.length).toBeGreaterThan(0);
        for (const session of live) {
          expect(session.handle).toBe(sessions[0]!.handle);
          for (const r of results)
            if (r.op === 'write' && r.valid)
              expect(session.get(`tab${r.i}`), `tab ${r.i}'s write was lost`).toBe(r.i);
        }
      }),
      { numRuns: 200 },
    );
  });
});
