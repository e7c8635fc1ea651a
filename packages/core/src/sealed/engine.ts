/**
 * Internal: one sealed-session configuration, resolved once (policy, keys,
 * cookie, cache, not-before registry), and the seal / unseal of a session
 * record as a compact JWE (`dir`, `A256GCM`, `kid` naming the key).
 */

import { CompactEncrypt, compactDecrypt } from 'jose';
import { isCanonicalCompact } from '../canonical.js';
import type { Clock } from '../clock.js';
import {
  resolveSessionCookie,
  type ResolvedCookie,
  type SessionCookieOptions,
} from '../cookie/session-cookie.js';
import { ConfigError } from '../errors.js';
import type { EventSink } from '../events.js';
import type { PolicyOptions, SessionPolicy } from '../policy.js';
import type { RandomSource } from '../random.js';
import { decodeRecord, type SessionRecord } from '../record.js';
import type { SessionData } from '../session.js';
import type { SessionStore } from '../store/types.js';
import { createRevocation, type Revocation } from '../tokens/revocation.js';
import { VerifiedCache } from '../verified-cache.js';
import type { Chunking } from './chunks.js';
import type { SealingKeys, SealingSecret } from './keys.js';

/** Options for {@link createSealedSessions}. */
export interface SealedSessionsOptions {
  policy: SessionPolicy | PolicyOptions;
  /** `[current, ...older]`, each at least 32 bytes. The first seals; all unseal. */
  secrets: readonly SealingSecret[];
  clock?: Clock;
  random?: RandomSource;
  onEvent?: EventSink;
  /** Same options as the server-side session cookie. Default `__Host-session`, HttpOnly, Secure, SameSite=Lax, Path=/. */
  cookie?: SessionCookieOptions;
  /** Over 4096 bytes (attributes included): `split` into numbered chunks, or `refuse` with a `CookieError`. Default `refuse`. */
  chunking?: Chunking;
  /** Most chunks written or read. Default 4 (Node's default 16 KiB request-header limit holds about four). */
  maxChunks?: number;
  /** Check the per-user not-before time on every load (one store read), so logout-everywhere works without a session store. */
  notBefore?: Revocation | { store: SessionStore; keyPrefix?: string };
  /** Cache of unsealed cookies keyed by their SHA-256 (saves the decryption only; expiry and not-before are checked every time). Default `{ maxEntries: 1000 }`; `false` turns it off. */
  cache?: { maxEntries?: number } | false;
}

/** What the cookie carries. */
export interface Sealed<Data> {
  /** A random session ID: the public handle in events. Not a secret, and not a key to anything. */
  sid: string;
  r: SessionRecord<Data>;
}

const TYP = 'lk-session';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** @internal Shared state of one sealed-session configuration. */
export class SealedEngine<Data extends SessionData> {
  readonly cookie: ResolvedCookie;
  /** Unsealed cookies as `{ sid, record JSON, kid }`: each request decodes its own copy, so one handler's changes never reach another's. */
  readonly cache: VerifiedCache<{ sid: string; record: string; kid: string }> | undefined;
  readonly revocation: Revocation | undefined;
  readonly chunking: Chunking;
  readonly maxChunks: number;

  constructor(
    readonly policy: SessionPolicy,
    readonly keys: SealingKeys,
    readonly clock: Clock,
    readonly random: RandomSource,
    readonly onEvent: EventSink | undefined,
    options: SealedSessionsOptions,
  ) {
    this.cookie = resolveSessionCookie(options.cookie ?? {}, {
      persistent: !policy.sessionOnlyCookie,
    });
    this.cache = options.cache === false ? undefined : new VerifiedCache(options.cache ?? {});
    const nb = options.notBefore;
    this.revocation =
      nb === undefined
        ? undefined
        : 'check' in nb
          ? nb
          : createRevocation({ store: nb.store, keyPrefix: nb.keyPrefix, clock, onEvent });
    this.chunking = options.chunking ?? 'refuse';
    if (this.chunking !== 'split' && this.chunking !== 'refuse')
      throw new ConfigError(`chunking must be 'split' or 'refuse', got ${String(this.chunking)}`);
    this.maxChunks = options.maxChunks ?? 4;
    if (!Number.isInteger(this.maxChunks) || this.maxChunks < 1 || this.maxChunks > 20)
      throw new RangeError(
        `maxChunks must be an integer from 1 to 20, got ${String(options.maxChunks)}`,
      );
  }

  async seal(value: Sealed<Data>): Promise<string> {
    const { current } = this.keys;
    return new CompactEncrypt(encoder.encode(JSON.stringify(value)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.kid, typ: TYP })
      .encrypt(await current.key());
  }

  /** The session in a cookie value, or `null` for anything we did not seal. Never throws. */
  async unseal(value: string): Promise<{ sealed: Sealed<Data>; kid: string } | null> {
    if (value.length > this.maxChunks * 4096) return null;
    // One spelling per cookie: a variant of the tag or IV would decrypt to the same session.
    if (!isCanonicalCompact(value, 5)) return null;
    const now = this.clock.now();
    const cacheKey = this.cache ? VerifiedCache.keyOf(value) : '';
    const hit = this.cache?.get(cacheKey, now);
    if (hit) {
      const record = decodeRecord<Data>(hit.record);
      if (record?.t === 'session') return { sealed: { sid: hit.sid, r: record }, kid: hit.kid };
    }
    try {
      let kid = '';
      const { plaintext, protectedHeader } = await compactDecrypt(
        value,
        (header) => {
          const key = this.keys.byKid(header.kid);
          if (!key) throw new Error('unknown kid');
          kid = key.kid;
          return key.key();
        },
        { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] },
      );
      if (protectedHeader.typ !== TYP) return null;
      const parsed = JSON.parse(decoder.decode(plaintext)) as { sid?: unknown; r?: unknown };
      if (typeof parsed?.sid !== 'string' || typeof parsed.r !== 'object' || parsed.r === null)
        return null;
      const json = JSON.stringify(parsed.r);
      const record = decodeRecord<Data>(json);
      if (record?.t !== 'session') return null;
      this.cache?.set(
        cacheKey,
        { sid: parsed.sid, record: json, kid },
        Math.min(record.idleDeadline, record.absoluteDeadline),
        now,
      );
      return { sealed: { sid: parsed.sid, r: record }, kid };
    } catch {
      return null;
    }
  }
}
