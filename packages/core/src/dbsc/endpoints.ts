/**
 * The two DBSC endpoints as pure Request → Response functions over the engine's parts:
 * registration (verify the proof against its embedded key, spend the challenge, bind) and
 * refresh (403 + challenge without a proof; with one, verify it against the registered key and
 * issue a fresh bound cookie). Never a redirect: a 3xx stalls Chrome's deferred request.
 */
import type { BindingContext } from '../binding.js';
import type { ResolvedCookie } from '../cookie/session-cookie.js';
import { decide, storeTtl } from '../decide.js';
import { emit } from '../events.js';
import { sessionFailureResponse } from '../expiry-response.js';
import { verifyProof, type ProofVerdict } from '../proof/verify-proof.js';
import { newSecret } from '../random.js';
import type { DeviceBindingRecord, DeviceFacts, SessionRecord } from '../record.js';
import type { JWK } from '../tokens/jose-types.js';
import type { BoundTokens } from './bound-cookie.js';
import type { Challenges } from './challenges.js';
import type { DeviceBindingOptions } from './options.js';
import { challengeHeader, readProof, readSessionId, type DbscAlgorithm } from './headers.js';
import { endInstructions, sessionInstructions, type SessionInstructions } from './instructions.js';

/** @internal One attached binding's parts. */
export interface BindingState {
  readonly context: BindingContext;
  readonly registrationPath: string;
  readonly refreshPath: string;
  readonly boundLifetime: number;
  readonly algorithms: readonly DbscAlgorithm[];
  readonly allowNone: boolean;
  readonly options: DeviceBindingOptions;
  /** The short-lived cookie protected routes accept. */
  readonly bound: ResolvedCookie;
  /** A bound session's long-lived cookie, scoped to the refresh path. */
  readonly longLived: ResolvedCookie;
  readonly tokens: BoundTokens;
  readonly challenges: Challenges;
}

type Out = { setCookie: string[]; headers: Array<[string, string]> };

function answer(
  status: number,
  body: SessionInstructions | null,
  out: Out = { setCookie: [], headers: [] },
): Response {
  // Server considerations: the refresh endpoint leaks login state if embedded or read cross-site.
  const headers = new Headers({
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'cross-origin-resource-policy': 'same-site',
  });
  if (body) headers.set('content-type', 'application/json');
  for (const line of out.setCookie) headers.append('set-cookie', line);
  for (const [name, value] of out.headers) headers.set(name, value);
  return new Response(body ? JSON.stringify(body) : null, { status, headers });
}

/** A store outage is a 503 (the browser backs off); a lost race too, never a 4xx, which would end the browser's session. */
function failure(request: Request, error: unknown): Response {
  const response = sessionFailureResponse(request, error);
  if (!response) throw error;
  if (response.status < 500)
    return new Response(null, {
      status: 503,
      headers: { 'retry-after': '1', 'cache-control': 'no-store' },
    });
  return response;
}

/** A fresh bound cookie for the session under `handle`: a new token, never past the session's absolute deadline. */
export async function mintBoundCookie(
  s: BindingState,
  handle: string,
  record: SessionRecord<unknown>,
  now: number,
): Promise<string> {
  const ms = Math.max(1000, Math.min(s.boundLifetime, record.absoluteDeadline - now));
  const token = await s.tokens.issue(handle, ms);
  return s.bound.serialize(token, Math.floor(ms / 1000), now);
}

function instructions(s: BindingState, request: Request, sid: string): SessionInstructions {
  return sessionInstructions({
    sid,
    refreshUrl: s.refreshPath,
    origin: s.options.origin ?? new URL(request.url).origin,
    includeSite: s.options.includeSite === true,
    rules: s.options.scopeRules ?? [],
    cookie: s.bound,
  });
}

/** The JWK in a proof's payload: where the spec's own example, and Chrome before 2025, put it. */
function payloadJwk(proof: string): JWK | undefined {
  try {
    const segment = proof.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(atob(segment + '='.repeat((4 - (segment.length % 4)) % 4)));
    const jwk = (claims as { jwk?: unknown } | null)?.jwk;
    return typeof jwk === 'object' && jwk !== null && !Array.isArray(jwk)
      ? (jwk as JWK)
      : undefined;
  } catch {
    return undefined;
  }
}

async function verifyRegistration(s: BindingState, proof: string): Promise<ProofVerdict> {
  const expect = { typ: 'dbsc+jwt', algorithms: s.algorithms, allowNone: s.allowNone };
  const verdict = await verifyProof(proof, expect);
  if (verdict.valid || verdict.reason !== 'key') return verdict;
  const jwk = payloadJwk(proof);
  return jwk ? verifyProof(proof, { ...expect, key: jwk }) : verdict;
}

/** Write the binding onto the live session under `handle` (compare-and-set), or `null` when it has gone. */
async function bind(
  s: BindingState,
  handle: string,
  binding: DeviceBindingRecord,
): Promise<SessionRecord<unknown> | null> {
  const { ledger, policy } = s.context;
  for (let attempt = 0; attempt < 8; attempt++) {
    const found = await ledger.resolve(handle, false);
    const now = ledger.now();
    if (found.kind !== 'session' || decide(policy, found.record, now).kind !== 'valid') return null;
    const next = { ...found.record, v: found.record.v + 1, dbsc: binding };
    if (await ledger.sessions.replace(found.handle, found.raw, next, storeTtl(policy, next, now)))
      return next;
  }
  return null;
}

/**
 * The registration endpoint: `Secure-Session-Response` carries a proof signed by the new key,
 * whose `jti` is the challenge the login response offered.
 */
export async function handleRegistration(
  s: BindingState,
  request: Request,
  facts?: DeviceFacts,
): Promise<Response> {
  if (request.method !== 'POST')
    return new Response(null, {
      status: 405,
      headers: { allow: 'POST', 'cache-control': 'no-store' },
    });
  const { ledger, sink, cookie } = s.context;
  try {
    const proof = readProof(request.headers);
    if (proof === null) return answer(400, null);
    const rs = s.context.open(request, facts, cookie);
    const outcome = await rs.load();
    if (!outcome.valid || outcome.session.userId === null) return answer(401, null);
    const session = outcome.session;
    if (session.record.dbsc) return answer(409, null);
    const verdict = await verifyRegistration(s, proof);
    const refuse = (reason: 'proof' | 'challenge'): Response => {
      emit(sink, {
        type: 'device-binding-refused',
        at: ledger.now(),
        reason,
        handle: session.handle,
        userId: session.userId,
      });
      return answer(400, null);
    };
    if (!verdict.valid) return refuse('proof');
    // The challenge was offered to this very session (or to the ID it was renewed from).
    const spent = await s.challenges.spend(verdict.claims.jti);
    if (spent?.k !== 'reg') return refuse('challenge');
    if (spent.h !== session.handle) {
      const target = await ledger.resolve(spent.h, true);
      if (target.kind !== 'session' || target.handle !== session.handle) return refuse('challenge');
    }
    const sid = newSecret(s.context.random);
    const record = await bind(s, session.handle, {
      sid,
      jwk: verdict.jwk as Record<string, unknown> | null,
      jkt: verdict.thumbprint,
      alg: verdict.alg,
    });
    if (!record) return answer(401, null);
    const now = ledger.now();
    const id = cookie.read(request.headers.get('cookie'))!;
    const maxAge = Math.ceil((record.absoluteDeadline - now) / 1000);
    const challenge = await s.challenges.forRefresh(sid);
    emit(sink, {
      type: 'device-bound',
      at: now,
      handle: session.handle,
      userId: record.uid,
      alg: verdict.alg,
    });
    return answer(200, instructions(s, request, sid), {
      // The Path=/ cookie goes (a cookie with another path is another cookie); the path-scoped one replaces it.
      setCookie: [
        cookie.clear(),
        s.longLived.serialize(id, maxAge, now),
        await mintBoundCookie(s, session.handle, record, now),
      ],
      headers: [['secure-session-challenge', challengeHeader(challenge, sid)]],
    });
  } catch (error) {
    return failure(request, error);
  }
}

async function challenge403(s: BindingState, sid: string): Promise<Response> {
  const challenge = await s.challenges.forRefresh(sid);
  return answer(403, null, {
    setCookie: [],
    headers: [['secure-session-challenge', challengeHeader(challenge, sid)]],
  });
}

/**
 * The refresh endpoint: the browser sends `Sec-Secure-Session-Id` and the long-lived cookie
 * (scoped to this path) when its bound cookie is missing; a proof by the registered key over a
 * current or immediately previous challenge earns a new bound cookie.
 */
export async function handleRefresh(
  s: BindingState,
  request: Request,
  facts?: DeviceFacts,
): Promise<Response> {
  if (request.method !== 'POST')
    return new Response(null, {
      status: 405,
      headers: { allow: 'POST', 'cache-control': 'no-store' },
    });
  const { ledger, sink, policy } = s.context;
  try {
    const sid = readSessionId(request.headers);
    if (sid === null) return answer(400, null);
    // The cookies go only with the session: another DBSC session of this browser (an older login
    // on the same cookie names) must not take the live one's cookies with it.
    const end = (clear: boolean): Response =>
      answer(200, endInstructions(sid), {
        setCookie: clear ? [s.bound.clear(), s.longLived.clear()] : [],
        headers: [],
      });
    const rs = s.context.open(request, facts, s.longLived);
    const outcome = await rs.load();
    if (!outcome.valid) return end(true);
    const session = outcome.session;
    const binding = session.record.dbsc;
    if (!binding || binding.sid !== sid) return end(false);
    const proof = readProof(request.headers);
    if (proof === null) return challenge403(s, sid);
    const none = binding.alg === 'none';
    const verdict = await verifyProof(proof, {
      typ: 'dbsc+jwt',
      algorithms: none ? [] : [binding.alg as DbscAlgorithm],
      allowNone: none,
      ...(binding.jwk && { key: binding.jwk as JWK }),
    });
    if (!verdict.valid) {
      // The long-lived cookie came without the key: it was copied. End the session everywhere.
      emit(sink, {
        type: 'device-binding-refused',
        at: ledger.now(),
        reason: 'proof',
        handle: session.handle,
        userId: session.userId,
      });
      const found = await ledger.resolve(session.handle, true);
      if (found.kind === 'session' && (await ledger.end(found, 'revoke')))
        emit(sink, {
          type: 'revoked',
          at: ledger.now(),
          handle: found.handle,
          userId: found.record.uid,
        });
      return end(true);
    }
    const spent = await s.challenges.spend(verdict.claims.jti);
    if (spent?.k !== 'ref' || spent.sid !== sid) {
      emit(sink, {
        type: 'device-binding-refused',
        at: ledger.now(),
        reason: 'challenge',
        handle: session.handle,
        userId: session.userId,
      });
      return challenge403(s, sid);
    }
    // Touch and renew as any request would; a renewal re-sets the long-lived cookie here.
    const flushed = await rs.flush();
    const current = rs.current!;
    const now = ledger.now();
    await s.tokens.retire(s.bound.read(request.headers.get('cookie')), policy.renewGrace);
    const line = await mintBoundCookie(s, current.handle, current.record, now);
    const next = await s.challenges.forRefresh(sid);
    emit(sink, {
      type: 'device-refreshed',
      at: now,
      handle: current.handle,
      userId: current.userId,
    });
    return answer(200, instructions(s, request, sid), {
      setCookie: [...flushed.setCookie, line],
      headers: [...flushed.headers, ['secure-session-challenge', challengeHeader(next, sid)]],
    });
  } catch (error) {
    return failure(request, error);
  }
}
