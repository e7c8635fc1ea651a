/**
 * The demo's passkeys: the credential table (the app's, not Latchkey's: kept
 * as JSON in the demo's store for 400 days) and `@latchkey/core/webauthn` for
 * the origin the demo is served on (loopback only, so the Host names it).
 */

import type { Clock, SessionStore } from '@latchkey/core';
import {
  createPasskeys,
  type PasskeyCredential,
  type PasskeyCredentials,
  type Passkeys,
} from '@latchkey/core/webauthn';

const KEEP_MS = 400 * 24 * 60 * 60 * 1000;

interface Row {
  id: string;
  publicKey: string;
  counter: number;
  transports?: PasskeyCredential['transports'];
  userId: string;
  addedAt: number;
}

/** The credential table over a key-value store: one key per user, and one per credential naming its user. */
export function credentialTable(store: SessionStore, clock: Clock) {
  const userKey = (userId: string) => `demo:passkeys:${userId}`;
  const idKey = (id: string) => `demo:passkey:${id}`;
  const rows = async (userId: string): Promise<Row[]> =>
    JSON.parse((await store.get(userKey(userId))) ?? '[]') as Row[];
  const credential = (r: Row): PasskeyCredential => ({
    ...r,
    publicKey: new Uint8Array(Buffer.from(r.publicKey, 'base64url')),
  });
  const table: PasskeyCredentials & {
    add(c: PasskeyCredential): Promise<void>;
    count(userId: string): Promise<number>;
  } = {
    async byId(id) {
      const userId = await store.get(idKey(id));
      if (userId === null) return null;
      const row = (await rows(userId)).find((r) => r.id === id);
      return row ? credential(row) : null;
    },
    byUser: async (userId) => (await rows(userId)).map(credential),
    async updateCounter(id, counter) {
      const userId = await store.get(idKey(id));
      if (userId === null) return;
      const next = (await rows(userId)).map((r) => (r.id === id ? { ...r, counter } : r));
      await store.set(userKey(userId), JSON.stringify(next), KEEP_MS);
    },
    async add(c) {
      const row: Row = {
        ...c,
        publicKey: Buffer.from(c.publicKey).toString('base64url'),
        addedAt: clock.now(),
      };
      await store.set(userKey(c.userId), JSON.stringify([...(await rows(c.userId)), row]), KEEP_MS);
      await store.set(idKey(c.id), c.userId, KEEP_MS);
    },
    count: async (userId) => (await rows(userId)).length,
  };
  return table;
}

export type DemoCredentials = ReturnType<typeof credentialTable>;

/** `createPasskeys` per origin (`http://localhost:<port>`), made on first use. */
export function demoPasskeys(
  store: SessionStore,
  clock: Clock,
  credentials: DemoCredentials,
): (origin: string) => Passkeys {
  const made = new Map<string, Passkeys>();
  return (origin) => {
    let passkeys = made.get(origin);
    if (!passkeys) {
      passkeys = createPasskeys({
        store,
        clock,
        credentials,
        origin,
        rpID: new URL(origin).hostname,
        rpName: 'Latchkey demo',
      });
      made.set(origin, passkeys);
    }
    return passkeys;
  };
}
