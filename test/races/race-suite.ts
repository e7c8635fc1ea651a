/**
 * Races on a real store, with real concurrency (`Promise.all` of many
 * requests through the engine), one suite run per store: many writers on one
 * session, many recalls of one remember-me cookie, refreshes of one refresh
 * token inside and outside the grace window, logout racing reads, log out
 * everywhere racing renewals, remember-me sign-ins and logins, and the
 * session limit under concurrent logins. After each, the invariants: no
 * revoked token works, no family has two live heads, no session outlives a
 * revoke, the user index holds no orphan.
 */

import { describe, expect, it } from 'vitest';
import { createLatchkey, presets, type Latchkey, type SessionStore } from '@latchkey/core';
import { ManualClock } from '@latchkey/core/testing';
import { createTokenIssuer } from '@latchkey/core/tokens';

const ORIGIN = 'https://app.example';
const SESSION = 'sid';
const REMEMBER = 'remember';
let runs = 0;

export interface RaceStore {
  store: SessionStore;
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

export function raceSuite(name: string, open: () => RaceStore) {
  describe(`races on ${name}`, () => {
    function setup(limit?: { max: number; onLimit: 'evict-oldest' | 'refuse' }) {
      const { store } = open();
      const clock = new ManualClock(Date.now());
      const run = `race${++runs}-${Date.now()}`;
      const keyPrefix = `${run}:`;
      // The user index is keyed by user ID alone (the engine's keyPrefix does not reach it): a user per run.
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
        const rs = engine.forRequest(
          new Request(`${ORIGIN}/`, { headers: cookie ? { cookie } : {} }),
        );
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

    it('50 concurrent writers on one session, each setting its own key: all 50 keys are kept', async () => {
      const t = setup();
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
      expect(outcome.valid).toBe(true);
      if (!outcome.valid) return;
      const data = outcome.session.data as Record<string, unknown>;
      expect(Array.from({ length: 50 }, (_, i) => data[`k${i}`])).toEqual(
        Array.from({ length: 50 }, (_, i) => i),
      );
    });

    it('50 concurrent recalls of one remember-me cookie: all signed in, into one session, no theft', async () => {
      const t = setup();
      const device = (await t.login(t.user, true)).get(REMEMBER)!;
      t.clock.advance('31m'); // the session went idle; the device signs its user back in
      const recalls = await Promise.all(
        Array.from({ length: 50 }, () => t.visit(`${REMEMBER}=${device}`)),
      );
      expect(recalls.filter((r) => r.outcome.valid)).toHaveLength(50);
      const handles = new Set(
        recalls.map((r) => (r.outcome.valid ? r.outcome.session.handle : '')),
      );
      expect(handles.size).toBe(1);
      const live = await t.engine.listSessions(t.user);
      expect(live.map((s) => s.handle)).toEqual([...handles]);
    });

    it('concurrent refreshes of one refresh token: inside the grace window one successor for all; outside it the family ends', async () => {
      const t = setup();
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
      expect(successors.size).toBe(1); // one live head
      expect(successors.has('refused')).toBe(false);
      const [head] = [...successors] as [string];

      t.clock.advance('10s'); // past the 5 s grace
      const outside = await Promise.all(
        Array.from({ length: 20 }, () => tokens.refresh(first.refreshToken)),
      );
      expect(outside.every((r) => !r.valid)).toBe(true);
      expect(outside.some((r) => !r.valid && r.reason === 'reuse-detected')).toBe(true);
      expect(await tokens.refresh(head)).toMatchObject({ valid: false }); // the family is revoked
      expect(await tokens.verifyAccess(first.accessToken)).toMatchObject({ valid: false });
    });

    it('logout racing 20 reads: afterwards the session is gone, whatever the order', async () => {
      const t = setup();
      const id = (await t.login(t.user)).get(SESSION)!;
      t.clock.advance('2m'); // reads now touch (write) the session
      await Promise.all([
        ...Array.from({ length: 20 }, () => t.visit(`${SESSION}=${id}`)),
        t.visit(`${SESSION}=${id}`, (rs) => rs.logout()),
      ]);
      expect(await t.valid(id)).toBe(false);
      expect(await t.engine.listSessions(t.user)).toEqual([]);
      expect(await t.orphans()).toEqual([]);
    });

    it('log out everywhere racing renewals, remember-me sign-ins and logins: nothing from before survives', async () => {
      const t = setup();
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
      const created = results
        .filter((r): r is Awaited<ReturnType<typeof t.visit>> => typeof r === 'object')
        .map((r) => r.cookies.get(SESSION))
        .filter((v): v is string => Boolean(v));
      for (const id of [...ids, ...created]) expect(await t.valid(id)).toBe(false);
      expect((await t.visit(`${REMEMBER}=${device}`)).outcome.valid).toBe(false);
      expect(await t.engine.listSessions(t.user)).toEqual([]);
      expect(await t.store.userIndex!.list(t.user)).toEqual([]);
    });

    it('the session limit under 10 concurrent logins (max 3, evict-oldest): exactly 3 live, and the index lists exactly them', async () => {
      const t = setup({ max: 3, onLimit: 'evict-oldest' });
      const logins = await Promise.all(Array.from({ length: 10 }, () => t.login(t.user)));
      const live: string[] = [];
      for (const c of logins) if (await t.valid(c.get(SESSION))) live.push(c.get(SESSION)!);
      expect(live).toHaveLength(3);
      const listed = await t.engine.listSessions(t.user);
      expect(listed.map((s) => s.handle).sort()).toHaveLength(3);
      expect(await t.orphans()).toEqual([]);
    });
  });
}
