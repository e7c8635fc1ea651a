/**
 * The registration endpoint: `Secure-Session-Response` carries a proof signed by the browser's
 * new key, whose `jti` is the challenge the login response offered; a valid one binds the
 * session to the key and moves it to the bound cookie.
 */
import { decide, storeTtl } from '../decide.js';
import { emit } from '../events.js';
import { verifyProof, type ProofVerdict } from '../proof/verify-proof.js';
import { newSecret } from '../random.js';
import type { DeviceBindingRecord, DeviceFacts, SessionRecord } from '../record.js';
import type { JWK } from '../tokens/jose-types.js';
import { challengeHeader, readProof } from './headers.js';
import { answer, failure, instructions, mintBoundCookie, type BindingState } from './state.js';

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
    // A remember-me cookie would start a new, unbound session wherever a copy of it goes.
    if (record.rm !== undefined) await s.context.remembered?.bind(record.rm, record.dbsc!);
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
