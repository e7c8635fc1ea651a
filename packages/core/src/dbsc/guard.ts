/**
 * The check behind `requireDeviceBound()`: under `policy.deviceBinding: 'required'` a route
 * takes only sessions bound to their device; under `'offered'` it lets unbound sessions through,
 * so browsers without DBSC (Firefox, Safari) keep working while binding rolls out.
 */
import type { SessionPolicy } from '../policy.js';
import { errorResponse } from '../error-response.js';
import type { Session, SessionData } from '../session.js';

/**
 * The 403 `{"error":"device_binding_required"}` a guarded route answers an unbound session with.
 *
 * @example
 * return deviceBindingResponse(request);
 */
export function deviceBindingResponse(request: Request): Response {
  return errorResponse(
    request,
    { error: 'device_binding_required' },
    {
      status: 403,
      text: 'This page needs a browser that keeps your sign-in bound to this device.',
    },
  );
}

/**
 * Whether `session` may use a route that requires a device-bound session, under `policy`.
 *
 * @example
 * if (!deviceBoundEnough(latchkey.policy, outcome.session)) return deviceBindingResponse(request);
 */
export function deviceBoundEnough(
  policy: SessionPolicy,
  session: Session<SessionData> | null | undefined,
): boolean {
  if (!session) return false;
  return policy.deviceBinding !== 'required' || session.record.dbsc !== undefined;
}
