/**
 * DBSC for Express/Connect: the two device-binding endpoints as a middleware, and a guard for
 * routes that need a session bound to its device. The logic is the core's
 * (`@latchkey/core/dbsc`); this file moves requests and responses across the Node bridge.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { expiryResponse, type RequestSession, type SessionEngine } from '@latchkey/core';
import { deviceBindingResponse, deviceBoundEnough, type DeviceBinding } from '@latchkey/core/dbsc';
import { toRequest, writeResponse } from './bridge.js';
import { deviceFacts } from './client.js';
import type { ConnectMiddleware, Next } from './connect.js';

/**
 * Answer `binding`'s registration and refresh endpoints; every other request goes on.
 *
 * @example
 * app.use(dbscEndpoints(dbsc), latchkeyMiddleware(latchkey));
 */
export function dbscEndpoints(
  binding: DeviceBinding,
  options: { trustProxy?: boolean } = {},
): ConnectMiddleware {
  if (typeof binding?.handle !== 'function')
    throw new TypeError(
      'dbscEndpoints(): expected deviceBoundSessions({...}) from @latchkey/core/dbsc',
    );
  const paths = new Set([binding.registrationPath, binding.refreshPath]);
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!paths.has(path)) return next();
    const request = toRequest(req, { trustProxy: options.trustProxy, body: false });
    binding.handle(request, deviceFacts(req, options)).then((answer) => {
      if (!answer) return next();
      writeResponse(res, answer).catch(() => res.destroy());
    }, next);
  };
}

/**
 * Guard: a signed-in session that, under `policy.deviceBinding: 'required'`, is bound to its
 * device; otherwise the expiry response, or 403 `{"error":"device_binding_required"}`.
 * Register after `latchkeyMiddleware(engine)`.
 *
 * @example
 * app.post('/transfer', requireDeviceBound(latchkey), (req, res) => res.send('sent'));
 */
export function requireDeviceBound(engine: SessionEngine): ConnectMiddleware {
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const session = (req as IncomingMessage & { session?: RequestSession }).session;
    if (!session || typeof session.load !== 'function')
      return next(new TypeError('requireDeviceBound(): register latchkeyMiddleware(engine) first'));
    session.load().then((outcome) => {
      const answer = !outcome.valid
        ? expiryResponse(session.request, outcome)
        : outcome.session.userId === null
          ? expiryResponse(session.request, { reason: 'missing' })
          : deviceBoundEnough(engine.policy, outcome.session)
            ? null
            : deviceBindingResponse(session.request);
      if (!answer) return next();
      writeResponse(res, answer).catch(() => res.destroy());
    }, next);
  };
}
