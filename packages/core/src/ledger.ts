/**
 * The session ledger: the one state machine every caller shares. It creates,
 * saves, renews, moves and ends sessions in the store, follows renewal
 * aliases, lists a user's live sessions and holds the per-user limit. It knows
 * the typed store and `decide()`, nothing of requests or cookies.
 */

import type { StoredFactors } from './auth-factors.js';
import { decide, freshRecord, storeTtl, touched } from './decide.js';
import { SessionConflictError, SessionLimitError } from './errors.js';
import { emit, type EventSink } from './events.js';
import type { SessionPolicy } from './policy.js';
import { hashSecret, newSecret, type RandomSource } from './random.js';
import { storedRecordOf, type SessionRecord, type StoredRecord } from './record.js';
import { applyPatch, type DataPatch, type SessionData } from './session.js';
import { retryDelay, pause } from './store/backoff.js';
import { Leases } from './store/lease.js';
import { TypedStore, type GuardedIndex, type StoreAccess } from './store/typed-store.js';
import type { WriteHint } from './store/types.js';

/** What happens when a user at the session limit signs in again (ASVS V7.1.2: document it). */
export interface SessionLimit {
  /** Concurrent sessions a user may hold. */
  max: number;
  /** `evict-oldest` ends the least recently used session; `refuse` rejects the new login with `SessionLimitError`. */
  onLimit: 'evict-oldest' | 'refuse';
}

/** A session as the store holds it: its public handle, the bytes read, the record. */
export interface Entry<Data> {
  handle: string;
  raw: string;
  record: SessionRecord<Data>;
}

/** What a handle resolves to once any renewal alias is followed. */
export type Resolved<Data> =
  | ({ kind: 'session' } & Entry<Data>)
  | { kind: 'revoked'; handle: string; at: number; logout: boolean }
  | { kind: 'none' };

/** The fields a new session starts from; the ledger adds deadlines, times and version. */
export interface NewSession<Data> {
  uid: string | null;
  data: Data;
  authTime: number | null;
  device: SessionRecord['device'];
  rm?: string | undefined;
  /** The factors that authenticated it (see auth-factors.ts); none after a remember-me sign-in. */
  af?: StoredFactors | undefined;
  /** A device binding (DBSC) carried through regeneration and step-up. */
  dbsc?: SessionRecord['dbsc'];
  /** A regenerated session keeps its lifetime: a privilege change is not a new login. */
  lifetime?: { createdAt: number; absoluteDeadline: number };
}

/** Remembered logins share the user index as `rm:` members; sessions are bare handles. */
const isSessionMember = (member: string): boolean => !member.startsWith('rm:');

/** Attempts before a contended write gives up; with the backoff they span a few seconds at most. */
const MAX_ATTEMPTS = 64;
/** How long a logout's tombstone stays (never past the session's own deadline): any racing compare-and-set fails against it, whatever its lifetime. */
const LOGOUT_MARKER_MS = 1000;
/** How long the per-user limit lock is held at most, should its holder die. */
const LOCK_LEASE_MS = 5000;

/** Past its deadline a session record is kept only so a returning user learns why: a full store may drop it. */
const noticeOnly = (record: SessionRecord<unknown>, now: number): WriteHint => ({
  evictableAfterMs: Math.max(0, Math.min(record.idleDeadline, record.absoluteDeadline) - now),
});

/** A caller's mistake is a TypeError here, not a store outage (StoreError) from deep inside the store. */
function checkUserId(userId: unknown, feature: string): asserts userId is string {
  if (typeof userId !== 'string' || userId === '')
    throw new TypeError(
      `${feature}: userId must be a non-empty string, got ${userId === '' ? 'an empty string' : typeof userId}`,
    );
}

export class SessionLedger<Data extends SessionData = SessionData> {
  readonly sessions: TypedStore<StoredRecord<Data>>;
  readonly index: GuardedIndex | undefined;
  readonly #locks: Leases;

  constructor(
    readonly policy: SessionPolicy,
    readonly access: StoreAccess,
    prefix: string,
    private readonly random: RandomSource,
    private readonly sink: EventSink | undefined,
    readonly limit: SessionLimit | undefined,
  ) {
    this.sessions = new TypedStore(access, `${prefix}s:`, 'session record', storedRecordOf<Data>);
    this.index = access.optionalIndex;
    this.#locks = new Leases(access, `${prefix}lock:`, random, LOCK_LEASE_MS);
    if (limit) access.index('a per-user session limit');
  }

  now(): number {
    return this.access.now();
  }

  /**
   * Read `handle`, following a renewal alias to its successor. `pastGrace`
   * follows an alias whose grace has ended too: a request that loaded the
   * session legitimately may still write to it, and a logout must end it.
   */
  async resolve(handle: string, pastGrace: boolean): Promise<Resolved<Data>> {
    let read = await this.sessions.read(handle);
    if (read?.value.t === 'alias') {
      if (!pastGrace && this.now() >= read.value.until) return { kind: 'none' };
      handle = read.value.to;
      read = await this.sessions.read(handle);
    }
    if (!read || read.value.t === 'alias') return { kind: 'none' };
    if (read.value.t === 'revoked')
      return { kind: 'revoked', handle, at: read.value.at, logout: read.value.by === 'logout' };
    return { kind: 'session', handle, raw: read.raw, record: read.value };
  }

  /** Write a new session under a fresh ID, indexed for its user. */
  async create(init: NewSession<Data>, now: number): Promise<{ id: string; entry: Entry<Data> }> {
    const id = newSecret(this.random);
    const handle = hashSecret(id);
    const { rm, af, lifetime, dbsc, ...fresh } = init;
    const base = freshRecord(this.policy, fresh, now);
    const record: SessionRecord<Data> = {
      ...base,
      ...(lifetime && {
        ...lifetime,
        idleDeadline: Math.min(base.idleDeadline, lifetime.absoluteDeadline),
      }),
      ...(rm ? { rm } : {}),
      ...(af ? { af } : {}),
      ...(dbsc ? { dbsc } : {}),
    };
    return { id, entry: await this.#put(handle, record, now) };
  }

  async #put(
    handle: string,
    record: SessionRecord<Data>,
    now: number,
    indexed = true,
  ): Promise<Entry<Data>> {
    const raw = await this.sessions.write(
      handle,
      record,
      storeTtl(this.policy, record, now),
      noticeOnly(record, now),
    );
    if (indexed && record.uid !== null)
      await this.index?.add(record.uid, handle, record.absoluteDeadline - now);
    return { handle, raw, record };
  }

  /** Remove a session that was never published (its creator lost a race): the record and its index member. */
  async discard(handle: string, uid: string | null): Promise<void> {
    await this.sessions.delete(handle);
    if (uid !== null) await this.index?.remove(uid, handle);
  }

  /**
   * Persist activity and the keys in `patch` by compare-and-set against
   * `entry.raw`. A parallel write that got in first is re-read and only our
   * keys are applied over it (so two tabs writing different keys both keep
   * theirs); a session that has gone stays gone (`null`).
   */
  async save(
    entry: Entry<Data>,
    patch: DataPatch,
  ): Promise<{ entry: Entry<Data>; written: boolean } | null> {
    let { handle, raw, record } = entry;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.now();
      const next: SessionRecord<Data> = { ...touched(this.policy, record, now), v: record.v + 1 };
      const written = await this.sessions.replace(
        handle,
        raw,
        next,
        storeTtl(this.policy, next, now),
        noticeOnly(next, now),
      );
      if (written !== null) return { entry: { handle, raw: written, record: next }, written: true };
      const current = await this.resolve(handle, true);
      if (current.kind !== 'session' || decide(this.policy, current.record, now).kind !== 'valid')
        return null;
      // Nothing of ours to add: the newer write already recorded activity at least as recent.
      if (patch.size === 0) return { entry: current, written: false };
      emit(this.sink, {
        type: 'conflict',
        at: now,
        handle: current.handle,
        userId: current.record.uid,
      });
      ({ handle, raw } = current);
      record = { ...current.record, data: applyPatch(current.record.data, patch) };
      await pause(retryDelay(attempt, this.random));
    }
    // Never drop a change silently (expressjs/session#935): say it was not saved.
    throw new SessionConflictError(
      `session data was not saved: parallel writes to the same session won the race ${MAX_ATTEMPTS} times in a row; retry the request`,
    );
  }

  /**
   * Renewal: a new ID for the same session; the old one follows it for
   * `renewGrace`. Of several racing renewals one moves the session; the others
   * undo their copy and only save their changes (`renewed: false`).
   */
  async renew(
    entry: Entry<Data>,
    patch: DataPatch,
  ): Promise<
    | { renewed: true; id: string; entry: Entry<Data> }
    | { renewed: false; entry: Entry<Data> | null }
  > {
    const now = this.now();
    const id = newSecret(this.random);
    const handle = hashSecret(id);
    const record = entry.record;
    const next: SessionRecord<Data> = {
      ...touched(this.policy, record, now),
      v: record.v + 1,
      issuedAt: now,
    };
    // Indexed only once published: until then "log out everywhere" finds the old ID, a session or an
    // alias it follows to the successor, so it ends the session whichever comes first.
    const successor = await this.#put(handle, next, now, false);
    const alias = { t: 'alias' as const, to: handle, until: now + this.policy.renewGrace };
    const ttl = Math.max(this.policy.renewGrace, 1000);
    if ((await this.sessions.replace(entry.handle, entry.raw, alias, ttl)) === null) {
      await this.sessions.delete(handle);
      const saved = patch.size > 0 ? await this.save(entry, patch) : null;
      return { renewed: false, entry: saved ? saved.entry : patch.size > 0 ? null : entry };
    }
    if (next.uid !== null) {
      await this.index?.add(next.uid, handle, next.absoluteDeadline - now);
      await this.index?.remove(next.uid, entry.handle);
    }
    emit(this.sink, { type: 'renewed', at: now, handle, previous: entry.handle, userId: next.uid });
    return { renewed: true, id, entry: successor };
  }

  /**
   * Regeneration: point the previous ID at `target` by compare-and-set. The
   * pointer has already expired, so the old ID is dead at once for loading
   * (session fixation), while a request in flight on it still finds the
   * session to write to and a racing logout still finds it to end. A parallel
   * write that got in first is carried over (when `carry`); a parallel end,
   * renewal or regeneration wins, and this one is undone with `SessionConflictError`.
   */
  async move(
    previous: Entry<Data>,
    patch: DataPatch,
    target: Entry<Data>,
    carry: boolean,
  ): Promise<Entry<Data>> {
    const now = this.now();
    let raw = previous.raw;
    let moved = target;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const forward = { t: 'alias' as const, to: target.handle, until: now };
      const ttl = Math.max(this.policy.renewGrace, 1000);
      if ((await this.sessions.replace(previous.handle, raw, forward, ttl)) !== null) {
        if (previous.record.uid !== null)
          await this.index?.remove(previous.record.uid, previous.handle);
        return moved;
      }
      const current = await this.sessions.read(previous.handle);
      if (
        current?.value.t !== 'session' ||
        decide(this.policy, current.value, now).kind !== 'valid'
      )
        break;
      raw = current.raw;
      if (carry) {
        const record = { ...moved.record, data: applyPatch(current.value.data, patch) };
        moved = await this.#put(target.handle, record, now);
      }
    }
    await this.discard(target.handle, target.record.uid);
    throw new SessionConflictError(
      'regenerate: a parallel request ended or moved this session first; load it again',
    );
  }

  /**
   * End a session: a logout (the ID becomes `unknown`) or a revocation (the
   * ID is told `revoked` until the session's own deadline). One write, a
   * compare-and-set against the bytes read, so a renewal that has not yet
   * moved the session loses its race; one that already has is followed to its
   * successor, which is ended instead. Returns the handle ended, or `null`
   * when the session was already gone or expired.
   */
  async end(entry: Entry<Data>, mode: 'logout' | 'revoke'): Promise<string | null> {
    let { handle, raw, record } = entry;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.now();
      if (await this.#tombstone(handle, raw, record, mode, now)) return handle;
      const current = await this.resolve(handle, true);
      if (current.kind !== 'session' || decide(this.policy, current.record, now).kind !== 'valid')
        return null;
      ({ handle, raw, record } = current);
      await pause(retryDelay(attempt, this.random));
    }
    // Still contended: end it unconditionally rather than leave it alive.
    await this.#tombstone(handle, null, record, mode, this.now(), true);
    return handle;
  }

  async #tombstone(
    handle: string,
    raw: string | null,
    record: SessionRecord<Data>,
    mode: 'logout' | 'revoke',
    now: number,
    blind = false,
  ): Promise<boolean> {
    const tombstone =
      mode === 'logout'
        ? { t: 'revoked' as const, at: now, by: 'logout' as const }
        : { t: 'revoked' as const, at: now };
    // A logout's tombstone only has to outlast the races; a revocation's says `revoked` until the deadline.
    const lifetime = storeTtl(this.policy, record, now);
    const ttl = mode === 'logout' ? Math.min(LOGOUT_MARKER_MS, lifetime) : lifetime;
    if (blind) await this.sessions.write(handle, tombstone, ttl);
    else if ((await this.sessions.replace(handle, raw, tombstone, ttl)) === null) return false;
    if (record.uid !== null) await this.index?.remove(record.uid, handle);
    return true;
  }

  /**
   * A user's live sessions, each once, renewal aliases followed. Index members
   * that no longer lead to a live session are dropped from the index.
   */
  async live(userId: string, feature: string): Promise<Entry<Data>[]> {
    checkUserId(userId, feature);
    const index = this.access.index(feature);
    const members = (await index.list(userId)).filter(isSessionMember);
    const now = this.now();
    const out = new Map<string, Entry<Data>>();
    for (const member of members) {
      // Aliases are followed past their grace: a session being renewed right now is found either way.
      const found = await this.resolve(member, true);
      if (found.kind === 'session' && decide(this.policy, found.record, now).kind === 'valid')
        out.set(found.handle, found); // a member mid-renewal and its successor are one session
      else await index.remove(userId, member);
    }
    return [...out.values()];
  }

  /**
   * Log out everywhere (ASVS V7.4.2, V7.4.5): end every session of `userId`
   * but `except`, after `forgetLogins` has forgotten its remembered logins
   * (given the one behind the kept session). Returns how many sessions ended.
   */
  async revokeUser(
    userId: string,
    options: {
      except?: string;
      forgetLogins?: (keep: string | undefined) => Promise<unknown>;
    } = {},
  ): Promise<number> {
    const feature = 'revoking every session of a user';
    checkUserId(userId, feature);
    let keep: string | undefined;
    if (options.except !== undefined) {
      const kept = await this.resolve(options.except, false);
      if (kept.kind === 'session') keep = kept.record.rm;
    }
    // Remembered logins first: a remember-me sign-in racing this either finds its login gone (its
    // rotation fails and its session is undone) or indexed its session before rotating, so the
    // listing below finds and ends it.
    await options.forgetLogins?.(keep);
    let count = 0;
    for (const entry of await this.live(userId, feature)) {
      if (entry.handle === options.except) continue;
      if (await this.end(entry, 'revoke')) count++;
    }
    emit(this.sink, {
      type: 'revoke-all',
      at: this.now(),
      userId,
      count,
      ...(options.except === undefined ? {} : { except: options.except }),
    });
    return count;
  }

  /**
   * Create a session for `userId` within the per-user limit. On a store with
   * compare-and-set the limit and the new session are decided under a short
   * per-user lock, so concurrent logins cannot both take the last place.
   */
  async admit<T>(
    userId: string,
    replacing: string | undefined,
    create: () => Promise<T>,
  ): Promise<T> {
    const limit = this.limit;
    if (!limit) return create();
    if (!this.access.hasCompareAndSet) {
      await this.#enforce(userId, replacing, limit);
      return create();
    }
    return this.#locks.hold(
      hashSecret(userId),
      "login: the session-limit lock of this user's sign-ins was",
      async () => {
        await this.#enforce(userId, replacing, limit);
        return create();
      },
    );
  }

  async #enforce(
    userId: string,
    replacing: string | undefined,
    limit: SessionLimit,
  ): Promise<void> {
    const others = (await this.live(userId, 'a per-user session limit')).filter(
      (s) => s.handle !== replacing,
    );
    if (others.length < limit.max) return;
    const now = this.now();
    if (limit.onLimit === 'refuse') {
      emit(this.sink, { type: 'limit-refused', at: now, userId, limit: limit.max });
      throw new SessionLimitError(limit.max);
    }
    others.sort((a, b) => a.record.lastSeenAt - b.record.lastSeenAt);
    for (const entry of others.slice(0, others.length - limit.max + 1)) {
      const ended = await this.end(entry, 'revoke');
      if (ended)
        emit(this.sink, {
          type: 'evicted',
          at: now,
          handle: ended,
          userId,
          cause: 'session-limit',
        });
    }
  }
}
