/**
 * The session a handler sees: read its data, change it key by key, and read
 * its timestamps. Changes are recorded as a patch, not a whole-object resave,
 * so two tabs writing different keys at once both keep their change
 * (express-session's `resave` loses one: expressjs/session#935).
 */

import { factorList, type AuthFactor } from './auth-factors.js';
import { SessionCommittedError } from './errors.js';
import type { DeviceFacts, SessionRecord } from './record.js';
import { checkSessionValue } from './session-value.js';

/**
 * Session data: a JSON-serializable object. Keep it small and never put
 * secrets in a sealed cookie. Declare your app's keys once, as with
 * express-session's `SessionData`, and every adapter sees them typed.
 *
 * @example
 * declare module '@latchkey/core' {
 *   interface SessionData { cart?: string[]; theme?: 'light' | 'dark' }
 * }
 */
export interface SessionData {
  [key: string]: unknown;
}

/** A pending change to one key: a new value, or `undefined` for deletion. */
export type DataPatch = Map<string, unknown>;

/**
 * A loaded session.
 *
 * @example
 * const outcome = await rs.load();
 * if (outcome.valid) outcome.session.set('theme', 'dark');
 */
export class Session<Data extends SessionData = SessionData> {
  /** @internal */ record: SessionRecord<Data>;
  /** @internal */ readonly patch: DataPatch = new Map();
  #closed = false;

  /** @internal */
  constructor(
    /** The public handle: safe to show, log and revoke by; it is not the secret ID and cannot sign anyone in. */
    public handle: string,
    record: SessionRecord<Data>,
  ) {
    this.record = record;
  }

  /** The signed-in user, or `null` for an anonymous session. */
  get userId(): string | null {
    return this.record.uid;
  }
  /** The data as it stands in this request, changes included. Treat as read-only; change it with `set`. */
  get data(): Readonly<Data> {
    return this.record.data;
  }
  /**
   * One key of the data as it stands in this request, or `undefined`.
   *
   * @example
   * const outcome = await rs.load();
   * if (outcome.valid) console.log(outcome.session.get('theme'));
   */
  get<K extends keyof Data & string>(key: K): Data[K] | undefined {
    return this.record.data[key];
  }
  /**
   * Change one key; written when the response is committed. Setting
   * `undefined` deletes the key; after commit it throws `SessionCommittedError`.
   *
   * @example
   * const session = await rs.login('ada');
   * session.set('theme', 'dark');
   * return rs.commit(new Response('ok'));
   */
  set<K extends keyof Data & string>(key: K, value: Data[K]): void {
    this.#assertOpen('set');
    if (value === undefined) return this.delete(key);
    checkSessionValue(key, value);
    this.record = { ...this.record, data: { ...this.record.data, [key]: value } };
    this.patch.set(key, value);
  }
  /**
   * Remove one key; written when the response is committed.
   *
   * @example
   * const outcome = await rs.load();
   * if (outcome.valid) outcome.session.delete('cart');
   * return rs.commit(new Response('cart emptied'));
   */
  delete<K extends keyof Data & string>(key: K): void {
    this.#assertOpen('delete');
    const data = { ...this.record.data };
    delete data[key];
    this.record = { ...this.record, data };
    this.patch.set(key, undefined);
  }
  /** @internal After commit, changes would be lost: refuse them instead. */
  close(): void {
    this.#closed = true;
  }

  #assertOpen(operation: string): void {
    if (this.#closed)
      throw new SessionCommittedError(
        `session.${operation}() after commit(): the response has already been committed, so the change would be lost; make changes before returning the response`,
      );
  }

  /** Whether `set` or `delete` was called since load. */
  get dirty(): boolean {
    return this.patch.size > 0;
  }
  get createdAt(): number {
    return this.record.createdAt;
  }
  get lastSeenAt(): number {
    return this.record.lastSeenAt;
  }
  /** When the session will expire for inactivity unless used again. */
  get idleExpiresAt(): number {
    return this.record.idleDeadline;
  }
  /** When the session will expire whatever its use. */
  get absoluteExpiresAt(): number {
    return this.record.absoluteDeadline;
  }
  /** When the user last authenticated, or `null` for an anonymous session. */
  get authTime(): number | null {
    return this.record.authTime;
  }
  /**
   * The factors that authenticated this session, most recent first: method,
   * time, user verification. Empty for an anonymous session, a remember-me
   * sign-in (it proves a device, not a person) and a record of an earlier version.
   */
  get factors(): readonly AuthFactor[] {
    return factorList(this.record.af);
  }
  get device(): Readonly<DeviceFacts> {
    return this.record.device;
  }
}

/** Apply a patch to data, returning new data (the original is untouched). */
export function applyPatch<Data extends SessionData>(data: Data, patch: DataPatch): Data {
  const next: SessionData = { ...data };
  for (const [key, value] of patch) {
    if (value === undefined) delete next[key];
    // defineProperty, not assignment: a key named `__proto__` stays data instead of replacing the prototype.
    else
      Object.defineProperty(next, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return next as Data;
}
