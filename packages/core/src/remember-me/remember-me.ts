/**
 * Remember me: a remembered login, kept apart from the short active session.
 * A second, persistent cookie holds a split token (`device-token.ts`); when
 * the session has gone it signs the user back in through the session ledger
 * and rotates, with a grace window for parallel requests and theft detection
 * outside it. The design is in docs/remember-me-and-tokens.md.
 */

import {
  resolveSessionCookie,
  type ResolvedCookie,
  type SessionCookieOptions,
} from '../cookie/session-cookie.js';
import { decide } from '../decide.js';
import { type Duration, toMillis } from '../duration.js';
import { ConfigError, PolicyError, SessionLimitError, StoreCapabilityError } from '../errors.js';
import { emit, type EventSink } from '../events.js';
import type { Entry, SessionLedger } from '../ledger.js';
import type { SessionPolicy } from '../policy.js';
import { hashSecret, isSecretShaped, type RandomSource } from '../random.js';
import type { Resumed } from '../binding.js';
import { deviceFactsOf, type DeviceBindingRecord, type DeviceFacts } from '../record.js';
import type { SessionData } from '../session.js';
import { summarize, type SessionSummary } from '../session-list.js';
import { TypedStore, type Read } from '../store/typed-store.js';
import {
  bindingOf,
  deviceMember,
  deviceRecordOf,
  memberDevice,
  type DeviceRecord,
} from './device-record.js';
import {
  deviceHandle,
  formatDeviceToken,
  newDeviceToken,
  openSuccessor,
  parseDeviceToken,
  sameHash,
  sealSuccessor,
  validatorHash,
  type DeviceToken,
} from './device-token.js';

/** Engine options for remember-me; the lifetime itself is the policy's `rememberMe`. */
export interface RememberMeOptions {
  /** Base name of the remember-me cookie; the prefix is added as for the session cookie. Default `'remember'` (`__Host-remember`). */
  cookieName?: string;
  /**
   * How long after a rotation the token it replaced still yields the same
   * successor, so parallel requests are not taken for theft. Default 30 s;
   * `0` turns it off. The sealed successor is kept that long, no longer.
   */
  grace?: Duration;
}

/** Default grace window after a rotation. */
export const REMEMBER_ME_GRACE_MS = 30_000;

const STORES_WITH_CAS = 'memory, Redis, Deno KV, Durable Objects, SQL';

/** What the request must do with the remember-me cookie. */
export type DeviceCookie =
  { kind: 'set'; value: string; expiresAt: number } | { kind: 'clear' } | null;

/** The result of looking for a remembered login on a request whose session is gone. */
export type Recall<Data> =
  | { kind: 'none' }
  | { kind: 'refused'; cookie: DeviceCookie }
  | { kind: 'recalled'; id: string; entry: Entry<Data>; cookie: DeviceCookie };

/** A remembered login as shown to its user (ASVS V7.5.2), with the session it currently keeps alive. */
export interface RememberedLogin {
  /** Public handle (SHA-256 of the selector): revoke by it with `revokeRememberedLogin`. */
  handle: string;
  createdAt: number;
  /** When it last signed its user back in (or was remembered). */
  lastUsedAt: number;
  expiresAt: number;
  /** When the user last really authenticated on this device. */
  authTime: number;
  /** Facts about the device it was remembered on. */
  device: DeviceFacts;
  /** Its current live session, or `null` when none is alive right now. */
  session: SessionSummary | null;
}

/** Why a remembered login was forgotten. */
export type ForgetCause = 'logout' | 'login' | 'revoke' | 'revoke-all' | 'theft';

/** Refuse a remember-me login under a policy that forbids it (`banking`, `kiosk`, `rememberMe: false`), before anything is written. */
export function assertRememberMeAllowed(policy: SessionPolicy): void {
  if (policy.rememberMe === false) {
    throw new PolicyError(
      'rememberMe',
      `the ${policy.name} policy does not offer remember-me; sign in without { rememberMe: true }`,
    );
  }
}

/** @internal Remembered logins of one engine. */
export class RememberMe<Data extends SessionData = SessionData> {
  readonly cookie: ResolvedCookie;
  readonly grace: number;
  readonly #logins: TypedStore<DeviceRecord>;

  constructor(
    private readonly ledger: SessionLedger<Data>,
    private readonly random: RandomSource,
    private readonly sink: EventSink | undefined,
    readonly lifetime: number,
    prefix: string,
    cookie: SessionCookieOptions,
    sessionCookieName: string,
    options: RememberMeOptions = {},
  ) {
    const { policy, access } = ledger;
    const store = access.store;
    const off = `; stores that have it: ${STORES_WITH_CAS}; or set policy.rememberMe to false`;
    if (typeof store.compareAndSet !== 'function') {
      throw new StoreCapabilityError(
        'compareAndSet',
        `remember-me (policy ${policy.name}: the token rotates atomically on every use${off})`,
        store.name,
      );
    }
    if (!store.userIndex) {
      throw new StoreCapabilityError(
        'userIndex',
        `remember-me (policy ${policy.name}: theft detection and log-out-everywhere end every remembered login of a user${off})`,
        store.name,
      );
    }
    const grace = options.grace === undefined ? REMEMBER_ME_GRACE_MS : toMillis(options.grace);
    if (!(grace >= 0) || grace >= lifetime) {
      const given =
        options.grace === undefined
          ? `the default grace of ${REMEMBER_ME_GRACE_MS} ms`
          : JSON.stringify(options.grace);
      throw new ConfigError(
        `rememberMe.grace: must be zero or positive and shorter than policy.rememberMe (${lifetime} ms), got ${given}; set rememberMe: { grace } to a shorter window or lengthen policy.rememberMe`,
      );
    }
    // Scope and SameSite follow the session cookie; HttpOnly never does: no script needs the token,
    // and an app that lets scripts read its session cookie must not hand them one that lasts for weeks.
    this.cookie = resolveSessionCookie(
      { ...cookie, name: options.cookieName ?? 'remember', httpOnly: true, warn: () => {} },
      { persistent: true },
    );
    if (this.cookie.name === sessionCookieName) {
      throw new ConfigError(
        `rememberMe.cookieName: the remember-me cookie cannot share the session cookie's name (${this.cookie.name})`,
      );
    }
    this.grace = grace;
    this.#logins = new TypedStore(access, `${prefix}rm:`, 'remembered login', deviceRecordOf);
  }

  #now(): number {
    return this.ledger.now();
  }

  /** Remember this device for `userId` after a real authentication at `authTime`. */
  async issue(
    userId: string,
    authTime: number,
    device: DeviceFacts,
  ): Promise<{ handle: string; cookie: DeviceCookie }> {
    const now = this.#now();
    const token = newDeviceToken(this.random);
    const handle = deviceHandle(token.selector);
    const record: DeviceRecord = {
      t: 'device',
      uid: userId,
      validatorHash: validatorHash(token.validator),
      createdAt: now,
      rotatedAt: now,
      expiresAt: now + this.lifetime,
      authTime,
      device,
    };
    await this.#logins.write(handle, record, this.lifetime);
    await this.ledger.index?.add(userId, deviceMember(handle), this.lifetime);
    emit(this.sink, { type: 'remember-me-issued', at: now, device: handle, userId });
    return {
      handle,
      cookie: { kind: 'set', value: formatDeviceToken(token), expiresAt: record.expiresAt },
    };
  }

  /** The device token the request's cookie carries: `none`, `malformed`, or its handle and validator hash. */
  #presented(
    request: Request,
  ):
    | { kind: 'none' }
    | { kind: 'malformed' }
    | { kind: 'token'; token: DeviceToken; handle: string; hash: string } {
    const value = this.cookie.read(request.headers.get('cookie'));
    if (value === undefined) return { kind: 'none' };
    const token = parseDeviceToken(value);
    if (!token) return { kind: 'malformed' };
    return {
      kind: 'token',
      token,
      handle: deviceHandle(token.selector),
      hash: validatorHash(token.validator),
    };
  }

  /**
   * The request's session is gone: sign its user back in from the cookie, if it holds a valid
   * token. A bound device's cookie (DBSC) signs in only with `resume`, the DBSC session the
   * refresh endpoint verified a proof for. Never throws for hostile input; rejects only with `StoreError`.
   */
  async recall(
    request: Request,
    facts: DeviceFacts,
    resume?: { sid: string },
  ): Promise<Recall<Data>> {
    const presented = this.#presented(request);
    if (presented.kind === 'none') return { kind: 'none' };
    if (presented.kind === 'malformed') return { kind: 'refused', cookie: { kind: 'clear' } };
    const { token, handle, hash } = presented;
    for (let attempt = 0; attempt < 3; attempt++) {
      const read = await this.#logins.read(handle);
      const now = this.#now();
      if (!read || now >= read.value.expiresAt)
        return { kind: 'refused', cookie: { kind: 'clear' } };
      const { value: record } = read;
      const previous = record.previous;
      const current = sameHash(hash, record.validatorHash);
      const grace =
        !current && previous && now < previous.until && sameHash(hash, previous.validatorHash);
      const bound = record.bound;
      if ((current || grace) && bound !== undefined && bound.sid !== resume?.sid) {
        emit(this.sink, {
          type: 'device-binding-refused',
          at: now,
          reason: 'remember-me',
          userId: record.uid,
        });
        return { kind: 'refused', cookie: { kind: 'clear' } };
      }
      if (current) {
        const dbsc = bound && bindingOf(bound);
        const rotated = await this.#rotate(handle, token, hash, read, facts, now, dbsc);
        if (rotated) return rotated;
        continue; // another request rotated first: its successor is now under `previous`
      }
      // A refresh racing the one that resumed: the browser retries with the new cookies.
      if (grace && bound !== undefined) return { kind: 'refused', cookie: null };
      if (grace) return this.#follow(handle, token, record, previous!.successor, now);
      await this.#theft(handle, record, now);
      return { kind: 'refused', cookie: { kind: 'clear' } };
    }
    return { kind: 'refused', cookie: null };
  }

  /**
   * At the DBSC refresh endpoint, after a proof for `sid`: sign the bound device back in (a new
   * session carrying the binding, the token rotated), or `null` when its cookie does not allow it.
   */
  async resume(
    request: Request,
    facts: DeviceFacts | undefined,
    sid: string,
  ): Promise<Resumed | null> {
    const recall = await this.recall(request, deviceFactsOf(request, facts), { sid });
    if (recall.kind !== 'recalled' || recall.cookie?.kind !== 'set') return null;
    const now = this.#now();
    const maxAge = Math.ceil((recall.cookie.expiresAt - now) / 1000);
    return {
      id: recall.id,
      handle: recall.entry.handle,
      record: recall.entry.record,
      setCookie: this.cookie.serialize(recall.cookie.value, maxAge, now),
    };
  }

  /** The DBSC binding of the device whose current token the request carries, or `null`. Reads only. */
  async boundDevice(request: Request): Promise<DeviceBindingRecord | null> {
    const presented = this.#presented(request);
    if (presented.kind !== 'token') return null;
    const read = await this.#logins.read(presented.handle);
    if (!read || this.#now() >= read.value.expiresAt || read.value.bound === undefined) return null;
    if (!sameHash(presented.hash, read.value.validatorHash)) return null;
    return bindingOf(read.value.bound);
  }

  /**
   * A session of the device `handle` registered a device-bound session (DBSC) with `binding`: from
   * now on its remember-me cookie signs nobody in by itself, on that device or anywhere it was
   * copied to; the refresh endpoint resumes it beside a proof by that key.
   */
  async bind(handle: string, binding: DeviceBindingRecord): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const read = await this.#logins.read(handle);
      const now = this.#now();
      if (!read || now >= read.value.expiresAt) return;
      const next: DeviceRecord = { ...read.value, bound: { ...binding, at: now } };
      if ((await this.#logins.replace(handle, read.raw, next, read.value.expiresAt - now)) !== null)
        return;
    }
  }

  /** Rotate the token and create its new session; `null` when another request rotated first. */
  async #rotate(
    handle: string,
    token: DeviceToken,
    presented: string,
    read: Read<DeviceRecord>,
    facts: DeviceFacts,
    now: number,
    dbsc?: DeviceBindingRecord,
  ): Promise<Recall<Data> | null> {
    const { ledger } = this;
    const { value: login } = read;
    const init = {
      uid: login.uid,
      data: {} as Data,
      authTime: login.authTime,
      device: { ...login.device, ...facts },
      rm: handle,
      ...(dbsc && { dbsc }),
    };
    // Signing back in is a login for the per-user limit: it may evict, or be refused (cookie kept).
    // The session exists and is indexed before the rotation is published, so a grace request that
    // opens the successor finds it, and a "log out everywhere" running meanwhile ends it.
    let created: { id: string; entry: Entry<Data> };
    try {
      created = await ledger.admit(login.uid, undefined, () => ledger.create(init, now));
    } catch (error) {
      if (error instanceof SessionLimitError) return { kind: 'refused', cookie: null };
      throw error;
    }
    const { id, entry } = created;
    const next = newDeviceToken(this.random, token.selector);
    const successor =
      this.grace > 0
        ? await sealSuccessor(token.validator, `${next.validator}.${id}`, handle, this.random)
        : undefined;
    const rotated: DeviceRecord = {
      ...login,
      validatorHash: validatorHash(next.validator),
      rotatedAt: now,
      previous: successor
        ? { validatorHash: presented, successor, until: now + this.grace }
        : undefined,
    };
    if ((await this.#logins.replace(handle, read.raw, rotated, login.expiresAt - now)) === null) {
      await ledger.discard(entry.handle, login.uid);
      return null;
    }
    emit(this.sink, {
      type: 'remember-me-used',
      at: now,
      device: handle,
      handle: entry.handle,
      userId: login.uid,
      shared: false,
    });
    return {
      kind: 'recalled',
      id,
      entry,
      cookie: { kind: 'set', value: formatDeviceToken(next), expiresAt: login.expiresAt },
    };
  }

  /** A request that raced with a rotation: hand it the same successor, if it opens and its session is alive. */
  async #follow(
    handle: string,
    token: DeviceToken,
    login: DeviceRecord,
    sealed: string,
    now: number,
  ): Promise<Recall<Data>> {
    // Failures here leave the cookie alone: the request that rotated is setting the successor.
    const opened = await openSuccessor(token.validator, sealed, handle);
    const [validator = '', id = ''] = opened?.split('.') ?? [];
    if (!isSecretShaped(validator) || !isSecretShaped(id)) return { kind: 'refused', cookie: null };
    const found = await this.ledger.resolve(hashSecret(id), false);
    if (found.kind !== 'session' || decide(this.ledger.policy, found.record, now).kind !== 'valid')
      return { kind: 'refused', cookie: null };
    emit(this.sink, {
      type: 'remember-me-used',
      at: now,
      device: handle,
      handle: found.handle,
      userId: login.uid,
      shared: true,
    });
    const cookie = formatDeviceToken({ selector: token.selector, validator });
    return {
      kind: 'recalled',
      id,
      entry: found,
      cookie: { kind: 'set', value: cookie, expiresAt: login.expiresAt },
    };
  }

  /** A copied token: the server cannot tell attacker from victim (RFC 9700 §4.14.2), so everything of the user ends. */
  async #theft(handle: string, login: DeviceRecord, now: number): Promise<void> {
    emit(this.sink, { type: 'remember-me-theft', at: now, device: handle, userId: login.uid });
    await this.#delete(handle, login, 'theft', now);
    await this.ledger.revokeUser(login.uid, { forgetLogins: () => this.revokeUser(login.uid) });
  }

  async #revokeSession(entry: Entry<Data>, now: number): Promise<void> {
    const ended = await this.ledger.end(entry, 'revoke');
    if (ended)
      emit(this.sink, { type: 'revoked', at: now, handle: ended, userId: entry.record.uid });
  }

  async #delete(handle: string, login: DeviceRecord, cause: ForgetCause, now: number) {
    await this.#logins.delete(handle);
    await this.ledger.index?.remove(login.uid, deviceMember(handle));
    emit(this.sink, {
      type: 'remember-me-revoked',
      at: now,
      device: handle,
      userId: login.uid,
      cause,
    });
  }

  /**
   * Forget the login this request is on, at logout or at a new login: the one
   * its session was re-created from, and the one its cookie names if the
   * cookie proves possession. Returns what to do with the cookie.
   */
  async forget(
    request: Request,
    linked: string | undefined,
    cause: 'logout' | 'login',
  ): Promise<DeviceCookie> {
    const now = this.#now();
    const handles = new Set<string>();
    if (linked) handles.add(linked);
    const value = this.cookie.read(request.headers.get('cookie'));
    const token = value === undefined ? null : parseDeviceToken(value);
    if (token) {
      const handle = deviceHandle(token.selector);
      const read = handles.has(handle) ? null : await this.#logins.read(handle);
      const presented = validatorHash(token.validator);
      const prev = read?.value.previous;
      if (
        read &&
        (sameHash(presented, read.value.validatorHash) ||
          (prev && now < prev.until && sameHash(presented, prev.validatorHash)))
      ) {
        handles.add(handle);
      }
    }
    for (const handle of handles) {
      const read = await this.#logins.read(handle);
      if (read) await this.#delete(handle, read.value, cause, now);
    }
    return value === undefined ? null : { kind: 'clear' };
  }

  /** End one remembered login by its public handle, and every session it re-created; `false` when none is remembered under it. */
  async revoke(handle: string): Promise<boolean> {
    if (typeof handle !== 'string' || !isSecretShaped(handle)) return false;
    const read = await this.#logins.read(handle);
    if (!read) return false;
    const now = this.#now();
    await this.#delete(handle, read.value, 'revoke', now);
    for (const entry of await this.ledger.live(read.value.uid, 'revoking a remembered login')) {
      if (entry.record.rm === handle) await this.#revokeSession(entry, now);
    }
    return true;
  }

  /** Forget every remembered login of a user except `except` (log out everywhere, ASVS V7.4.2). Returns how many. */
  async revokeUser(
    userId: string,
    except?: string,
    cause: ForgetCause = 'revoke-all',
  ): Promise<number> {
    const now = this.#now();
    let count = 0;
    for (const handle of await this.#handles(userId, 'revoking every remembered login of a user')) {
      if (handle === except) continue;
      const read = await this.#logins.read(handle);
      if (read) {
        await this.#delete(handle, read.value, cause, now);
        count++;
      } else {
        await this.ledger.index?.remove(userId, deviceMember(handle));
      }
    }
    return count;
  }

  /** A user's remembered logins, most recently used first, each with its current session. */
  async list(userId: string, currentSession?: string): Promise<RememberedLogin[]> {
    const now = this.#now();
    const feature = "listing a user's remembered logins";
    const sessions = summarize(await this.ledger.live(userId, feature), currentSession);
    const out: RememberedLogin[] = [];
    for (const handle of await this.#handles(userId, feature)) {
      const read = await this.#logins.read(handle);
      if (!read || now >= read.value.expiresAt) continue;
      const d = read.value;
      out.push({
        handle,
        createdAt: d.createdAt,
        lastUsedAt: d.rotatedAt,
        expiresAt: d.expiresAt,
        authTime: d.authTime,
        device: d.device,
        session: sessions.find((s) => s.rememberedLogin === handle) ?? null,
      });
    }
    return out.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  }

  async #handles(userId: string, feature: string): Promise<string[]> {
    const members = await this.ledger.access.index(feature).list(userId);
    return members.map(memberDevice).filter((h): h is string => h !== null);
  }
}
