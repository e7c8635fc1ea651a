/**
 * Active sessions per user, as the events tell them: a session counts from
 * its creation until an event ends it or, given the policy's timeouts, until
 * its idle or absolute deadline passes without an event that moved it on.
 */

import type { SessionEvent } from '../events.js';

/** The timeouts that end a session no event reports ended: the engine's `policy` fits. */
export interface SessionLifetime {
  idleTimeout: number;
  absoluteTimeout: number;
}

interface Tracked {
  userId: string;
  /** Last event that showed the session in use. */
  seenAt: number;
  /** When its lifetime began: renewal and regeneration keep it, a login starts it. */
  startedAt: number;
}

/**
 * Signed-in sessions by public handle; renamed on renewal and regeneration. Anonymous ones are not counted.
 *
 * @example
 * const active = new ActiveSessions(policy);
 * active.apply(event); // +1 for a login, -1 for a logout
 * active.of('ada');
 */
export class ActiveSessions {
  readonly #sessions = new Map<string, Tracked>();
  readonly #byUser = new Map<string, Set<string>>();

  constructor(private readonly lifetime: SessionLifetime | undefined) {}

  /** Apply one event; returns the change in the number of active sessions. */
  apply(e: SessionEvent): number {
    const before = this.#sessions.size;
    switch (e.type) {
      case 'created':
        if (e.userId !== null) this.#add(e.handle, e.userId, e.at, e.at);
        break;
      case 'regenerated':
      case 'renewed': {
        const previous = this.#remove(e.previous);
        const keeps = e.type === 'renewed' || e.cause !== 'login';
        const startedAt = keeps && previous ? previous.startedAt : e.at;
        if (e.userId !== null) this.#add(e.handle, e.userId, e.at, startedAt);
        break;
      }
      case 'touched': {
        const known = this.#sessions.get(e.handle);
        if (known) known.seenAt = e.at;
        // A session from before the monitor started: counted from its first sign of life.
        else if (e.userId !== null) this.#add(e.handle, e.userId, e.at, e.at);
        break;
      }
      case 'remember-me-used':
        if (!this.#sessions.has(e.handle)) this.#add(e.handle, e.userId, e.at, e.at);
        break;
      case 'validation-failed':
        // A cookie the store no longer knows: its session ended unseen (swept after its deadline).
        if (e.handle !== undefined) this.#remove(e.handle);
        break;
      case 'expired':
      case 'logout':
      case 'revoked':
      case 'evicted':
        this.#remove(e.handle);
        break;
      case 'revoke-all':
        for (const handle of [...(this.#byUser.get(e.userId) ?? [])])
          if (handle !== e.except) this.#remove(handle);
        break;
      default:
        break;
    }
    return this.#sessions.size - before;
  }

  /** Drop sessions whose deadline passed by `now`; returns how many were dropped. */
  expire(now: number): number {
    const lifetime = this.lifetime;
    if (!lifetime) return 0;
    let dropped = 0;
    for (const [handle, s] of this.#sessions)
      if (now >= s.seenAt + lifetime.idleTimeout || now >= s.startedAt + lifetime.absoluteTimeout) {
        this.#remove(handle);
        dropped++;
      }
    return dropped;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Active sessions of one user. */
  of(userId: string): number {
    return this.#byUser.get(userId)?.size ?? 0;
  }

  /** Every user with an active session, most sessions first. */
  users(): Array<{ userId: string; sessions: number }> {
    return [...this.#byUser]
      .map(([userId, handles]) => ({ userId, sessions: handles.size }))
      .sort((a, b) => b.sessions - a.sessions || (a.userId < b.userId ? -1 : 1));
  }

  #add(handle: string, userId: string, seenAt: number, startedAt: number): void {
    this.#remove(handle);
    this.#sessions.set(handle, { userId, seenAt, startedAt });
    let handles = this.#byUser.get(userId);
    if (!handles) this.#byUser.set(userId, (handles = new Set()));
    handles.add(handle);
  }

  #remove(handle: string): Tracked | undefined {
    const s = this.#sessions.get(handle);
    if (!s) return undefined;
    this.#sessions.delete(handle);
    const handles = this.#byUser.get(s.userId);
    handles?.delete(handle);
    if (handles?.size === 0) this.#byUser.delete(s.userId);
    return s;
  }
}
