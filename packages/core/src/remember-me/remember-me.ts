/**
 * Remember me: the logged-in *device*, kept apart from the short active
 * session. A remember-me login sets a second, persistent cookie holding a
 * split token (see `device-token.ts`). When the session has gone (idle or
 * absolute expiry, or no session cookie at all) and the device token comes
 * with the request, a fresh session is created silently and the token is
 * rotated: same selector, new validator, the old validator dead at once.
 *
 * - Silent re-authentication is not authentication: the new session carries
 *   the auth time of the login that remembered the device, so step-up
 *   (`requireFreshAuth`) still applies (OWASP ASVS 5.0 V7.5.3).
 * - Grace: a request that raced with a rotation (it carried the token just
 *   replaced) gets the *same* successor, token and session, for `grace`
 *   milliseconds; Spring Security's remember-me lacks this and logs people
 *   out on parallel requests (spring-security#3079).
 * - Theft: a known selector with a wrong validator, outside the grace window,
 *   means the token was copied and one copy was already used. The server
 *   cannot tell attacker from victim (RFC 9700 §4.14.2 reasons the same way
 *   for refresh tokens), so every device and session of the user is ended.
 * - Rotation is one compare-and-set on the device record, so the engine
 *   refuses remember-me on a store without `compareAndSet` (and without a
 *   user index, which theft detection and logout-everywhere need).
 * - Ending a *session* does not forget the device (it signs back in); ending
 *   the *device* (`revokeDevice`, logout, log-out-everywhere) ends both.
 */

import {
  type ResolvedCookie,
  resolveSessionCookie,
  type SessionCookieOptions,
} from '../cookie/session-cookie.js';
import { decide, freshRecord, storeTtl } from '../decide.js';
import { type Duration, toMillis } from '../duration.js';
import type { Engine, SessionSummary } from '../engine.js';
import { ConfigError, PolicyError, SessionLimitError, StoreCapabilityError } from '../errors.js';
import { emit } from '../events.js';
import type { SessionPolicy } from '../policy.js';
import { hashSecret, isSecretShaped, newSecret } from '../random.js';
import { encodeRecord, type DeviceFacts, type SessionRecord } from '../record.js';
import type { SessionData } from '../session.js';
import type { SessionStore } from '../store/types.js';
import {
  DeviceRecords,
  deviceMember,
  memberDevice,
  type DeviceRecord,
  type ReadDevice,
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
  /** Base name of the device cookie; the prefix is added as for the session cookie. Default `'remember'` (`__Host-remember`). */
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

const STORES_WITH_CAS = 'memory, Redis, Deno KV, Durable Objects';

/** What the request must do with the device cookie. */
export type DeviceCookie =
  { kind: 'set'; value: string; expiresAt: number } | { kind: 'clear' } | null;

/** The result of looking for a remembered device on a request whose session is gone. */
export type Recall<Data> =
  | { kind: 'none' }
  | { kind: 'refused'; cookie: DeviceCookie }
  | {
      kind: 'recalled';
      id: string;
      handle: string;
      record: SessionRecord<Data>;
      raw: string;
      cookie: DeviceCookie;
    };

/** A remembered device as shown to its user (ASVS V7.5.2), with the session it currently keeps alive. */
export interface DeviceSummary {
  /** Public handle (SHA-256 of the selector): revoke by it with `revokeDevice`. */
  handle: string;
  createdAt: number;
  /** When the device last signed its user back in (or was remembered). */
  lastUsedAt: number;
  expiresAt: number;
  /** When the user last really authenticated on this device. */
  authTime: number;
  device: DeviceFacts;
  /** The device's current live session, or `null` when none is alive right now. */
  session: SessionSummary | null;
}

/** Why a device stopped being remembered. */
export type DeviceRevokeCause = 'logout' | 'login' | 'revoke' | 'revoke-all' | 'theft';

/**
 * Refuse a remember-me login under a policy that forbids it (`banking`,
 * `kiosk`, or `rememberMe: false`). Checked before anything is written.
 */
export function assertRememberMeAllowed(policy: SessionPolicy): void {
  if (policy.rememberMe === false) {
    throw new PolicyError(
      'rememberMe',
      `the ${policy.name} policy does not offer remember-me; sign in without { rememberMe: true }`,
    );
  }
}

/** @internal Remembered devices of one engine. */
export class RememberMe<Data extends SessionData = SessionData> {
  readonly cookie: ResolvedCookie;
  readonly grace: number;
  readonly lifetime: number;
  readonly #devices: DeviceRecords;

  constructor(
    private readonly engine: Engine<Data>,
    lifetime: number,
    store: SessionStore,
    keyPrefix: string,
    cookie: SessionCookieOptions,
    options: RememberMeOptions = {},
  ) {
    const off = `; stores that have it: ${STORES_WITH_CAS}; or set policy.rememberMe to false`;
    if (typeof store.compareAndSet !== 'function') {
      throw new StoreCapabilityError(
        'compareAndSet',
        `remember-me (policy ${engine.policy.name}: the device token rotates atomically on every use${off})`,
        store.name,
      );
    }
    if (!store.userIndex) {
      throw new StoreCapabilityError(
        'userIndex',
        `remember-me (policy ${engine.policy.name}: theft detection and log-out-everywhere end every device of a user${off})`,
        store.name,
      );
    }
    const grace = options.grace === undefined ? REMEMBER_ME_GRACE_MS : toMillis(options.grace);
    if (!(grace >= 0) || grace >= lifetime) {
      throw new ConfigError(
        `rememberMe.grace: must be zero or positive and shorter than policy.rememberMe, got ${JSON.stringify(options.grace)}`,
      );
    }
    const base = options.cookieName ?? 'remember';
    // Scope and SameSite follow the session cookie; HttpOnly never does: no script needs the device token,
    // and an app that lets scripts read its session cookie must not hand them a token that lasts for weeks.
    this.cookie = resolveSessionCookie(
      { ...cookie, name: base, httpOnly: true, warn: () => {} },
      { persistent: true },
    );
    if (this.cookie.name === engine.cookie.name) {
      throw new ConfigError(
        `rememberMe.cookieName: the device cookie cannot share the session cookie's name (${this.cookie.name})`,
      );
    }
    this.grace = grace;
    this.lifetime = lifetime;
    this.#devices = new DeviceRecords(store, keyPrefix, () => engine.clock.now(), engine.onEvent);
  }

  /** Remember a device for `userId` after a real authentication at `authTime`. */
  async issue(
    userId: string,
    authTime: number,
    device: DeviceFacts,
  ): Promise<{ handle: string; cookie: DeviceCookie }> {
    const { engine } = this;
    const now = engine.clock.now();
    const token = newDeviceToken(engine.random);
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
    await this.#devices.write(handle, record, this.lifetime);
    await engine.records.indexAdd(userId, deviceMember(handle), this.lifetime);
    emit(engine.onEvent, { type: 'remember-me-issued', at: now, device: handle, userId });
    return {
      handle,
      cookie: { kind: 'set', value: formatDeviceToken(token), expiresAt: record.expiresAt },
    };
  }

  /**
   * The request's session is gone: sign its user back in from the device
   * cookie, if there is a valid one. Never throws for hostile input; rejects
   * only with `StoreError`.
   */
  async recall(request: Request, facts: DeviceFacts): Promise<Recall<Data>> {
    const value = this.cookie.read(request.headers.get('cookie'));
    if (value === undefined) return { kind: 'none' };
    const token = parseDeviceToken(value);
    if (!token) return { kind: 'refused', cookie: { kind: 'clear' } };
    const handle = deviceHandle(token.selector);
    const presented = validatorHash(token.validator);
    for (let attempt = 0; attempt < 3; attempt++) {
      const read = await this.#devices.read(handle);
      const now = this.engine.clock.now();
      if (!read || now >= read.record.expiresAt)
        return { kind: 'refused', cookie: { kind: 'clear' } };
      const { record } = read;
      if (sameHash(presented, record.validatorHash)) {
        const rotated = await this.#rotate(handle, token, presented, read, facts, now);
        if (rotated) return rotated;
        continue; // another request rotated first: its successor is now under `previous`
      }
      const previous = record.previous;
      if (previous && now < previous.until && sameHash(presented, previous.validatorHash)) {
        return this.#follow(handle, token, record, previous.successor, now);
      }
      await this.#theft(handle, record, now);
      return { kind: 'refused', cookie: { kind: 'clear' } };
    }
    return { kind: 'refused', cookie: null };
  }

  /** Rotate the device token and create its new session; `null` when another request rotated first. */
  async #rotate(
    handle: string,
    token: DeviceToken,
    presented: string,
    read: ReadDevice,
    facts: DeviceFacts,
    now: number,
  ): Promise<Recall<Data> | null> {
    const { engine } = this;
    const { record: device } = read;
    // A device signing back in is a login for the per-user session limit: it may evict, or be refused (cookie kept).
    try {
      await engine.enforceLimit(device.uid, undefined);
    } catch (error) {
      if (error instanceof SessionLimitError) return { kind: 'refused', cookie: null };
      throw error;
    }
    const id = newSecret(engine.random);
    const sessionHandle = hashSecret(id);
    const base = freshRecord(
      engine.policy,
      {
        uid: device.uid,
        data: {} as Data,
        authTime: device.authTime,
        device: { ...device.device, ...facts },
      },
      now,
    );
    const session: SessionRecord<Data> = { ...base, rm: handle };
    // The session exists before the rotation is published, so a grace request that opens the successor finds it.
    await engine.records.write(sessionHandle, session, storeTtl(engine.policy, session, now));
    // Indexed before the rotation is published too: a "log out everywhere" running in between finds the session and ends it.
    await engine.records.indexAdd(device.uid, sessionHandle, session.absoluteDeadline - now);
    const next = newDeviceToken(engine.random, token.selector);
    const rotated: DeviceRecord = {
      ...device,
      validatorHash: validatorHash(next.validator),
      rotatedAt: now,
      ...(this.grace > 0
        ? {
            previous: {
              validatorHash: presented,
              successor: await sealSuccessor(
                token.validator,
                `${next.validator}.${id}`,
                handle,
                engine.random,
              ),
              until: now + this.grace,
            },
          }
        : { previous: undefined }),
    };
    if (!(await this.#devices.replace(handle, read.raw, rotated, device.expiresAt - now))) {
      await engine.records.delete(sessionHandle);
      await engine.records.indexRemove(device.uid, sessionHandle);
      return null;
    }
    emit(engine.onEvent, {
      type: 'remember-me-used',
      at: now,
      device: handle,
      handle: sessionHandle,
      userId: device.uid,
      shared: false,
    });
    return {
      kind: 'recalled',
      id,
      handle: sessionHandle,
      record: session,
      raw: encodeRecord(session),
      cookie: { kind: 'set', value: formatDeviceToken(next), expiresAt: device.expiresAt },
    };
  }

  /** A request that raced with a rotation: hand it the same successor, if it opens and its session is alive. */
  async #follow(
    handle: string,
    token: DeviceToken,
    device: DeviceRecord,
    sealed: string,
    now: number,
  ): Promise<Recall<Data>> {
    const { engine } = this;
    // Failures here leave the cookie alone: the request that rotated is setting the successor.
    const opened = await openSuccessor(token.validator, sealed, handle);
    const [validator = '', id = ''] = opened?.split('.') ?? [];
    if (!isSecretShaped(validator) || !isSecretShaped(id)) return { kind: 'refused', cookie: null };
    const sessionHandle = hashSecret(id);
    const read = await engine.records.read(sessionHandle);
    if (read?.record.t !== 'session' || decide(engine.policy, read.record, now).kind !== 'valid')
      return { kind: 'refused', cookie: null };
    emit(engine.onEvent, {
      type: 'remember-me-used',
      at: now,
      device: handle,
      handle: sessionHandle,
      userId: device.uid,
      shared: true,
    });
    return {
      kind: 'recalled',
      id,
      handle: sessionHandle,
      record: read.record,
      raw: read.raw,
      cookie: {
        kind: 'set',
        value: formatDeviceToken({ selector: token.selector, validator }),
        expiresAt: device.expiresAt,
      },
    };
  }

  async #theft(handle: string, device: DeviceRecord, now: number): Promise<void> {
    emit(this.engine.onEvent, {
      type: 'remember-me-theft',
      at: now,
      device: handle,
      userId: device.uid,
    });
    await this.#delete(handle, device, 'theft', now);
    await this.engine.revokeUser(device.uid);
  }

  /** Delete one device record and its index member. */
  async #delete(
    handle: string,
    device: DeviceRecord,
    cause: DeviceRevokeCause,
    now: number,
  ): Promise<void> {
    await this.#devices.delete(handle);
    await this.engine.records.indexRemove(device.uid, deviceMember(handle));
    emit(this.engine.onEvent, {
      type: 'remember-me-revoked',
      at: now,
      device: handle,
      userId: device.uid,
      cause,
    });
  }

  /**
   * Forget the device this request is on, at logout or at a new login: the
   * one its session was re-created from, and the one its cookie names if the
   * cookie proves possession. Returns what to do with the cookie.
   */
  async forget(
    request: Request,
    linked: string | undefined,
    cause: 'logout' | 'login',
  ): Promise<DeviceCookie> {
    const now = this.engine.clock.now();
    const handles = new Set<string>();
    if (linked) handles.add(linked);
    const value = this.cookie.read(request.headers.get('cookie'));
    const token = value === undefined ? null : parseDeviceToken(value);
    if (token) {
      const handle = deviceHandle(token.selector);
      const read = handles.has(handle) ? null : await this.#devices.read(handle);
      const presented = validatorHash(token.validator);
      const prev = read?.record.previous;
      if (
        read &&
        (sameHash(presented, read.record.validatorHash) ||
          (prev && now < prev.until && sameHash(presented, prev.validatorHash)))
      ) {
        handles.add(handle);
      }
    }
    for (const handle of handles) {
      const read = await this.#devices.read(handle);
      if (read) await this.#delete(handle, read.record, cause, now);
    }
    return value === undefined ? null : { kind: 'clear' };
  }

  /**
   * End one device by its public handle: its token and every session it
   * re-created. `false` when no device is remembered under it.
   */
  async revoke(handle: string): Promise<boolean> {
    if (typeof handle !== 'string' || !isSecretShaped(handle)) return false;
    const read = await this.#devices.read(handle);
    if (!read) return false;
    const { engine } = this;
    const now = engine.clock.now();
    await this.#delete(handle, read.record, 'revoke', now);
    for (const s of await engine.live(read.record.uid, 'revoking a remembered device')) {
      if (s.record.rm === handle) {
        await engine.tombstone(s.handle, s.record, now, s.raw); // follows a renewal racing with the revocation
        emit(engine.onEvent, { type: 'revoked', at: now, handle: s.handle, userId: s.record.uid });
      }
    }
    return true;
  }

  /** Forget every device of a user except `except` (log out everywhere, ASVS V7.4.2). Returns how many. */
  async revokeUser(userId: string, except?: string): Promise<number> {
    const now = this.engine.clock.now();
    let count = 0;
    for (const handle of await this.#handles(
      userId,
      'revoking every remembered device of a user',
    )) {
      if (handle === except) continue;
      const read = await this.#devices.read(handle);
      if (read) {
        await this.#delete(handle, read.record, 'revoke-all', now);
        count++;
      } else {
        await this.engine.records.indexRemove(userId, deviceMember(handle));
      }
    }
    return count;
  }

  /** A user's remembered devices, most recently used first, each with its current session. */
  async list(userId: string, currentSession?: string): Promise<DeviceSummary[]> {
    const { engine } = this;
    const now = engine.clock.now();
    const sessions = await engine.list(userId, currentSession);
    const out: DeviceSummary[] = [];
    for (const handle of await this.#handles(userId, "listing a user's remembered devices")) {
      const read = await this.#devices.read(handle);
      if (!read || now >= read.record.expiresAt) continue;
      const d = read.record;
      out.push({
        handle,
        createdAt: d.createdAt,
        lastUsedAt: d.rotatedAt,
        expiresAt: d.expiresAt,
        authTime: d.authTime,
        device: d.device,
        session: sessions.find((s) => s.rememberedDevice === handle) ?? null,
      });
    }
    return out.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  }

  async #handles(userId: string, feature: string): Promise<string[]> {
    const members = await this.engine.records.indexList(userId, feature);
    return members.map(memberDevice).filter((h): h is string => h !== null);
  }
}
