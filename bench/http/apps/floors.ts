/**
 * The floors: hand-written middlewares doing only the least work a session
 * read must do (find the cookie, hash the ID, one lookup; or verify a sealed
 * cookie), on the same servers as the contenders, so each Latchkey row shows
 * its distance from the limit in the same run.
 */

import { createClient } from '@libsql/client';
import { sha256 } from '@noble/hashes/sha2.js';
import express from 'express';
import { Hono, type MiddlewareHandler } from 'hono';
import Redis from 'ioredis';
import { base64url, compactDecrypt, CompactEncrypt } from 'jose';
import pg from 'pg';
import { join } from 'node:path';
import type { App } from './env.js';
import { count, read, serveFetch, serveNode } from './serve.js';

const NAME = 'sid';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The value of cookie `name` in a Cookie header, by hand. */
function cookieValue(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const at = header.startsWith(`${name}=`) ? 0 : header.indexOf(`; ${name}=`);
  if (at < 0) return undefined;
  const start = at === 0 ? name.length + 1 : at + name.length + 3;
  const end = header.indexOf(';', start);
  return header.slice(start, end < 0 ? undefined : end);
}

const keyOf = (id: string) => `lk:${base64url.encode(sha256(encoder.encode(id)))}`;
/** The same record Latchkey's memory store holds for a signed-in session, so both parse the same bytes. */
const record = (uid: string) => {
  const now = Date.now();
  return JSON.stringify({
    t: 'session',
    v: 1,
    uid,
    data: {},
    createdAt: now,
    lastSeenAt: now,
    idleDeadline: now + 1_800_000,
    absoluteDeadline: now + 86_400_000,
    authTime: now,
    issuedAt: now,
    device: { userAgent: 'node' },
  });
};
type Rec = { uid: string; idleDeadline: number; absoluteDeadline: number };
const live = (rec: Rec, now: number) => now < rec.idleDeadline && now < rec.absoluteDeadline;
const newId = () => base64url.encode(crypto.getRandomValues(new Uint8Array(32)));

/** A Map with 1000 other sessions and alice's, and the check every floor makes. */
function mapFloor() {
  const map = new Map<string, string>();
  for (let i = 0; i < 1000; i++) map.set(keyOf(newId()), record(`user-${i}`));
  const id = newId();
  map.set(keyOf(id), record('alice'));
  const lookup = (header: string | null | undefined): string | null => {
    const value = cookieValue(header, NAME);
    if (!value || value.length !== 43) return null;
    const raw = map.get(keyOf(value));
    if (raw === undefined) return null;
    const rec = JSON.parse(raw) as Rec;
    return live(rec, Date.now()) ? rec.uid : null;
  };
  return { cookie: `${NAME}=${id}`, lookup };
}

const hello = (user: string | null) =>
  user === null ? new Response('no', { status: 401 }) : new Response(`hello ${user}`);

function honoWith(mw: MiddlewareHandler<{ Variables: { user: string | null } }>) {
  const app = new Hono<{ Variables: { user: string | null } }>();
  app.use(mw);
  app.get('/', (c) => {
    const user = c.get('user');
    return user === null ? c.text('no', 401) : c.text(`hello ${user}`);
  });
  return app;
}

/** A sealed cookie shaped like Latchkey's: the session ID and the same record. */
async function jweOf(key: CryptoKey, uid: string): Promise<string> {
  const body = encoder.encode(`{"sid":"${newId()}","r":${record(uid)}}`);
  return new CompactEncrypt(body).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
}

export const floorApps: Record<string, App> = {
  async hono() {
    const app = new Hono();
    app.get('/', (c) => c.text('hello'));
    return { port: await serveFetch(app.fetch), request: read('') };
  },
  async fetch() {
    return { port: await serveFetch(async () => new Response('hello')), request: read('') };
  },
  async express() {
    const app = express();
    app.get('/', (_req, res) => {
      res.send('hello');
    });
    return { port: await serveNode(app), request: read('') };
  },
  async 'floor-noop'() {
    const app = honoWith(async (c, next) => {
      c.set('user', 'alice');
      await next();
    });
    return { port: await serveFetch(app.fetch), request: read('') };
  },
  async 'floor-map'() {
    const { cookie, lookup } = mapFloor();
    const app = honoWith(async (c, next) => {
      c.set('user', lookup(c.req.header('cookie')));
      await next();
    });
    return { port: await serveFetch(app.fetch), request: read(cookie) };
  },
  async 'floor-fetch-map'() {
    const { cookie, lookup } = mapFloor();
    const port = await serveFetch(async (request) => hello(lookup(request.headers.get('cookie'))));
    return { port, request: read(cookie) };
  },
  async 'floor-express-map'() {
    const { cookie, lookup } = mapFloor();
    const app = express();
    app.use((req, _res, next) => {
      (req as unknown as { user: string | null }).user = lookup(req.headers.cookie);
      next();
    });
    app.get('/', (req, res) => {
      const user = (req as unknown as { user: string | null }).user;
      if (user === null) res.status(401).send('no');
      else res.send(`hello ${user}`);
    });
    return { port: await serveNode(app), request: read(cookie) };
  },
  async 'floor-sealed-cache'() {
    const key0 = await crypto.subtle.importKey(
      'raw',
      crypto.getRandomValues(new Uint8Array(32)),
      'AES-GCM',
      false,
      ['encrypt', 'decrypt'],
    );
    const token = await jweOf(key0, 'alice');
    // Keyed by the token's SHA-256, so the cache holds no usable token; it holds JSON, and each
    // request decodes its own copy (a handler's changes never reach another request). Expiry is
    // still checked on every request.
    const cache = new Map<string, string>();
    const app = honoWith(async (c, next) => {
      const value = cookieValue(c.req.header('cookie'), NAME);
      const key = value === undefined ? '' : base64url.encode(sha256(encoder.encode(value)));
      let json = value === undefined ? undefined : cache.get(key);
      if (value !== undefined && json === undefined) {
        const { plaintext } = await compactDecrypt(value, key0);
        json = decoder.decode(plaintext);
        cache.set(key, json);
      }
      const claims = json === undefined ? null : (JSON.parse(json) as { r: Rec });
      c.set('user', claims && live(claims.r, Date.now()) ? claims.r.uid : null);
      await next();
    });
    return { port: await serveFetch(app.fetch), request: read(`${NAME}=${token}`) };
  },
  async 'floor-jwe'() {
    const key = await crypto.subtle.importKey(
      'raw',
      crypto.getRandomValues(new Uint8Array(32)),
      'AES-GCM',
      false,
      ['encrypt', 'decrypt'],
    );
    const token = await jweOf(key, 'alice');
    const app = honoWith(async (c, next) => {
      const value = cookieValue(c.req.header('cookie'), NAME);
      let user: string | null = null;
      if (value !== undefined) {
        const { plaintext } = await compactDecrypt(value, key);
        const claims = JSON.parse(decoder.decode(plaintext)) as { r: Rec };
        if (live(claims.r, Date.now())) user = claims.r.uid;
      }
      c.set('user', user);
      await next();
    });
    return { port: await serveFetch(app.fetch), request: read(`${NAME}=${token}`) };
  },
  async 'floor-redis'(env) {
    const redis = new Redis(env.redisUrl!, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    await new Promise((resolve) => redis.once('ready', resolve));
    const id = newId();
    await redis.set(`floor:${keyOf(id)}`, record('alice'), 'PX', 86_400_000);
    const app = honoWith(async (c, next) => {
      const value = cookieValue(c.req.header('cookie'), NAME);
      const raw = value?.length === 43 ? await redis.get(`floor:${keyOf(value)}`) : null;
      const rec = raw === null ? null : (JSON.parse(raw) as Rec);
      c.set('user', rec && live(rec, Date.now()) ? rec.uid : null);
      await next();
    });
    return { port: await serveFetch(app.fetch), request: read(`${NAME}=${id}`) };
  },
  async 'floor-sqlite'(env) {
    const db = createClient({ url: `file:${join(env.dir, 'floor.db')}`, concurrency: 1 });
    await db.executeMultiple(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE IF NOT EXISTS floor (k TEXT PRIMARY KEY, v TEXT NOT NULL, exp INTEGER NOT NULL);',
    );
    const id = newId();
    for (let i = 0; i < 1000; i++)
      await db.execute({
        sql: 'INSERT INTO floor VALUES (?, ?, ?)',
        args: [keyOf(newId()), record(`user-${i}`), Date.now() + 86_400_000],
      });
    await db.execute({
      sql: 'INSERT INTO floor VALUES (?, ?, ?)',
      args: [keyOf(id), record('alice'), Date.now() + 86_400_000],
    });
    const app = honoWith(async (c, next) => {
      const value = cookieValue(c.req.header('cookie'), NAME);
      count('floor-sqlite');
      const { rows } = await db.execute({
        sql: 'SELECT v FROM floor WHERE k = ? AND exp > ?',
        args: [keyOf(value ?? ''), Date.now()],
      });
      const rec = rows[0] ? (JSON.parse(rows[0].v as string) as { uid: string }) : null;
      c.set('user', rec ? rec.uid : null);
      await next();
    });
    return { port: await serveFetch(app.fetch), request: read(`${NAME}=${id}`) };
  },
  async 'floor-pg'(env) {
    const pool = new pg.Pool({ connectionString: env.postgresUrl });
    pool.on('error', () => {});
    await pool.query(
      'CREATE TABLE IF NOT EXISTS floor (k TEXT PRIMARY KEY, v TEXT NOT NULL, exp BIGINT NOT NULL)',
    );
    const id = newId();
    for (let i = 0; i < 1000; i++)
      await pool.query('INSERT INTO floor VALUES ($1, $2, $3)', [
        keyOf(newId()),
        record(`user-${i}`),
        Date.now() + 86_400_000,
      ]);
    await pool.query('INSERT INTO floor VALUES ($1, $2, $3)', [
      keyOf(id),
      record('alice'),
      Date.now() + 86_400_000,
    ]);
    const app = honoWith(async (c, next) => {
      const value = cookieValue(c.req.header('cookie'), NAME);
      count('floor-pg');
      const { rows } = await pool.query<{ v: string }>(
        'SELECT v FROM floor WHERE k = $1 AND exp > $2',
        [keyOf(value ?? ''), Date.now()],
      );
      const rec = rows[0] ? (JSON.parse(rows[0].v) as { uid: string }) : null;
      c.set('user', rec ? rec.uid : null);
      await next();
    });
    return { port: await serveFetch(app.fetch), request: read(`${NAME}=${id}`) };
  },
};
