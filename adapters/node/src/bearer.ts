/**
 * The bearer guard for Express/Connect: the core's `authenticateBearer`
 * behind a middleware that puts the verified claims on `req.claims` and
 * `res.locals.claims`, or answers 401 `invalid_token` (503 for a store failure).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateBearer, type AccessTokenVerifier, type BearerOptions } from '@latchkey/core';
import type { AccessClaims } from '@latchkey/core/tokens';
import { toRequest, writeResponse } from './bridge.js';
import type { ConnectMiddleware, Next } from './connect.js';

/** Options for {@link requireAccessToken}: the challenge's realm and answer mode, and proxy trust for the URL. */
export interface RequireAccessTokenOptions extends BearerOptions {
  trustProxy?: boolean;
}

/**
 * Express middleware: continue only with a valid access token from
 * `Authorization: Bearer …` (verified by the issuer, revocation included), or
 * `Authorization: DPoP …` with a proof when the issuer has `dpop` (RFC 9449).
 *
 * @example
 * app.get('/api/me', requireAccessToken(tokens), (req, res) => res.json({ user: req.claims!.sub }));
 */
export function requireAccessToken(
  verifier: AccessTokenVerifier,
  options: RequireAccessTokenOptions = {},
): ConnectMiddleware {
  if (typeof verifier?.verifyAccess !== 'function')
    throw new TypeError(
      'requireAccessToken(): expected a token issuer, e.g. createTokenIssuer({ keys, store, policy: presets.api })',
    );
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const request = toRequest(req, { trustProxy: options.trustProxy, body: false });
    authenticateBearer(request, verifier, options).then((auth) => {
      if (!auth.valid) return void writeResponse(res, auth.response).catch(() => res.destroy());
      for (const [name, value] of Object.entries(auth.headers ?? {})) res.setHeader(name, value);
      (req as IncomingMessage & { claims?: AccessClaims }).claims = auth.claims;
      const locals = (res as ServerResponse & { locals?: Record<string, unknown> }).locals;
      if (locals) locals.claims = auth.claims;
      next();
    }, next);
  };
}
