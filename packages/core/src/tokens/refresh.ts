/**
 * Refresh-token families with rotation and reuse detection (RFC 9700 §4.14.2,
 * ASVS 5.0 V10.4.5, V10.4.8): opaque hashed tokens, a grace window that hands
 * concurrent callers the same sealed successor, family revocation on reuse.
 */

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { hashSecret, newSecret, type RandomSource } from '../random.js';
import { isNum, TypedStore, type StoreAccess } from '../store/typed-store.js';

/** What the store holds per refresh token. */
export type RefreshTokenRecord =
  | {
      t: 'rt';
      state: 'active';
      family: string;
      uid: string;
      issuedAt: number;
      idleAt: number;
      expiresAt: number;
    }
  | {
      t: 'rt';
      state: 'used';
      family: string;
      uid: string;
      usedAt: number;
      expiresAt: number;
      /** Nonce naming the sealed successor's key (kept for the grace window only). */ successor: string;
    };

/** What the store holds per family. `expiresAt` is the absolute family expiry. */
export interface FamilyRecord {
  t: 'rf';
  uid: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** The application's extra access-token claims, carried to every token of the family. */
  claims: Record<string, unknown>;
  /** RFC 9449: the DPoP key thumbprint the family is bound to; every refresh must prove it. */
  jkt?: string;
}

/** A successor pair, as sealed for the grace window. Times are absolute (ms). */
export interface SealedPair {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SUCCESSOR_INFO = encoder.encode('latchkey refresh successor v1');

const isTokenRecord = (v: Record<string, unknown>): boolean =>
  v.t === 'rt' &&
  typeof v.family === 'string' &&
  typeof v.uid === 'string' &&
  isNum(v.expiresAt) &&
  ((v.state === 'active' && isNum(v.issuedAt) && isNum(v.idleAt)) ||
    (v.state === 'used' && isNum(v.usedAt) && typeof v.successor === 'string'));
const isFamilyRecord = (v: Record<string, unknown>): boolean =>
  v.t === 'rf' &&
  typeof v.uid === 'string' &&
  isNum(v.createdAt) &&
  isNum(v.expiresAt) &&
  (v.revokedAt === null || isNum(v.revokedAt)) &&
  typeof v.claims === 'object' &&
  v.claims !== null &&
  (v.jkt === undefined || typeof v.jkt === 'string');

/** The key that seals a successor: HKDF-SHA256 of the presented token (which the store never sees). */
function successorKey(token: string): Uint8Array {
  return hkdf(sha256, encoder.encode(token), undefined, SUCCESSOR_INFO, 32);
}

export async function sealSuccessor(presented: string, pair: SealedPair): Promise<string> {
  return new CompactEncrypt(encoder.encode(JSON.stringify(pair)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .encrypt(successorKey(presented));
}

export async function openSuccessor(presented: string, sealed: string): Promise<SealedPair | null> {
  try {
    const { plaintext } = await compactDecrypt(sealed, successorKey(presented), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    const pair = JSON.parse(decoder.decode(plaintext)) as SealedPair;
    const ok =
      typeof pair.accessToken === 'string' &&
      typeof pair.refreshToken === 'string' &&
      isNum(pair.accessExpiresAt) &&
      isNum(pair.refreshExpiresAt);
    return ok ? pair : null;
  } catch {
    return null;
  }
}

/** @internal Store layout of refresh tokens, their sealed successors, and families. */
export class RefreshStore {
  readonly tokens: TypedStore<RefreshTokenRecord>;
  readonly successors: TypedStore<{ t: 'rts'; jwe: string }>;
  readonly families: TypedStore<FamilyRecord>;

  constructor(
    readonly access: StoreAccess,
    prefix: string,
    private readonly random: RandomSource,
    /** Records stay readable this long past their deadline (never accepted), so a client is told `expired-…` rather than `unknown`. */
    readonly notice: number,
  ) {
    const token = (v: Record<string, unknown>) =>
      isTokenRecord(v) ? (v as RefreshTokenRecord) : null;
    this.tokens = new TypedStore(access, `${prefix}rt:`, 'refresh token record', token);
    this.successors = new TypedStore(access, `${prefix}rt:`, 'sealed successor', (v) =>
      v.t === 'rts' && typeof v.jwe === 'string' ? (v as { t: 'rts'; jwe: string }) : null,
    );
    this.families = new TypedStore(access, `${prefix}rf:`, 'refresh family record', (v) =>
      isFamilyRecord(v) ? (v as unknown as FamilyRecord) : null,
    );
  }

  /** The store ID of a refresh token: its SHA-256, never the token. */
  tokenId(token: string): string {
    return hashSecret(token);
  }

  /** Where the sealed successor of `token` lives for the grace window, named by the `used` record's nonce. */
  successorId(token: string, nonce: string): string {
    return `${hashSecret(token)}:next:${nonce}`;
  }

  async readFamily(family: string): Promise<FamilyRecord | null> {
    return (await this.families.read(family))?.value ?? null;
  }

  async writeFamily(family: string, record: FamilyRecord, now: number): Promise<void> {
    await this.families.write(family, record, record.expiresAt - now + this.notice);
  }

  /** Create and store a fresh active token in `family`; it expires after `idleMs` unused, never past the family. */
  async newToken(
    family: FamilyRecord & { id: string },
    idleMs: number,
    now: number,
  ): Promise<{ token: string; id: string; expiresAt: number }> {
    const token = newSecret(this.random);
    const idleAt = Math.min(now + idleMs, family.expiresAt);
    const record: RefreshTokenRecord = {
      t: 'rt',
      state: 'active',
      family: family.id,
      uid: family.uid,
      issuedAt: now,
      idleAt,
      expiresAt: family.expiresAt,
    };
    const id = this.tokenId(token);
    await this.tokens.write(id, record, idleAt - now + this.notice);
    return { token, id, expiresAt: idleAt };
  }
}
