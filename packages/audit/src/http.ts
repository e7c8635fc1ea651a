/**
 * The audit's only way out: one HTTP request at a time to the target origin,
 * with limits on what a hostile answer may make it read. Everything else
 * (redirects, cookies) is done by hand above it, in `browser.ts`.
 */

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with `, ` (except Set-Cookie). */
  headers: Record<string, string>;
  /** Every `Set-Cookie` line, as received. */
  setCookie: string[];
  body: string;
}

/** Sends one request; rejects with `AuditError` when the target cannot be read. */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export type AuditErrorCode =
  | 'ERR_AUDIT_USAGE'
  | 'ERR_AUDIT_UNREACHABLE'
  | 'ERR_AUDIT_HOSTILE_RESPONSE'
  | 'ERR_AUDIT_OFF_ORIGIN'
  | 'ERR_AUDIT_RECIPE';

/**
 * Why an audit could not be completed; `code` is stable.
 *
 * @example
 * try { await audit(recipe) } catch (e) { if (e instanceof AuditError && e.code === 'ERR_AUDIT_RECIPE') … }
 */
export class AuditError extends Error {
  override name = 'AuditError';
  constructor(
    readonly code: AuditErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface NodeTransportOptions {
  /** Extra trusted CA certificates (PEM), for a target with a private or self-signed certificate. */
  ca?: string;
  /** Per request. Default 15 s. */
  timeoutMs?: number;
  /** Largest header block read. Default 32 KiB. */
  maxHeaderBytes?: number;
  /** Largest body read. Default 1 MiB. */
  maxBodyBytes?: number;
}

/**
 * A `Transport` on `node:http` / `node:https`, refusing oversized headers and bodies.
 *
 * @example
 * const send = nodeTransport({ ca: readFileSync('dev-ca.pem', 'utf8') });
 */
export function nodeTransport(options: NodeTransportOptions = {}): Transport {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxHeaderSize = options.maxHeaderBytes ?? 32 * 1024;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  return (req) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const secure = req.url.protocol === 'https:';
      const send = secure ? httpsRequest : httpRequest;
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const fail = (error: unknown) => {
        const code = (error as { code?: string }).code ?? '';
        if (error instanceof AuditError) return reject(error);
        if (code === 'HPE_HEADER_OVERFLOW')
          return reject(
            new AuditError(
              'ERR_AUDIT_HOSTILE_RESPONSE',
              `${req.method} ${req.url.href}: the response headers exceed ${maxHeaderSize} bytes`,
              { cause: error },
            ),
          );
        if (code.startsWith('HPE_'))
          return reject(
            new AuditError(
              'ERR_AUDIT_HOSTILE_RESPONSE',
              `${req.method} ${req.url.href}: not a valid HTTP response (${code})`,
              { cause: error },
            ),
          );
        reject(
          new AuditError(
            'ERR_AUDIT_UNREACHABLE',
            `${req.method} ${req.url.href}: ${(error as Error).message || code}`,
            { cause: error },
          ),
        );
      };
      const outgoing = send(
        req.url,
        {
          method: req.method,
          headers,
          maxHeaderSize,
          timeout: timeoutMs,
          ...(secure && options.ca ? { ca: options.ca } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBody) {
              res.destroy();
              fail(
                new AuditError(
                  'ERR_AUDIT_HOSTILE_RESPONSE',
                  `${req.method} ${req.url.href}: the response body exceeds ${maxBody} bytes`,
                ),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', fail);
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (name === 'set-cookie' || value === undefined) continue;
              out[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: out,
              setCookie: res.headers['set-cookie'] ?? [],
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      outgoing.on('error', fail);
      outgoing.end(req.body);
    });
}

/** Wraps `transport` so it can only ever reach `origin`: the audit's promise, enforced at the edge. */
export function sameOriginOnly(origin: string, transport: Transport): Transport {
  return (req) =>
    req.url.origin === origin
      ? transport(req)
      : Promise.reject(
          new AuditError(
            'ERR_AUDIT_OFF_ORIGIN',
            `refusing to send a request to ${req.url.origin}: the audit talks to ${origin} only`,
          ),
        );
}
