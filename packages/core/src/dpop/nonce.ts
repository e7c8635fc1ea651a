/**
 * Stateless DPoP server nonces (RFC 9449 §8, §9): an HMAC of the current time step, so any
 * instance (a Worker included) can issue and check them with no store. The current and the
 * previous step are accepted, so a nonce handed out just before a step ends still works once.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url } from 'jose';
import type { Clock } from '../clock.js';
import { sameHash } from '../remember-me/device-token.js';
import { toMillis, type Duration } from '../duration.js';

/** Nonce settings: a secret of at least 32 bytes and the step length (default 5 minutes). */
export interface DpopNonceOptions {
  secret: string | Uint8Array;
  step?: Duration;
}

/** Issues and checks stateless nonces. */
export interface DpopNonces {
  /** The nonce for the current step: what the `DPoP-Nonce` response header carries. */
  current(): string;
  /** Whether `nonce` is this secret's nonce of the current or the previous step. */
  check(nonce: unknown): boolean;
}

const encoder = new TextEncoder();
const MIN_SECRET_BYTES = 32;
const NONCE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/;

/**
 * Create the nonce source. Throws a `RangeError` for a secret shorter than 32 bytes.
 *
 * @example
 * const nonces = createDpopNonces({ secret: env.DPOP_NONCE_SECRET, step: '5m' }, systemClock);
 * response.headers.set('DPoP-Nonce', nonces.current());
 */
export function createDpopNonces(options: DpopNonceOptions, clock: Clock): DpopNonces {
  const secret =
    typeof options.secret === 'string' ? encoder.encode(options.secret) : options.secret;
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES)
    throw new RangeError(`nonce.secret: expected at least ${MIN_SECRET_BYTES} bytes`);
  const step = toMillis(options.step ?? '5m');
  if (!(step >= 1000)) throw new RangeError('nonce.step: expected a duration of at least 1 s');
  const mac = (n: number) =>
    base64url.encode(
      hmac(sha256, secret, encoder.encode(`latchkey dpop nonce v1:${n}`)).slice(0, 16),
    );
  const stepAt = () => Math.floor(clock.now() / step);
  return {
    current() {
      const n = stepAt();
      return `${n.toString(36)}.${mac(n)}`;
    },
    check(nonce) {
      if (typeof nonce !== 'string') return false;
      const m = NONCE.exec(nonce);
      if (!m) return false;
      const n = parseInt(m[1]!, 36);
      const now = stepAt();
      if (n !== now && n !== now - 1) return false;
      return sameHash(m[2]!, mac(n));
    },
  };
}
