/**
 * `req.session` in the express-session drop-in: its own enumerable properties
 * are the session data, read and written synchronously; express-session's
 * methods and its `id` and `cookie` live on the prototype, so they are never data.
 */

type Callback = (error?: unknown) => void;

/**
 * Your session data's keys, for TypeScript: augment it as you did express-session's `SessionData`.
 *
 * @example
 * declare module '@latchkey/node' {
 *   interface ExpressSessionData { views: number }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ExpressSessionData {}

/** express-session's `req.session.cookie`, read-only: what the session cookie carries if sent now. */
export interface SessionCookieView {
  /** Milliseconds left, or `null` for a cookie that dies with the browser. */
  readonly maxAge: number | null;
  readonly originalMaxAge: number | null;
  readonly expires: Date | null;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: 'lax' | 'strict' | 'none';
  readonly path: string;
  readonly domain: string | undefined;
}

/** @internal What a drop-in session asks of the request that owns it. */
export interface SessionHost {
  readonly id: string | undefined;
  readonly cookie: SessionCookieView;
  regenerate(callback: Callback): void;
  save(callback?: Callback): void;
  destroy(callback?: Callback): void;
  reload(callback: Callback): void;
  touch(): void;
}

const HOST = Symbol('latchkey.dropInHost');

/**
 * The drop-in's `req.session`: data as properties, express-session's methods.
 *
 * @example
 * req.session.views = (req.session.views ?? 0) + 1; // saved when the response ends
 * req.session.regenerate((error) => (error ? next(error) : res.redirect('/')));
 */
export class DropInSession {
  declare private readonly [HOST]: SessionHost;

  /** @internal */
  constructor(host: SessionHost, data: Record<string, unknown>) {
    Object.defineProperty(this, HOST, { value: host });
    Object.assign(this, data);
  }

  /**
   * The session's public handle (what `listSessions` and `revokeSession` use), not its secret
   * ID: express-session's `id` is the cookie's secret, which Latchkey never hands to app code.
   * `undefined` until the session exists (it is stored once data is set and saved).
   */
  get id(): string | undefined {
    return this[HOST].id;
  }
  /** The session cookie's attributes and lifetime; read-only (set them in `expressSession()`'s options). */
  get cookie(): SessionCookieView {
    return this[HOST].cookie;
  }
  /** End this session server-side and start an empty one under a new ID when data is next set. */
  regenerate(callback: Callback): this {
    this[HOST].regenerate(callback);
    return this;
  }
  /** Write the data now (store, then the response's Set-Cookie), then call back. */
  save(callback?: Callback): this {
    this[HOST].save(callback);
    return this;
  }
  /** End the session server-side, clear the cookie and remove `req.session`, then call back. */
  destroy(callback?: Callback): this {
    this[HOST].destroy(callback);
    return this;
  }
  /** Drop unsaved changes and read the session again from the store, then call back. */
  reload(callback: Callback): this {
    this[HOST].reload(callback);
    return this;
  }
  /** Send the cookie again with this response, so `cookie.maxAge` counts from now. */
  touch(): this {
    this[HOST].touch();
    return this;
  }
}

/** `req.session` as route code sees it under `expressSession()`. */
export type ExpressSessionObject = DropInSession & Partial<ExpressSessionData>;

/**
 * The data of a drop-in session: its own enumerable properties with a value.
 *
 * @example
 * dataOf(req.session); // { views: 2, passport: { user: 'ada' } }
 */
export function dataOf(session: DropInSession): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(session)) if (value !== undefined) data[key] = value;
  // passport leaves `passport: {}` behind at logout: an empty record, not data worth a session.
  const passport = data.passport;
  if (
    typeof passport === 'object' &&
    passport !== null &&
    Object.values(passport).every((v) => v === undefined)
  )
    delete data.passport;
  return data;
}
