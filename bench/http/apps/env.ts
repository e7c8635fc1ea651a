/** What the parent hands the server process: backend URLs and a scratch folder. */
export interface AppEnv {
  redisUrl?: string;
  postgresUrl?: string;
  /** A temp folder for SQLite files. */
  dir: string;
}

export type App = (env: AppEnv) => Promise<import('./serve.js').Started>;

export const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
/** The same lifetimes for every contender: idle 30 min, absolute 24 h (Latchkey's `productivity` preset). */
export const IDLE_S = 30 * 60;
export const ABSOLUTE_S = 24 * 60 * 60;
