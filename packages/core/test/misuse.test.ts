/**
 * Mistakes new users made, each refused at once with an error (or, where an
 * error would break valid use, a one-time warning) that names the fix: missing
 * and misspelt options, a raw client passed as the store, a Node or Hono request
 * passed to forRequest, `secure: false`, and the cookie described as configured.
 */
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Hono } from 'hono';
import Redis from 'ioredis';
import { Miniflare } from 'miniflare';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  ConfigError,
  createLatchkey,
  MemoryStore,
  PolicyError,
  presets,
  type LatchkeyOptions,
  type SessionLimit,
} from '@latchkey/core';
import { createSealedSessions, type SealedSessionsOptions } from '@latchkey/core/sealed';
import { ManualClock } from '@latchkey/core/testing';
import {
  LATCHKEY_OPTION_NAMES,
  REMEMBER_ME_OPTION_NAMES,
  SEALED_OPTION_NAMES,
  SESSION_LIMIT_OPTION_NAMES,
} from '../src/input-checks.js';
import type { RememberMeOptions } from '../src/remember-me/remember-me.js';

const SECRET = 's'.repeat(32);
const quiet = () => {};

/** The error `fn` throws, checked to be an instance of `type`; fails the test if nothing is thrown. */
function thrown<E extends Error>(type: new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}

const configError = (fn: () => unknown) => {
  const error = thrown(ConfigError, fn);
  expect(error.code).toBe('ERR_CONFIG_INVALID');
  return error;
};

const lk = (options: Partial<LatchkeyOptions> & Record<string, unknown>) =>
  createLatchkey({
    policy: presets.productivity,
    store: new MemoryStore(),
    ...options,
  } as LatchkeyOptions);

describe('createLatchkey without its two required options', () => {
  const example = 'createLatchkey({ policy: presets.productivity, store: new MemoryStore() })';

  it('createLatchkey() names policy and store and shows a one-line example', () => {
    const error = configError(() => (createLatchkey as (o?: unknown) => unknown)());
    expect(error.message).toContain('policy and store');
    expect(error.message).toContain(example);
  });

  it('createLatchkey({}) names both missing options and the example', () => {
    const error = configError(() => createLatchkey({} as LatchkeyOptions));
    expect(error.message).toBe(`createLatchkey: missing policy and store: ${example}`);
  });

  it('names only the one that is missing', () => {
    const error = configError(() => createLatchkey({ policy: presets.banking } as LatchkeyOptions));
    expect(error.message).toContain('missing store:');
  });

  it('a preset passed as the options is recognised as a policy', () => {
    const error = configError(() => createLatchkey(presets.productivity as never));
    expect(error.message).toContain('these look like policy options: pass them as policy');
  });

  it('a preset name as a string is a TypeError that shows presets.productivity', () => {
    const error = thrown(TypeError, () =>
      createLatchkey({ policy: 'productivity', store: new MemoryStore() } as never),
    );
    expect(error.message).toContain('write policy: presets.productivity');
  });
});

describe('a store that is not a SessionStore names the wrapper to use', () => {
  it('a raw ioredis client names redisStore() from @latchkey/unstorage', () => {
    const client = new Redis({ lazyConnect: true });
    try {
      const error = configError(() => lk({ store: client as never }));
      expect(error.message).toContain('raw ioredis client');
      expect(error.message).toContain("redisStore(client), from '@latchkey/unstorage'");
    } finally {
      client.disconnect();
    }
  });

  it("a Deno.Kv (atomic, getMany, and its own get/set/delete) names denoKvStore() from '@latchkey/deno'", () => {
    // Deno.Kv's methods, as Deno declares them; a real one needs the Deno runtime.
    const kv = {
      get: async () => ({ value: null, versionstamp: null }),
      getMany: async () => [],
      set: async () => ({ ok: true }),
      delete: async () => {},
      list: () => [],
      atomic: () => ({}),
      close: () => {},
    };
    const error = configError(() => lk({ store: kv as never }));
    expect(error.message).toContain("denoKvStore(kv), from '@latchkey/deno'");
  });

  it("a Workers KVNamespace (a real one, from Miniflare) names workersKvStore() from '@latchkey/workers'", async () => {
    const mf = new Miniflare({
      modules: true,
      script: 'export default { fetch: () => new Response() }',
      compatibilityDate: '2025-01-01',
      kvNamespaces: ['KV'],
    });
    try {
      const kv = await mf.getKVNamespace('KV');
      const error = configError(() => lk({ store: kv as never }));
      expect(error.message).toContain('is a Workers KVNamespace');
      expect(error.message).toContain("workersKvStore(env.KV), from '@latchkey/workers'");
    } finally {
      await mf.dispose();
    }
  });

  it('an object missing get, set or delete says which are missing', () => {
    const error = configError(() =>
      lk({ store: { name: 'mine', get: async () => null } as never }),
    );
    expect(error.message).toContain('store is missing set and delete;');
    expect(error.message).toContain('new MemoryStore()');
  });

  it('a Map, which would never expire anything, names MemoryStore', () => {
    expect(configError(() => lk({ store: new Map() as never })).message).toContain(
      'use new MemoryStore()',
    );
  });

  it('the class instead of an instance, and a promise, are TypeErrors that say what to do', () => {
    expect(thrown(TypeError, () => lk({ store: MemoryStore as never })).message).toContain(
      'did you forget new',
    );
    const pending = Promise.resolve(new MemoryStore());
    expect(thrown(TypeError, () => lk({ store: pending as never })).message).toContain('await it');
  });
});

/** A real node:http IncomingMessage, as Express hands to a route. */
function incomingMessage(): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = '/me';
  req.headers = { host: 'app.example', cookie: '__Host-session=abc' };
  return req;
}

describe('forRequest takes a Fetch API Request', () => {
  it("an Express / node:http req is a TypeError naming '@latchkey/node' (latchkeyMiddleware, toRequest)", () => {
    const error = thrown(TypeError, () => lk({}).forRequest(incomingMessage() as never));
    expect(error.message).toContain('Node.js IncomingMessage');
    expect(error.message).toContain("'@latchkey/node'");
    expect(error.message).toContain('latchkeyMiddleware(latchkey)');
    expect(error.message).toContain('toRequest(req)');
  });

  it('the same on sealed sessions', () => {
    const sessions = createSealedSessions({ policy: presets.productivity, secrets: [SECRET] });
    const error = thrown(TypeError, () => sessions.forRequest(incomingMessage() as never));
    expect(error.message).toContain("'@latchkey/node'");
  });

  it('a Hono context or c.req says to pass c.req.raw', async () => {
    const latchkey = lk({});
    const messages: string[] = [];
    const app = new Hono().get('/', (c) => {
      for (const wrong of [c, c.req]) {
        try {
          latchkey.forRequest(wrong as never);
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError);
          messages.push((e as Error).message);
        }
      }
      return c.text('ok');
    });
    await app.request('https://app.example/');
    expect(messages).toHaveLength(2);
    for (const message of messages) expect(message).toContain('pass c.req.raw');
  });

  it('anything else that is not a Request is a TypeError', () => {
    const latchkey = lk({});
    for (const wrong of ['https://app.example/', undefined, { url: '/' }]) {
      expect(() => latchkey.forRequest(wrong as never)).toThrow(TypeError);
      expect(() => latchkey.forRequest(wrong as never)).toThrow(/expected a Fetch API Request/);
    }
  });

  it('a Request, or an object shaped like one from another realm, is accepted', async () => {
    const latchkey = lk({});
    const request = new Request('https://app.example/');
    expect((await latchkey.forRequest(request).load()).valid).toBe(false);
    const foreign = { url: request.url, method: 'GET', headers: new Headers() };
    expect((await latchkey.forRequest(foreign as never).load()).valid).toBe(false);
  });
});

describe('cookie: { secure: false } outside development warns once, naming development: true', () => {
  it('on createLatchkey', () => {
    const warn = vi.fn();
    lk({ cookie: { secure: false, warn } });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/secure: false sends it over plain HTTP/);
    expect(warn.mock.calls[0]![0]).toContain('use development: true');
  });

  it('on sealed sessions', () => {
    const warn = vi.fn();
    createSealedSessions({
      policy: presets.productivity,
      secrets: [SECRET],
      cookie: { secure: false, warn },
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain('development: true');
  });

  it('development: true gives only its own warning, and the default none', () => {
    const warn = vi.fn();
    lk({ cookie: { development: true, secure: false, warn } });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/development mode is on/);
    const silent = vi.fn();
    lk({ cookie: { warn: silent } });
    expect(silent).not.toHaveBeenCalled();
  });
});

describe('a bare number under one minute reaches createLatchkey as a PolicyError', () => {
  it('idleTimeout: 30', () => {
    const error = thrown(PolicyError, () =>
      lk({ policy: { ...presets.productivity, idleTimeout: 30 } }),
    );
    expect(error.field).toBe('idleTimeout');
    expect(error.message).toContain(`'30s' or 30_000`);
  });
});

describe('unknown option names are refused, naming the key and the one meant', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a misspelt engine option', { sesionLimit: { max: 1 } }, 'did you mean "sessionLimit"?'],
    ['a wrong case', { keyprefix: 'app:' }, 'did you mean "keyPrefix"?'],
    [
      'a policy option at the top level',
      { idleTimeout: '5m' },
      'idleTimeout belongs in the policy: createLatchkey({ policy: { ...presets.productivity, idleTimeout: ... }, store })',
    ],
    ['a secret, which server-side sessions do not need', { secret: SECRET }, 'need no secret'],
    [
      'a misspelt cookie option',
      { cookie: { httponly: false, warn: quiet } },
      'cookie: unknown option "httponly"; did you mean "httpOnly"?',
    ],
    [
      'a cookie lifetime, which the policy sets',
      { cookie: { maxAge: 3600 } },
      'cookie: unknown option "maxAge"; the cookie\'s lifetime follows the policy',
    ],
    [
      'a misspelt sessionLimit option',
      { sessionLimit: { max: 3, onlimit: 'refuse' } },
      'sessionLimit: unknown option "onlimit"; did you mean "onLimit"?',
    ],
    [
      'a misspelt rememberMe option',
      { rememberMe: { cookiename: 'stay' } },
      'rememberMe: unknown option "cookiename"; did you mean "cookieName"?',
    ],
    [
      'a remember-me lifetime in the engine options',
      { rememberMe: { lifetime: '30d' } },
      "the remember-me lifetime is the policy's: policy: { ...presets.productivity, rememberMe: '30d' }",
    ],
  ])('%s', (_, options, message) => {
    expect(configError(() => lk(options)).message).toContain(message);
  });

  it('rememberMe given as a lifetime is a TypeError that says the lifetime is the policy’s', () => {
    const error = thrown(TypeError, () => lk({ rememberMe: '30d' as never }));
    expect(error.message).toContain('rememberMe takes { cookieName, grace }');
    expect(error.message).toContain('rememberMe: ');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['secret for secrets', { secret: SECRET }, 'did you mean "secrets"? It takes a list'],
    ['a store', { store: new MemoryStore() }, 'pass notBefore: { store }'],
    ['a misspelt option', { chunkng: 'split' }, 'did you mean "chunking"?'],
    [
      'a misspelt notBefore option',
      { notBefore: { store: new MemoryStore(), keyprefix: 'x' } },
      'notBefore: unknown option "keyprefix"; did you mean "keyPrefix"?',
    ],
    ['a misspelt cookie option', { cookie: { samesite: 'Strict' } }, 'did you mean "sameSite"?'],
  ])('createSealedSessions: %s', (_, options, message) => {
    const error = configError(() =>
      createSealedSessions({
        policy: presets.productivity,
        secrets: [SECRET],
        ...options,
      } as SealedSessionsOptions),
    );
    expect(error.message).toContain(message);
  });

  it('createSealedSessions({}) names policy and secrets with an example; one secret as a string is a TypeError', () => {
    expect(configError(() => createSealedSessions({} as never)).message).toContain(
      'missing policy and secrets: createSealedSessions({ policy: presets.productivity, secrets: [env.SESSION_SECRET] })',
    );
    const error = thrown(TypeError, () =>
      createSealedSessions({ policy: presets.productivity, secrets: SECRET as never }),
    );
    expect(error.message).toContain('write secrets: [env.SESSION_SECRET]');
  });

  it('the raw-client check covers the notBefore store too', () => {
    const error = configError(() =>
      createSealedSessions({
        policy: presets.productivity,
        secrets: [SECRET],
        notBefore: { store: new Map() as never },
      }),
    );
    expect(error.message).toContain('notBefore.store is a Map');
  });

  it('every documented option is accepted, and the lists are the interfaces’ keys', () => {
    expectTypeOf<(typeof LATCHKEY_OPTION_NAMES)[number]>().toEqualTypeOf<keyof LatchkeyOptions>();
    expectTypeOf<(typeof SESSION_LIMIT_OPTION_NAMES)[number]>().toEqualTypeOf<keyof SessionLimit>();
    expectTypeOf<(typeof REMEMBER_ME_OPTION_NAMES)[number]>().toEqualTypeOf<
      keyof RememberMeOptions
    >();
    expectTypeOf<(typeof SEALED_OPTION_NAMES)[number]>().toEqualTypeOf<
      keyof SealedSessionsOptions
    >();
    const store = new MemoryStore();
    const clock = new ManualClock();
    expect(() =>
      createLatchkey({
        policy: presets.productivity,
        store,
        cookie: {
          name: 'sid',
          secure: true,
          sameSite: 'Strict',
          path: '/',
          httpOnly: true,
          prefix: 'auto',
          development: false,
          warn: quiet,
        },
        clock,
        random: (length) => crypto.getRandomValues(new Uint8Array(length)),
        onEvent: quiet,
        sessionLimit: { max: 3, onLimit: 'refuse' },
        keyPrefix: 'app:',
        clearSiteData: true,
        rememberMe: { cookieName: 'stay', grace: '10s' },
      }),
    ).not.toThrow();
    expect(() =>
      createSealedSessions({
        policy: presets.productivity,
        secrets: [SECRET],
        clock,
        onEvent: quiet,
        cookie: { name: 'sealed' },
        chunking: 'split',
        maxChunks: 3,
        notBefore: { store, keyPrefix: 'nb:' },
        cache: { maxEntries: 10 },
      }),
    ).not.toThrow();
  });
});

describe('describePolicy describes the cookie as configured', () => {
  it('httpOnly: false and secure: false are said, not hidden', () => {
    const text = lk({
      cookie: { httpOnly: false, secure: false, warn: quiet },
    }).describePolicy();
    const line = text.split('\n').find((l) => l.startsWith('- Cookie:'))!;
    expect(line).toContain('readable by scripts on the page (not HttpOnly)');
    expect(line).toContain('not Secure');
    expect(line).not.toMatch(/, HttpOnly/);
  });

  it('the defaults read HttpOnly, Secure', () => {
    expect(lk({}).describePolicy()).toMatch(
      /- Cookie: __Host-session, .*HttpOnly, Secure, SameSite=Lax/,
    );
  });
});
