/**
 * A Web `Request` for a `node:http` request whose parts are built only when
 * read: the headers on first use, the URL on first use, and a real `Request`
 * (undici's, with its URL parsing and abort signal) only for anything else.
 * Middleware that leaves the body to the framework reads two or three headers;
 * building the whole `Request` up front was most of what it cost.
 */

import type { IncomingMessage } from 'node:http';
import { requestUrl } from './client.js';

const INCOMING = Symbol('incoming');
const TRUST = Symbol('trustProxy');
const URL_ = Symbol('url');
const HEADERS = Symbol('headers');
const REAL = Symbol('request');

interface Lazy {
  [INCOMING]: IncomingMessage;
  [TRUST]: boolean;
  [URL_]?: string;
  [HEADERS]?: Headers;
  [REAL]?: Request;
}

/** The request's headers as Web `Headers`, dropping a value the Fetch standard refuses (Node accepts more). */
export function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A header value Node accepted but the Fetch standard does not: drop it rather than fail the request.
    }
  }
  return headers;
}

function real(self: Lazy): Request {
  return (self[REAL] ??= new Request(lazyUrl(self), {
    method: self[INCOMING].method ?? 'GET',
    headers: lazyHeaders(self),
  }));
}
const lazyUrl = (self: Lazy) => (self[URL_] ??= requestUrl(self[INCOMING], self[TRUST]));
const lazyHeaders = (self: Lazy) => (self[HEADERS] ??= headersOf(self[INCOMING]));

const own: PropertyDescriptorMap = {
  method: {
    get(this: Lazy) {
      return this[INCOMING].method ?? 'GET';
    },
  },
  url: {
    get(this: Lazy) {
      return lazyUrl(this);
    },
  },
  headers: {
    get(this: Lazy) {
      return lazyHeaders(this);
    },
  },
};
// Everything else a Request has (signal, clone(), cache, …) is the real Request's, built on first use.
for (const key of Reflect.ownKeys(Request.prototype)) {
  if (key === 'constructor' || key === Symbol.toStringTag || key in own) continue;
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, key)!;
  if (typeof descriptor.value === 'function') {
    const method = descriptor.value as (...args: unknown[]) => unknown;
    own[key] = {
      value(this: Lazy, ...args: unknown[]) {
        return method.apply(real(this), args);
      },
    };
  } else if (descriptor.get) {
    const get = descriptor.get;
    own[key] = {
      get(this: Lazy) {
        return get.call(real(this));
      },
    };
  }
}
const prototype = Object.create(Request.prototype, own) as object;

/**
 * A body-less `Request` (`instanceof Request` holds) for a `node:http`
 * request, built lazily; `toRequest(req, { body: false })` builds it at once.
 *
 * @example
 * const request = headersOnlyRequest(req, false);
 * request.headers.get('cookie');
 */
export function headersOnlyRequest(req: IncomingMessage, trustProxy: boolean): Request {
  const lazy = Object.create(prototype) as Lazy;
  lazy[INCOMING] = req;
  lazy[TRUST] = trustProxy;
  return lazy as unknown as Request;
}
