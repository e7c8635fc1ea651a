/**
 * The session monitor's anomalies, each driven through a real engine, token
 * issuer and remember-me on the manual clock, and each flagged exactly once
 * per episode with its stable kind.
 */

import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/store/memory.js';
import { monitored, neverExpiring, REMEMBER, renewing, SESSION } from './monitor-setup.js';

const NEVER_ISSUED = 'A'.repeat(43);

describe('createMonitor: anomalies, flagged as they happen, once each', () => {
  it("a revoked session's cookie presented again is used-after-revocation, once however often it comes back", async () => {
    const t = monitored();
    const b = await t.signedIn('ada');
    expect(await t.lk.revokeSession(b.handle)).toBe(true);
    const cookie = `${SESSION}=${b.jar.get(SESSION)}`;
    for (let i = 0; i < 3; i++)
      expect((await t.send(cookie)).outcome).toMatchObject({ reason: 'revoked' });
    expect(t.kinds()).toEqual(['used-after-revocation']);
    expect(t.alerts[0]).toMatchObject({ subject: b.handle, event: 'revoked-used' });
    // Quiet for longer than the window: coming back again is a new episode.
    t.clock.advance('6m');
    await t.send(cookie);
    expect(t.kinds()).toEqual(['used-after-revocation', 'used-after-revocation']);
  });

  it('a logged-out cookie replayed is used-after-logout; a request in flight at the logout is not', async () => {
    const t = monitored();
    const b = await t.signedIn('ada');
    const cookie = `${SESSION}=${b.jar.get(SESSION)}`;
    await b.go((rs) => rs.logout());
    await t.send(cookie); // within the 5 s a request already on its way may take
    expect(t.kinds()).toEqual([]);
    t.clock.advance('10s');
    expect((await t.send(cookie)).outcome).toEqual({ valid: false, reason: 'unknown' });
    await t.send(cookie);
    expect(t.kinds()).toEqual(['used-after-logout']);
    expect(t.alerts[0]).toMatchObject({ subject: b.handle, event: 'validation-failed' });
  });

  it('a refresh token presented after its logout is used-after-logout; a revoked access token is used-after-revocation', async () => {
    const t = monitored();
    const first = await t.issue('ada');
    await t.tokens.logout({ refreshToken: first.refreshToken });
    expect(await t.tokens.refresh(first.refreshToken)).toMatchObject({ reason: 'revoked' });
    expect(t.kinds()).toEqual(['used-after-logout']);

    const second = await t.issue('bob');
    expect(await t.tokens.revokeAccessToken(second.accessToken)).toBe(true);
    for (let i = 0; i < 2; i++)
      expect(await t.tokens.verifyAccess(second.accessToken)).toMatchObject({ valid: false });
    expect(t.kinds()).toEqual(['used-after-logout', 'used-after-revocation']);
    expect(t.ofKind('used-after-revocation')[0]).toMatchObject({ userId: 'bob' });
  });

  it("refresh-token reuse is refresh-reuse, once, though the family's newer token then fails too", async () => {
    const t = monitored();
    const first = await t.issue('ada');
    const rotated = await t.tokens.refresh(first.refreshToken);
    if (!rotated.valid) throw new Error('rotation failed');
    const second = t.keep(rotated.tokens);
    t.clock.advance('10s'); // past the 5 s grace
    expect(await t.tokens.refresh(first.refreshToken)).toMatchObject({ reason: 'reuse-detected' });
    expect(await t.tokens.refresh(second.refreshToken)).toMatchObject({ reason: 'revoked' });
    expect(t.kinds()).toEqual(['refresh-reuse']);
    expect(t.alerts[0]).toMatchObject({ userId: 'ada', event: 'refresh-reuse' });
  });

  it('a refresh inside the grace window is concurrency, not reuse', async () => {
    const t = monitored();
    const first = await t.issue('ada');
    expect((await t.tokens.refresh(first.refreshToken)).valid).toBe(true);
    expect((await t.tokens.refresh(first.refreshToken)).valid).toBe(true);
    expect(t.kinds()).toEqual([]);
  });

  it('a replayed remember-me token is remember-me-theft, once, naming the device', async () => {
    const t = monitored();
    const b = await t.signedIn('ada', true);
    const copied = b.jar.get(REMEMBER)!;
    t.clock.advance('31m');
    expect((await b.go()).outcome).toMatchObject({ valid: true, via: 'remember-me' });
    t.clock.advance('31s'); // past the 30 s grace
    for (let i = 0; i < 2; i++)
      expect((await t.send(`${REMEMBER}=${copied}`)).outcome.valid).toBe(false);
    expect(t.kinds()).toEqual(['remember-me-theft']);
    const issued = t.lines.map((l) => JSON.parse(l)).find((l) => l.event === 'remember-me-issued');
    expect(t.alerts[0]!.subject).toBe(issued.device);
    expect(t.alerts[0]).toMatchObject({ userId: 'ada', event: 'remember-me-theft' });
  });

  it('a store that keeps records past their TTL: a session seen past its absolute deadline is stale-record, once', async () => {
    const t = monitored({ store: neverExpiring });
    const b = await t.signedIn('ada');
    // Used every 20 minutes, it lives to the 8 h cap.
    for (let i = 0; i < 23; i++) {
      t.clock.advance('20m');
      expect((await b.go()).outcome.valid).toBe(true);
    }
    const cookie = `${SESSION}=${b.jar.get(SESSION)}`;
    t.clock.advance('21m'); // 8 h 1 min: expired, still inside the 15 min expiryNotice: normal
    expect((await t.send(cookie)).outcome).toMatchObject({ reason: 'expired-absolute' });
    t.clock.advance('14m'); // 1 min short of deadline + expiryNotice + the minute of clock slack
    expect((await t.send(cookie)).outcome).toMatchObject({ reason: 'expired-absolute' });
    expect(t.kinds()).toEqual([]);
    t.clock.advance('2m'); // past them: the store should have dropped it
    for (let i = 0; i < 2; i++)
      expect((await t.send(cookie)).outcome).toMatchObject({ reason: 'expired-absolute' });
    expect(t.kinds()).toEqual(['stale-record']);
    expect(t.alerts[0]).toMatchObject({ subject: b.handle, userId: 'ada' });
    const line = JSON.parse(t.lines.find((l) => l.includes('"stale-record"'))!);
    expect(line).toMatchObject({ event: 'stale-record', reason: 'absolute', handle: b.handle });
  });

  it('a store that honours TTLs never shows a stale record', async () => {
    const t = monitored({ store: (clock) => new MemoryStore({ clock }) });
    const b = await t.signedIn('ada');
    const cookie = `${SESSION}=${b.jar.get(SESSION)}`;
    t.clock.advance('31m');
    expect((await t.send(cookie)).outcome).toMatchObject({ reason: 'expired-idle' });
    t.clock.advance('15m');
    expect((await t.send(cookie)).outcome).toMatchObject({ reason: 'unknown' });
    expect(t.kinds()).toEqual([]);
  });

  it('a burst of failed validations from one client is validation-burst, once; as many spread over clients or time are not', async () => {
    const t = monitored({ monitor: { burst: { threshold: 5, window: '1m' } } });
    const attacker = '203.0.113.66';
    for (let i = 0; i < 4; i++) await t.send(`${SESSION}=${NEVER_ISSUED}`, undefined, attacker);
    expect(t.kinds()).toEqual([]);
    await t.send(`${SESSION}=tampered-${'x'.repeat(30)}`, undefined, attacker); // malformed counts too
    expect(t.kinds()).toEqual(['validation-burst']);
    for (let i = 0; i < 10; i++) await t.send(`${SESSION}=${NEVER_ISSUED}`, undefined, attacker);
    expect(t.kinds()).toEqual(['validation-burst']);
    const subject = t.alerts[0]!.subject!;
    expect(subject).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(subject).not.toContain(attacker);

    // Five other clients, one failure each; one slow client, four a minute.
    for (let i = 0; i < 5; i++)
      await t.send(`${SESSION}=${NEVER_ISSUED}`, undefined, `192.0.2.${i}`);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++)
        await t.send(`${SESSION}=${NEVER_ISSUED}`, undefined, '192.0.2.99');
      t.clock.advance('61s');
    }
    expect(t.kinds()).toEqual(['validation-burst']);
  });

  it('over the concurrent-session limit is over-session-limit, once per episode, whether evicting or refusing', async () => {
    const evicting = monitored({ sessionLimit: { max: 2, onLimit: 'evict-oldest' } });
    for (let i = 0; i < 2; i++) await evicting.signedIn('ada');
    expect(evicting.kinds()).toEqual([]);
    await evicting.signedIn('ada');
    await evicting.signedIn('ada');
    expect(evicting.kinds()).toEqual(['over-session-limit']);
    expect(evicting.alerts[0]).toMatchObject({ userId: 'ada', event: 'evicted' });
    expect(evicting.monitor.activeSessions('ada')).toBe(2);

    const refusing = monitored({ sessionLimit: { max: 1, onLimit: 'refuse' } });
    await refusing.signedIn('bob');
    await expect(refusing.signedIn('bob')).rejects.toMatchObject({ code: 'ERR_SESSION_LIMIT' });
    expect(refusing.kinds()).toEqual(['over-session-limit']);
    expect(refusing.alerts[0]).toMatchObject({ userId: 'bob', event: 'limit-refused' });
  });

  it('ordinary use flags nothing: login, use, renewal, logout, expiry, log out everywhere', async () => {
    const t = monitored({ policy: renewing });
    const a = await t.signedIn('ada');
    const other = await t.signedIn('ada');
    t.clock.advance('16m');
    await a.go();
    await a.go((rs) => rs.regenerate());
    await other.go((rs) => rs.revokeOthers());
    await other.go((rs) => rs.logout());
    const idle = await t.signedIn('bob');
    t.clock.advance('31m');
    await idle.go();
    expect(t.monitor.totals()).toMatchObject({
      created: 3,
      renewed: 2,
      regenerated: 1,
      'revoke-all': 1,
      logout: 1,
      expired: 1,
    });
    expect(t.kinds()).toEqual([]);
    expect(t.monitor.anomalies()).toEqual([]);
  });

  it('onAnomaly that throws does not break the request or the log', async () => {
    const t = monitored({
      monitor: {
        onAnomaly: () => {
          throw new Error('pager down');
        },
      },
    });
    const b = await t.signedIn('ada');
    await t.lk.revokeSession(b.handle);
    expect((await b.go()).outcome).toMatchObject({ reason: 'revoked' });
    expect(t.monitor.anomalies().map((a) => a.kind)).toEqual(['used-after-revocation']);
    expect(t.lines.at(-1)).toContain('"used-after-revocation"');
  });
});
