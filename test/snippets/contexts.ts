// @ts-nocheck: each region is a preamble, not part of one program (two regions name `app`).
/**
 * The named preambles a doc snippet asks for with `<!-- snippet: context=a,b -->` directly
 * before its fence: the lines between `// #region name` and `// #endregion`, prepended in that
 * order. They declare only what the prose around a block says the reader already has.
 */
// #region latchkey
/** The engine from `createLatchkey(...)`, as the README's first example makes it. */
declare const latchkey: import('@latchkey/core').Latchkey;
// #endregion

// #region engine
/** The same engine, under the name the adapter sections use. */
declare const engine: import('@latchkey/core').Latchkey;
// #endregion

// #region policy
/** A policy, from `definePolicy(...)` or a preset. */
declare const policy: import('@latchkey/core').SessionPolicy;
// #endregion

// #region store
/** A store (docs/stores.md). */
declare const store: import('@latchkey/core').SessionStore;
// #endregion

// #region env
/** The app's secrets and settings (process.env on Node, the `env` binding on Workers). */
declare const env: {
  SESSION_SECRET: string;
  PREVIOUS_SESSION_SECRET: string;
  TOKEN_SECRET: string;
  DATABASE_URL: string;
};
// #endregion

// #region hono-app
/** A Hono app, `const app = new Hono()`. */
declare const app: import('hono').Hono;
// #endregion

// #region express-app
/** An Express app, `const app = express()`. */
declare const app: import('express').Express;
// #endregion

// #region request
/** The request being answered. */
declare const request: Request;
// #endregion

// #region request-session
/** The request's session (`session` in a `withSessions` handler, `req.session` on Express). */
declare const rs: import('@latchkey/core').RequestSession;
// #endregion

// #region user
/** Your user record and password check. */
declare const user: { id: string; theme: 'light' | 'dark' };
declare function checkPassword(input: unknown): Promise<{ id: string; theme: 'light' | 'dark' }>;
// #endregion

// #region handler
/** A session handler, `async ({ request, session }) => Response`. */
declare const handler: import('@latchkey/core').SessionHandler;
// #endregion

// #region tokens
/** An issuer from `createTokenIssuer(...)`. */
declare const tokens: import('@latchkey/core/tokens').TokenIssuer;
// #endregion

// #region keys
/** Signing keys for `createTokenIssuer({ keys })`. */
declare const keys: import('@latchkey/core/tokens').KeyConfig[];
// #endregion

// #region client
/** The browser client from `createClient(...)`. */
declare const client: import('@latchkey/client').LatchkeyClient;
// #endregion

// #region ui
/** The app's own rendering and re-authentication dialog. */
declare function render(state: unknown): void;
declare function reauthenticate(): Promise<boolean>;
// #endregion

// #region deno
/** Deno's global as far as the snippets use it (Deno's own types replace lib DOM's). */
declare const Deno: { openKv(path?: string): Promise<import('@latchkey/deno').DenoKvLike> };
// #endregion

// #region workers
/**
 * @cloudflare/workers-types replaces lib DOM, so it cannot join these programs; its namespace
 * type satisfies this one (test/runtimes/workers-stores.test.ts checks it).
 */
type DurableObjectNamespace = import('@latchkey/workers').DurableObjectNamespaceLike;
// #endregion

// #region passport-user
/** The user type Passport puts on `req.user`, declared as a Passport app does. */
declare global {
  namespace Express {
    interface User {
      id: string;
    }
  }
}
// #endregion

// #region my-store
/** The store you are writing, made with the clock the suite passes. */
declare function myStore(options: {
  clock: import('@latchkey/core/store').Clock;
}): import('@latchkey/core/store').SessionStore;
// #endregion

// #region form
/** The submitted sign-in form. */
declare const form: FormData;
// #endregion

// #region outcome
/** A loaded, valid session: `const outcome = await rs.load()` after checking `outcome.valid`. */
declare const outcome: Extract<import('@latchkey/core').LoadOutcome, { valid: true }>;
// #endregion

// #region monitor
/** The monitor from `createMonitor(...)` (docs/monitor.md). */
declare const monitor: import('@latchkey/core/monitor').Monitor;
// #endregion

// #region pager
/** Your alerting: a pager, a chat webhook. */
declare function page(anomaly: import('@latchkey/core/monitor').Anomaly): void;
// #endregion

// #region drop-in
/** The express-session drop-in, `const sessions = expressSession({ ... })`. */
declare const sessions: import('@latchkey/node').ExpressSessionMiddleware;
// #endregion

// #region clock
/** The clock the engines are given (`systemClock` in production, a `ManualClock` in tests). */
declare const clock: import('@latchkey/core/store').Clock;
// #endregion

// #region pager-client
/** Your alerting client. */
declare const pager: { send(text: string): Promise<void> };
// #endregion

// #region apps
/** A Hono app and an Express app, side by side. */
declare const honoApp: import('hono').Hono;
declare const expressApp: import('express').Express;
// #endregion

// #region sealed
/** The sealed-cookie engine, `const sessions = createSealedSessions({ ... })`. */
declare const sessions: import('@latchkey/core/sealed').SealedSessions;
// #endregion

// #region secrets
/** Sealing secrets, newest first, each at least 32 bytes. */
declare const secrets: string[];
// #endregion

// #region session
/** The request's session inside a `withSessions` handler, `({ request, session }) => …`. */
declare const session: import('@latchkey/core').RequestSession;
// #endregion
