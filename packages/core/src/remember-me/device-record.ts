/**
 * What the store holds for a remembered device, and the typed, error-mapped
 * access to it. One record per device under `${prefix}rm:${handle}` (the
 * handle is the SHA-256 of the selector), kept until the device's own
 * expiry and no longer. Rotation replaces it with compare-and-set, so of
 * several requests racing with one token exactly one rotates it.
 */

import type { EventSink } from '../events.js';
import type { DeviceFacts } from '../record.js';
import type { SessionStore } from '../store/types.js';
import { guardStore } from '../store/guard.js';

/** A remembered device as stored. Holds hashes only: no validator, no session ID in the clear. */
export interface DeviceRecord {
  t: 'device';
  uid: string;
  /** SHA-256 of the current validator. */
  validatorHash: string;
  createdAt: number;
  /** Last rotation, i.e. when the device last signed its user back in. */
  rotatedAt: number;
  /** Fixed at login: rotation never extends a device's life (ASVS V10.4.8's absolute expiry, applied here too). */
  expiresAt: number;
  /** When the user last really authenticated on this device; silent re-authentication carries it, never refreshes it. */
  authTime: number;
  device: DeviceFacts;
  /** The validator just replaced and its sealed successor, honoured until `until` (the grace window). */
  previous?: { validatorHash: string; successor: string; until: number };
}

/** The user-index member naming a device; session members are bare 43-character handles, so the two never collide. */
export const deviceMember = (handle: string): string => `rm:${handle}`;
/** The device handle in an index member, or `null` for a session member. */
export const memberDevice = (member: string): string | null =>
  member.startsWith('rm:') ? member.slice(3) : null;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/** Decode a stored value, or `null` when it is not a device record. */
export function decodeDevice(raw: string): DeviceRecord | null {
  let r: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(raw);
    if (value === null || typeof value !== 'object') return null;
    r = value as Record<string, unknown>;
  } catch {
    return null;
  }
  const p = r.previous as Record<string, unknown> | undefined;
  const ok =
    r.t === 'device' &&
    isStr(r.uid) &&
    isStr(r.validatorHash) &&
    isNum(r.createdAt) &&
    isNum(r.rotatedAt) &&
    isNum(r.expiresAt) &&
    isNum(r.authTime) &&
    typeof r.device === 'object' &&
    r.device !== null &&
    (p === undefined ||
      (typeof p === 'object' &&
        p !== null &&
        isStr(p.validatorHash) &&
        isStr(p.successor) &&
        isNum(p.until)));
  return ok ? (r as unknown as DeviceRecord) : null;
}

/** A device record with the exact bytes read, for compare-and-set. */
export interface ReadDevice {
  raw: string;
  record: DeviceRecord;
}

/** Device records in a store; every failure becomes a `StoreError` and a `store-error` event (fail closed). */
export class DeviceRecords {
  constructor(
    private readonly store: SessionStore,
    private readonly prefix: string,
    private readonly now: () => number,
    private readonly sink: EventSink | undefined,
  ) {}

  key(handle: string): string {
    return `${this.prefix}rm:${handle}`;
  }

  private run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return guardStore(operation, fn, this.now, this.sink);
  }

  async read(handle: string): Promise<ReadDevice | null> {
    const raw = await this.run('read', () => this.store.get(this.key(handle)));
    if (raw === null || raw === undefined) return null;
    const record = decodeDevice(raw);
    if (!record)
      return this.run('decode', () =>
        Promise.reject(
          new Error(`value under ${this.key(handle)} is not a Latchkey device record`),
        ),
      );
    return { raw, record };
  }

  write(handle: string, record: DeviceRecord, ttlMs: number): Promise<void> {
    return this.run('write', () =>
      this.store.set(this.key(handle), JSON.stringify(record), Math.max(1, Math.ceil(ttlMs))),
    );
  }

  /** Atomic replace; the engine refuses remember-me on a store without compare-and-set, so there is no fallback. */
  replace(
    handle: string,
    expectedRaw: string,
    next: DeviceRecord,
    ttlMs: number,
  ): Promise<boolean> {
    const store = this.store;
    return this.run('write', () =>
      store.compareAndSet!(
        this.key(handle),
        expectedRaw,
        JSON.stringify(next),
        Math.max(1, Math.ceil(ttlMs)),
      ),
    );
  }

  delete(handle: string): Promise<void> {
    return this.run('delete', () => this.store.delete(this.key(handle)));
  }
}
