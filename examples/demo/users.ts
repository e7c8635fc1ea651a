/**
 * The demo's two users. Their passwords are shown on the login page, and
 * stored here only as scrypt hashes (`@noble/hashes`), with the parameters in
 * each hash: N=2^14, r=8, p=5, one of OWASP's equivalent minimum settings for
 * scrypt (Password Storage Cheat Sheet). An unknown name is checked against a
 * dummy hash, so a wrong name takes as long as a wrong password.
 */

import { scryptAsync } from '@noble/hashes/scrypt.js';
import { timingSafeEqual } from 'node:crypto';

export interface DemoUser {
  readonly id: string;
  readonly name: string;
  /** Shown on the login page: this is a demo. */
  readonly password: string;
  readonly hash: string;
}

export const USERS: readonly DemoUser[] = [
  {
    id: 'alice',
    name: 'Alice',
    password: 'correct horse battery staple',
    hash: 'scrypt$16384$8$5$PFx4omQaLbSMPWXLzW23rA$zHdfZT-YaT1hO05q4hMFpCaCXBb96iipXcSx_qnxfMA',
  },
  {
    id: 'bob',
    name: 'Bob',
    password: 'hunter2hunter2',
    hash: 'scrypt$16384$8$5$XuBs5eUDbOgEz2c_dBKATQ$xeIMHS5TOclRP3CDDM8d6NsawD9kFYJpqCSwigWCHSc',
  },
];

const DUMMY = 'scrypt$16384$8$5$4hr-Bh4OvMsMemoTC0ifeQ$xJUFoOdVXMb3uu9_U0B9NgcmjwV3fDRVKeRqbHaDwzQ';

/** Does `password` match `stored` (`scrypt$N$r$p$salt$hash`, base64url)? */
export async function checkPassword(stored: string, password: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) throw new Error('not a scrypt hash');
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    dkLen: expected.length,
  });
  return timingSafeEqual(actual, expected);
}

/** The user with this name and password, or `null` (same time either way). */
export async function authenticate(username: unknown, password: unknown): Promise<DemoUser | null> {
  const name = typeof username === 'string' ? username.trim().toLowerCase() : '';
  const secret = typeof password === 'string' ? password.slice(0, 1024) : '';
  const user = USERS.find((u) => u.id === name);
  const ok = await checkPassword(user?.hash ?? DUMMY, secret);
  return ok && user ? user : null;
}
