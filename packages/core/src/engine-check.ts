/**
 * The check every adapter runs on the engine it is given, at construction:
 * a preset, a policy or `undefined` where `createLatchkey(...)` belongs fails
 * at once with a `TypeError` naming the fix, not on the first request.
 */

import type { SessionEngine } from './contract.js';
import type { SessionData } from './session.js';

const FIX =
  "build one with createLatchkey({ policy: presets.productivity, store }) (or createSealedSessions({ policy, secrets }) from '@latchkey/core/sealed')";

/** What was passed instead, in words a developer recognises. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (typeof value !== 'object') return `a ${typeof value}`;
  const keys = value as Record<string, unknown>;
  if ('idleTimeout' in keys || 'absoluteTimeout' in keys)
    return 'a policy (a preset or definePolicy(...)), not an engine';
  if (typeof keys.get === 'function' && typeof keys.set === 'function')
    return 'something store-like, not an engine';
  return 'an object without forRequest()';
}

/**
 * Throw a `TypeError` unless `value` is a session engine
 * (`createLatchkey(...)` or `createSealedSessions(...)`). `caller` names the
 * API in the message, e.g. `latchkey()`.
 *
 * @example
 * export function latchkey(engine: SessionEngine) {
 *   assertSessionEngine(engine, 'latchkey()'); // latchkey(presets.productivity) throws here
 * }
 */
export function assertSessionEngine<Data extends SessionData = SessionData>(
  value: unknown,
  caller: string,
): asserts value is SessionEngine<Data> {
  const engine = value as Partial<SessionEngine<Data>> | null | undefined;
  if (
    typeof engine === 'object' &&
    engine !== null &&
    typeof engine.forRequest === 'function' &&
    typeof engine.requireFreshAuth === 'function' &&
    typeof engine.policy === 'object'
  )
    return;
  throw new TypeError(`${caller}: expected a session engine, got ${describeValue(value)}; ${FIX}`);
}
