/**
 * Step-up: `requireFreshAuth` answers 403 step_up_required once the last
 * authentication is older than the allowed age, and `reauthenticate()`
 * refreshes the auth time under a new session ID, keeping data and lifetime.
 */

import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createLatchkey,
  MemoryStore,
  SessionRequiredError,
  type LoadOutcome,
  type PolicyOptions,
  type SessionEvent,
} from '../src/index.js';
import { ManualClock } from '../src/clock.js';
import { requireFreshAuth } from '../src/step-up.js';

const ORIGIN = 'https://app.example';
const SESSION = '__Host-session';

const policy: PolicyOptions = {
  idleTimeout: '30m',
  absoluteTimeout: '8h',
  touchInterval: '1m',
  renewInterval: false,
  freshAuthAge: '15m',
  rememberMe: '14d',
};

function setup(p: PolicyOptions = policy) {
  const clock = new ManualClock();
  const events: SessionEvent[] = [];
  const lk = createLatchkey({
    policy: p,
    store: new MemoryStore({ clock }),
    clock,
    onEvent: (e) => void events.push(e),
  });
  const cookies = new Map<string, string>();
  async function go(
    handler?: (rs: ReturnType<typeof lk.forRequest>, outcome: LoadOutcome) => unknown,
  ) {
    const header = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const rs = lk.forRequest(new Request(ORIGIN, { headers: header ? { cookie: header } : {} }));
    const outcome = await rs.load();
    const result = handler ? await handler(rs, outcome) : undefined;
    const response = await rs.commit(new Response('ok'));
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      if (/max-age=0/i.test(line)) cookies.delete(name);
      else cookies.set(name, pair.slice(pair.indexOf('=') + 1));
    }
    return { outcome, result, response };
  }
  return { clock, events, lk, cookies, go };
}

describe('requireFreshAuth', () => {
  it("passes within the policy's fresh-auth age and answers 403 step_up_required after it", async () => {
    const t = setup();
    await t.go((rs) => rs.login('ada'));
    t.clock.advance('15m');
    let { outcome } = await t.go();
    expect(outcome.valid && t.lk.requireFreshAuth(outcome.session)).toEqual({ fresh: true });
    t.clock.advance('1s');
    ({ outcome } = await t.go());
    const check = t.lk.requireFreshAuth(outcome.valid ? outcome.session : null);
    expect(check.fresh).toBe(false);
    if (check.fresh) return;
    expect(check.response.status).toBe(403);
    expect(await check.response.json()).toEqual({ error: 'step_up_required', max_age: 900 });
    expect(check.response.headers.get('cache-control')).toBe('no-store');
    expect(check.response.headers.get('content-type')).toBe('application/json');
    // An explicit maximum age overrides the policy's.
    expect(outcome.valid && t.lk.requireFreshAuth(outcome.session, '1h').fresh).toBe(true);
    expect(outcome.valid && t.lk.requireFreshAuth(outcome.session, 60_000).fresh).toBe(false);
  });

  it('is never fresh without a signed-in session', async () => {
    const t = setup();
    expect(t.lk.requireFreshAuth(null).fresh).toBe(false);
    const { result: anonymous } = await t.go((rs) => rs.start({ cart: 1 }));
    expect(t.lk.requireFreshAuth(anonymous as never).fresh).toBe(false);
  });

  it('needs a maximum age from somewhere', async () => {
    const t = setup({ idleTimeout: '30m', absoluteTimeout: '8h' });
    const { result: session } = await t.go((rs) => rs.login('ada'));
    expect(() => t.lk.requireFreshAuth(session as never)).toThrow(ConfigError);
    expect(t.lk.requireFreshAuth(session as never, '5m').fresh).toBe(true);
    expect(() =>
      requireFreshAuth(session as never, {
        policy: t.lk.policy,
        now: t.clock.now(),
        maxAge: 'soon' as never,
      }),
    ).toThrow(RangeError);
  });
});

describe('reauthenticate', () => {
  it('refreshes the auth time under a new session ID, keeping data and lifetime; the old ID is dead', async () => {
    const t = setup();
    await t.go((rs) => rs.login('ada', { data: { cart: 3 } }));
    const loginAt = t.clock.now();
    t.clock.advance('20m');
    const before = await t.go();
    const oldId = t.cookies.get(SESSION)!;
    if (!before.outcome.valid) throw new Error('expected a session');
    const old = before.outcome.session;
    expect(t.lk.requireFreshAuth(old).fresh).toBe(false);

    const { result: fresh } = await t.go((rs) => rs.reauthenticate());
    const session = fresh as typeof old;
    expect(session.handle).not.toBe(old.handle);
    expect(session.authTime).toBe(t.clock.now());
    expect(session.data).toEqual({ cart: 3 });
    expect(session.createdAt).toBe(loginAt);
    expect(session.absoluteExpiresAt).toBe(old.absoluteExpiresAt);
    expect(t.cookies.get(SESSION)).not.toBe(oldId);
    expect(t.lk.requireFreshAuth(session).fresh).toBe(true);
    expect(
      t.events.filter((e) => e.type === 'regenerated').map((e) => (e as { cause: string }).cause),
    ).toEqual(['reauthentication']);

    const stale = await createLatchkeyRequest(t, oldId);
    expect(stale.valid).toBe(false);
    expect((await t.go()).outcome.valid).toBe(true);
  });

  it('after a silent remember-me sign-in, step-up is required and reauthenticate clears it without forgetting the device', async () => {
    const t = setup();
    await t.go((rs) => rs.login('ada', { rememberMe: true }));
    t.clock.advance('31m');
    const back = await t.go();
    expect(back.outcome.valid && back.outcome.via).toBe('remember-me');
    if (!back.outcome.valid) return;
    expect(t.lk.requireFreshAuth(back.outcome.session).fresh).toBe(false);
    const { result } = await t.go((rs) => rs.reauthenticate());
    const session = result as typeof back.outcome.session;
    expect(t.lk.requireFreshAuth(session).fresh).toBe(true);
    const devices = await t.lk.listRememberedLogins('ada');
    expect(devices).toHaveLength(1);
    expect(devices[0]!.session?.handle).toBe(session.handle);
  });

  it('refuses without a signed-in session', async () => {
    const t = setup();
    await expect(t.go((rs) => rs.reauthenticate())).rejects.toBeInstanceOf(SessionRequiredError);
    await expect(
      t.go(async (rs) => {
        await rs.start({});
        return rs.reauthenticate();
      }),
    ).rejects.toBeInstanceOf(SessionRequiredError);
  });
});

async function createLatchkeyRequest(
  t: ReturnType<typeof setup>,
  id: string,
): Promise<LoadOutcome> {
  return t.lk.forRequest(new Request(ORIGIN, { headers: { cookie: `${SESSION}=${id}` } })).load();
}
