/**
 * Races and misuse from issue 7, each as the store's answers can really be
 * ordered: a gate holds one store call until the racing operation has run,
 * so "log out everywhere" meets a renewal or a remember-me sign-in in every
 * order, two logins meet the session limit, and logout is one write.
 */
import { describe, expect, it } from 'vitest';
import {
  createLatchkey,
  MemoryStore,
  SessionCommittedError,
  SessionLimitError,
  type LatchkeyOptions,
  type PolicyOptions,
  type SessionStore,
} from '../src/index.js';
import { ManualClock } from '../src/clock.js';
import { hashSecret } from '../src/random.js';
import { COOKIE, ORIGIN, parseSetCookie } from './harness.js';

type Call =
  'get' | 'set' | 'delete' | 'compareAndSet' | 'index.add' | 'index.list' | 'index.remove';

/** A MemoryStore whose next matching call can be held (before or after it runs) until released. */
function gatedStore(clock: ManualClock) {
  const memory = new MemoryStore({ clock });
  let gate: {
    match: (call: Call, key: string) => boolean;
    before: boolean;
    open: Promise<void>;
    reached: () => void;
  } | null = null;
  const calls: Array<{ call: Call; key: string }> = [];
  async function through<T>(call: Call, key: string, run: () => Promise<T>): Promise<T> {
    calls.push({ call, key });
    const g = gate && gate.match(call, key) ? gate : null;
    if (g) gate = null;
    if (g?.before) {
      g.reached();
      await g.open;
    }
    const result = await run();
    if (g && !g.before) {
      g.reached();
      await g.open;
    }
    return result;
  }
  const index = memory.userIndex;
  const store: SessionStore = {
    name: 'gated-memory',
    get: (k) => through('get', k, () => memory.get(k)),
    set: (k, v, t) => through('set', k, () => memory.set(k, v, t)),
    delete: (k) => through('delete', k, () => memory.delete(k)),
    consume: (k) => memory.consume(k),
    compareAndSet: (k, e, v, t) =>
      through('compareAndSet', k, () => memory.compareAndSet(k, e, v, t)),
    userIndex: {
      add: (u, m, t) => through('index.add', `${u} ${m}`, () => index.add(u, m, t)),
      list: (u) => through('index.list', u, () => index.list(u)),
      remove: (u, m) => through('index.remove', `${u} ${m}`, () => index.remove(u, m)),
      removeAll: (u) => index.removeAll(u),
    },
  };
  return {
    store,
    calls,
    /** Hold the next call matching `match` once it has run; resolves `release` to let it answer. */
    /** Hold the next call matching `match`, once it has run (or, with `before`, before it runs), until `release()`. */
    hold(
      match: (call: Call, key: string) => boolean,
      before = false,
    ): { reached: Promise<void>; release: () => void } {
      let release!: () => void;
      let arrived!: () => void;
      const open = new Promise<void>((r) => (release = r));
      const reached = new Promise<void>((r) => (arrived = r));
      gate = { match, before, open, reached: arrived };
      return { reached, release };
    },
  };
}

const policy: PolicyOptions = {
  idleTimeout: '30m',
  absoluteTimeout: '8h',
  touchInterval: '1m',
  renewInterval: '10m',
  expiryNotice: '15m',
};

function app(extra: Partial<LatchkeyOptions> = {}, p: PolicyOptions = policy) {
  const clock = new ManualClock();
  const gated = gatedStore(clock);
  const cookie = { warn: () => {} };
  const lk = createLatchkey({ policy: p, store: gated.store, clock, cookie, ...extra });
  const request = (id?: string, extraCookies = '') =>
    new Request(`${ORIGIN}/`, {
      headers:
        id || extraCookies
          ? { cookie: [id && `${COOKIE}=${id}`, extraCookies].filter(Boolean).join('; ') }
          : {},
    });
  const cookies = (response: Response) =>
    new Map(
      response.headers
        .getSetCookie()
        .map(parseSetCookie)
        .map((c) => [c.name, c.value]),
    );
  async function login(userId: string, options: { rememberMe?: boolean } = {}) {
    const rs = lk.forRequest(request());
    await rs.login(userId, options);
    return cookies(await rs.commit(new Response('ok')));
  }
  /** One request with the session cookie `id`: its outcome and the cookies it set. */
  async function visit(id: string | undefined, extraCookies = '') {
    const rs = lk.forRequest(request(id, extraCookies));
    const outcome = await rs.load();
    const set = cookies(await rs.commit(new Response('ok')));
    return { outcome, set, reason: outcome.valid ? 'valid' : outcome.reason };
  }
  return { clock, lk, gated, login, visit };
}

describe('log out everywhere racing a periodic ID renewal (defect 1)', () => {
  it('the index list answered before the renewal indexes the new ID: the renewed session still ends', async () => {
    const a = app();
    const old = (await a.login('ada')).get(COOKIE)!;
    a.clock.advance('11m'); // a renewal is due
    // revokeUser reads the index now (only the old ID is there), but its answer arrives after the renewal.
    const gate = a.gated.hold((call) => call === 'index.list');
    const revoking = a.lk.revokeUser('ada');
    await gate.reached;
    const renewal = await a.visit(old);
    const renewed = renewal.set.get(COOKIE)!;
    expect(renewed).toBeDefined();
    gate.release();
    expect(await revoking).toBe(1);
    expect((await a.visit(renewed)).reason).toBe('revoked');
    expect((await a.visit(old)).reason).not.toBe('valid');
    expect(await a.lk.listSessions('ada')).toEqual([]);
  });

  it('the renewal moving the session after log out everywhere ended it: the renewal is undone', async () => {
    const a = app();
    const old = (await a.login('ada')).get(COOKIE)!;
    a.clock.advance('11m');
    // The renewal has written its successor; its move of the old ID waits to run.
    const oldKey = `lk:s:${hashSecret(old)}`;
    const gate = a.gated.hold((call, key) => call === 'compareAndSet' && key === oldKey, true);
    const renewing = a.visit(old);
    await gate.reached;
    expect(await a.lk.revokeUser('ada')).toBe(1);
    gate.release();
    const renewal = await renewing;
    const renewed = renewal.set.get(COOKIE);
    if (renewed) expect((await a.visit(renewed)).reason).not.toBe('valid');
    expect((await a.visit(old)).reason).toBe('revoked');
    expect(await a.lk.listSessions('ada')).toEqual([]);
  });

  it('revokeOthers racing a renewal of another tab ends that tab, and keeps this one', async () => {
    const a = app();
    const mine = (await a.login('ada')).get(COOKIE)!;
    const other = (await a.login('ada')).get(COOKIE)!;
    a.clock.advance('11m');
    const here = a.lk.forRequest(
      new Request(`${ORIGIN}/`, { headers: { cookie: `${COOKIE}=${mine}` } }),
    );
    await here.load();
    const gate = a.gated.hold((call) => call === 'index.list');
    const revoking = here.revokeOthers();
    await gate.reached;
    const renewed = (await a.visit(other)).set.get(COOKIE)!;
    gate.release();
    expect(await revoking).toBe(1);
    expect((await a.visit(renewed)).reason).toBe('revoked');
  });
});

describe('log out everywhere racing a remember-me sign-in (defect 2)', () => {
  const remembering: PolicyOptions = { ...policy, renewInterval: false, rememberMe: '30d' };

  it('the sign-in rotating the token after log out everywhere forgot it: no session survives', async () => {
    const a = app({}, remembering);
    const device = (await a.login('ada', { rememberMe: true })).get('__Host-remember')!;
    a.clock.advance('31m'); // the session is gone; the remembered login signs ada back in
    // The sign-in has created and indexed its session; its token rotation waits.
    const gate = a.gated.hold((call, key) => call === 'compareAndSet' && key.startsWith('lk:rm:'));
    const signingIn = a.visit(undefined, `__Host-remember=${device}`);
    await gate.reached;
    await a.lk.revokeUser('ada');
    gate.release();
    const signIn = await signingIn;
    const session = signIn.set.get(COOKIE);
    if (session) expect((await a.visit(session)).reason).not.toBe('valid');
    expect(await a.lk.listSessions('ada')).toEqual([]);
    expect(await a.lk.listRememberedLogins('ada')).toEqual([]);
  });

  it('the sign-in finishing while log out everywhere forgets remembered logins: its session is ended too', async () => {
    const a = app({}, remembering);
    const device = (await a.login('ada', { rememberMe: true })).get('__Host-remember')!;
    a.clock.advance('31m');
    // Log out everywhere has read the user's index (to find remembered logins); the sign-in runs meanwhile.
    const gate = a.gated.hold((call) => call === 'index.list');
    const revoking = a.lk.revokeUser('ada');
    await gate.reached;
    const signIn = await a.visit(undefined, `__Host-remember=${device}`);
    const session = signIn.set.get(COOKIE)!;
    expect(signIn.reason).toBe('valid');
    gate.release();
    await revoking;
    expect((await a.visit(session)).reason).toBe('revoked');
    expect(await a.lk.listSessions('ada')).toEqual([]);
  });
});

describe('the session limit under concurrent logins (defect 3)', () => {
  it("sessionLimit 'refuse' with max 1: of two simultaneous logins exactly one succeeds", async () => {
    const a = app({ sessionLimit: { max: 1, onLimit: 'refuse' } });
    const results = await Promise.allSettled([a.login('ada'), a.login('ada'), a.login('ada')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(SessionLimitError);
    expect(await a.lk.listSessions('ada')).toHaveLength(1);
  });

  it("sessionLimit 'evict-oldest' with max 2: five simultaneous logins leave exactly two sessions", async () => {
    const a = app({ sessionLimit: { max: 2, onLimit: 'evict-oldest' } });
    const ids = await Promise.all(Array.from({ length: 5 }, () => a.login('ada')));
    expect(await a.lk.listSessions('ada')).toHaveLength(2);
    const valid = [];
    for (const set of ids)
      if ((await a.visit(set.get(COOKIE)!)).reason === 'valid') valid.push(set);
    expect(valid).toHaveLength(2);
  });
});

describe('revoking an expired session (defect 4)', () => {
  it('answers false and the session keeps its reason', async () => {
    const a = app();
    const id = (await a.login('ada')).get(COOKIE)!;
    const [summary] = await a.lk.listSessions('ada');
    a.clock.advance('31m');
    expect(await a.lk.revokeSession(summary!.handle)).toBe(false);
    expect((await a.visit(id)).reason).toBe('expired-idle');
  });
});

describe('logout (defect 9)', () => {
  it('is one write to the session key, and still beats a racing renewal', async () => {
    const a = app();
    const id = (await a.login('ada')).get(COOKIE)!;
    const rs = a.lk.forRequest(
      new Request(`${ORIGIN}/`, { headers: { cookie: `${COOKIE}=${id}` } }),
    );
    await rs.load();
    a.gated.calls.splice(0);
    await rs.logout();
    const sessionWrites = a.gated.calls.filter(
      (c) => c.key.startsWith('lk:s:') && c.call !== 'get',
    );
    expect(sessionWrites.map((c) => c.call)).toEqual(['compareAndSet']);
    expect((await a.visit(id)).reason).toBe('unknown');
  });
});

describe('the request session after commit', () => {
  it('login(), logout() and session.set() after commit() throw SessionCommittedError, naming the fix', async () => {
    const a = app();
    const rs = a.lk.forRequest(new Request(`${ORIGIN}/`));
    const session = await rs.login('ada');
    await rs.commit(new Response('ok'));
    await expect(rs.login('bob')).rejects.toBeInstanceOf(SessionCommittedError);
    await expect(rs.logout()).rejects.toThrow(/before committing/);
    expect(() => session.set('late', true)).toThrow(SessionCommittedError);
    expect(() => session.set('late', true)).toThrow(/make changes before returning the response/);
  });
});
