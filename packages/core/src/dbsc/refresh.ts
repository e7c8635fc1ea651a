/**
 * The refresh endpoint: 403 with a challenge when no proof is given; with one, verified against
 * the registered key over the current or immediately previous challenge, a fresh bound cookie.
 * Never a redirect: a 3xx stalls Chrome's deferred request (webappsec-dbsc#262).
 */
import { emit } from '../events.js';
import { verifyProof } from '../proof/verify-proof.js';
import type { DeviceBindingRecord, DeviceFacts } from '../record.js';
import type { JWK } from '../tokens/jose-types.js';
import { challengeHeader, readProof, readSessionId, type DbscAlgorithm } from './headers.js';
import { endInstructions } from './instructions.js';
import { answer, failure, instructions, mintBoundCookie, type BindingState } from './state.js';

async function challenge403(s: BindingState, sid: string): Promise<Response> {
  const challenge = await s.challenges.forRefresh(sid);
  return answer(403, null, {
    setCookie: [],
    headers: [['secure-session-challenge', challengeHeader(challenge, sid)]],
  });
}

/** Verify `proof` against a registered binding: the key, or `alg: none` where the site allowed it. */
function verifyAgainst(proof: string, binding: DeviceBindingRecord) {
  const none = binding.alg === 'none';
  return verifyProof(proof, {
    typ: 'dbsc+jwt',
    algorithms: none ? [] : [binding.alg as DbscAlgorithm],
    allowNone: none,
    ...(binding.jwk && { key: binding.jwk as JWK }),
  });
}

/**
 * The session is over, but the browser's remember-me cookie is that of a device bound to this
 * DBSC session: beside a proof by its key, sign the device back in (a new session, bound to the
 * same key, under the same DBSC session). `null`: nothing to resume, the browser's session ends.
 */
async function resume(
  s: BindingState,
  request: Request,
  facts: DeviceFacts | undefined,
  sid: string,
): Promise<Response | null> {
  const remembered = s.context.remembered;
  const binding = remembered && (await remembered.binding(request));
  if (!remembered || !binding || binding.sid !== sid) return null;
  const { ledger, sink } = s.context;
  const proof = readProof(request.headers);
  if (proof === null) return challenge403(s, sid);
  const verdict = await verifyAgainst(proof, binding);
  if (!verdict.valid) {
    // The remember-me cookie came without the key: it was copied. It resumes nothing.
    emit(sink, { type: 'device-binding-refused', at: ledger.now(), reason: 'proof' });
    return null;
  }
  const spent = await s.challenges.spend(verdict.claims.jti);
  if (spent?.k !== 'ref' || spent.sid !== sid) {
    emit(sink, { type: 'device-binding-refused', at: ledger.now(), reason: 'challenge' });
    return challenge403(s, sid);
  }
  const resumed = await remembered.resume(request, facts, sid);
  // Another refresh resumed it first: the browser retries, with the cookies that one set.
  if (!resumed) return challenge403(s, sid);
  const now = ledger.now();
  const maxAge = Math.ceil((resumed.record.absoluteDeadline - now) / 1000);
  const next = await s.challenges.forRefresh(sid);
  emit(sink, {
    type: 'device-refreshed',
    at: now,
    handle: resumed.handle,
    userId: resumed.record.uid,
  });
  return answer(200, instructions(s, request, sid), {
    setCookie: [
      resumed.setCookie,
      s.longLived.serialize(resumed.id, maxAge, now),
      await mintBoundCookie(s, resumed.handle, resumed.record, now),
    ],
    headers: [['secure-session-challenge', challengeHeader(next, sid)]],
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
    if (!outcome.valid) return (await resume(s, request, facts, sid)) ?? end(true);
    const session = outcome.session;
    const binding = session.record.dbsc;
    if (!binding || binding.sid !== sid) return end(false);
    const proof = readProof(request.headers);
    if (proof === null) return challenge403(s, sid);
    const verdict = await verifyAgainst(proof, binding);
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
