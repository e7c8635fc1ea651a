/**
 * The Connect/Express middleware signatures, on Node's own request and response types, so the
 * package needs no Express types and any Connect-style app can mount what it returns.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Connect's `next`: no argument to continue, an error to hand over to the error middleware. */
export type Next = (error?: unknown) => void;

/**
 * A Connect/Express middleware.
 *
 * @example
 * const guard: ConnectMiddleware = requireAccessToken(tokens);
 * app.use('/api', guard);
 */
export type ConnectMiddleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/**
 * A Connect/Express error middleware (four parameters).
 *
 * @example
 * const onError: ConnectErrorMiddleware = latchkeyErrorHandler();
 * app.use(onError);
 */
export type ConnectErrorMiddleware = (
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: Next,
) => void;
