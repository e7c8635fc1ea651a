/**
 * A short lease on a name, by compare-and-set: at most one holder at a time,
 * and a holder that dies frees it when the lease runs out. The session limit
 * holds one per user while it decides a login.
 */

import { SessionConflictError } from '../errors.js';
import { newSecret, type RandomSource } from '../random.js';
import { pause, retryDelay } from './backoff.js';
import { isNum, TypedStore, type StoreAccess } from './typed-store.js';

type LeaseRecord = { t: 'lock'; owner: string; until: number } | { t: 'free' };

/** Leases under `namespace`, each lasting at most `leaseMs`. */
export class Leases {
  readonly #leases: TypedStore<LeaseRecord>;

  constructor(
    private readonly access: StoreAccess,
    namespace: string,
    private readonly random: RandomSource,
    private readonly leaseMs: number,
  ) {
    this.#leases = new TypedStore(access, namespace, 'lease record', (v) =>
      (v.t === 'lock' && typeof v.owner === 'string' && isNum(v.until)) || v.t === 'free'
        ? (v as LeaseRecord)
        : null,
    );
  }

  /** Run `fn` holding the lease on `id`, waiting (with jittered backoff) while another holds it. */
  async hold<T>(id: string, what: string, fn: () => Promise<T>): Promise<T> {
    const owner = newSecret(this.random);
    for (let attempt = 0; attempt < 48; attempt++) {
      const now = this.access.now();
      const read = await this.#leases.read(id);
      if (!read || read.value.t === 'free' || read.value.until <= now) {
        const lease: LeaseRecord = { t: 'lock', owner, until: now + this.leaseMs };
        const raw = await this.#leases.replace(id, read?.raw ?? null, lease, this.leaseMs);
        if (raw !== null) {
          try {
            return await fn();
          } finally {
            await this.#leases.replace(id, raw, { t: 'free' }, 1000);
          }
        }
      }
      await pause(retryDelay(attempt, this.random));
    }
    throw new SessionConflictError(`${what} held by others for too long; retry the request`);
  }
}
