/**
 * Every HTTP row of `pnpm bench`: which scenario it belongs to, the bare
 * baseline it is divided by (measured in the same round), the floor whose
 * added microseconds it is held against, and which backend it needs. The
 * apps themselves live in apps/ and run in the pinned server process.
 */

export type Baseline = 'hono' | 'express' | 'fetch' | 'h3';
export type Backend = 'redis' | 'postgres';

export interface Contender {
  id: string;
  label: string;
  scenario: string;
  /** The bare app this row is a share of; a baseline names none. */
  baseline?: Baseline;
  /** The hand-written floor this Latchkey row is held against. */
  floor?: string;
  kind: 'baseline' | 'floor' | 'latchkey' | 'peer';
  needs?: Backend;
  /** A row that cannot run yet, printed with this reason instead of numbers. */
  unavailable?: string;
}

const S1 = '1. route that never touches the session';
const S2 = '2. authenticated read';
const S3 = '3. read at and just past the touch interval';
const S4 = '4. read and write';
const S5 = '5. login and refresh-token rotation';
const S6 = '6. a 3 KB session';
const S7 = '7. many parallel requests on one session';
const B = '0. baselines and floors';

export const SCENARIOS = [B, S1, S2, S3, S4, S5, S6, S7];

export const CONTENDERS: Contender[] = [
  { id: 'hono', label: 'bare Hono (@hono/node-server)', scenario: B, kind: 'baseline' },
  { id: 'express', label: 'bare Express 5', scenario: B, kind: 'baseline' },
  { id: 'fetch', label: 'bare fetch handler (@hono/node-server)', scenario: B, kind: 'baseline' },
  { id: 'h3', label: 'bare h3 (toNodeHandler)', scenario: B, kind: 'baseline' },
  {
    id: 'floor-noop',
    label: 'floor: async no-op middleware',
    scenario: B,
    baseline: 'hono',
    kind: 'floor',
  },
  {
    id: 'floor-map',
    label: 'floor: cookie + SHA-256 + Map lookup, hand-written',
    scenario: B,
    baseline: 'hono',
    kind: 'floor',
  },
  {
    id: 'floor-sealed-cache',
    label: 'floor: sealed cookie with a verified-token cache, hand-written',
    scenario: B,
    baseline: 'hono',
    kind: 'floor',
  },
  {
    id: 'floor-jwe',
    label: 'floor: one jose JWE decrypt',
    scenario: B,
    baseline: 'hono',
    kind: 'floor',
  },
  {
    id: 'floor-redis',
    label: 'floor: cookie + SHA-256 + raw ioredis GET',
    scenario: B,
    baseline: 'hono',
    kind: 'floor',
    needs: 'redis',
  },
  {
    id: 'floor-sqlite',
    label: 'floor: cookie + SHA-256 + raw one-row SQLite SELECT (libSQL)',
    scenario: B,
    baseline: 'hono',
    kind: 'floor',
  },
  {
    id: 'floor-pg',
    label: 'floor: cookie + SHA-256 + raw one-row PostgreSQL SELECT (pg)',
    scenario: B,
    baseline: 'hono',
    kind: 'floor',
    needs: 'postgres',
  },
  {
    id: 'floor-fetch-map',
    label: 'floor: cookie + SHA-256 + Map in a bare fetch handler',
    scenario: B,
    baseline: 'fetch',
    kind: 'floor',
  },
  {
    id: 'floor-express-map',
    label: 'floor: cookie + SHA-256 + Map as Express middleware',
    scenario: B,
    baseline: 'express',
    kind: 'floor',
  },

  {
    id: 'lk-never',
    label: 'Latchkey middleware, route never loads the session',
    scenario: S1,
    baseline: 'hono',
    floor: 'floor-noop',
    kind: 'latchkey',
  },

  {
    id: 'lk-memory',
    label: 'Latchkey, memory store',
    scenario: S2,
    baseline: 'hono',
    floor: 'floor-map',
    kind: 'latchkey',
  },
  {
    id: 'lk-redis',
    label: 'Latchkey, Redis (ioredis)',
    scenario: S2,
    baseline: 'hono',
    floor: 'floor-redis',
    kind: 'latchkey',
    needs: 'redis',
  },
  {
    id: 'lk-sqlite',
    label: 'Latchkey, SQLite (libSQL file, WAL)',
    scenario: S2,
    baseline: 'hono',
    floor: 'floor-sqlite',
    kind: 'latchkey',
  },
  {
    id: 'lk-pg',
    label: 'Latchkey, PostgreSQL (pg Pool)',
    scenario: S2,
    baseline: 'hono',
    floor: 'floor-pg',
    kind: 'latchkey',
    needs: 'postgres',
  },
  {
    id: 'lk-sealed-cached',
    label: 'Latchkey, sealed, cached',
    scenario: S2,
    baseline: 'hono',
    floor: 'floor-sealed-cache',
    kind: 'latchkey',
  },
  {
    id: 'lk-sealed-uncached',
    label: 'Latchkey, sealed, uncached',
    scenario: S2,
    baseline: 'hono',
    floor: 'floor-jwe',
    kind: 'latchkey',
  },
  {
    id: 'lk-fetch',
    label: 'Latchkey withSessions, memory store',
    scenario: S2,
    baseline: 'fetch',
    floor: 'floor-fetch-map',
    kind: 'latchkey',
  },
  {
    id: 'lk-express',
    label: 'Latchkey Express middleware (native), memory store',
    scenario: S2,
    baseline: 'express',
    floor: 'floor-express-map',
    kind: 'latchkey',
  },
  {
    id: 'lk-express-compat',
    label: 'Latchkey Express middleware (express-session-compatible)',
    scenario: S2,
    baseline: 'express',
    kind: 'latchkey',
  },
  {
    id: 'hono-session',
    label: '@hono/session (string secret)',
    scenario: S2,
    baseline: 'hono',
    kind: 'peer',
  },
  {
    id: 'hono-session-key',
    label: '@hono/session (CryptoKey)',
    scenario: S2,
    baseline: 'hono',
    kind: 'peer',
  },
  {
    id: 'hono-sessions',
    label: 'hono-sessions (MemoryStore)',
    scenario: S2,
    baseline: 'hono',
    kind: 'peer',
  },
  {
    id: 'iron-session',
    label: 'iron-session unsealData in a Hono handler',
    scenario: S2,
    baseline: 'hono',
    kind: 'peer',
  },
  { id: 'h3-session', label: "h3's useSession", scenario: S2, baseline: 'h3', kind: 'peer' },
  {
    id: 'express-session',
    label: 'express-session (MemoryStore)',
    scenario: S2,
    baseline: 'express',
    kind: 'peer',
  },
  {
    id: 'express-session-redis',
    label: 'express-session + connect-redis',
    scenario: S2,
    baseline: 'express',
    kind: 'peer',
    needs: 'redis',
  },

  {
    id: 'lk-touch-past',
    label: 'Latchkey, memory store, every read just past the touch interval',
    scenario: S3,
    baseline: 'hono',
    kind: 'latchkey',
  },

  {
    id: 'lk-write-memory',
    label: 'Latchkey, memory store',
    scenario: S4,
    baseline: 'hono',
    kind: 'latchkey',
  },
  {
    id: 'lk-write-redis',
    label: 'Latchkey, Redis',
    scenario: S4,
    baseline: 'hono',
    kind: 'latchkey',
    needs: 'redis',
  },
  {
    id: 'lk-write-sqlite',
    label: 'Latchkey, SQLite',
    scenario: S4,
    baseline: 'hono',
    kind: 'latchkey',
  },
  {
    id: 'lk-write-sealed',
    label: 'Latchkey, sealed',
    scenario: S4,
    baseline: 'hono',
    kind: 'latchkey',
  },
  {
    id: 'hono-session-write',
    label: '@hono/session (CryptoKey)',
    scenario: S4,
    baseline: 'hono',
    kind: 'peer',
  },
  {
    id: 'express-session-write',
    label: 'express-session (MemoryStore)',
    scenario: S4,
    baseline: 'express',
    kind: 'peer',
  },

  {
    id: 'lk-login-memory',
    label: 'Latchkey login, memory store',
    scenario: S5,
    baseline: 'hono',
    kind: 'latchkey',
  },
  {
    id: 'lk-login-sealed',
    label: 'Latchkey login, sealed',
    scenario: S5,
    baseline: 'hono',
    kind: 'latchkey',
  },
  {
    id: 'lk-refresh',
    label: 'Latchkey refresh-token rotation, memory store',
    scenario: S5,
    baseline: 'hono',
    kind: 'latchkey',
  },

  {
    id: 'lk-3k-memory',
    label: 'Latchkey, memory store',
    scenario: S6,
    baseline: 'hono',
    kind: 'latchkey',
  },
  {
    id: 'lk-3k-sealed-cached',
    label: 'Latchkey, sealed (chunked), cached',
    scenario: S6,
    baseline: 'hono',
    kind: 'latchkey',
  },
  {
    id: 'lk-3k-sealed-uncached',
    label: 'Latchkey, sealed (chunked), uncached',
    scenario: S6,
    baseline: 'hono',
    kind: 'latchkey',
  },
  { id: 'iron-3k', label: 'iron-session unsealData', scenario: S6, baseline: 'hono', kind: 'peer' },

  {
    id: 'lk-parallel-memory',
    label: 'Latchkey writes, memory store, 50 connections on one session',
    scenario: S7,
    baseline: 'hono',
    kind: 'latchkey',
  },
  {
    id: 'lk-parallel-redis',
    label: 'Latchkey writes, Redis, 50 connections on one session',
    scenario: S7,
    baseline: 'hono',
    kind: 'latchkey',
    needs: 'redis',
  },
];
