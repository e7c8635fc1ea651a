/**
 * The race cases, free of any test framework (assert.ts, not vitest), so the
 * same cases run under vitest on Node stores and inside Deno and workerd.
 * Each case is a real race (`Promise.all` of many requests through the
 * engine), then the invariants it could break: no revoked token works, no
 * family has two live heads, no session outlives a revoke, the user index
 * holds no orphan.
 */

import { createLatchkey, presets, type Latchkey, type SessionStore } from '@latchkey/core';
import { createTokenIssuer } from '@latchkey/core/tokens';
import { ManualClock } from '../../packages/core/src/clock.js';
import { assertEqual, assertTrue } from '../../packages/core/src/testing/assert.js';
import { runChecks, type CaseResult } from '../runtimes/report.js';

const ORIGIN = 'https://app.example';
const SESSION = 'sid';
const REMEMBER = 'remember';
let runs = 0;

/** The store under test, as the factory hands it over. */
export interface RaceStore {
  store: SessionStore;
}

/**
 * Makes the store for one case. It gets the case's clock, which stores that judge deadlines on an
 * injected clock (Deno KV, the Durable Object) must use; it may return a shared store, since every
 * case writes under its own key prefix and user.
 */
export type RaceStoreFactory = (ctx: { clock: ManualClock }) => RaceStore;

/** One race and the invariants checked after it. */
export interface RaceCase {
  readonly name: string;
  run(open: RaceStoreFactory): Promise<void>;
}

function cookiesOf(response: { setCookie: string[] }): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of response.setCookie) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    out.set(pair!.slice(0, eq), /max-age=0/i.test(line) ? '' : pair!.slice(eq + 1));
  }
  return out;
}

function setup(
  open: RaceStoreFactory,
  limit?: { max: number; onLimit: 'evict-oldest' | 'refuse' },
) {
  const clock = new ManualClock(Date.now());
  const { store } = open({ clock });
  const run = `race${++runs}-${Date.now()}`;
  const keyPrefix = `${run}:`;
  // Each run its own prefix (which namespaces the user index too) and its own user, on a shared store.
  const user = `ada-${run}`;
  const engine: Latchkey = createLatchkey({
    policy: presets.productivity,
    store,
    clock,
    keyPrefix,
    storeTimeout: '5s', // a loaded CI machine; the races are about order, not speed
    cookie: { name: SESSION, development: true, warn: () => {} },
    rememberMe: { cookieName: REMEMBER },
    ...(limit ? { sessionLimit: limit } : {}),
  });
  /** One request with these cookies; `work` runs between load and commit. */
  async function visit(
    cookie: string,
    work?: (rs: ReturnType<Latchkey['forRequest']>) => Promise<void>,
  ) {
    const rs = engine.forRequest(new Request(`${ORIGIN}/`, { headers: cookie ? { cookie } : {} }));
    const outcome = await rs.load();
    if (work) await work(rs);
    const headers = await rs.flush();
    return { outcome, cookies: cookiesOf(headers) };
  }
  async function login(user: string, rememberMe = false) {
    const { cookies } = await visit('', async (rs) => {
      await rs.login(user, { rememberMe });
    });
    return cookies;
  }
  const valid = async (id: string | undefined) =>
    id ? (await visit(`${SESSION}=${id}`)).outcome.valid : false;
  /** Members of the user's index whose session is not live: there must be none. */
  async function orphans(): Promise<string[]> {
    const members = await store.userIndex!.list(user);
    const live = new Set((await engine.listSessions(user)).map((s) => s.handle));
    return members.filter((m) => !live.has(m));
  }
  return { engine, clock, store, keyPrefix, user, visit, login, valid, orphans };
}

/** Every race, in the order the suites run them. */
export const raceCases: readonly RaceCase[] = [
  {
    name: '50 concurrent writers on one session, each setting its own key: all 50 keys are kept',
    async run(open) {
      const t = setup(open);
      const id = (await t.login(t.user)).get(SESSION)!;
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t.visit(`${SESSION}=${id}`, async (rs) => {
            const outcome = await rs.load();
            if (outcome.valid) outcome.session.set(`k${i}`, i);
          }),
        ),
      );
      const { outcome } = await t.visit(`${SESSION}=${id}`);
      assertEqual(outcome.valid, true, 'the session after the writers');
      if (!outcome.valid) return;
      const data = outcome.session.data as Record<string, unknown>;
      assertEqual(
        Array.from({ length: 50 }, (_, i) => data[`k${i}`]),
        Array.from({ length: 50 }, (_, i) => i),
        'the 50 keys',
      );
    },
  },
  {
    name: '50 concurrent recalls of one remember-me cookie: all signed in, into one session, no theft',
    async run(open) {
      const t = setup(open);
      const device = (await t.login(t.user, true)).get(REMEMBER)!;
      t.clock.advance('31m'); // the session went idle; the device signs its user back in
      const recalls = await Promise.all(
        Array.from({ length: 50 }, () => t.visit(`${REMEMBER}=${device}`)),
      );
      assertEqual(recalls.filter((r) => r.outcome.valid).length, 50, 'recalls signed in');
      const handles = new Set(
        recalls.map((r) => (r.outcome.valid ? r.outcome.session.handle : '')),
      );
      assertEqual(handles.size, 1, 'sessions the recalls landed in');
      const live = await t.engine.listSessions(t.user);
      assertEqual(
        live.map((s) => s.handle),
        [...handles],
        "the user's live sessions",
      );
    },
  },
  {
    name: 'concurrent refreshes of one refresh token: inside the grace window one successor for all; outside it the family ends',
    async run(open) {
      const t = setup(open);
      const tokens = createTokenIssuer({
        keys: [{ kid: 'k', alg: 'HS256', secret: 'a-race-test-secret-of-32-bytes-or-more' }],
        store: t.store,
        clock: t.clock,
        policy: presets.api,
        keyPrefix: t.keyPrefix,
        storeTimeout: '5s',
      });
      const first = await tokens.issue(t.user);
      const inside = await Promise.all(
        Array.from({ length: 20 }, () => tokens.refresh(first.refreshToken)),
      );
      const successors = new Set(inside.map((r) => (r.valid ? r.tokens.refreshToken : 'refused')));
      assertEqual(successors.size, 1, 'distinct answers inside the grace window (one live head)');
      assertTrue(!successors.has('refused'), 'no refresh inside the grace window was refused');
      const [head] = [...successors] as [string];

      t.clock.advance('10s'); // past the 5 s grace
      const outside = await Promise.all(
        Array.from({ length: 20 }, () => tokens.refresh(first.refreshToken)),
      );
      assertTrue(
        outside.every((r) => !r.valid),
        'every refresh outside the grace window refused',
      );
      assertTrue(
        outside.some((r) => !r.valid && r.reason === 'reuse-detected'),
        'reuse detected outside the grace window',
      );
      assertEqual(
        (await tokens.refresh(head)).valid,
        false,
        'the head after reuse (family revoked)',
      );
      assertEqual(
        (await tokens.verifyAccess(first.accessToken)).valid,
        false,
        'the first access token after reuse',
      );
    },
  },
  {
    name: 'logout racing 20 reads: afterwards the session is gone, whatever the order',
    async run(open) {
      const t = setup(open);
      const id = (await t.login(t.user)).get(SESSION)!;
      t.clock.advance('2m'); // reads now touch (write) the session
      await Promise.all([
        ...Array.from({ length: 20 }, () => t.visit(`${SESSION}=${id}`)),
        t.visit(`${SESSION}=${id}`, (rs) => rs.logout()),
      ]);
      assertEqual(await t.valid(id), false, 'the session after logout');
      assertEqual(await t.engine.listSessions(t.user), [], "the user's live sessions");
      assertEqual(await t.orphans(), [], 'orphans in the user index');
    },
  },
  {
    name: 'log out everywhere racing renewals, remember-me sign-ins and logins: nothing from before survives',
    async run(open) {
      const t = setup(open);
      const sessions = await Promise.all([t.login(t.user), t.login(t.user), t.login(t.user)]);
      const device = (await t.login(t.user, true)).get(REMEMBER)!;
      t.clock.advance('61m'); // past the 1 h renewal interval and the 30 min idle timeout
      const ids = sessions.map((c) => c.get(SESSION)!);
      // Keep two sessions alive (renewing them) while everything races.
      const results = await Promise.all([
        ...ids.map((id) => t.visit(`${SESSION}=${id}`)),
        t.visit(`${REMEMBER}=${device}`),
        t.engine.revokeUser(t.user),
        t.visit(`${REMEMBER}=${device}`),
      ]);
      const visits = results.filter(
        (r): r is Awaited<ReturnType<typeof t.visit>> => typeof r === 'object',
      );
      const handedOut = (name: string) =>
        visits.map((r) => r.cookies.get(name)).filter((v): v is string => Boolean(v));
      for (const id of [...ids, ...handedOut(SESSION)])
        assertEqual(await t.valid(id), false, `session ${id.slice(0, 8)}… after the revoke`);
      // A recall that won its race hands out a rotated device cookie: that one must not survive either.
      for (const token of [device, ...handedOut(REMEMBER)])
        assertEqual(
          (await t.visit(`${REMEMBER}=${token}`)).outcome.valid,
          false,
          `remembered device ${token.slice(0, 8)}… after the revoke`,
        );
      assertEqual(await t.engine.listSessions(t.user), [], "the user's live sessions");
      assertEqual(await t.store.userIndex!.list(t.user), [], "the user's index");
    },
  },
  {
    name: 'the session limit under 10 concurrent logins (max 3, evict-oldest): exactly 3 live, and the index lists exactly them',
    async run(open) {
      const t = setup(open, { max: 3, onLimit: 'evict-oldest' });
      const logins = await Promise.all(Array.from({ length: 10 }, () => t.login(t.user)));
      const live: string[] = [];
      for (const c of logins) if (await t.valid(c.get(SESSION))) live.push(c.get(SESSION)!);
      assertEqual(live.length, 3, 'live sessions');
      assertEqual((await t.engine.listSessions(t.user)).length, 3, 'sessions listed');
      assertEqual(await t.orphans(), [], 'orphans in the user index');
    },
  },
];

/**
 * Run every race case one after another on `open`'s store, never throwing, for runtimes without vitest.
 *
 * @example
 * console.log(JSON.stringify(await runRaceCases(({ clock }) => ({ store: denoKvStore(kv, { clock }) }))));
 */
export function runRaceCases(open: RaceStoreFactory): Promise<CaseResult[]> {
  return runChecks(Object.fromEntries(raceCases.map((c) => [c.name, () => c.run(open)])));
}
