/**
 * The seam between the engine and device binding (DBSC, in dbsc/): what an engine hands a
 * binding when it is attached, and the hooks its request sessions call. The engine and the
 * request session know only these types; dbsc/ implements them.
 */
import type { RequestSession } from './contract.js';
import type { ResolvedCookie, SessionCookieOptions } from './cookie/session-cookie.js';
import type { EventSink } from './events.js';
import type { SessionLedger } from './ledger.js';
import type { SessionPolicy } from './policy.js';
import type { RandomSource } from './random.js';
import type { DeviceBindingRecord, DeviceFacts, SessionRecord } from './record.js';
import type { SessionData } from './session.js';

/** @internal What the engine gives a binding once, at construction. */
export interface BindingContext {
  readonly policy: SessionPolicy;
  readonly ledger: SessionLedger<SessionData>;
  readonly random: RandomSource;
  readonly sink: EventSink | undefined;
  /** The engine's store key prefix. */
  readonly prefix: string;
  readonly cookieOptions: SessionCookieOptions;
  /** The session cookie (`__Host-session` by default). */
  readonly cookie: ResolvedCookie;
  /**
   * A request session that reads the session ID from `cookie` instead, and accepts a bound
   * session's long-lived cookie (the refresh endpoint's); its writes skip the binding hooks.
   */
  open(request: Request, facts: DeviceFacts | undefined, cookie: ResolvedCookie): RequestSession;
  /** Remembered logins of bound devices; `undefined` when the engine has no remember-me. */
  readonly remembered: RememberedDevices | undefined;
}

/** @internal A session resumed from a bound device's remember-me cookie at the refresh endpoint. */
export interface Resumed {
  /** The new session's ID, for the long-lived cookie. */
  id: string;
  handle: string;
  record: SessionRecord<unknown>;
  /** The rotated remember-me cookie. */
  setCookie: string;
}

/** @internal What a binding may do with remembered logins (remember-me) of bound devices. */
export interface RememberedDevices {
  /** The remembered device `handle` (a session's `rm`) registered `binding`: its cookie alone signs nobody in now. */
  bind(handle: string, binding: DeviceBindingRecord): Promise<void>;
  /** The binding of the device whose current remember-me token the request carries, or `null`. */
  binding(request: Request): Promise<DeviceBindingRecord | null>;
  /** After a proof for DBSC session `sid`: sign the device back in, bound, with a rotated token. */
  resume(request: Request, facts: DeviceFacts | undefined, sid: string): Promise<Resumed | null>;
}

/** Why a response issues a session ID. */
export type IssueCause =
  'login' | 'reauthentication' | 'privilege-change' | 'renewal' | 'remember-me';

/** @internal A response that issues session ID `id` for `record` under `handle`. */
export interface Issue {
  request: Request;
  id: string;
  handle: string;
  record: SessionRecord<unknown>;
  cause: IssueCause;
  now: number;
}

/** @internal What a binding adds to a response. */
export interface BindingOutput {
  setCookie: string[];
  headers: Array<[string, string]>;
  /** The binding wrote the session ID cookie itself (a bound session's path-scoped one). */
  replacesSessionCookie: boolean;
}

/** @internal The hooks a request session calls. */
export interface BindingHooks {
  /** The session handle the request's bound cookie stands for, if it carries a live one. */
  boundHandle(request: Request): Promise<string | undefined>;
  /** A request presented a bound session's long-lived cookie outside the refresh endpoint. */
  refusedLongLived(handle: string, record: SessionRecord<unknown>, now: number): void;
  /** Cookies and headers for a response that issues an ID. */
  issued(issue: Issue): Promise<BindingOutput>;
  /** Cookies to clear at logout. */
  cleared(request: Request): string[];
}

/** A device binding an engine can attach (`deviceBoundSessions()` from `@latchkey/core/dbsc`). */
export interface DeviceBindingPlugin {
  /** @internal Called once by `createLatchkey`. */
  attach(context: BindingContext): BindingHooks;
}
