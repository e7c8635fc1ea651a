/**
 * The bound cookie's value: a random token standing for the session for a few minutes,
 * stored by hash with that TTL (a store-backed alias). It cannot extend anything by itself:
 * a new one is issued only at the refresh endpoint, against a proof by the registered key.
 */
import { hashSecret, isSecretShaped, newSecret, type RandomSource } from '../random.js';
import { TypedStore, type StoreAccess } from '../store/typed-store.js';

type Alias = { h: string; until: number };
const isAlias = (r: Record<string, unknown>): Alias | null =>
  typeof r.h === 'string' && typeof r.until === 'number' ? (r as Alias) : null;

/** @internal Bound-cookie tokens of one device binding. */
export class BoundTokens {
  readonly #aliases: TypedStore<Alias>;

  constructor(
    private readonly access: StoreAccess,
    prefix: string,
    private readonly random: RandomSource,
  ) {
    this.#aliases = new TypedStore(access, `${prefix}dbsc:b:`, 'DBSC bound cookie', isAlias);
  }

  /** A new token for the session under `handle`, valid for `lifetime` ms. */
  async issue(handle: string, lifetime: number): Promise<string> {
    const token = newSecret(this.random);
    const until = this.access.now() + lifetime;
    await this.#aliases.write(hashSecret(token), { h: handle, until }, lifetime);
    return token;
  }

  /** The session handle `token` stands for, or `undefined` (unknown, malformed or past its time). */
  async resolve(token: string | undefined): Promise<string | undefined> {
    if (token === undefined || !isSecretShaped(token)) return undefined;
    const read = await this.#aliases.read(hashSecret(token));
    return read && this.access.now() < read.value.until ? read.value.h : undefined;
  }

  /** A rotated token keeps working for `grace` ms only, for requests already in flight with it. */
  async retire(token: string | undefined, grace: number): Promise<void> {
    if (token === undefined || !isSecretShaped(token)) return;
    const id = hashSecret(token);
    const read = await this.#aliases.read(id);
    if (!read) return;
    const until = Math.min(read.value.until, this.access.now() + grace);
    if (grace <= 0) await this.#aliases.delete(id);
    else await this.#aliases.write(id, { h: read.value.h, until }, grace);
  }
}
