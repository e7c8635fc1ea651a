/**
 * The engine: one per application. It holds the validated policy, the store,
 * the cookie settings, the clock and the random source, hands out a
 * {@link RequestSession} per request, and performs the operations that are
 * about a user rather than a request: list sessions, revoke one, revoke all.
 */

import { type Clock, systemClock } from './clock.js';
import {
  type ResolvedCookie,
  resolveSessionCookie,
  type SessionCookieOptions,
} from './cookie/session-cookie.js';
import { ConfigError, SessionLimitError } from './errors.js';
import { emit, type EventSink } from './events.js';
import { describePolicy } from './policy-document.js';
import { checkLatchkeyOptions, requireRequest } from './input-checks.js';
import { definePolicy, type PolicyOptions, type SessionPolicy } from './policy.js';
import { cryptoRandom, type RandomSource } from './random.js';
import type { DeviceFacts, SessionRecord } from './record.js';
import { decide, storeTtl } from './decide.js';
import { ServerRequestSession } from './request-session.js';
import type { SessionEngine } from './contract.js';
import type { SessionData } from './session.js';
import { Records } from './store/records.js';
import {
  RememberMe,
  type DeviceSummary,
  type RememberMeOptions,
} from './remember-me/remember-me.js';
import { requireFreshAuth, type FreshAuth } from './step-up.js';
import type { Duration } from './duration.js';
import type { Session } from './session.js';
import type { SessionStore } from './store/types.js';

/** What happens when a user at the session limit signs in again (ASVS V7.1.2: document it). */
export interface SessionLimit {
  /** Concurrent sessions a user may hold. */
  max: number;
  /** `evict-oldest` ends the least recently used session; `refuse` rejects the new login with `SessionLimitError`. */
  onLimit: 'evict-oldest' | 'refuse';
}

/** Options for {@link createLatchkey}. */
export interface LatchkeyOptions {
  /** A policy from `definePolicy`, or options for one (a preset, say). */
  policy: SessionPolicy | PolicyOptions;
  store: SessionStore;
  cookie?: SessionCookieOptions;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: `crypto.getRandomValues`. */
  random?: RandomSource;
  onEvent?: EventSink;
  sessionLimit?: SessionLimit;
  /** Prefix of every store key, to share a store between apps. Default `lk:`. */
  keyPrefix?: string;
  /** Send `Clear-Site-Data` on logout: `true` for `"cache", "cookies", "storage"`, or the exact header value. */
  clearSiteData?: boolean | string;
  /** Remember-me cookie name and grace window; remember-me itself is on when `policy.rememberMe` is a duration (see remember-me/). */
  rememberMe?: RememberMeOptions;
}

/** A session as shown in a user's list of signed-in devices (ASVS V7.5.2). */
export interface SessionSummary {
  handle: string;
  current: boolean;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  authTime: number | null;
  device: DeviceFacts;
  /** Handle of the remembered device that keeps re-creating this session (see `listDevices`); absent for a plain login. */
  rememberedDevice?: string;
}

function isPolicy(p: SessionPolicy | PolicyOptions): p is SessionPolicy {
  return (
    typeof (p as SessionPolicy).idleTimeout === 'number' &&
    'touchInterval' in p &&
    typeof p.touchInterval === 'number' &&
    'renewGrace' in p
  );
}

/** @internal The engine's state, shared with every `RequestSession`. */
export class Engine<Data extends SessionData = SessionData> {
  readonly policy: SessionPolicy;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly onEvent: EventSink | undefined;
  readonly records: Records<Data>;
  readonly cookie: ResolvedCookie;
  readonly sessionLimit: SessionLimit | undefined;
  readonly clearSiteData: string | undefined;
  /** Remembered devices; `undefined` when the policy offers no remember-me. */
  readonly rememberMe: RememberMe<Data> | undefined;

  constructor(options: LatchkeyOptions) {
    checkLatchkeyOptions(options);
    if (!options || typeof options !== 'object')
      throw new TypeError('createLatchkey: expected an options object');
    this.policy = isPolicy(options.policy) ? options.policy : definePolicy(options.policy);
    const store = options.store;
    if (
      !store ||
      typeof store.get !== 'function' ||
      typeof store.set !== 'function' ||
      typeof store.delete !== 'function'
    ) {
      throw new ConfigError('createLatchkey: options.store must implement get, set and delete');
    }
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? cryptoRandom;
    this.onEvent = options.onEvent;
    this.records = new Records<Data>(
      store,
      options.keyPrefix ?? 'lk:',
      () => this.clock.now(),
      options.onEvent,
    );
    this.cookie = resolveSessionCookie(options.cookie ?? {}, {
      persistent: !this.policy.sessionOnlyCookie,
    });
    const limit = options.sessionLimit;
    if (limit) {
      if (!Number.isInteger(limit.max) || limit.max < 1)
        throw new RangeError(
          `sessionLimit.max must be a positive integer, got ${String(limit.max)}`,
        );
      if (limit.onLimit !== 'evict-oldest' && limit.onLimit !== 'refuse') {
        throw new TypeError(
          `sessionLimit.onLimit must be 'evict-oldest' or 'refuse', got ${String(limit.onLimit)}`,
        );
      }
      this.records.index('a per-user session limit');
    }
    this.sessionLimit = limit;
    this.clearSiteData =
      options.clearSiteData === true
        ? '"cache", "cookies", "storage"'
        : options.clearSiteData || undefined;
    this.rememberMe =
      this.policy.rememberMe === false
        ? undefined
        : new RememberMe<Data>(
            this,
            this.policy.rememberMe,
            store,
            options.keyPrefix ?? 'lk:',
            options.cookie ?? {},
            options.rememberMe,
          );
  }

  /** Live sessions of a user, read through the index; dead index members are skipped. */
  async live(
    userId: string,
    feature: string,
  ): Promise<Array<{ handle: string; raw: string; record: SessionRecord<Data> }>> {
    // A caller's mistake is a TypeError here, not a store outage (StoreError) from deep inside the store.
    if (typeof userId !== 'string' || userId === '')
      throw new TypeError(
        `${feature}: userId must be a non-empty string, got ${userId === '' ? 'an empty string' : typeof userId}`,
      );
    // Remembered devices share the index as `rm:` members (remember-me/): not sessions, so not read here.
    const handles = (await this.records.indexList(userId, feature)).filter(
      (member) => !member.startsWith('rm:'),
    );
    const now = this.clock.now();
    const out: Array<{ handle: string; raw: string; record: SessionRecord<Data> }> = [];
    for (const handle of handles) {
      const read = await this.records.read(handle);
      if (read?.record.t === 'session' && decide(this.policy, read.record, now).kind === 'valid')
        out.push({ handle, raw: read.raw, record: read.record });
    }
    return out;
  }

  /** Apply the per-user limit before a login that will add a session (the one being replaced does not count). */
  async enforceLimit(userId: string, replacing: string | undefined): Promise<void> {
    const limit = this.sessionLimit;
    if (!limit) return;
    const others = (await this.live(userId, 'a per-user session limit')).filter(
      (s) => s.handle !== replacing,
    );
    if (others.length < limit.max) return;
    const now = this.clock.now();
    if (limit.onLimit === 'refuse') {
      emit(this.onEvent, { type: 'limit-refused', at: now, userId, limit: limit.max });
      throw new SessionLimitError(limit.max);
    }
    others.sort((a, b) => a.record.lastSeenAt - b.record.lastSeenAt);
    for (const { handle, raw, record } of others.slice(0, others.length - limit.max + 1)) {
      await this.tombstone(handle, record, now, raw);
      emit(this.onEvent, { type: 'evicted', at: now, handle, userId, cause: 'session-limit' });
    }
  }

  /**
   * Replace a session with a revocation tombstone that lasts as long as the session would have.
   * Given the `raw` value it was read as, the revocation also catches a renewal that lands
   * meanwhile (see {@link end}); without it the tombstone is written blindly.
   */
  async tombstone(
    handle: string,
    record: SessionRecord<Data>,
    now: number,
    raw?: string,
  ): Promise<void> {
    if (raw !== undefined) return this.end(handle, raw, record, 'tombstone', now);
    await this.records.write(handle, { t: 'revoked', at: now }, storeTtl(this.policy, record, now));
    if (record.uid !== null) await this.records.indexRemove(record.uid, handle);
  }

  /**
   * End a session for good (logout deletes it, revocation leaves a tombstone) even when a parallel
   * request renews it meanwhile. The end is a compare-and-set against the value read, so a renewal
   * that has not yet moved the session loses its race; one that already has is followed to its
   * successor, which is ended instead. Without this, a logout or "log out everywhere" racing a
   * renewal removed only the alias and left the renewed session alive.
   */
  async end(
    handle: string,
    raw: string | null,
    record: SessionRecord<Data>,
    mode: 'delete' | 'tombstone',
    now: number,
  ): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      if (
        await this.records.replace(
          handle,
          raw,
          { t: 'revoked', at: now },
          storeTtl(this.policy, record, now),
        )
      ) {
        if (mode === 'delete') await this.records.delete(handle);
        if (record.uid !== null) await this.records.indexRemove(record.uid, handle);
        return;
      }
      let current = await this.records.read(handle);
      if (current?.record.t === 'alias') {
        handle = current.record.to;
        current = await this.records.read(handle);
      }
      if (current?.record.t !== 'session') return; // already gone or revoked
      raw = current.raw; // a newer version (a touch, a write, the renewed successor): end that one
      record = current.record;
    }
    // Still contended after several rounds: end it unconditionally rather than leave it alive.
    if (mode === 'delete') await this.records.delete(handle);
    else
      await this.records.write(
        handle,
        { t: 'revoked', at: now },
        storeTtl(this.policy, record, now),
      );
    if (record.uid !== null) await this.records.indexRemove(record.uid, handle);
  }

  async revoke(handle: string): Promise<boolean> {
    if (typeof handle !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(handle)) return false;
    let read = await this.records.read(handle);
    if (read?.record.t === 'alias') {
      // Renewed since the caller listed it (the list showed the handle a moment ago): revoke the session where it is now.
      handle = read.record.to;
      read = await this.records.read(handle);
    }
    if (read?.record.t !== 'session') return false;
    const now = this.clock.now();
    await this.tombstone(handle, read.record, now, read.raw);
    emit(this.onEvent, { type: 'revoked', at: now, handle, userId: read.record.uid });
    return true;
  }

  async revokeUser(userId: string, options: { except?: string } = {}): Promise<number> {
    const now = this.clock.now();
    const sessions = await this.live(userId, 'revoking every session of a user');
    let count = 0;
    for (const { handle, raw, record } of sessions) {
      if (handle === options.except) continue;
      await this.tombstone(handle, record, now, raw);
      count++;
    }
    // Log out everywhere forgets remembered devices too, except the one behind the session kept.
    if (this.rememberMe)
      await this.rememberMe.revokeUser(
        userId,
        sessions.find((s) => s.handle === options.except)?.record.rm,
      );
    emit(this.onEvent, { type: 'revoke-all', at: now, userId, count });
    return count;
  }

  async list(userId: string, current?: string): Promise<SessionSummary[]> {
    const sessions = await this.live(userId, "listing a user's sessions");
    return sessions
      .map(({ handle, record }) => ({
        handle,
        current: handle === current,
        createdAt: record.createdAt,
        lastSeenAt: record.lastSeenAt,
        idleExpiresAt: record.idleDeadline,
        absoluteExpiresAt: record.absoluteDeadline,
        authTime: record.authTime,
        device: record.device,
        ...(record.rm ? { rememberedDevice: record.rm } : {}),
      }))
      .sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }
}

/** The application's session engine. */
export interface Latchkey<Data extends SessionData = SessionData> extends SessionEngine<Data> {
  /** A lazy per-request session: nothing is read until `load()`. `device.ip` comes from the adapter. */
  forRequest(request: Request, device?: DeviceFacts): ServerRequestSession<Data>;
  /** A user's live sessions, most recently used first, the one with handle `current` marked. Needs a store with a user index. */
  listSessions(userId: string, current?: string): Promise<SessionSummary[]>;
  /** End one session by its public handle; `false` when there was no live session under it. */
  revokeSession(handle: string): Promise<boolean>;
  /** Log out everywhere: end every session of a user (ASVS V7.4.2, V7.4.5). Returns how many ended. */
  revokeUser(userId: string, options?: { except?: string }): Promise<number>;
  /** A user's remembered devices (remember-me tokens), each with its current live session, so a person can end either (ASVS V7.5.2). */
  listDevices(userId: string, currentSession?: string): Promise<DeviceSummary[]>;
  /** Forget a remembered device and end the sessions it re-created; `false` when no device is remembered under `handle`. */
  revokeDevice(handle: string): Promise<boolean>;
  /** Step-up (ASVS V7.5.3): is `session`'s last authentication younger than `maxAge` (default `policy.freshAuthAge`)? If not, a 403 to return. */
  requireFreshAuth(session: Session<Data> | null | undefined, maxAge?: Duration): FreshAuth;
  /** The policy as a short statement for users and auditors (ASVS V7.1.1, V7.1.2). */
  describePolicy(): string;
}

/**
 * Create the session engine.
 *
 * @example
 * const latchkey = createLatchkey({ policy: presets.productivity, store: new MemoryStore() });
 * export default { async fetch(request) {
 *   const rs = latchkey.forRequest(request);
 *   const outcome = await rs.load();
 *   return rs.commit(new Response(outcome.valid ? `hello ${outcome.session.userId}` : 'hello stranger'));
 * } };
 */
export function createLatchkey<Data extends SessionData = SessionData>(
  options: LatchkeyOptions,
): Latchkey<Data> {
  const engine = new Engine<Data>(options);
  return {
    policy: engine.policy,
    clock: engine.clock,
    forRequest: (request, device) =>
      new ServerRequestSession<Data>(engine, requireRequest(request, 'forRequest'), device),
    listSessions: (userId, current) => engine.list(userId, current),
    revokeSession: (handle) => engine.revoke(handle),
    revokeUser: (userId, opts) => engine.revokeUser(userId, opts),
    listDevices: async (userId, current) =>
      engine.rememberMe ? engine.rememberMe.list(userId, current) : [],
    revokeDevice: async (handle) => (engine.rememberMe ? engine.rememberMe.revoke(handle) : false),
    requireFreshAuth: (session, maxAge) =>
      requireFreshAuth(session, {
        policy: engine.policy,
        now: engine.clock.now(),
        ...(maxAge === undefined ? {} : { maxAge }),
      }),
    describePolicy: () =>
      describePolicy(engine.policy, {
        listable: engine.records.hasIndex(),
        sessionLimit: engine.sessionLimit,
        cookie: {
          name: engine.cookie.name,
          sessionOnly: !engine.cookie.persistent,
          secure: engine.cookie.attributes.secure === true,
          httpOnly: engine.cookie.attributes.httpOnly !== false,
          sameSite: engine.cookie.attributes.sameSite ?? 'Lax',
        },
      }),
  };
}
