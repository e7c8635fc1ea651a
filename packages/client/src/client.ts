/**
 * The client: a `fetch` that reads Latchkey's typed error bodies, refreshes an
 * access token once for many parallel calls (across tabs with Web Locks),
 * retries once, sends the user to sign in with `returnTo`, asks for step-up,
 * and keeps every tab's signed-in state in step.
 */

import type { SessionErrorBody } from '@latchkey/core';
import { openCrossTab, type CrossTabMessage, type CrossTabMode } from './cross-tab.js';
import { defaultLocks, underLock, type LockManagerLike } from './refresh-lock.js';
import { loginUrl, sameOriginPath, type LocationLike } from './return-to.js';
import { createDpopSigner, refusedProof, type DpopKeyStore } from './dpop.js';

/** Why this tab is signed out: the server's `session_expired` reason, or an explicit `logout`. */
export type SignedOutReason =
  Extract<SessionErrorBody, { error: 'session_expired' }>['reason'] | 'logout';

/** Where the session stands, as far as this tab knows. `source` says which tab found out. */
export type SessionState =
  | { status: 'unknown' }
  | { status: 'signed-in'; source: 'this-tab' | 'other-tab' }
  | { status: 'signed-out'; reason: SignedOutReason; source: 'this-tab' | 'other-tab' };

/** What `onSignedOut` is told: why, and the login URL the default handler goes to. */
export interface SignedOutEvent {
  reason: SignedOutReason;
  /** Where the user was (path, query and hash): the `returnTo` to come back to. */
  returnTo: string;
  /** `loginPath` with `returnTo` set. */
  loginUrl: string;
}

/** What `onStepUp` is given: the refused request (a fresh copy), the 403 and its body (which methods would do, `max_age`). */
export interface StepUpEvent {
  request: Request;
  response: Response;
  body?: Extract<SessionErrorBody, { error: 'step_up_required' }>;
}

/** The answer of a refresh: a new token, the session over, or a failure to try again later (network, 5xx). */
export type RefreshOutcome = 'refreshed' | 'signed-out' | 'failed';

/** Timer functions, injectable so tests need not wait. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id as number),
};

/** Options for {@link createClient}. */
export interface ClientOptions {
  /**
   * Token mode: the refresh endpoint (a same-origin path, POSTed with the refresh cookie),
   * answering `{ accessToken, expiresIn }`. Leave it out for cookie sessions.
   */
  refreshPath?: string;
  /** The logout endpoint `signOut()` POSTs to. Default `/auth/logout`. */
  logoutPath?: string;
  /** The login page, a same-origin path. Default `/login`. */
  loginPath?: string;
  /** The query parameter carrying the way back. Default `returnTo`. */
  returnToParam?: string;
  /** Called once when a request of this tab finds the session over. Default: go to the login page with `returnTo`. */
  onSignedOut?: (event: SignedOutEvent) => void;
  /** Called on 403 `step_up_required`; re-authenticate and return `true` to retry the request once. */
  onStepUp?: (event: StepUpEvent) => boolean | Promise<boolean>;
  /** Called on every state change, in this tab and when another tab signs in or out. */
  onChange?: (state: SessionState) => void;
  /** Token mode: refresh this many seconds before the access token expires. Off by default. */
  refreshAhead?: number;
  /** Origins besides this page's whose calls are handled (and get the access token). Default none: other origins' calls pass through untouched. */
  apiOrigins?: readonly string[];
  /** Cross-tab channel name (also the Web Locks name's prefix). Default `latchkey`. */
  channel?: string;
  /** How tabs hear each other. Default `auto`. */
  crossTab?: CrossTabMode;
  /** How long a tab that waited on another's refresh waits for its token to arrive. Default 3000 ms. */
  handoffTimeout?: number;
  /**
   * DPoP (RFC 9449): sign a proof for every call this client handles (refresh, logout, API) with a
   * non-extractable P-256 key kept in IndexedDB, send the token as `Authorization: DPoP`, and retry
   * once on a refused proof that taught a new `DPoP-Nonce` (or the server's time, from `Date`). Off by default.
   */
  dpop?: boolean | { keyStore?: DpopKeyStore };
  /** Injected for tests and other runtimes. */
  fetch?: typeof fetch;
  locks?: LockManagerLike | null;
  location?: LocationLike & { assign?(url: string): void };
  timers?: Timers;
}

/** The client {@link createClient} returns. */
export interface LatchkeyClient {
  /** `fetch`, with the session handled. A `ReadableStream` body is sent once and never retried. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** After a successful login: keep the access token (token mode) and tell the other tabs. */
  signIn(tokens?: { accessToken: string; expiresIn?: number }): void;
  /** Log out: POST `logoutPath`, forget the token, tell the other tabs. Resolves to the server's answer, or `null` offline. */
  signOut(): Promise<Response | null>;
  /** Token mode: get a fresh access token now (e.g. at start-up, to resume from the refresh cookie). Never calls `onSignedOut`. */
  refresh(): Promise<RefreshOutcome>;
  /** This tab's state. */
  readonly state: SessionState;
  /** Listen to state changes; returns the unsubscribe function. */
  subscribe(listener: (state: SessionState) => void): () => void;
  /** Close the cross-tab channel and timers. */
  close(): void;
}

function isStream(body: unknown): boolean {
  return typeof ReadableStream === 'function' && body instanceof ReadableStream;
}

/** The typed error body of a 401 or 403, or `null`. */
async function sessionError(response: Response): Promise<SessionErrorBody | null> {
  if (response.status !== 401 && response.status !== 403) return null;
  if (!/json/i.test(response.headers.get('content-type') ?? '')) return null;
  try {
    const body = (await response.clone().json()) as SessionErrorBody | null;
    return body && typeof body.error === 'string' ? body : null;
  } catch {
    return null;
  }
}

/**
 * The credential this call carried is gone: a session that expired or was revoked
 * (`session_expired`), or an access token the core's bearer guard refused
 * (`invalid_token`). `null` for any other answer. The reason is what a signed-out tab is told.
 */
function credentialGone(error: SessionErrorBody | null): SignedOutReason | null {
  if (error?.error === 'session_expired') return error.reason;
  if (error?.error === 'invalid_token')
    return error.reason === 'revoked' ? 'revoked' : 'unauthenticated';
  return null;
}

function checkPath(field: string, value: string, origin: string): string {
  const path = sameOriginPath(value, origin);
  if (path === undefined)
    throw new TypeError(`${field}: expected a same-origin path such as '/login', got ${value}`);
  return path;
}

/**
 * Create the client. With `refreshPath` it runs in token mode (access token in
 * memory, refresh token in the server's HttpOnly cookie); without, it serves
 * cookie sessions (401 → login with `returnTo`, cross-tab logout).
 *
 * @example
 * const client = createClient({ refreshPath: '/auth/refresh', loginPath: '/login' });
 * client.subscribe((s) => render(s.status));
 * await client.refresh(); // resume from the refresh cookie, if any
 * const inbox = await (await client.fetch('/api/inbox')).json();
 */
export function createClient(options: ClientOptions = {}): LatchkeyClient {
  const here = options.location ?? (globalThis.location as ClientOptions['location']);
  const origin = here?.origin ?? 'http://localhost';
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const locks = options.locks === undefined ? defaultLocks() : options.locks;
  const timers = options.timers ?? realTimers;
  const loginPath = checkPath('loginPath', options.loginPath ?? '/login', origin);
  const refreshPath =
    options.refreshPath === undefined
      ? undefined
      : checkPath('refreshPath', options.refreshPath, origin);
  const logoutPath = checkPath('logoutPath', options.logoutPath ?? '/auth/logout', origin);
  const returnToParam = options.returnToParam ?? 'returnTo';
  const name = options.channel ?? 'latchkey';
  const handoffTimeout = options.handoffTimeout ?? 3000;
  const trusted = new Set([origin, ...(options.apiOrigins ?? [])]);
  const signer = options.dpop
    ? createDpopSigner(typeof options.dpop === 'object' ? options.dpop.keyStore : undefined)
    : null;
  const onSignedOut =
    options.onSignedOut ??
    ((event: SignedOutEvent) => {
      here?.assign?.(event.loginUrl);
    });

  let state: SessionState = { status: 'unknown' };
  let accessToken: string | null = null;
  /** Bumped on every new token and every sign-out, so a request knows whether its token is stale. */
  let generation = 0;
  let flight: Promise<{ outcome: RefreshOutcome; reason?: SignedOutReason }> | null = null;
  let timer: unknown = null;
  const listeners = new Set<(state: SessionState) => void>();
  if (options.onChange) listeners.add(options.onChange);
  const waiters = new Set<() => void>();
  /** Another tab said it is refreshing and has not yet said how it ended. */
  let peerRefreshing = false;

  function setState(next: SessionState) {
    state = next;
    for (const wake of [...waiters]) wake();
    for (const listener of [...listeners]) listener(next);
  }

  function schedule(expiresIn: number | undefined) {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    if (options.refreshAhead === undefined || typeof expiresIn !== 'number') return;
    const at = generation;
    const delay = Math.max(0, (expiresIn - options.refreshAhead) * 1000);
    timer = timers.setTimeout(() => {
      timer = null;
      void refreshOnce(at).then(({ outcome, reason }) => {
        if (outcome === 'signed-out') endSession(reason ?? 'unauthenticated', true);
      });
    }, delay);
  }

  function keepToken(
    token: string,
    expiresIn: number | undefined,
    source: 'this-tab' | 'other-tab',
  ) {
    accessToken = token;
    generation++;
    schedule(expiresIn);
    setState({ status: 'signed-in', source });
  }

  /** This tab found the session over: forget the token, tell the others, and (once) `onSignedOut`. */
  function endSession(reason: SignedOutReason, notify: boolean) {
    const was = state.status;
    accessToken = null;
    generation++;
    schedule(undefined);
    setState({ status: 'signed-out', reason, source: 'this-tab' });
    if (was === 'signed-out') return;
    tabs.post({ type: 'signed-out', reason });
    if (notify && here) {
      const returnTo = sameOriginPath(here.pathname + here.search + here.hash, origin) ?? '/';
      onSignedOut({ reason, returnTo, loginUrl: loginUrl(loginPath, returnToParam, here) });
    }
  }

  function fromOtherTab(message: CrossTabMessage) {
    peerRefreshing = message.type === 'refreshing';
    if (message.type === 'refreshing' || message.type === 'refresh-ended') {
      for (const wake of [...waiters]) wake();
    } else if (message.type === 'signed-out') {
      accessToken = null;
      generation++;
      schedule(undefined);
      const reason = (message.reason ?? 'logout') as SignedOutReason;
      setState({ status: 'signed-out', reason, source: 'other-tab' });
    } else if (typeof message.accessToken === 'string' && refreshPath !== undefined) {
      keepToken(message.accessToken, message.expiresIn, 'other-tab');
    } else if (message.type === 'signed-in') {
      setState({ status: 'signed-in', source: 'other-tab' });
    }
  }
  const tabs = openCrossTab(name, options.crossTab ?? 'auto', fromOtherTab);

  /** One refresh request; no state change on failure (the caller decides whether to call `onSignedOut`). */
  async function refreshNow(): Promise<{ outcome: RefreshOutcome; reason?: SignedOutReason }> {
    let response: Response;
    try {
      response = await send(
        () =>
          new Request(new URL(refreshPath!, origin), {
            method: 'POST',
            credentials: 'same-origin',
            headers: { accept: 'application/json' },
          }),
        true,
        false,
      );
    } catch {
      return { outcome: 'failed' };
    }
    if (response.ok) {
      const body = (await response.json().catch(() => null)) as {
        accessToken?: unknown;
        expiresIn?: unknown;
      } | null;
      if (typeof body?.accessToken !== 'string') return { outcome: 'failed' };
      const expiresIn = typeof body.expiresIn === 'number' ? body.expiresIn : undefined;
      keepToken(body.accessToken, expiresIn, 'this-tab');
      tabs.post({ type: 'token', accessToken: body.accessToken, expiresIn });
      return { outcome: 'refreshed' };
    }
    // Refused (no cookie, expired, revoked, reused): the session is over. A 409, a 429 or a 5xx is a try-again.
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      const error = await sessionError(response);
      return { outcome: 'signed-out', reason: credentialGone(error) ?? 'unauthenticated' };
    }
    return { outcome: 'failed' };
  }

  /**
   * Resolves `true` once a token newer than `since` arrives; `false` on sign-out, when the
   * other tab says its refresh brought nothing, or after `handoffTimeout` (a tab closed mid-refresh).
   */
  function handedOver(since: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        waiters.delete(check);
        timers.clearTimeout(limit);
      };
      const check = () => {
        if (generation !== since) {
          done();
          resolve(accessToken !== null);
        } else if (!peerRefreshing && sawPeerStart) {
          done();
          resolve(false);
        }
        if (peerRefreshing) sawPeerStart = true;
      };
      let sawPeerStart = peerRefreshing;
      const limit = timers.setTimeout(() => {
        done();
        peerRefreshing = false;
        resolve(false);
      }, handoffTimeout);
      waiters.add(check);
    });
  }

  /**
   * The refresh, run holding the lock. A tab that said it was refreshing may have released the
   * lock before its token reached this tab (WebKit delivers the lock first): wait for it. Else
   * refresh, bracketed by `refreshing` and then `token`, `signed-out` (the caller's
   * `endSession` posts it) or, when the refresh failed without an answer, `refresh-ended`.
   */
  async function refreshHolding(
    since: number,
  ): Promise<{ outcome: RefreshOutcome; reason?: SignedOutReason }> {
    if (!tabs.carriesTokens) return refreshNow();
    if (peerRefreshing) {
      if (await handedOver(since)) return { outcome: 'refreshed' };
      // The other tab's refresh found the session over: so is this tab's.
      if (state.status === 'signed-out' && state.source === 'other-tab')
        return { outcome: 'signed-out', reason: state.reason };
    }
    tabs.post({ type: 'refreshing' });
    const result = await refreshNow();
    if (result.outcome === 'failed') tabs.post({ type: 'refresh-ended' });
    return result;
  }

  /** Single flight: in this tab by sharing the promise, across tabs by the lock and the token handed over. */
  function refreshOnce(
    since: number,
  ): Promise<{ outcome: RefreshOutcome; reason?: SignedOutReason }> {
    if (generation !== since && accessToken !== null)
      return Promise.resolve({ outcome: 'refreshed' });
    flight ??= underLock(
      locks,
      `${name}:refresh`,
      () => refreshHolding(since),
      async () => {
        if (generation !== since && accessToken !== null) return { outcome: 'refreshed' as const };
        // Another tab held the lock: it has likely just refreshed, and its token is on the way.
        if (tabs.carriesTokens && (await handedOver(since)))
          return { outcome: 'refreshed' as const };
        if (state.status === 'signed-out' && state.source === 'other-tab')
          return { outcome: 'signed-out' as const, reason: state.reason };
        return refreshHolding(since);
      },
    ).finally(() => {
      flight = null;
    });
    return flight;
  }

  async function authorize(request: Request, withToken = true) {
    const accept = request.headers.get('accept');
    // The server answers JSON (401 with a reason) rather than a redirect to the login page only when asked for JSON.
    if (accept === null || accept === '*/*') request.headers.set('accept', 'application/json');
    const token = withToken && !request.headers.has('authorization') ? accessToken : null;
    if (token !== null)
      request.headers.set('authorization', `${signer ? 'DPoP' : 'Bearer'} ${token}`);
    if (signer && !request.headers.has('dpop'))
      request.headers.set(
        'dpop',
        await signer.proof(request.method, request.url, token ?? undefined),
      );
  }

  /** Authorize and send; with DPoP, once more when a refused proof taught a new nonce or the server's time (RFC 9449 §8, §9). */
  async function send(make: () => Request, canRetry: boolean, withToken = true): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const request = make();
      await authorize(request, withToken);
      const response = await fetchImpl(request);
      if (!signer || !signer.observe(request.url, response)) return response;
      if (attempt > 0 || !canRetry || !(await refusedProof(response))) return response;
    }
  }

  async function clientFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    // Relative URLs resolve against the page, as `fetch` itself does.
    const url = input instanceof Request ? input : new URL(String(input), here?.href ?? origin);
    const pristine = new Request(url, init);
    // Another origin's answers are not about this session: passed through untouched.
    if (!trusted.has(new URL(pristine.url).origin)) return fetchImpl(pristine);
    const replayable = !isStream(init?.body);
    let refreshed = false;
    let steppedUp = false;
    for (;;) {
      const since = generation;
      const response = await send(() => (replayable ? pristine.clone() : pristine), replayable);
      const error = await sessionError(response);
      const gone = credentialGone(error);
      if (gone !== null) {
        if (refreshPath !== undefined && !refreshed) {
          const { outcome, reason } = await refreshOnce(since);
          if (outcome === 'signed-out') endSession(reason ?? 'unauthenticated', true);
          // A stream was sent once and is gone: the fresh token serves the next call.
          if (outcome !== 'refreshed' || !replayable) return response;
          refreshed = true;
          continue;
        }
        endSession(gone, true);
        return response;
      }
      if (error?.error === 'step_up_required' && options.onStepUp && replayable && !steppedUp) {
        steppedUp = true;
        if (await options.onStepUp({ request: pristine.clone(), response, body: error })) continue;
      }
      return response;
    }
  }

  return {
    fetch: clientFetch,
    signIn(tokens) {
      if (tokens && refreshPath !== undefined) {
        keepToken(tokens.accessToken, tokens.expiresIn, 'this-tab');
        tabs.post({
          type: 'signed-in',
          accessToken: tokens.accessToken,
          expiresIn: tokens.expiresIn,
        });
      } else {
        setState({ status: 'signed-in', source: 'this-tab' });
        tabs.post({ type: 'signed-in' });
      }
    },
    async signOut() {
      const request = new Request(new URL(logoutPath, origin), {
        method: 'POST',
        credentials: 'same-origin',
      });
      let response: Response | null = null;
      try {
        response = await send(() => request.clone(), true);
      } catch {
        // Offline: signed out here all the same; the server's session ends at its own timeout.
      }
      endSession('logout', false);
      return response;
    },
    async refresh() {
      if (refreshPath === undefined) return 'failed';
      const { outcome, reason } = await refreshOnce(generation);
      if (outcome === 'signed-out') endSession(reason ?? 'unauthenticated', false);
      return outcome;
    },
    get state() {
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      schedule(undefined);
      tabs.close();
      listeners.clear();
    },
  };
}
